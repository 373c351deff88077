//! `cargo xtask bench` (run by `make bench`): every route under the same load,
//! next to nginx serving the prerendered `/ssg/index.html` from the same site
//! root, plus memory, bundle size and how prerendering scales.
//!
//! Everything runs on loopback with bounded durations. It expects `make build`
//! to have run (the release server and the site root) and `wrk` and `nginx` on
//! the PATH (`make bench` installs them). Settings, from the environment:
//! `BENCH_SECONDS` (per route, default 10), `BENCH_ROUTES` (comma-separated
//! paths, default all), `BENCH_SCALE` (post counts, default `1000,10000`).
//! Output: a Markdown report on stdout, the same figures in `target/bench/latest.json`.

mod first_load;

use crate::{gen_posts, http, nginx, site::Bundle, temp_dir::TempDir, workspace_root};
use anyhow::{bail, Context, Result};
use serde_json::{json, Value};
use std::{
    env, fs,
    io::{BufRead, BufReader, Read, Write},
    net::{SocketAddr, TcpListener, TcpStream},
    path::{Path, PathBuf},
    process::{Child, Command, Stdio},
    time::{Duration, Instant},
};

/// Which server instance answers a route: the same binary, configured differently.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Instance {
    /// No added latency; ISR pages stay fresh for an hour.
    Default,
    /// An ISR window of zero: every hit is stale and regenerations run back to back.
    StaleIsr,
    /// The holes' data takes 300 ms (600 ms for the second hole), as in the demo.
    SlowHoles,
}

impl Instance {
    const ALL: [Instance; 3] = [Instance::Default, Instance::StaleIsr, Instance::SlowHoles];

    fn name(self) -> &'static str {
        match self {
            Instance::Default => "default",
            Instance::StaleIsr => "stale-isr",
            Instance::SlowHoles => "slow-holes",
        }
    }

    fn env(self) -> [(&'static str, &'static str); 2] {
        match self {
            Instance::Default => [("DEMO_LATENCY_MS", "0"), ("ISR_REVALIDATE_SECS", "3600")],
            Instance::StaleIsr => [("DEMO_LATENCY_MS", "0"), ("ISR_REVALIDATE_SECS", "0")],
            Instance::SlowHoles => [("DEMO_LATENCY_MS", "300"), ("ISR_REVALIDATE_SECS", "3600")],
        }
    }
}

struct Route {
    label: &'static str,
    /// `{post}` stands for the newest post's slug.
    path: &'static str,
    /// The strategy whose per-request cost this is: the home page's cost column reads it.
    strategy: &'static str,
    instance: Instance,
    /// Also measure time to first byte (and to the last) over sequential requests:
    /// the figure that tells streamed responses apart.
    ttfb: bool,
}

/// The routes under load: adding one is one line.
const ROUTES: &[Route] = &[
    Route { label: "SSG", strategy: "ssg", path: "/ssg/", instance: Instance::Default, ttfb: true },
    Route { label: "SSG post page", strategy: "ssg", path: "/posts/{post}", instance: Instance::Default, ttfb: false },
    Route { label: "SSR", strategy: "ssr", path: "/ssr", instance: Instance::Default, ttfb: false },
    Route { label: "Streaming SSR", strategy: "stream", path: "/stream", instance: Instance::Default, ttfb: true },
    Route { label: "CSR shell", strategy: "csr", path: "/csr", instance: Instance::Default, ttfb: false },
    Route { label: "API /api/posts", strategy: "csr", path: "/api/posts", instance: Instance::Default, ttfb: false },
    Route { label: "ISR, fresh", strategy: "isr", path: "/isr", instance: Instance::Default, ttfb: false },
    Route { label: "ISR, stale (regenerating)", strategy: "isr", path: "/isr", instance: Instance::StaleIsr, ttfb: false },
    Route { label: "PPR", strategy: "ppr", path: "/ppr", instance: Instance::Default, ttfb: true },
    Route { label: "Streaming SSR, 300 ms holes", strategy: "stream", path: "/stream", instance: Instance::SlowHoles, ttfb: true },
    Route { label: "PPR, 300 ms holes", strategy: "ppr", path: "/ppr", instance: Instance::SlowHoles, ttfb: true },
];

pub(crate) const CONNECTIONS: u32 = 32;
const TTFB_SAMPLES: usize = 15;

pub struct Settings {
    pub(crate) seconds: u64,
    routes: Option<Vec<String>>,
    scale: Vec<usize>,
    output: PathBuf,
}

