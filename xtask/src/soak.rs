//! `cargo xtask soak` (`make soak`): every route under steady load for
//! `SOAK_SECONDS` (default 60) while the build step rewrites the site root again
//! and again and ISR pages go stale every second. It checks every response:
//! the intended status, and a whole body (an HTML page to its `</html>` and, for
//! the pages with holes, both holes; JSON that parses; a file at its full size).
//! It also checks that the server's memory stays flat: the mean RSS of the last
//! window is within 10 % of the first.
// @demo-file: measurement and operations tooling for the demo's routes

use crate::{
    bench::Server,
    http::{self, Response},
    project::Project,
    site::copy_dir,
    temp_dir::TempDir,
};
use anyhow::{bail, Context, Result};
use std::{
    collections::BTreeMap,
    env,
    net::SocketAddr,
    process::Command,
    sync::{
        atomic::{AtomicBool, AtomicUsize, Ordering},
        Arc, Mutex,
    },
    time::{Duration, Instant},
};

/// Each route, and the status it should answer.
const ROUTES: &[(&str, u16)] = &[
    ("/", 200),
    ("/ssg/", 200),
    ("/ssr", 200),
    ("/stream", 200),
    ("/csr", 200),
    ("/isr", 200),
    ("/ppr", 200),
    ("/posts/{post}", 200),
    ("/api/posts", 200),
    ("/pkg/blog.css", 200),
    ("/no/such/page", 404),
];

const CLIENTS: usize = 8;
const RSS_TOLERANCE: f64 = 0.10;

pub struct Settings {
    pub seconds: u64,
}

impl Settings {
    pub fn from_env() -> Result<Settings> {
        let seconds = env::var("SOAK_SECONDS").unwrap_or_else(|_| "60".into()).parse().context("SOAK_SECONDS")?;
        Ok(Settings { seconds })
    }
}

#[derive(Default, Debug, Clone)]
struct Tally {
    requests: u64,
    unexpected_status: u64,
    short_bodies: u64,
    failures: u64,
    isr_stale: u64,
    first_problem: Option<String>,
}

pub struct Report {
    tallies: BTreeMap<String, Tally>,
    rss_first_kib: f64,
    rss_last_kib: f64,
    rebuilds: usize,
    failed_rebuilds: usize,
}

impl Report {
    pub fn is_clean(&self) -> bool {
        self.tallies.values().all(|t| t.unexpected_status + t.short_bodies + t.failures == 0 && t.requests > 0)
            && self.rss_last_kib <= self.rss_first_kib * (1.0 + RSS_TOLERANCE)
            && self.rebuilds > 0
            && self.failed_rebuilds == 0
    }

    fn markdown(&self, seconds: u64) -> String {
        let mut out = format!(
            "## make soak\n\n{seconds} s, {CLIENTS} keep-alive clients, every route in turn; `server prerender` ran {} times \
             meanwhile ({} failed); ISR window 1 s; {} answers were stale: served at once, each starting a background regeneration or arriving while one ran.\n\n| route | requests | unexpected status | short or empty bodies | failed requests |\n|---|---:|---:|---:|---:|\n",
            self.rebuilds,
            self.failed_rebuilds,
            self.tallies.values().map(|t| t.isr_stale).sum::<u64>()
        );
        for (route, t) in &self.tallies {
            out.push_str(&format!("| `{route}` | {} | {} | {} | {} |\n", t.requests, t.unexpected_status, t.short_bodies, t.failures));
        }
        out.push_str(&format!(
            "\nServer RSS: {:.0} KiB mean over the first window, {:.0} KiB over the last ({:+.1} %; the limit is {:+.0} %).\n",
            self.rss_first_kib,
            self.rss_last_kib,
            (self.rss_last_kib / self.rss_first_kib - 1.0) * 100.0,
            RSS_TOLERANCE * 100.0
        ));
        for (route, t) in &self.tallies {
            if let Some(problem) = &t.first_problem {
                out.push_str(&format!("\nFirst problem on `{route}`: {problem}\n"));
            }
        }
        out
    }
}

