//! What a cluster runs besides our servers: Redis, PostgreSQL and nginx,
//! each started in the cluster's dir.
// @demo-file: measurement and operations tooling for the demo's routes

use super::{
    loopback,
    process::{listening, spawn, Process},
};
use crate::{bench, nginx};
use anyhow::{bail, Context, Result};
use std::{
    env, fs,
    net::SocketAddr,
    os::unix::process::CommandExt,
    path::{Path, PathBuf},
    process::Command,
    time::{Duration, Instant},
};

/// What the cluster runs besides our server: `make cluster-tools` installs them.
const TOOLS: [&str; 3] = ["redis-server", "postgres", "nginx"];

fn tool_is_installed(tool: &str) -> bool {
    match tool {
        "postgres" => postgres_bin_dir().is_ok(),
        "nginx" => nginx::binary().is_some(),
        _ => on_path(tool),
    }
}

fn on_path(program: &str) -> bool {
    env::var_os("PATH").is_some_and(|path| env::split_paths(&path).any(|dir| dir.join(program).is_file()))
}

/// Fails, naming what is missing and what installs it, unless Redis,
/// PostgreSQL and nginx are installed. Installing them is make's part
/// (`make cluster`, `make test`), where it can run beside the build.
pub(super) fn check_tools() -> Result<()> {
    let missing: Vec<&str> = TOOLS.into_iter().filter(|tool| !tool_is_installed(tool)).collect();
    if !missing.is_empty() {
        bail!("{} not installed: `make cluster-tools` installs Redis, PostgreSQL and nginx from Debian", missing.join(", "));
    }
    Ok(())
}

pub(super) fn start_redis(dir: &Path, addr: SocketAddr) -> Result<Process> {
    let mut command = Command::new("redis-server");
    command
        .args(["--bind", "127.0.0.1", "--port", &addr.port().to_string()])
        // A cache: nothing to persist; losing it costs one render per page.
        .args(["--save", "", "--appendonly", "no", "--daemonize", "no"])
        .arg("--dir")
        .arg(dir);
    let log = dir.join("redis.log");
    listening(spawn("redis", command, &log, libc::SIGTERM)?, addr, &log)
}

/// Initializes a database cluster in `dir/pgdata` and starts PostgreSQL on a free
/// port. Returns it and its port.
pub(super) fn start_postgres(dir: &Path) -> Result<(Process, u16)> {
    let bin = postgres_bin_dir()?;
    let data = dir.join("pgdata");
    let sockets = dir.join("pgsock");
    fs::create_dir_all(&sockets)?;
    // PostgreSQL refuses to run as root.
    let owner = if unsafe { libc::geteuid() } == 0 { Some(user_ids("postgres")?) } else { None };
    if let Some((uid, gid)) = owner {
        std::os::unix::fs::chown(dir, Some(uid), Some(gid))?;
        std::os::unix::fs::chown(&sockets, Some(uid), Some(gid))?;
    }
    let as_owner = |command: &mut Command| {
        if let Some((uid, gid)) = owner {
            command.uid(uid).gid(gid);
        }
    };
    let mut initdb = Command::new(bin.join("initdb"));
    initdb.arg("-D").arg(&data).args(["-U", "blog", "-A", "trust", "-E", "UTF8", "--no-sync"]);
    as_owner(&mut initdb);
    let output = initdb.output().context("running initdb")?;
    if !output.status.success() {
        bail!("initdb failed: {}", String::from_utf8_lossy(&output.stderr));
    }
    let port = bench::free_port()?;
    let mut postgres = Command::new(bin.join("postgres"));
    postgres
        .arg("-D")
        .arg(&data)
        .args(["-p", &port.to_string(), "-c", "listen_addresses=127.0.0.1", "-c"])
        .arg(format!("unix_socket_directories={}", sockets.display()))
        // Test data: speed over durability.
        .args(["-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "full_page_writes=off"]);
    as_owner(&mut postgres);
    let log = dir.join("postgres.log");
    // SIGINT: PostgreSQL's fast shutdown.
    let process = listening(spawn("postgres", postgres, &log, libc::SIGINT)?, loopback(port), &log)?;
    Ok((process, port))
}

/// Creates the `blog` database; returns its `DATABASE_URL`. PostgreSQL accepts
/// connections before it can serve them ("the database system is starting
/// up"), so a failure is retried for a few seconds.
pub(super) fn create_database(port: u16) -> Result<String> {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let created = Command::new(postgres_bin_dir()?.join("createdb"))
            .args(["-h", "127.0.0.1", "-p", &port.to_string(), "-U", "blog", "blog"])
            .output()
            .context("running createdb")?;
        if created.status.success() {
            return Ok(format!("postgres://blog@127.0.0.1:{port}/blog"));
        }
        if Instant::now() > deadline {
            bail!("createdb failed: {}", String::from_utf8_lossy(&created.stderr));
        }
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// Debian's newest `/usr/lib/postgresql/<version>/bin`.
fn postgres_bin_dir() -> Result<PathBuf> {
    let mut versions: Vec<(u32, PathBuf)> = fs::read_dir("/usr/lib/postgresql")
        .context("PostgreSQL is not installed")?
        .filter_map(|entry| {
            let path = entry.ok()?.path();
            let version = path.file_name()?.to_str()?.parse().ok()?;
            path.join("bin/postgres").is_file().then(|| (version, path.join("bin")))
        })
        .collect();
    versions.sort();
    Ok(versions.pop().context("no /usr/lib/postgresql/*/bin/postgres")?.1)
}

fn user_ids(name: &str) -> Result<(u32, u32)> {
    let name = std::ffi::CString::new(name)?;
    // SAFETY: getpwnam reads the passwd database; the result is copied at once.
    let entry = unsafe { libc::getpwnam(name.as_ptr()) };
    if entry.is_null() {
        bail!("there is no `postgres` user to run PostgreSQL as (Debian's postgresql package creates it)");
    }
    // SAFETY: checked non-null above.
    Ok(unsafe { ((*entry).pw_uid, (*entry).pw_gid) })
}

pub(super) fn start_nginx(dir: &Path, addr: SocketAddr, upstreams: &[SocketAddr]) -> Result<Process> {
    let servers: String = upstreams
        .iter()
        // A failed instance is left alone for 2 s, then tried again.
        .map(|addr| format!("    server {addr} max_fails=1 fail_timeout=2s;\n"))
        .collect();
    let server = format!(
        "  upstream blog {{\n{servers}    keepalive 64;\n    keepalive_timeout 20s;\n  }}\n\
         server {{\n    listen {addr};\n\
             proxy_http_version 1.1;\n    proxy_set_header Connection \"\";\n    proxy_set_header Host $host;\n\
             proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;\n\
             # An instance that is down or dies before answering: the same request\n\
             # goes to the next one. nginx never retries a POST this way.\n\
             proxy_next_upstream error timeout http_502 http_503 http_504;\n    proxy_next_upstream_tries 3;\n\
             proxy_connect_timeout 1s;\n    proxy_buffers 16 16k;\n\
             location / {{ proxy_pass http://blog; }}\n\
             # The shell first, the holes as they finish: nothing may hold them back.\n\
             location ~ ^/(stream|ppr)$ {{ proxy_pass http://blog; proxy_buffering off; }}\n\
         }}\n"
    );
    let dir = dir.join("nginx");
    let command = nginx::command(&dir, 4096, &server)?;
    let log = dir.join("nginx.log");
    // SIGQUIT: nginx's graceful stop, which also ends its workers.
    listening(spawn("nginx", command, &log, libc::SIGQUIT)?, addr, &dir.join("error.log"))
}