impl Settings {
    pub fn from_env() -> Result<Settings> {
        let seconds = env::var("BENCH_SECONDS").unwrap_or_else(|_| "10".into()).parse().context("BENCH_SECONDS")?;
        let routes = env::var("BENCH_ROUTES").ok().map(|s| s.split(',').map(|p| p.trim().to_string()).collect());
        let scale = env::var("BENCH_SCALE")
            .unwrap_or_else(|_| "1000,10000".into())
            .split(',')
            .filter(|s| !s.trim().is_empty())
            .map(|s| s.trim().parse().context("BENCH_SCALE holds post counts"))
            .collect::<Result<_>>()?;
        let output = workspace_root()?.join("target/bench/latest.json");
        Ok(Settings { seconds, routes, scale, output })
    }
}

pub fn run(settings: &Settings) -> Result<()> {
    let root = workspace_root()?;
    let server_bin = root.join("target/release/server");
    let site = root.join(env::var("LEPTOS_SITE_ROOT").unwrap_or_else(|_| "target/site".into()));
    let content = root.join(env::var("CONTENT_DIR").unwrap_or_else(|_| "content".into()));
    if !server_bin.is_file() || !site.join("ssg/index.html").is_file() {
        bail!("run `make build` first: the bench needs target/release/server and a built site root");
    }
    let scratch = TempDir::new("bench")?;
    let measured_at = time::OffsetDateTime::now_utc()
        .replace_nanosecond(0)
        .context("whole seconds are a valid time")?
        .format(&time::format_description::well_known::Rfc3339)
        .context("formatting the time")?;
    let machine = json!({ "cores": cores(), "load_average_at_start": load_average() });
    eprintln!("bench: {} cores, load average {}", machine["cores"], machine["load_average_at_start"]);

    // Scale first: it runs the prerender alone, so its peak RSS is its own.
    let scale = scale(settings, &server_bin, &scratch)?;

    let nginx = Nginx::start(&site, &scratch.path().join("nginx"))?;
    let baseline = wrk(nginx.addr, "/ssg/index.html", settings.seconds)?;
    drop(nginx);

    let mut servers = Vec::new();
    for instance in Instance::ALL {
        let data = scratch.path().join(format!("{instance:?}.db"));
        let extra: Vec<(&str, String)> = instance.env().iter().map(|(k, v)| (*k, v.to_string())).collect();
        servers.push((instance, Server::start(&server_bin, &site, &content, &data, &extra)?));
    }
    let default_server = &servers[0].1;
    let idle_rss = default_server.rss_kib("VmRSS")?;
    let newest_post = newest_post_slug(default_server.addr)?;

    let mut routes = Vec::new();
    for route in ROUTES {
        if settings.routes.as_ref().is_some_and(|wanted| !wanted.iter().any(|p| p == route.path)) {
            continue;
        }
        let path = route.path.replace("{post}", &newest_post);
        let server = &servers.iter().find(|(i, _)| *i == route.instance).expect("every instance runs").1;
        let ttfb = route.ttfb.then(|| first_byte_times(server.addr, &path)).transpose()?;
        let load = wrk(server.addr, &path, settings.seconds)?;
        routes.push(json!({
            "label": route.label,
            "path": path,
            "strategy": route.strategy,
            "instance": route.instance.name(),
            "requests_per_sec": load.requests_per_sec,
            "p50_ms": load.p50_ms,
            "p99_ms": load.p99_ms,
            "errors": load.errors,
            "non_2xx": load.non_2xx,
            "vs_nginx": round(load.requests_per_sec / baseline.requests_per_sec, 3),
            "p99_over_p50": round(load.p99_ms / load.p50_ms, 2),
            "ttfb_ms": ttfb.as_ref().map(|t| t.first_byte_ms),
            "full_response_ms": ttfb.as_ref().map(|t| t.last_byte_ms),
        }));
    }
    // The default instance has served every route of its own one after another:
    // its peak is the mixed load's. The others' peaks are for one route each.
    let mut peaks = serde_json::Map::new();
    for (instance, server) in &servers {
        peaks.insert(instance.name().to_string(), json!(server.rss_kib("VmHWM")?));
    }
    let memory = json!({
        "idle_rss_kib": idle_rss,
        "peak_rss_kib": default_server.rss_kib("VmHWM")?,
        "peak_rss_kib_by_instance": peaks,
    });
    let bundle = bundle(&root, &site, default_server.addr, &newest_post)?;
    drop(servers);

    let scale_latency = scale_latency(settings, &server_bin, &site, &scratch)?;
    let report = json!({
        "measured_at": measured_at,
        "machine": machine,
        "seconds_per_route": settings.seconds,
        "connections": CONNECTIONS,
        "nginx_ssg": {
            "path": "/ssg/index.html",
            "requests_per_sec": baseline.requests_per_sec,
            "p50_ms": baseline.p50_ms,
            "p99_ms": baseline.p99_ms,
            "errors": baseline.errors,
            "non_2xx": baseline.non_2xx,
        },
        "routes": routes,
        "memory": memory,
        "bundle": bundle,
        "scale": scale,
        "scale_latency": scale_latency,
    });
    fs::create_dir_all(settings.output.parent().expect("target/bench"))?;
    fs::write(&settings.output, serde_json::to_string_pretty(&report)?)?;
    print!("{}", markdown(&report));
    eprintln!("bench: figures written to {}", settings.output.display());
    Ok(())
}

