//! How prerendering and the list routes scale with the number of posts.
// @demo-file: measurement and operations tooling for the demo's routes

use super::{
    processes::{wait_with_peak_rss, Server},
    report::{PrerenderRun, ScaleLatency},
    round,
    wrk::wrk,
    Settings,
};
use crate::{gen_posts, temp_dir::TempDir};
use anyhow::{bail, Context, Result};
use std::{fs, path::Path, process::Command, time::Instant};

/// Prerenders `n` synthetic posts for each `n` in the scale set.
pub(super) fn prerender_runs(settings: &Settings, server_bin: &Path, scratch: &TempDir) -> Result<Vec<PrerenderRun>> {
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
        results.push(PrerenderRun {
            posts,
            pages,
            seconds: round(seconds, 3),
            pages_per_sec: round(pages as f64 / seconds, 0),
            peak_rss_kib,
        });
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
pub(super) fn list_latency(settings: &Settings, server_bin: &Path, site: &Path, scratch: &TempDir) -> Result<Vec<ScaleLatency>> {
    let seconds = settings.seconds.div_ceil(2).max(1);
    let mut rows = Vec::new();
    for &posts in &settings.scale {
        let content = scratch.path().join(format!("content-{posts}"));
        let data = scratch.path().join(format!("scale-latency-{posts}.db"));
        let server = Server::start(server_bin, site, &content, &data, &[("DEMO_LATENCY_MS", "0".into())])?;
        for path in ["/ssr", "/api/posts"] {
            let load = wrk(server.addr, path, seconds)?;
            rows.push(ScaleLatency {
                path: path.to_string(),
                posts,
                requests_per_sec: load.requests_per_sec,
                p50_ms: load.p50_ms,
                p99_ms: load.p99_ms,
                errors: load.errors + load.non_2xx,
            });
        }
    }
    Ok(rows)
}
