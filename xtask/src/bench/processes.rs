//! What the bench starts and measures: the release server and nginx on
//! ephemeral loopback ports, and a child's peak memory.
// @demo-file: measurement and operations tooling for the demo's routes

use crate::nginx;
use anyhow::{bail, Context, Result};
use std::{
    fs,
    io::{BufRead, BufReader},
    net::{SocketAddr, TcpListener, TcpStream},
    path::Path,
    process::{Child, Command, Stdio},
    time::{Duration, Instant},
};

/// A release server on an ephemeral loopback port, stopped when dropped.
pub(crate) struct Server {
    child: Child,
    pub(crate) addr: SocketAddr,
}

impl Server {
    pub(crate) fn start(bin: &Path, site: &Path, content: &Path, db: &Path, extra: &[(&str, String)]) -> Result<Server> {
        let mut command = Command::new(bin);
        command
            .env("LEPTOS_SITE_ADDR", "127.0.0.1:0")
            .env("LEPTOS_SITE_ROOT", site)
            .env("CONTENT_DIR", content)
            .env("DATABASE_URL", format!("sqlite://{}", db.display()))
            .env("RUST_LOG", "warn,server=info")
            .env("NO_COLOR", "1")
            .stdout(Stdio::piped())
            .stderr(Stdio::null());
        for (key, value) in extra {
            command.env(key, value);
        }
        let mut child = command.spawn().context("starting the server")?;
        let stdout = child.stdout.take().expect("piped");
        let mut lines = BufReader::new(stdout).lines();
        let addr = loop {
            let line = lines.next().context("the server exited before listening")??;
            if let Some(url) = line.split("listening on http://").nth(1) {
                break url.trim().parse().context("the address the server printed")?;
            }
        };
        // Keep draining its log so the server never blocks on a full pipe.
        std::thread::spawn(move || lines.for_each(drop));
        Ok(Server { child, addr })
    }

    /// `VmRSS` (now) or `VmHWM` (peak since start) from /proc, in KiB.
    pub(crate) fn rss_kib(&self, field: &str) -> Result<u64> {
        let status = fs::read_to_string(format!("/proc/{}/status", self.child.id()))?;
        let line = status.lines().find(|l| l.starts_with(field)).with_context(|| format!("{field} in /proc"))?;
        Ok(line.split_whitespace().nth(1).context("a number")?.parse()?)
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// nginx on an ephemeral loopback port, serving the site root, from a config
/// written to a temp dir; stopped when dropped.
pub(super) struct Nginx {
    child: Child,
    pub(super) addr: SocketAddr,
}

impl Nginx {
    pub(super) fn start(site: &Path, dir: &Path) -> Result<Nginx> {
        let port = free_port()?;
        let server = format!(
            "  sendfile on;\n  tcp_nopush on;\n  keepalive_requests 100000;\n\
             types {{ text/html html; text/css css; application/javascript js; application/wasm wasm; }}\n\
             default_type application/octet-stream;\n\
             server {{ listen 127.0.0.1:{port}; root {site}; index index.html; }}\n",
            site = site.display(),
        );
        let child = nginx::command(dir, 1024, &server)?.stderr(Stdio::null()).spawn().context("starting nginx (make bench installs it)")?;
        let addr = SocketAddr::from(([127, 0, 0, 1], port));
        let deadline = Instant::now() + Duration::from_secs(10);
        while TcpStream::connect(addr).is_err() {
            if Instant::now() > deadline {
                bail!("nginx did not start; see {}/error.log", dir.display());
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        Ok(Nginx { child, addr })
    }
}

impl Drop for Nginx {
    fn drop(&mut self) {
        // SIGQUIT: nginx's graceful stop, which also ends its workers.
        unsafe { libc::kill(self.child.id() as i32, libc::SIGQUIT) };
        let _ = self.child.wait();
    }
}

pub(crate) fn free_port() -> Result<u16> {
    Ok(TcpListener::bind("127.0.0.1:0")?.local_addr()?.port())
}

/// Waits for `child` and returns whether it succeeded and its own peak
/// resident set in KiB, as the kernel counted it (`wait4`'s rusage).
pub(super) fn wait_with_peak_rss(child: Child) -> Result<(bool, u64)> {
    let mut status = 0;
    let mut usage = std::mem::MaybeUninit::<libc::rusage>::zeroed();
    // SAFETY: wait4 on our own child's pid, with valid pointers to fill.
    let pid = unsafe { libc::wait4(child.id() as i32, &mut status, 0, usage.as_mut_ptr()) };
    if pid < 0 {
        bail!("waiting for the prerender: {}", std::io::Error::last_os_error());
    }
    // SAFETY: wait4 succeeded, so it filled the struct.
    let usage = unsafe { usage.assume_init() };
    let succeeded = libc::WIFEXITED(status) && libc::WEXITSTATUS(status) == 0;
    Ok((succeeded, u64::try_from(usage.ru_maxrss).unwrap_or(0)))
}

pub(crate) fn cores() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get())
}

pub(super) fn load_average() -> String {
    fs::read_to_string("/proc/loadavg")
        .map(|s| s.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_default()
}