/// Prerenders `n` synthetic posts for each `n` in the scale set.
fn scale(settings: &Settings, server_bin: &Path, scratch: &TempDir) -> Result<Vec<Value>> {
    let mut results = Vec::new();
    for &posts in &settings.scale {
        let content = scratch.path().join(format!("content-{posts}"));
        gen_posts::write(posts, &content)?;
        let site = scratch.path().join(format!("site-{posts}"));
        let started = Instant::now();
        let child = Command::new(server_bin)
            .arg("prerender")
            .env("CONTENT_DIR", &content)
            .env("LEPTOS_SITE_ROOT", &site)
            .env("DATABASE_URL", format!("sqlite://{}/scale.db", scratch.path().display()))
            .env("RUST_LOG", "warn")
            .spawn()
            .context("running server prerender")?;
        let (succeeded, peak_rss_kib) = wait_with_peak_rss(child)?;
        let seconds = started.elapsed().as_secs_f64();
        if !succeeded {
            bail!("prerendering {posts} posts failed");
        }
        let pages = count_pages(&site)?;
        results.push(json!({
            "posts": posts,
            "pages": pages,
            "seconds": round(seconds, 3),
            "pages_per_sec": round(pages as f64 / seconds, 0),
            "peak_rss_kib": peak_rss_kib,
        }));
        eprintln!("bench: prerendered {pages} pages in {seconds:.2} s");
    }
    Ok(results)
}

/// The HTML files a prerender wrote: every `index.html`, and `404.html`.
fn count_pages(dir: &Path) -> Result<usize> {
    let mut pages = 0;
    for entry in fs::read_dir(dir)? {
        let entry = entry?;
        if entry.file_type()?.is_dir() {
            pages += count_pages(&entry.path())?;
        } else if entry.file_name() == "index.html" || entry.file_name() == "404.html" {
            pages += 1;
        }
    }
    Ok(pages)
}

/// `/ssr` and `/api/posts` with each scale set's posts. `/ssr` renders one
/// page of the list, so its latency should not grow with the posts;
/// `/api/posts` returns every post, so it does.
fn scale_latency(settings: &Settings, server_bin: &Path, site: &Path, scratch: &TempDir) -> Result<Vec<Value>> {
    let seconds = settings.seconds.div_ceil(2).max(1);
    let mut rows = Vec::new();
    for &posts in &settings.scale {
        let content = scratch.path().join(format!("content-{posts}"));
        let data = scratch.path().join(format!("scale-latency-{posts}.db"));
        let server = Server::start(server_bin, site, &content, &data, &[("DEMO_LATENCY_MS", "0".into())])?;
        for path in ["/ssr", "/api/posts"] {
            let load = wrk(server.addr, path, seconds)?;
            rows.push(json!({
                "path": path,
                "posts": posts,
                "requests_per_sec": load.requests_per_sec,
                "p50_ms": load.p50_ms,
                "p99_ms": load.p99_ms,
                "errors": load.errors + load.non_2xx,
            }));
        }
    }
    Ok(rows)
}

/// The pages whose first load is measured: every island page, and `/csr`.
const FIRST_LOAD_PAGES: &[&str] = &["/", "/ssg/", "/ssr", "/stream", "/isr", "/ppr", "/posts/{post}", "/csr"];

