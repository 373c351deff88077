//! `cargo xtask cluster` (`make cluster`): the scale-out picture on one machine.
//!
//! - N server instances (`CLUSTER_INSTANCES`, default 3) on loopback ports, each
//!   with its own copy of the site root;
//! - Redis, holding the ISR pages and the regeneration lock for all of them
//!   (`ISR_CACHE_URL`);
//! - PostgreSQL, holding the view counts for all of them (`DATABASE_URL`); it
//!   refuses to run as root, so as root it runs as Debian's `postgres` user;
//! - nginx in front, on `CLUSTER_ADDR` (default `127.0.0.1:3000`): it streams
//!   `/stream` and `/ppr` unbuffered, and retries an idempotent request on another
//!   instance when one fails.
//!
//! Everything keeps its data and logs in one temp dir. `make cluster` leaves it
//! running and records it in `target/cluster/cluster.json`; `make cluster-stop`
//! stops what that file names. The tests below start their own and stop it.

use crate::{bench, nginx, random_token, site::copy_dir, workspace_root};
use anyhow::{bail, Context, Result};
use serde_json::{json, Value};
use std::{
    env, fs,
    net::{SocketAddr, TcpStream},
    os::unix::process::CommandExt,
    path::{Path, PathBuf},
    process::{Child, Command, Stdio},
    time::{Duration, Instant},
};

pub struct Settings {
    pub instances: usize,
    /// Where nginx listens.
    pub addr: SocketAddr,
    /// Passed to every instance as is (`ISR_REVALIDATE_SECS`, `DEMO_LATENCY_MS`, …).
    pub env: Vec<(String, String)>,
}

impl Settings {
    pub fn from_env() -> Result<Settings> {
        let instances = env::var("CLUSTER_INSTANCES").unwrap_or_else(|_| "3".into()).parse().context("CLUSTER_INSTANCES")?;
        let addr = env::var("CLUSTER_ADDR").unwrap_or_else(|_| "127.0.0.1:3000".into()).parse().context("CLUSTER_ADDR")?;
        let passed = ["ISR_REVALIDATE_SECS", "DEMO_LATENCY_MS", "PPR_HOLE_TIMEOUT_MS", "RUST_LOG"];
        let env = passed.iter().filter_map(|name| Some((name.to_string(), env::var(name).ok()?))).collect();
        Ok(Settings { instances, addr, env })
    }
}

/// A process the cluster started. Stopping it signals, then waits up to 10 s
/// before SIGKILL.
struct Process {
    name: String,
    pid: u32,
    /// Ours to reap, when this process started it (not after `make cluster` exited).
    child: Option<Child>,
    /// Boot and start time, which tell this process from a later one given the
    /// same pid (after it exited, or after a reboot).
    identity: Option<String>,
    stop_signal: i32,
}

