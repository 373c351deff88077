//! The report `make bench` writes to `target/bench/latest.json`: one type for
//! its three users. xtask's bench fills it (including this file by its path:
//! xtask does not depend on the app), its smoke test reads it back whole, and
//! the build reads it so the home page's cost column shows this project's own
//! numbers. Plain serde, so that it compiles in both crates.
// @demo-file: the bench figures on the home page

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct BenchFigures {
    /// RFC 3339, UTC: when the run started.
    pub measured_at: String,
    pub machine: Machine,
    pub seconds_per_route: u64,
    pub connections: u32,
    /// nginx serving the prerendered `/ssg/index.html`: what a file server does.
    pub nginx_ssg: Baseline,
    pub routes: Vec<RouteFigures>,
    pub memory: Memory,
    pub bundle: BundleFigures,
    /// Prerendering synthetic posts, once per post count.
    pub scale: Vec<PrerenderRun>,
    /// `/ssr` and `/api/posts` under load with each of those post counts.
    pub scale_latency: Vec<ScaleLatency>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Machine {
    pub cores: u32,
    /// `/proc/loadavg`'s three figures, as a check that nothing else ran.
    pub load_average_at_start: String,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Baseline {
    pub path: String,
    pub requests_per_sec: f64,
    pub p50_ms: f64,
    pub p99_ms: f64,
    pub errors: u64,
    pub non_2xx: u64,
    /// CPU time stolen by the hypervisor during the run, in % (reports before
    /// 2026-12-04 lack it).
    #[serde(default)]
    pub cpu_steal_percent: Option<f64>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RouteFigures {
    pub label: String,
    pub path: String,
    /// The strategy the route demonstrates (`ssg`, …), absent for a route that none does.
    pub strategy: Option<String>,
    /// `default` for the server as it ships; others are configured to show one case.
    pub instance: String,
    pub requests_per_sec: f64,
    pub p50_ms: f64,
    pub p99_ms: f64,
    pub errors: u64,
    pub non_2xx: u64,
    pub vs_nginx: f64,
    pub p99_over_p50: f64,
    /// Medians over sequential requests, for the routes where streaming shows.
    pub ttfb_ms: Option<f64>,
    pub full_response_ms: Option<f64>,
    /// As in `Baseline`.
    #[serde(default)]
    pub cpu_steal_percent: Option<f64>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Memory {
    pub idle_rss_kib: u64,
    /// The default instance's peak, after it served every route of its own.
    pub peak_rss_kib: u64,
    pub peak_rss_kib_by_instance: BTreeMap<String, u64>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct BundleFigures {
    /// The islands bundle's JS and WASM, gzip.
    pub wasm_plus_js_gzip: u64,
    pub files: Vec<BundleFiles>,
    pub first_load: Vec<PageLoad>,
    /// Code and data of the islands bundle, by crate, before compression.
    pub islands_bundle_parts: Vec<Part>,
}

/// A bundle's files: raw, and as the build compressed them.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct BundleFiles {
    pub name: String,
    pub wasm: Sizes,
    pub js: Sizes,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Sizes {
    pub raw: u64,
    pub gzip: u64,
    pub br: u64,
}

/// Everything a browser with an empty cache fetches to make one page interactive.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PageLoad {
    pub path: String,
    pub files: Vec<Download>,
    /// Every file above, as sent to Chromium.
    pub as_sent: u64,
    /// The JS and WASM files alone, gzip: the like-for-like figure.
    pub js_wasm_gzip: u64,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Download {
    pub path: String,
    /// `br`, `gzip` or `identity`.
    pub encoding: String,
    pub bytes: u64,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Part {
    pub name: String,
    pub bytes: u64,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PrerenderRun {
    pub posts: usize,
    pub pages: usize,
    pub seconds: f64,
    pub pages_per_sec: f64,
    pub peak_rss_kib: u64,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ScaleLatency {
    pub path: String,
    pub posts: usize,
    pub requests_per_sec: f64,
    pub p50_ms: f64,
    pub p99_ms: f64,
    /// Socket errors and non-2xx answers together.
    pub errors: u64,
}

impl BenchFigures {
    /// What serving `strategy` (`ssr`, …) costs per request on the default
    /// server: its routes' figures.
    pub fn cost_of<'a>(&'a self, strategy: &'a str) -> impl Iterator<Item = &'a RouteFigures> {
        self.routes.iter().filter(move |route| route.instance == "default" && route.strategy.as_deref() == Some(strategy))
    }
}