pub fn run(settings: &Settings) -> Result<Report> {
    let Project { site_root: built_site, content, server_bin, .. } = Project::built("the soak", "ssg/index.html")?;
    // Its own copy of the site root, since the rebuilds rewrite it.
    let scratch = TempDir::new("soak")?;
    let site = scratch.path().join("site");
    copy_dir(&built_site, &site)?;
    let db = scratch.path().join("soak.db");
    let extra = [("DEMO_LATENCY_MS", "0".to_string()), ("ISR_REVALIDATE_SECS", "1".to_string())];
    let server = Server::start(&server_bin, &site, &content, &db, &extra)?;
    let post = first_post_slug(server.addr)?;
    let routes: Vec<(String, u16)> = ROUTES.iter().map(|(path, status)| (path.replace("{post}", &post), *status)).collect();
    let css_len = std::fs::metadata(site.join("pkg/blog.css"))?.len() as usize;

    // Warm up, uncounted: every route once, so first-use allocations aren't read as growth.
    for (path, _) in &routes {
        get(server.addr, path).with_context(|| format!("warming up {path}"))?;
    }

    let stop = Arc::new(AtomicBool::new(false));
    let tallies = Arc::new(Mutex::new(BTreeMap::<String, Tally>::new()));
    let rebuilds = Arc::new(AtomicUsize::new(0));
    let failed_rebuilds = Arc::new(AtomicUsize::new(0));
    let began = Instant::now();
    let (rss_first_kib, rss_last_kib) = std::thread::scope(|scope| -> Result<(f64, f64)> {
        for client in 0..CLIENTS {
            let (stop, tallies, routes, addr) = (stop.clone(), tallies.clone(), routes.clone(), server.addr);
            scope.spawn(move || {
                let mut connection = None;
                let mut turn = client;
                while !stop.load(Ordering::Relaxed) {
                    let (path, expected) = &routes[turn % routes.len()];
                    turn += 1;
                    let sent_at = began.elapsed();
                    let outcome = http::get(&mut connection, addr, path);
                    let mut tallies = tallies.lock().unwrap();
                    let tally = tallies.entry(path.clone()).or_default();
                    tally.requests += 1;
                    // Served at once, while a background regeneration starts or runs.
                    if outcome.as_ref().is_ok_and(|response| response.header("x-isr-cache") == Some("stale")) {
                        tally.isr_stale += 1;
                    }
                    let problem = match outcome {
                        Err(error) => {
                            tally.failures += 1;
                            connection = None;
                            Some(format!("request sent at {sent_at:?} failed at {:?}: {error:#}", began.elapsed()))
                        }
                        Ok(response) if response.status != *expected => {
                            tally.unexpected_status += 1;
                            Some(format!("status {} instead of {expected}", response.status))
                        }
                        Ok(response) => match whole_body_problem(path, &response, css_len) {
                            Some(problem) => {
                                tally.short_bodies += 1;
                                Some(problem)
                            }
                            None => None,
                        },
                    };
                    if tally.first_problem.is_none() {
                        tally.first_problem = problem;
                    }
                }
            });
        }
        {
            let (stop, rebuilds, failed, bin, site, content, scratch) =
                (stop.clone(), rebuilds.clone(), failed_rebuilds.clone(), &server_bin, &site, &content, scratch.path());
            scope.spawn(move || {
                while !stop.load(Ordering::Relaxed) {
                    let status = Command::new(bin)
                        .arg("prerender")
                        .env("LEPTOS_SITE_ROOT", site)
                        .env("CONTENT_DIR", content)
                        .env("DATABASE_URL", format!("sqlite://{}", scratch.join("build.db").display()))
                        .env("RUST_LOG", "error")
                        .status();
                    rebuilds.fetch_add(1, Ordering::Relaxed);
                    if !status.is_ok_and(|s| s.success()) {
                        failed.fetch_add(1, Ordering::Relaxed);
                    }
                    // Longer than the ISR window, so ISR pages also go stale and
                    // regenerate between rebuilds (a rebuild writes them fresh).
                    std::thread::sleep(Duration::from_secs(2));
                }
            });
        }

        // RSS twice a second; compare the first and the last quarter (at most 10 s each).
        let started = Instant::now();
        let mut samples = Vec::new();
        while started.elapsed() < Duration::from_secs(settings.seconds) {
            std::thread::sleep(Duration::from_millis(500));
            samples.push((started.elapsed(), server.rss_kib("VmRSS")? as f64));
        }
        stop.store(true, Ordering::Relaxed);
        let window = Duration::from_secs(settings.seconds.div_ceil(4).min(10));
        let total = started.elapsed();
        let mean = |keep: &dyn Fn(Duration) -> bool| {
            let chosen: Vec<f64> = samples.iter().filter(|(at, _)| keep(*at)).map(|(_, rss)| *rss).collect();
            chosen.iter().sum::<f64>() / chosen.len().max(1) as f64
        };
        Ok((mean(&|at| at <= window), mean(&|at| at + window >= total)))
    })?;
    let tallies = tallies.lock().unwrap().clone();
    Ok(Report {
        tallies,
        rss_first_kib,
        rss_last_kib,
        rebuilds: rebuilds.load(Ordering::Relaxed),
        failed_rebuilds: failed_rebuilds.load(Ordering::Relaxed),
    })
}

/// `make soak`: prints the report and fails unless it is clean.
pub fn run_and_print(settings: &Settings) -> Result<()> {
    let report = run(settings)?;
    print!("{}", report.markdown(settings.seconds));
    if !report.is_clean() {
        bail!("the soak found problems: see above");
    }
    Ok(())
}

/// Why `response` isn't the whole of what `path` serves, if it isn't.
pub(crate) fn whole_body_problem(path: &str, response: &Response, css_len: usize) -> Option<String> {
    let body = &response.body;
    if body.is_empty() {
        return Some("empty body".into());
    }
    let text = String::from_utf8_lossy(body);
    let must_contain: &[&str] = match path {
        "/api/posts" => return serde_json::from_slice::<serde_json::Value>(body).err().map(|e| format!("JSON cut short: {e}")),
        "/pkg/blog.css" => return (body.len() != css_len).then(|| format!("{} of {css_len} bytes", body.len())),
        "/stream" => &["</html>", "data-hole-ready=\"most-viewed-today\"", "data-hole-ready=\"trending\""],
        "/ppr" => &["</html>", "__pprFill(\"most-viewed-today\"", "__pprFill(\"trending\""],
        _ => &["</html>"],
    };
    must_contain
        .iter()
        .find(|needle| !text.contains(**needle))
        .map(|needle| format!("{} bytes without {needle:?}", body.len()))
}

fn get(addr: SocketAddr, path: &str) -> Result<Response> {
    http::get(&mut None, addr, path)
}

fn first_post_slug(addr: SocketAddr) -> Result<String> {
    let posts: serde_json::Value = serde_json::from_slice(&get(addr, "/api/posts")?.body)?;
    Ok(posts[0]["slug"].as_str().context("a post has a slug")?.to_string())
}