fn bundle(root: &Path, site: &Path, server: SocketAddr, newest_post: &str) -> Result<Value> {
    let paths: Vec<String> = FIRST_LOAD_PAGES.iter().map(|path| path.replace("{post}", newest_post)).collect();
    let pages = first_load::pages(server, &paths)?;
    let bundles = first_load::bundles(site)?;
    let parts = first_load::islands_bundle_parts(root)?;
    let islands = bundles.iter().find(|bundle| bundle.name == Bundle::Islands.name()).context("the islands bundle")?;
    Ok(json!({
        "wasm_plus_js_gzip": islands.wasm.gzip + islands.js.gzip,
        "files": bundles,
        "first_load": pages,
        "islands_bundle_parts": parts,
    }))
}

pub(crate) struct Load {
    pub(crate) requests_per_sec: f64,
    pub(crate) p50_ms: f64,
    pub(crate) p99_ms: f64,
    pub(crate) errors: u64,
    pub(crate) non_2xx: u64,
}

pub(crate) fn wrk(addr: SocketAddr, path: &str, seconds: u64) -> Result<Load> {
    let url = format!("http://{addr}{path}");
    eprintln!("bench: wrk {url} for {seconds} s");
    let output = Command::new("wrk")
        .args(["--threads", "1", "--connections", &CONNECTIONS.to_string(), "--duration"])
        .arg(format!("{seconds}s"))
        .args(["--timeout", "10s", "--latency", &url])
        .output()
        .context("running wrk (make bench installs it)")?;
    let text = String::from_utf8_lossy(&output.stdout).into_owned();
    if !output.status.success() {
        bail!("wrk failed on {url}: {text}{}", String::from_utf8_lossy(&output.stderr));
    }
    parse_wrk(&text).with_context(|| format!("reading wrk's report for {url}:\n{text}"))
}

fn parse_wrk(text: &str) -> Result<Load> {
    let mut load = Load { requests_per_sec: 0.0, p50_ms: 0.0, p99_ms: 0.0, errors: 0, non_2xx: 0 };
    for line in text.lines().map(str::trim) {
        let words: Vec<&str> = line.split_whitespace().collect();
        match words.as_slice() {
            ["Requests/sec:", value] => load.requests_per_sec = value.parse()?,
            ["50%", value] => load.p50_ms = millis(value)?,
            ["99%", value] => load.p99_ms = millis(value)?,
            ["Non-2xx", "or", "3xx", "responses:", value] => load.non_2xx = value.parse()?,
            ["Socket", "errors:", rest @ ..] => {
                load.errors = rest.iter().filter_map(|w| w.trim_end_matches(',').parse::<u64>().ok()).sum()
            }
            _ => {}
        }
    }
    if load.requests_per_sec == 0.0 {
        bail!("no Requests/sec line");
    }
    Ok(load)
}

/// wrk's `386.00us`, `1.23ms`, `2.00s` in milliseconds.
fn millis(value: &str) -> Result<f64> {
    let (number, factor) = if let Some(n) = value.strip_suffix("us") {
        (n, 0.001)
    } else if let Some(n) = value.strip_suffix("ms") {
        (n, 1.0)
    } else if let Some(n) = value.strip_suffix('s') {
        (n, 1000.0)
    } else {
        bail!("unknown unit in {value}");
    };
    Ok(round(number.parse::<f64>()? * factor, 3))
}

struct FirstByte {
    first_byte_ms: f64,
    last_byte_ms: f64,
}

/// The median time to the first byte and to the last, over sequential requests.
fn first_byte_times(addr: SocketAddr, path: &str) -> Result<FirstByte> {
    let mut first = Vec::new();
    let mut last = Vec::new();
    for _ in 0..TTFB_SAMPLES {
        let mut stream = TcpStream::connect(addr)?;
        stream.set_read_timeout(Some(Duration::from_secs(10)))?;
        let started = Instant::now();
        write!(stream, "GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")?;
        let mut buffer = [0u8; 65536];
        let mut got_first = false;
        loop {
            let n = stream.read(&mut buffer)?;
            if n == 0 {
                break;
            }
            if !got_first {
                first.push(started.elapsed().as_secs_f64() * 1000.0);
                got_first = true;
            }
        }
        last.push(started.elapsed().as_secs_f64() * 1000.0);
    }
    Ok(FirstByte { first_byte_ms: round(median(&mut first), 3), last_byte_ms: round(median(&mut last), 3) })
}

fn median(values: &mut [f64]) -> f64 {
    values.sort_by(|a, b| a.total_cmp(b));
    values[values.len() / 2]
}

