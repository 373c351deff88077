//! nginx, as `make bench`'s baseline (a file server) and the cluster's front
//! (a proxy): where Debian puts it, and what every throwaway nginx here needs,
//! a config that keeps its pid, logs and temp files in a directory of its own.
// @demo-file: measurement and operations tooling for the demo's routes

use anyhow::{Context, Result};
use std::{
    fs,
    path::{Path, PathBuf},
    process::Command,
};

/// Debian puts nginx in /usr/sbin, which a non-root PATH may lack.
pub fn binary() -> Option<PathBuf> {
    let on_path = std::env::var_os("PATH").and_then(|path| std::env::split_paths(&path).map(|dir| dir.join("nginx")).find(|p| p.is_file()));
    ["/usr/sbin/nginx", "/usr/bin/nginx"].into_iter().map(PathBuf::from).find(|path| path.exists()).or(on_path)
}

/// Writes `dir/nginx.conf`, with `server` (the blocks inside `http`) after the
/// settings every instance shares, and returns the command that runs it in the
/// foreground. Its errors go to `dir/error.log`.
pub fn command(dir: &Path, worker_connections: u32, server: &str) -> Result<Command> {
    fs::create_dir_all(dir)?;
    let d = dir.display();
    let config = format!(
        "worker_processes auto;\ndaemon off;\npid {d}/nginx.pid;\nerror_log {d}/error.log warn;\n\
         events {{ worker_connections {worker_connections}; }}\n\
         http {{\n  access_log off;\n\
         client_body_temp_path {d}/body;\n  proxy_temp_path {d}/proxy;\n  fastcgi_temp_path {d}/fastcgi;\n\
         uwsgi_temp_path {d}/uwsgi;\n  scgi_temp_path {d}/scgi;\n\
         {server}}}\n"
    );
    let file = dir.join("nginx.conf");
    fs::write(&file, config).with_context(|| format!("writing {}", file.display()))?;
    let mut command = Command::new(binary().context("nginx is not installed (make bench-tools installs it)")?);
    command.arg("-c").arg(&file).arg("-p").arg(dir);
    Ok(command)
}
