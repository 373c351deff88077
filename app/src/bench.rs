//! The figures `make bench` measured, as `target/bench/latest.json` holds them.
//! The build reads them so the home page's cost column shows this project's own
//! numbers; only the fields the pages show are read.

use crate::strategy::Strategy;
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct BenchFigures {
    /// RFC 3339, UTC: when the run started.
    pub measured_at: String,
    pub machine: Machine,
    pub seconds_per_route: u64,
    pub connections: u32,
    pub nginx_ssg: Load,
    pub routes: Vec<RouteFigures>,
    pub bundle: Bundle,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Machine {
    pub cores: u32,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Load {
    pub requests_per_sec: f64,
    pub p50_ms: f64,
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
    pub vs_nginx: f64,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Bundle {
    pub wasm_plus_js_gzip: u64,
}

impl BenchFigures {
    /// What serving `strategy` costs per request on the default server: its routes' figures.
    pub fn cost_of(&self, strategy: Strategy) -> impl Iterator<Item = &RouteFigures> {
        self.routes
            .iter()
            .filter(move |route| route.instance == "default" && route.strategy.as_deref() == Some(strategy.as_str()))
    }
}