fn newest_post_slug(addr: SocketAddr) -> Result<String> {
    let posts: Value = serde_json::from_slice(&http::get(&mut None, addr, "/api/posts")?.body)?;
    Ok(posts[0]["slug"].as_str().context("at least one post")?.to_string())
}

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
struct Nginx {
    child: Child,
    addr: SocketAddr,
}

impl Nginx {
    fn start(site: &Path, dir: &Path) -> Result<Nginx> {
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
fn wait_with_peak_rss(child: Child) -> Result<(bool, i64)> {
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
    Ok((succeeded, usage.ru_maxrss))
}

pub(crate) fn cores() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get())
}

fn load_average() -> String {
    fs::read_to_string("/proc/loadavg")
        .map(|s| s.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_default()
}

fn round(value: f64, digits: i32) -> f64 {
    let factor = 10f64.powi(digits);
    (value * factor).round() / factor
}

fn markdown(report: &Value) -> String {
    let mut out = String::new();
    let machine = &report["machine"];
    let nginx = &report["nginx_ssg"];
    out.push_str(&format!(
        "## make bench\n\n{} cores, load average at start {}; wrk, 1 thread, {} connections, {} s per route.\n\n",
        machine["cores"], machine["load_average_at_start"].as_str().unwrap_or(""), report["connections"], report["seconds_per_route"]
    ));
    out.push_str("| route | path | req/s | vs nginx | p50 ms | p99 ms | p99/p50 | TTFB ms | full ms | errors | non-2xx |\n");
    out.push_str("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
    out.push_str(&format!(
        "| nginx, the same file | `/ssg/index.html` | {:.0} | 1.000 | {} | {} | | | | {} | {} |\n",
        nginx["requests_per_sec"].as_f64().unwrap_or(0.0), nginx["p50_ms"], nginx["p99_ms"], nginx["errors"], nginx["non_2xx"]
    ));
    for route in report["routes"].as_array().into_iter().flatten() {
        let optional = |v: &Value| if v.is_null() { String::new() } else { v.to_string() };
        out.push_str(&format!(
            "| {} | `{}` | {:.0} | {} | {} | {} | {} | {} | {} | {} | {} |\n",
            route["label"].as_str().unwrap_or(""),
            route["path"].as_str().unwrap_or(""),
            route["requests_per_sec"].as_f64().unwrap_or(0.0),
            route["vs_nginx"],
            route["p50_ms"],
            route["p99_ms"],
            route["p99_over_p50"],
            optional(&route["ttfb_ms"]),
            optional(&route["full_response_ms"]),
            route["errors"],
            route["non_2xx"],
        ));
    }
    let memory = &report["memory"];
    let others: Vec<String> = memory["peak_rss_kib_by_instance"]
        .as_object()
        .into_iter()
        .flatten()
        .filter(|(name, _)| name.as_str() != Instance::Default.name())
        .map(|(name, peak)| format!("{name} {peak} KiB"))
        .collect();
    out.push_str(&format!(
        "\nServer memory: {} KiB idle, {} KiB peak under the mixed load (one process serving every route \
         of the default instance, one after another); peaks of the other instances: {}.\n",
        memory["idle_rss_kib"],
        memory["peak_rss_kib"],
        others.join(", ")
    ));
    let bundle = &report["bundle"];
    let pages: Vec<first_load::PageLoad> = serde_json::from_value(bundle["first_load"].clone()).unwrap_or_default();
    let files: Vec<first_load::BundleFiles> = serde_json::from_value(bundle["files"].clone()).unwrap_or_default();
    let parts: Vec<first_load::Part> = serde_json::from_value(bundle["islands_bundle_parts"].clone()).unwrap_or_default();
    out.push_str(&first_load::markdown(&pages, &files, &parts));
    out.push_str("\n| prerender | pages | seconds | pages/s | peak RSS KiB |\n|---:|---:|---:|---:|---:|\n");
    for run in report["scale"].as_array().into_iter().flatten() {
        out.push_str(&format!(
            "| {} posts | {} | {} | {} | {} |\n",
            run["posts"], run["pages"], run["seconds"], run["pages_per_sec"], run["peak_rss_kib"]
        ));
    }
    let latency = report["scale_latency"].as_array().cloned().unwrap_or_default();
    if !latency.is_empty() {
        out.push_str("\n| with many posts | posts | req/s | p50 ms | p99 ms | errors |\n|---|---:|---:|---:|---:|---:|\n");
        for row in latency {
            out.push_str(&format!(
                "| `{}` | {} | {:.0} | {} | {} | {} |\n",
                row["path"].as_str().unwrap_or(""),
                row["posts"],
                row["requests_per_sec"].as_f64().unwrap_or(0.0),
                row["p50_ms"],
                row["p99_ms"],
                row["errors"]
            ));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const WRK: &str = "Running 1s test @ http://127.0.0.1:1/ssg/\n  1 threads and 32 connections\n  Latency Distribution\n     50%  386.00us\n     75%  500.00us\n     90%    1.00ms\n     99%    1.23ms\n  1234 requests in 1.00s, 1.23MB read\n  Socket errors: connect 1, read 2, write 0, timeout 3\n  Non-2xx or 3xx responses: 5\nRequests/sec:   1234.50\nTransfer/sec:      1.23MB\n";

    #[test]
    fn wrk_reports_are_read_in_milliseconds() {
        let load = parse_wrk(WRK).unwrap();
        assert_eq!(load.requests_per_sec, 1234.5);
        assert_eq!((load.p50_ms, load.p99_ms), (0.386, 1.23));
        assert_eq!((load.errors, load.non_2xx), (6, 5));
        assert!(parse_wrk("nothing").is_err());
    }

    /// Runs the whole bench briefly: one route, a tiny scale set. It needs what
    /// `make bench` needs (a built site, wrk, nginx), so `make test` runs it
    /// with `--include-ignored` after building; the figures are never asserted.
    #[test]
    #[ignore = "needs `make build`, wrk and nginx; `make test` runs it"]
    fn bench_smoke_writes_every_field() {
        let output = env::temp_dir().join(format!("bench-smoke-{}.json", std::process::id()));
        let settings = Settings { seconds: 1, routes: Some(vec!["/ssg/".into()]), scale: vec![20, 40], output: output.clone() };
        run(&settings).unwrap();
        let report: Value = serde_json::from_slice(&fs::read(&output).unwrap()).unwrap();
        fs::remove_file(output).unwrap();
        for field in ["measured_at", "machine", "seconds_per_route", "connections", "nginx_ssg", "routes", "memory", "bundle", "scale", "scale_latency"] {
            assert!(!report[field].is_null(), "{field} is reported");
        }
        let route = &report["routes"][0];
        for field in ["label", "path", "strategy", "instance", "requests_per_sec", "p50_ms", "p99_ms", "p99_over_p50", "errors", "non_2xx", "vs_nginx"] {
            assert!(!route[field].is_null(), "routes[].{field} is reported");
        }
        for field in ["idle_rss_kib", "peak_rss_kib"] {
            assert!(report["memory"][field].as_u64().is_some(), "memory.{field}");
        }
        for instance in Instance::ALL {
            assert!(report["memory"]["peak_rss_kib_by_instance"][instance.name()].as_u64().is_some(), "{instance:?}'s peak");
        }
        assert!(report["bundle"]["wasm_plus_js_gzip"].as_u64().is_some(), "bundle.wasm_plus_js_gzip");
        let first_load = report["bundle"]["first_load"].as_array().unwrap();
        assert_eq!(first_load.len(), FIRST_LOAD_PAGES.len(), "a first load for every page");
        for page in first_load {
            assert!(page["files"].as_array().unwrap().len() >= 4, "HTML, CSS, JS and WASM: {page}");
            assert!(page["as_sent"].as_u64().unwrap() > 0 && page["js_wasm_gzip"].as_u64().unwrap() > 0, "{page}");
        }
        assert_eq!(report["bundle"]["files"].as_array().unwrap().len(), 2, "both bundles");
        assert!(!report["bundle"]["islands_bundle_parts"].as_array().unwrap().is_empty(), "where the bytes go");
        assert_eq!(report["scale"].as_array().unwrap().len(), 2);
        for field in ["posts", "pages", "seconds", "pages_per_sec", "peak_rss_kib"] {
            assert!(!report["scale"][1][field].is_null(), "scale[].{field}");
        }
        assert_eq!(report["scale_latency"].as_array().unwrap().len(), 4, "/ssr and /api/posts for each scale set");
    }

    #[test]
    fn every_route_path_is_absolute_and_each_label_unique() {
        let mut labels: Vec<_> = ROUTES.iter().map(|r| r.label).collect();
        labels.sort();
        labels.dedup();
        assert_eq!(labels.len(), ROUTES.len());
        assert!(ROUTES.iter().all(|r| r.path.starts_with('/')));
    }
}
