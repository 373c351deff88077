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
// @demo-file: measurement and operations tooling for the demo's routes

mod first_load;
mod markdown;
mod processes;
// The report's one type, shared with the app by its path; `cost_of` is the
// home page's, unused here.
#[allow(dead_code)]
#[path = "../../../app/src/bench.rs"]
mod report;
mod scale;
mod wrk;

pub(crate) use processes::{cores, free_port, Server};
pub(crate) use wrk::wrk;

use crate::{http, project::Project, site::Bundle, temp_dir::TempDir, workspace_root};
use anyhow::{Context, Result};
use processes::{load_average, Nginx};
use report::{Baseline, BenchFigures, BundleFigures, Machine, Memory, RouteFigures};
use std::{
    env, fs,
    io::{Read, Write},
    net::{SocketAddr, TcpStream},
    path::{Path, PathBuf},
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
/// What nginx serves, as the baseline: the file that `/ssg/` is.
const NGINX_PATH: &str = "/ssg/index.html";
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
    let Project { root, site_root: site, content, server_bin } = Project::built("the bench", "ssg/index.html")?;
    let scratch = TempDir::new("bench")?;
    let measured_at = time::OffsetDateTime::now_utc()
        .replace_nanosecond(0)
        .context("whole seconds are a valid time")?
        .format(&time::format_description::well_known::Rfc3339)
        .context("formatting the time")?;
    let machine = Machine { cores: u32::try_from(cores()).unwrap_or(u32::MAX), load_average_at_start: load_average() };
    eprintln!("bench: {} cores, load average {}", machine.cores, machine.load_average_at_start);

    // Scale first: it runs the prerender alone, so its peak RSS is its own.
    let scale = scale::prerender_runs(settings, &server_bin, &scratch)?;

    let nginx = Nginx::start(&site, &scratch.path().join("nginx"))?;
    let baseline = wrk(nginx.addr, NGINX_PATH, settings.seconds)?;
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
        routes.push(RouteFigures {
            label: route.label.to_string(),
            path,
            strategy: Some(route.strategy.to_string()),
            instance: route.instance.name().to_string(),
            requests_per_sec: load.requests_per_sec,
            p50_ms: load.p50_ms,
            p99_ms: load.p99_ms,
            errors: load.errors,
            non_2xx: load.non_2xx,
            vs_nginx: round(load.requests_per_sec / baseline.requests_per_sec, 3),
            p99_over_p50: round(load.p99_ms / load.p50_ms, 2),
            ttfb_ms: ttfb.as_ref().map(|t| t.first_byte_ms),
            full_response_ms: ttfb.as_ref().map(|t| t.last_byte_ms),
            cpu_steal_percent: load.cpu_steal_percent,
        });
    }
    // The default instance has served every route of its own one after another:
    // its peak is the mixed load's. The others' peaks are for one route each.
    let mut peak_rss_kib_by_instance = std::collections::BTreeMap::new();
    for (instance, server) in &servers {
        peak_rss_kib_by_instance.insert(instance.name().to_string(), server.rss_kib("VmHWM")?);
    }
    let memory = Memory { idle_rss_kib: idle_rss, peak_rss_kib: default_server.rss_kib("VmHWM")?, peak_rss_kib_by_instance };
    let bundle = bundle(&root, &site, default_server.addr, &newest_post)?;
    drop(servers);

    let scale_latency = scale::list_latency(settings, &server_bin, &site, &scratch)?;
    let report = BenchFigures {
        measured_at,
        machine,
        seconds_per_route: settings.seconds,
        connections: CONNECTIONS,
        nginx_ssg: Baseline {
            path: NGINX_PATH.to_string(),
            requests_per_sec: baseline.requests_per_sec,
            p50_ms: baseline.p50_ms,
            p99_ms: baseline.p99_ms,
            errors: baseline.errors,
            non_2xx: baseline.non_2xx,
            cpu_steal_percent: baseline.cpu_steal_percent,
        },
        routes,
        memory,
        bundle,
        scale,
        scale_latency,
    };
    fs::create_dir_all(settings.output.parent().expect("target/bench"))?;
    fs::write(&settings.output, serde_json::to_string_pretty(&report)?)?;
    print!("{}", markdown::markdown(&report));
    eprintln!("bench: figures written to {}", settings.output.display());
    Ok(())
}

/// The pages whose first load is measured: every island page, and `/csr`.
const FIRST_LOAD_PAGES: &[&str] = &["/", "/ssg/", "/ssr", "/stream", "/isr", "/ppr", "/posts/{post}", "/csr"];

fn bundle(root: &Path, site: &Path, server: SocketAddr, newest_post: &str) -> Result<BundleFigures> {
    let paths: Vec<String> = FIRST_LOAD_PAGES.iter().map(|path| path.replace("{post}", newest_post)).collect();
    let pages = first_load::pages(server, &paths)?;
    let bundles = first_load::bundles(site)?;
    let parts = first_load::islands_bundle_parts(root)?;
    let islands = bundles.iter().find(|bundle| bundle.name == Bundle::Islands.name()).context("the islands bundle")?;
    Ok(BundleFigures {
        wasm_plus_js_gzip: islands.wasm.gzip + islands.js.gzip,
        files: bundles,
        first_load: pages,
        islands_bundle_parts: parts,
    })
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
    let posts: serde_json::Value = serde_json::from_slice(&http::get(&mut None, addr, "/api/posts")?.body)?;
    Ok(posts[0]["slug"].as_str().context("at least one post")?.to_string())
}

/// `value` to `digits` decimals, as the report keeps figures.
fn round(value: f64, digits: i32) -> f64 {
    let factor = 10f64.powi(digits);
    (value * factor).round() / factor
}


#[cfg(test)]
mod tests {
    use super::*;

    /// Runs the whole bench briefly: one route, a tiny scale set. It needs what
    /// `make bench` needs (a built site, wrk, nginx), so `make test` runs it
    /// with `--include-ignored` after building. Reading the report back as the
    /// type the build reads checks every field; the figures are never asserted.
    #[test]
    #[ignore = "needs `make build`, wrk and nginx; `make test` runs it"]
    fn bench_smoke_writes_the_whole_report() {
        let output = env::temp_dir().join(format!("bench-smoke-{}.json", std::process::id()));
        let settings = Settings { seconds: 1, routes: Some(vec!["/ssg/".into()]), scale: vec![20, 40], output: output.clone() };
        run(&settings).unwrap();
        let report: BenchFigures = serde_json::from_slice(&fs::read(&output).unwrap()).unwrap();
        fs::remove_file(output).unwrap();
        assert_eq!(report.routes.len(), 1);
        assert_eq!(report.routes[0].strategy.as_deref(), Some("ssg"));
        for instance in Instance::ALL {
            assert!(report.memory.peak_rss_kib_by_instance.contains_key(instance.name()), "{instance:?}'s peak");
        }
        assert_eq!(report.bundle.first_load.len(), FIRST_LOAD_PAGES.len(), "a first load for every page");
        for page in &report.bundle.first_load {
            assert!(page.files.len() >= 4, "HTML, CSS, JS and WASM: {page:?}");
            assert!(page.as_sent > 0 && page.js_wasm_gzip > 0, "{page:?}");
        }
        assert_eq!(report.bundle.files.len(), Bundle::ALL.len(), "every bundle");
        assert!(!report.bundle.islands_bundle_parts.is_empty(), "where the bytes go");
        assert_eq!(report.scale.iter().map(|run| run.posts).collect::<Vec<_>>(), [20, 40]);
        assert_eq!(report.scale_latency.len(), 4, "/ssr and /api/posts for each scale set");
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
