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
//! stops what that file names. The tests (`tests.rs`) start their own and stop
//! it. `process.rs` knows the processes; `services.rs` checks that Redis,
//! PostgreSQL and nginx are installed (`make cluster-tools` installs them) and starts them.
// @demo-file: measurement and operations tooling for the demo's routes

mod process;
mod services;
#[cfg(test)]
mod tests;

use crate::{bench, project::Project, random_token, site::copy_dir, workspace_root};
use process::{spawn, wait_for_port, Process};
use services::{check_tools, create_database, start_nginx, start_postgres, start_redis};
use anyhow::{bail, Context, Result};
use serde_json::{json, Value};
use std::{env, fs, net::SocketAddr, path::PathBuf, process::Command};

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

impl Cluster {
    pub fn start(settings: &Settings) -> Result<Cluster> {
        check_tools()?;
        let Project { site_root: built_site, content, server_bin, .. } = Project::built("the cluster", "isr/index.html")?;
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
                // nginx, on loopback, names each client in X-Forwarded-For.
                .env("TRUSTED_PROXIES", "127.0.0.1")
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
        use std::{io::Write, net::TcpStream, time::{Duration, Instant}};
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
        let instance = &mut self.instances[index].process;
        process::signal(instance.pid, libc::SIGKILL);
        instance.stop();
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

pub(super) fn loopback(port: u16) -> SocketAddr {
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