impl Process {
    fn stop(&mut self) {
        // Never signal a pid that may already belong to another process.
        if !self.is_running() {
            return;
        }
        signal(self.pid, self.stop_signal);
        // A paused process acts on the signal only once it runs again.
        signal(self.pid, libc::SIGCONT);
        let mut deadline = Instant::now() + Duration::from_secs(10);
        let mut killed = false;
        while self.is_running() {
            if Instant::now() > deadline {
                if killed {
                    eprintln!("{} (pid {}) is still there 5 s after SIGKILL; giving up on it", self.name, self.pid);
                    return;
                }
                signal(self.pid, libc::SIGKILL);
                (killed, deadline) = (true, Instant::now() + Duration::from_secs(5));
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    fn is_running(&mut self) -> bool {
        match (&mut self.child, &self.identity) {
            (Some(child), _) => matches!(child.try_wait(), Ok(None)),
            (None, Some(recorded)) => identity(self.pid).as_ref() == Some(recorded),
            // Recorded without one (an older cluster.json): the pid is all there is.
            // SAFETY: signal 0 only checks that the pid exists.
            (None, None) => unsafe { libc::kill(self.pid as i32, 0) == 0 },
        }
    }
}

/// This boot's id and the process's start time in clock ticks since boot
/// (`/proc/<pid>/stat`, field 22); `None` if no such process runs, or it has
/// exited and waits to be reaped (a zombie).
fn identity(pid: u32) -> Option<String> {
    let boot = fs::read_to_string("/proc/sys/kernel/random/boot_id").ok()?;
    let stat = fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // Fields after the command name, which is in parentheses and may hold spaces:
    // the state (field 3) first, the start time (field 22) twenty on.
    let mut fields = stat[stat.rfind(')')? + 1..].split_whitespace();
    if fields.next()? == "Z" {
        return None;
    }
    let started = fields.nth(18)?;
    Some(format!("{}:{started}", boot.trim()))
}

fn signal(pid: u32, signal: i32) {
    // SAFETY: sends a signal to a process this cluster started.
    unsafe { libc::kill(pid as i32, signal) };
}

pub struct Instance {
    pub addr: SocketAddr,
    pub log: PathBuf,
    process: Process,
}

pub struct Cluster {
    pub dir: PathBuf,
    /// nginx: where clients go.
    pub addr: SocketAddr,
    pub instances: Vec<Instance>,
    pub redis_addr: SocketAddr,
    pub revalidate_token: String,
    // `None` until started: a start that fails halfway stops what it started.
    redis: Option<Process>,
    postgres: Option<Process>,
    nginx: Option<Process>,
    /// `make cluster` leaves everything running; tests stop it on drop.
    detached: bool,
}

/// What the cluster runs besides our server, and the Debian package of each.
const TOOLS: [(&str, &str); 3] = [("redis-server", "redis-server"), ("postgres", "postgresql"), ("nginx", "nginx")];

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

/// Installs Redis, PostgreSQL and nginx from Debian where they are missing
/// (apt-get sometimes fails once on vanished temp files, so it is tried twice).
pub fn install_missing_tools() -> Result<()> {
    let missing: Vec<&str> = TOOLS.iter().filter(|(tool, _)| !tool_is_installed(tool)).map(|(_, package)| *package).collect();
    if missing.is_empty() {
        return Ok(());
    }
    let root = unsafe { libc::geteuid() } == 0;
    let apt = |args: &[&str]| {
        let mut command = if root { Command::new("apt-get") } else { Command::new("sudo") };
        if !root {
            command.arg("apt-get");
        }
        command.args(args).stdout(Stdio::null()).status().is_ok_and(|status| status.success())
    };
    let install = [&["install", "-y", "--no-install-recommends"][..], &missing].concat();
    let installed = apt(&["update"]) && (apt(&install) || apt(&install));
    if !installed || TOOLS.iter().any(|(tool, _)| !tool_is_installed(tool)) {
        bail!("cannot install {} with apt-get", missing.join(", "));
    }
    Ok(())
}

impl Cluster {
    pub fn start(settings: &Settings) -> Result<Cluster> {
        install_missing_tools()?;
        let root = workspace_root()?;
        let server_bin = root.join("target/release/server");
        let built_site = root.join(env::var("LEPTOS_SITE_ROOT").unwrap_or_else(|_| "target/site".into()));
        if !server_bin.is_file() || !built_site.join("isr/index.html").is_file() {
            bail!("run `make build` first: the cluster needs target/release/server and a built site root");
        }
        let content = root.join(env::var("CONTENT_DIR").unwrap_or_else(|_| "content".into()));
        let revalidate_token = match env::var("REVALIDATE_TOKEN") {
            Ok(token) if !token.is_empty() => token,
            _ => random_token()?,
        };
        let redis_addr = loopback(bench::free_port()?);
        let dir = env::temp_dir().join(format!("blog-cluster-{}-{}", std::process::id(), unique()));
        fs::create_dir_all(&dir)?;
        // From here on, dropping `cluster` removes the dir and stops what started.
        let mut cluster = Cluster {
            dir: dir.clone(),
            addr: settings.addr,
            instances: Vec::new(),
            redis_addr,
            revalidate_token: revalidate_token.clone(),
            redis: None,
            postgres: None,
            nginx: None,
            detached: false,
        };
        cluster.redis = Some(start_redis(&dir, redis_addr)?);
        let (postgres, postgres_port) = start_postgres(&dir)?;
        cluster.postgres = Some(postgres);
        let database_url = create_database(postgres_port)?;

        for n in 1..=settings.instances {
            let site = dir.join(format!("instance-{n}/site"));
            copy_dir(&built_site, &site)?;
            let addr = loopback(bench::free_port()?);
            let log = dir.join(format!("instance-{n}.log"));
            let mut command = Command::new(&server_bin);
            command
                .env("LEPTOS_SITE_ADDR", addr.to_string())
                .env("LEPTOS_SITE_ROOT", &site)
                .env("CONTENT_DIR", &content)
                .env("DATABASE_URL", &database_url)
                .env("ISR_CACHE_URL", format!("redis://{redis_addr}"))
                .env("REVALIDATE_TOKEN", &revalidate_token)
                .env("RUST_LOG", "info")
                .env("NO_COLOR", "1");
            for (name, value) in &settings.env {
                command.env(name, value);
            }
            let process = spawn(&format!("instance {n}"), command, &log, libc::SIGTERM)?;
            cluster.instances.push(Instance { addr, log, process });
        }
        for instance in &cluster.instances {
            wait_for_port(instance.addr, &instance.log)?;
        }
        let upstreams: Vec<SocketAddr> = cluster.instances.iter().map(|i| i.addr).collect();
        cluster.nginx = Some(start_nginx(&dir, settings.addr, &upstreams)?);
        Ok(cluster)
    }

    /// Stops Redis (the instances carry on without it).
    #[cfg(test)]
    pub fn stop_redis(&mut self) {
        self.redis.iter_mut().for_each(Process::stop);
    }

    /// Starts Redis again where it was: empty, or from its snapshot if it saved one.
    #[cfg(test)]
    pub fn restart_redis(&mut self) -> Result<()> {
        self.redis = Some(start_redis(&self.dir, self.redis_addr)?);
        Ok(())
    }

    /// Stops Redis after it saves a snapshot, which `restart_redis` loads: Redis
    /// comes back holding the pages it had when it went.
    #[cfg(test)]
    pub fn stop_redis_after_a_snapshot(&mut self) -> Result<()> {
        use std::io::Write;
        let mut redis = TcpStream::connect(self.redis_addr)?;
        redis.write_all(b"*2\r\n$8\r\nSHUTDOWN\r\n$4\r\nSAVE\r\n")?;
        let deadline = Instant::now() + Duration::from_secs(10);
        while self.redis.as_mut().is_some_and(Process::is_running) {
            if Instant::now() > deadline {
                bail!("Redis did not shut down");
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        Ok(())
    }

    /// SIGKILL: the instance gets no chance to finish anything.
    #[cfg(test)]
    pub fn kill_instance(&mut self, index: usize) {
        let process = &mut self.instances[index].process;
        signal(process.pid, libc::SIGKILL);
        process.stop();
    }

    fn processes(&mut self) -> impl Iterator<Item = &mut Process> {
        // Front to back: no request arrives at a tier that is already gone.
        self.nginx
            .iter_mut()
            .chain(self.instances.iter_mut().map(|i| &mut i.process))
            .chain(self.redis.iter_mut())
            .chain(self.postgres.iter_mut())
    }

    pub fn stop(&mut self) {
        self.processes().for_each(Process::stop);
        let _ = fs::remove_dir_all(&self.dir);
    }

    fn state(&mut self) -> Value {
        let dir = self.dir.display().to_string();
        let addr = self.addr.to_string();
        let processes: Vec<Value> = self
            .processes()
            .map(|p| json!({ "name": p.name, "pid": p.pid, "identity": p.identity, "stop_signal": p.stop_signal }))
            .collect();
        json!({ "dir": dir, "addr": addr, "processes": processes })
    }
}

impl Drop for Cluster {
    fn drop(&mut self) {
        if !self.detached {
            self.stop();
        }
    }
}

fn state_file() -> Result<PathBuf> {
    Ok(workspace_root()?.join("target/cluster/cluster.json"))
}

/// `make cluster`: starts the cluster, leaves it running, and says where it is.
pub fn start_detached(settings: &Settings) -> Result<()> {
    let file = state_file()?;
    if file.exists() {
        bail!("a cluster is already running ({}): `make cluster-stop` first", file.display());
    }
    let mut cluster = Cluster::start(settings)?;
    fs::create_dir_all(file.parent().expect("a parent"))?;
    fs::write(&file, serde_json::to_vec_pretty(&cluster.state())?)?;
    // Only now that the file names them may they outlive this command.
    cluster.detached = true;
    println!("The cluster serves http://{}", cluster.addr);
    println!("  nginx -> {}", cluster.instances.iter().map(|i| i.addr.to_string()).collect::<Vec<_>>().join(", "));
    println!("  ISR pages in Redis at {}; view counts in PostgreSQL", cluster.redis_addr);
    println!("  logs and data in {}", cluster.dir.display());
    println!("  REVALIDATE_TOKEN={}", cluster.revalidate_token);
    println!("Stop it with `make cluster-stop`.");
    Ok(())
}

/// `make cluster-stop`: stops everything `make cluster` started.
pub fn stop_detached() -> Result<()> {
    let file = state_file()?;
    let Ok(text) = fs::read_to_string(&file) else {
        println!("No cluster is running ({} is missing).", file.display());
        return Ok(());
    };
    let state: Value = serde_json::from_str(&text)?;
    for process in state["processes"].as_array().context("processes")? {
        let mut process = Process {
            name: process["name"].as_str().unwrap_or_default().to_string(),
            pid: process["pid"].as_u64().context("a pid")? as u32,
            child: None,
            identity: process["identity"].as_str().map(str::to_string),
            stop_signal: process["stop_signal"].as_i64().context("a signal")? as i32,
        };
        if process.is_running() {
            process.stop();
            println!("stopped {} (pid {})", process.name, process.pid);
        } else {
            println!("{} (pid {}) had already exited", process.name, process.pid);
        }
    }
    if let Some(dir) = state["dir"].as_str() {
        let _ = fs::remove_dir_all(dir);
    }
    fs::remove_file(&file)?;
    Ok(())
}

/// Starts `command` in its own process group (so a Ctrl-C in the terminal that
/// ran `make cluster` doesn't reach it), with its output in `log`.
fn spawn(name: &str, mut command: Command, log: &Path, stop_signal: i32) -> Result<Process> {
    let out = fs::File::create(log)?;
    command.stdin(Stdio::null()).stdout(out.try_clone()?).stderr(out).process_group(0);
    let child = command.spawn().with_context(|| format!("starting {name}"))?;
    let pid = child.id();
    Ok(Process { name: name.to_string(), pid, child: Some(child), identity: identity(pid), stop_signal })
}

/// `process` once something listens on `addr`; stopped, and an error, if nothing does.
fn listening(mut process: Process, addr: SocketAddr, log: &Path) -> Result<Process> {
    if let Err(error) = wait_for_port(addr, log) {
        process.stop();
        return Err(error);
    }
    Ok(process)
}

fn start_redis(dir: &Path, addr: SocketAddr) -> Result<Process> {
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
fn start_postgres(dir: &Path) -> Result<(Process, u16)> {
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
fn create_database(port: u16) -> Result<String> {
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

fn start_nginx(dir: &Path, addr: SocketAddr, upstreams: &[SocketAddr]) -> Result<Process> {
    let servers: String = upstreams
        .iter()
        // A failed instance is left alone for 2 s, then tried again.
        .map(|addr| format!("    server {addr} max_fails=1 fail_timeout=2s;\n"))
        .collect();
    let server = format!(
        "  upstream blog {{\n{servers}    keepalive 64;\n  }}\n\
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

fn wait_for_port(addr: SocketAddr, log: &Path) -> Result<()> {
    let deadline = Instant::now() + Duration::from_secs(30);
    while TcpStream::connect(addr).is_err() {
        if Instant::now() > deadline {
            bail!("nothing listens on {addr} after 30 s; see {}:\n{}", log.display(), fs::read_to_string(log).unwrap_or_default());
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    Ok(())
}

fn loopback(port: u16) -> SocketAddr {
    SocketAddr::from(([127, 0, 0, 1], port))
}

fn unique() -> u128 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap_or_default().as_nanos()
}

/// `make cluster-bench`: `/ssr` and `/isr` through nginx, with one instance
/// behind it and then three, in one run.
pub fn throughput(seconds: u64) -> Result<()> {
    let mut rows = Vec::new();
    for instances in [1, 3] {
        let settings = Settings { instances, addr: loopback(bench::free_port()?), env: vec![("RUST_LOG".into(), "warn".into())] };
        let cluster = Cluster::start(&settings)?;
        for path in ["/ssr", "/isr"] {
            let load = bench::wrk(cluster.addr, path, seconds)?;
            rows.push(format!(
                "| {instances} | `{path}` | {:.0} | {} | {} | {} | {} |",
                load.requests_per_sec, load.p50_ms, load.p99_ms, load.errors, load.non_2xx
            ));
        }
    }
    println!(
        "## make cluster-bench\n\n{} cores; nginx in front; wrk, 1 thread, {} connections, {seconds} s per row.\n\n\
         | instances | path | req/s | p50 ms | p99 ms | errors | non-2xx |\n|---:|---|---:|---:|---:|---:|---:|\n{}",
        bench::cores(),
        bench::CONNECTIONS,
        rows.join("\n")
    );
    Ok(())
}

#[cfg(test)]
mod tests {
    //! The scale-out promises, each on its own three-instance cluster. They run
    //! one at a time: each puts the whole machine under load.

    use super::*;
    use crate::{http, soak};
    use std::{
        io::{Read, Write},
        sync::{
            atomic::{AtomicU64, Ordering},
            Mutex,
        },
    };

    static ONE_AT_A_TIME: Mutex<()> = Mutex::new(());
    const LATENCY: Duration = Duration::from_millis(300);

    /// A cluster of three. These tests are `#[ignore]`d, so a plain `cargo
    /// test` lists them as ignored; `make test` opts in, and there a missing
    /// Redis, PostgreSQL or nginx that can't be installed fails the test.
    fn three_instances(isr_window_secs: u64) -> Cluster {
        let env = [("ISR_REVALIDATE_SECS", isr_window_secs.to_string()), ("DEMO_LATENCY_MS", LATENCY.as_millis().to_string())];
        let settings = Settings {
            instances: 3,
            addr: loopback(bench::free_port().unwrap()),
            env: env.into_iter().map(|(k, v)| (k.to_string(), v)).collect(),
        };
        Cluster::start(&settings).expect("a cluster of three starts (it installs Redis, PostgreSQL and nginx if missing)")
    }

    /// One request on a new connection: status and body.
    fn request(addr: SocketAddr, method: &str, path: &str, headers: &[&str], body: &str) -> (u16, String) {
        let response = http::send(&mut None, addr, method, path, headers, body.as_bytes()).unwrap();
        (response.status, response.text())
    }

    fn get(addr: SocketAddr, path: &str) -> String {
        let (status, body) = request(addr, "GET", path, &[], "");
        assert_eq!(status, 200, "GET {path} from {addr}: {body}");
        body
    }

    fn stamp(html: &str) -> String {
        html.split("data-generated-at=\"").nth(1).and_then(|rest| rest.split('"').next()).unwrap().to_string()
    }

    fn log_lines(cluster: &Cluster, needle: &str) -> usize {
        let logs = cluster.instances.iter().map(|i| fs::read_to_string(&i.log).unwrap());
        logs.map(|log| log.lines().filter(|line| line.contains(needle)).count()).sum()
    }

    fn every_log_has(cluster: &Cluster, needle: &str) -> bool {
        cluster.instances.iter().all(|i| fs::read_to_string(&i.log).unwrap().contains(needle))
    }

    fn eventually(what: &str, mut done: impl FnMut() -> bool) {
        let deadline = Instant::now() + Duration::from_secs(10);
        while !done() {
            assert!(Instant::now() < deadline, "never happened: {what}");
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    fn revalidate_on(cluster: &Cluster, instance: usize, json: &str) -> (u16, String) {
        let bearer = format!("Authorization: Bearer {}", cluster.revalidate_token);
        request(cluster.instances[instance].addr, "POST", "/api/revalidate", &[&bearer], json)
    }

    fn revalidate(cluster: &Cluster, instance: usize, json: &str) {
        let (status, body) = revalidate_on(cluster, instance, json);
        assert_eq!(status, 200, "{body}");
    }

    /// Keep-alive clients sending GET `path` through nginx until `stop`; counts
    /// requests, and everything that isn't a whole 200.
    fn load(addr: SocketAddr, path: &str, clients: usize, stop: &std::sync::atomic::AtomicBool) -> (u64, u64, Option<String>) {
        let (requests, failed) = (AtomicU64::new(0), AtomicU64::new(0));
        let first_failure = Mutex::new(None);
        std::thread::scope(|scope| {
            for _ in 0..clients {
                scope.spawn(|| {
                    let mut connection = None;
                    while !stop.load(Ordering::Relaxed) {
                        requests.fetch_add(1, Ordering::Relaxed);
                        let outcome = http::get(&mut connection, addr, path);
                        let problem = match outcome {
                            Ok(response) if response.status != 200 => format!("status {}", response.status),
                            Ok(response) => match soak::whole_body_problem(path, &response, 0) {
                                Some(problem) => problem,
                                None => continue,
                            },
                            Err(error) => {
                                connection = None;
                                format!("{error:#}")
                            }
                        };
                        failed.fetch_add(1, Ordering::Relaxed);
                        first_failure.lock().unwrap().get_or_insert(problem);
                    }
                });
            }
        });
        (requests.into_inner(), failed.into_inner(), first_failure.into_inner().unwrap())
    }

    #[test]
    fn a_process_is_known_by_its_start_time_until_it_exits() {
        let mut first = Command::new("sleep").arg("10").spawn().unwrap();
        std::thread::sleep(Duration::from_millis(50)); // start times count 10 ms ticks
        let mut second = Command::new("sleep").arg("10").spawn().unwrap();
        let known = identity(first.id()).expect("a running process has an identity");
        assert_eq!(identity(first.id()).as_ref(), Some(&known), "the same process, the same identity");
        assert_ne!(identity(second.id()), Some(known), "a later process, another identity");

        first.kill().unwrap();
        eventually("the killed process to count as exited before it is reaped", || identity(first.id()).is_none());
        first.wait().unwrap();
        second.kill().unwrap();
        second.wait().unwrap();
    }

    #[test]
    #[ignore = "starts Redis, PostgreSQL and nginx, installing them if missing: `make test` runs it"]
    fn a_burst_over_three_instances_just_after_expiry_regenerates_the_page_once() {
        let _one = ONE_AT_A_TIME.lock().unwrap_or_else(|p| p.into_inner());
        let cluster = three_instances(2);
        // The build's page is old, so this first request may start a regeneration
        // of its own; the burst's are counted from after it.
        let before = stamp(&get(cluster.instances[0].addr, "/isr"));
        std::thread::sleep(Duration::from_millis(2500)); // every instance's page is now stale
        let earlier = log_lines(&cluster, " regenerated");

        std::thread::scope(|scope| {
            for client in 0..30 {
                let addr = cluster.instances[client % 3].addr;
                scope.spawn(move || {
                    let mut connection = None;
                    for _ in 0..10 {
                        let response = http::get(&mut connection, addr, "/isr").unwrap();
                        assert_eq!(response.status, 200);
                    }
                });
            }
        });
        eventually("a regeneration", || log_lines(&cluster, " regenerated") > earlier);
        std::thread::sleep(Duration::from_secs(1)); // time for any second one to show
        let regenerations = log_lines(&cluster, " regenerated") - earlier;
        assert_eq!(regenerations, 1, "300 stale hits on 3 instances: one regeneration in all");

        let stamps: Vec<String> = cluster.instances.iter().map(|i| stamp(&get(i.addr, "/isr"))).collect();
        assert_ne!(stamps[0], before);
        assert!(stamps.iter().all(|s| *s == stamps[0]), "every instance serves the one new page: {stamps:?}");
    }

    #[test]
    #[ignore = "starts Redis, PostgreSQL and nginx, installing them if missing: `make test` runs it"]
    fn a_revalidation_sent_to_one_instance_changes_what_another_serves() {
        let _one = ONE_AT_A_TIME.lock().unwrap_or_else(|p| p.into_inner());
        let cluster = three_instances(3600);
        let (a, c) = (0, 2);
        let before = stamp(&get(cluster.instances[c].addr, "/isr"));
        std::thread::sleep(Duration::from_millis(1100)); // stamps are to the second

        revalidate(&cluster, a, r#"{"path":"/isr"}"#);
        let by_path = stamp(&get(cluster.instances[c].addr, "/isr"));
        assert_ne!(by_path, before, "instance C serves the page instance A regenerated");
        assert_eq!(by_path, stamp(&get(cluster.instances[a].addr, "/isr")));

        // By tag, sent to B, which has never rendered the page: it knows the
        // page's tags from Redis, so a tag the page doesn't list leaves it alone.
        let b = 1;
        std::thread::sleep(Duration::from_millis(1100));
        let (status, body) = revalidate_on(&cluster, b, r#"{"tag":"no-post-has-this-tag"}"#);
        assert_eq!(status, 200, "{body}");
        // A list page that Redis has never held (`/isr/page/2`) has no known
        // tags, so any tag regenerates it; `/isr`'s tags are known.
        let regenerated: Value = serde_json::from_str(&body).unwrap();
        assert!(!regenerated["regenerated"].as_array().unwrap().contains(&json!("/isr")), "{body}");
        assert_eq!(stamp(&get(cluster.instances[c].addr, "/isr")), by_path, "an unlisted tag regenerates nothing");

        let posts: Value = serde_json::from_str(&get(cluster.instances[b].addr, "/api/posts")).unwrap();
        let tag = posts[0]["tags"][0].as_str().unwrap().to_string();
        revalidate(&cluster, b, &format!(r#"{{"tag":"{tag}"}}"#));
        assert_ne!(stamp(&get(cluster.instances[c].addr, "/isr")), by_path, "a revalidation by tag reaches instance C too");
    }

    #[test]
    #[ignore = "starts Redis, PostgreSQL and nginx, installing them if missing: `make test` runs it"]
    fn a_view_recorded_through_one_instance_shows_in_the_trending_hole_of_another() {
        let _one = ONE_AT_A_TIME.lock().unwrap_or_else(|p| p.into_inner());
        let cluster = three_instances(3600);
        let posts: Value = serde_json::from_str(&get(cluster.addr, "/api/posts")).unwrap();
        let slug = posts[1]["slug"].as_str().unwrap();
        let form = "Content-Type: application/x-www-form-urlencoded";
        let (status, body) = request(cluster.instances[1].addr, "POST", "/api/views", &[form], &format!("slug={slug}"));
        assert_eq!(status, 200, "{body}");

        let html = get(cluster.instances[2].addr, "/stream");
        let trending = html.split("data-hole-ready=\"trending\"").nth(1).expect("the trending hole is filled");
        assert!(trending.contains(&format!("data-leaderboard-slug=\"{slug}\"")), "the view from B ranks in C's hole");
    }

    #[test]
    #[ignore = "starts Redis, PostgreSQL and nginx, installing them if missing: `make test` runs it"]
    fn an_instance_killed_during_load_costs_no_client_request() {
        let _one = ONE_AT_A_TIME.lock().unwrap_or_else(|p| p.into_inner());
        let mut cluster = three_instances(3600);
        let addr = cluster.addr;
        let loaded = std::thread::scope(|scope| {
            let wrk = scope.spawn(move || bench::wrk(addr, "/ssr", 10));
            std::thread::sleep(Duration::from_secs(3));
            cluster.kill_instance(1);
            wrk.join().unwrap()
        })
        .unwrap();
        println!("{:.0} req/s through nginx while one instance of three was killed: {} errors, {} non-2xx", loaded.requests_per_sec, loaded.errors, loaded.non_2xx);
        assert!(loaded.requests_per_sec > 0.0);
        assert_eq!((loaded.errors, loaded.non_2xx), (0, 0), "SIGKILL of one instance in three: no failed request");
    }

    #[test]
    #[ignore = "starts Redis, PostgreSQL and nginx, installing them if missing: `make test` runs it"]
    fn with_redis_stopped_pages_come_from_each_instances_disk_and_sharing_resumes_when_it_returns() {
        let _one = ONE_AT_A_TIME.lock().unwrap_or_else(|p| p.into_inner());
        let mut cluster = three_instances(1);
        let stop = std::sync::atomic::AtomicBool::new(false);
        let addr = cluster.addr;
        let (requests, failed, first_failure) = std::thread::scope(|scope| {
            let clients = scope.spawn(|| load(addr, "/isr", 8, &stop));
            std::thread::sleep(Duration::from_secs(2));
            cluster.stop_redis();
            std::thread::sleep(Duration::from_secs(3));
            cluster.restart_redis().unwrap();
            std::thread::sleep(Duration::from_secs(3));
            stop.store(true, Ordering::Relaxed);
            clients.join().unwrap()
        });
        println!("{requests} requests while Redis was stopped and restarted: {failed} failed");
        assert!(requests > 100, "{requests} requests");
        assert_eq!(failed, 0, "{failed} of {requests} failed while Redis was away; first: {first_failure:?}");
        assert!(log_lines(&cluster, "Redis is unreachable") >= 1);
        eventually("every instance back on Redis", || every_log_has(&cluster, "Redis is back"));

        // Shared again: a revalidation on A is what C serves.
        std::thread::sleep(Duration::from_millis(1100));
        revalidate(&cluster, 0, r#"{"path":"/isr"}"#);
        assert_eq!(stamp(&get(cluster.instances[2].addr, "/isr")), stamp(&get(cluster.instances[0].addr, "/isr")));
    }

    #[test]
    #[ignore = "starts Redis, PostgreSQL and nginx, installing them if missing: `make test` runs it"]
    fn when_redis_returns_with_older_pages_no_instance_serves_an_older_page_than_before() {
        let _one = ONE_AT_A_TIME.lock().unwrap_or_else(|p| p.into_inner());
        let mut cluster = three_instances(1);
        let newest_seen = |cluster: &Cluster, newest: &mut Vec<String>, phase: &str| {
            for (n, instance) in cluster.instances.iter().enumerate() {
                let now = stamp(&get(instance.addr, "/isr"));
                assert!(now >= newest[n], "instance {n} went back from {} to {now} {phase}", newest[n]);
                newest[n] = now;
            }
        };
        let poll = |cluster: &Cluster, newest: &mut Vec<String>, phase: &str| {
            let started = Instant::now();
            while started.elapsed() < Duration::from_secs(4) {
                newest_seen(cluster, newest, phase);
                std::thread::sleep(Duration::from_millis(100));
            }
        };
        let mut newest: Vec<String> = cluster.instances.iter().map(|i| stamp(&get(i.addr, "/isr"))).collect();
        poll(&cluster, &mut newest, "with Redis up"); // Redis now holds a page

        cluster.stop_redis_after_a_snapshot().unwrap();
        poll(&cluster, &mut newest, "while Redis was away"); // each instance regenerates for itself
        let before_return = newest.clone();
        cluster.restart_redis().unwrap(); // holding the page from before it went
        poll(&cluster, &mut newest, "after Redis returned with its older page");
        eventually("every instance back on Redis", || every_log_has(&cluster, "Redis is back"));
        for (n, (then, now)) in before_return.iter().zip(&newest).enumerate() {
            assert!(now > then, "instance {n} regenerates again after Redis returned (still {then})");
        }
    }

    #[test]
    #[ignore = "starts Redis, PostgreSQL and nginx, installing them if missing: `make test` runs it"]
    fn the_stream_still_streams_through_nginx() {
        let _one = ONE_AT_A_TIME.lock().unwrap_or_else(|p| p.into_inner());
        let cluster = three_instances(3600);
        for _ in 0..3 {
            let mut stream = TcpStream::connect(cluster.addr).unwrap();
            let sent = Instant::now();
            write!(stream, "GET /stream HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n").unwrap();
            let mut first = [0u8; 1];
            stream.read_exact(&mut first).unwrap();
            let first_byte = sent.elapsed();
            let mut rest = Vec::new();
            stream.read_to_end(&mut rest).unwrap();
            let whole = sent.elapsed();
            assert!(first_byte < LATENCY, "the shell arrived after {first_byte:?}, before the holes' {LATENCY:?}");
            assert!(whole >= LATENCY, "the holes came later on the same response ({whole:?})");
            assert!(String::from_utf8_lossy(&rest).contains("data-hole-ready=\"trending\""));
        }
    }
}
