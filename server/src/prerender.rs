//! The build step, `server prerender`: renders every page that is served from a
//! file into the site root. `make build` runs it after the WASM build; a server
//! restart never does, so an SSG page's "HTML generated at" stays frozen until
//! the next build.
//!
//! What it writes, as `<path>/index.html` so any file server can serve the root:
//! every page the route table serves as SSG (`/posts/{slug}` for every post),
//! the ISR pages (their first version), PPR's shell (with skeletons in its
//! holes), and `404.html`. Beside each SSG page, its brotli copy (`index.html.br`).
//! Then the feed, the sitemap and robots.txt (see `crate::feeds`).
//! Once all of them are in place, the pages it did not write this time (a deleted
//! post's, a dropped route's) are removed: the root holds what the content and
//! the route table produce now, and nothing that an earlier build left.

use crate::{encoding, feeds, page_files, render, routes, site_fs, state::AppState};
use app::{post::Post, Strategy};
use app::bench::BenchFigures; // @demo
use axum::http::{StatusCode, Uri};
use futures::{stream, StreamExt};
use std::{
    collections::HashSet,
    path::PathBuf,
    sync::{
        atomic::{AtomicBool, Ordering},
        Arc,
    },
    time::{Duration, Instant, SystemTime},
};

/// One page to write: where it is served, how, and the post file it comes from.
struct PageJob {
    url: String,
    strategy: Strategy,
    status: StatusCode,
    file: PathBuf,
    post_file: Option<PathBuf>,
}

impl PageJob {
    /// SSG pages are sent as they are, so each is compressed here, once, with
    /// brotli (which every browser takes; a gzip-only client gets the page
    /// compressed per response).
    fn brotli_copy(&self) -> Option<PathBuf> {
        (self.strategy == Strategy::Ssg).then(|| page_files::brotli_copy_path(&self.file))
    }
}

#[derive(Debug)]
pub struct PrerenderReport {
    pub pages: usize,
    /// The page files of earlier builds that this one no longer produces.
    pub removed: Vec<PathBuf>,
    pub took: Duration,
}

#[derive(Debug, thiserror::Error)]
pub enum PrerenderError {
    #[error("{page}{}: {message}", .post_file.as_ref().map(|f| format!(" (from {})", f.display())).unwrap_or_default())]
    Page { page: String, post_file: Option<PathBuf>, message: String },
    #[error("removing the pages of earlier builds from {root}: {source}")]
    Cleanup { root: PathBuf, source: std::io::Error },
}

pub async fn prerender(state: &AppState) -> Result<PrerenderReport, PrerenderError> {
    let started = Instant::now();
    let root = &state.config.site_root;
    let index = state.posts.index();

    // Every page of the route table that is served from a file.
    let pages = routes::every_page(index.posts());
    let mut jobs: Vec<PageJob> = pages
        .iter()
        .filter(|(_, strategy, _)| matches!(strategy, Strategy::Ssg | Strategy::Isr | Strategy::Ppr))
        .map(|(url, strategy, post)| {
            let post_file = post.and_then(|post| index.source_file(&post.summary.slug)).map(PathBuf::from);
            page(root, url, *strategy, post_file)
        })
        .collect();
    jobs.push(PageJob {
        url: "/404".into(),
        strategy: Strategy::Ssg,
        status: StatusCode::NOT_FOUND,
        file: root.join("404.html"),
        post_file: None,
    });

    let written: HashSet<PathBuf> = jobs
        .iter()
        .flat_map(|job| std::iter::once(job.file.clone()).chain(job.brotli_copy()))
        .collect();
    let total = jobs.len();
    let report_every = (total / 10).max(1);
    let parallel = std::thread::available_parallelism().map_or(2, |n| n.get()) * 2;
    let mut done = 0;
    // After the first failure no new page starts, but the pages already being
    // written finish (or clean up) before the build returns: none is left half done.
    let failed = Arc::new(AtomicBool::new(false));
    let mut first_error = None;
    let mut results = stream::iter(jobs)
        .map(|job| {
            let (state, failed) = (state.clone(), failed.clone());
            tokio::spawn(async move {
                if failed.load(Ordering::Relaxed) {
                    return Ok(false);
                }
                write_page(&state, job).await.map(|()| true)
            })
        })
        .buffer_unordered(parallel);
    while let Some(result) = results.next().await {
        let panicked = |panic: tokio::task::JoinError| PrerenderError::Page { page: "a page".into(), post_file: None, message: panic.to_string() };
        match result.map_err(panicked).and_then(|written| written) {
            Ok(true) => {
                done += 1;
                if done % report_every == 0 || done == total {
                    tracing::info!("prerendered {done} of {total} pages");
                }
            }
            Ok(false) => {}
            Err(error) => {
                failed.store(true, Ordering::Relaxed);
                first_error.get_or_insert(error);
            }
        }
    }
    if let Some(error) = first_error {
        return Err(error);
    }
    write_feeds(state, index.posts(), &pages).await?;
    let removed = site_fs::remove_stale_pages(root, &written)
        .map_err(|source| PrerenderError::Cleanup { root: root.clone(), source })?;
    for file in &removed {
        tracing::info!("removed {}: this build no longer produces it", file.display());
    }
    Ok(PrerenderReport { pages: total, removed, took: started.elapsed() })
}

/// The feed of `posts`, the sitemap of `pages` and robots.txt (see
/// `crate::feeds`), once the pages they point to are in place.
async fn write_feeds(state: &AppState, posts: &[Post], pages: &[(String, Strategy, Option<&Post>)]) -> Result<(), PrerenderError> {
    let site_url = &state.config.site_url;
    let files = [
        ("feed.xml", feeds::atom_feed(site_url, posts, &app::clock::now_rfc3339())),
        ("sitemap.xml", feeds::sitemap(site_url, pages)),
        ("robots.txt", feeds::robots(site_url)),
    ];
    for (name, text) in files {
        let file = state.config.site_root.join(name);
        let written = tokio::task::spawn_blocking(move || site_fs::write_atomic(&file, text.as_bytes(), SystemTime::now()));
        let error = |message: String| PrerenderError::Page { page: format!("/{name}"), post_file: None, message };
        written.await.map_err(|e| error(e.to_string()))?.map_err(|e| error(format!("writing {name}: {e}")))?;
    }
    Ok(())
}

// @demo-begin
/// Where the home page's measured figures come from: the last `make bench` on
/// this machine, else the run committed with the docs. Relative to the
/// directory the build runs in, the repo root.
const BENCH_FIGURES: [&str; 2] = ["target/bench/latest.json", "docs/bench/latest.json"];

pub fn bench_figures() -> Option<BenchFigures> {
    for path in BENCH_FIGURES {
        let Ok(bytes) = std::fs::read(path) else { continue };
        match serde_json::from_slice::<BenchFigures>(&bytes) {
            Ok(figures) => {
                tracing::info!("the home page shows the bench figures of {} from {path}", figures.measured_at);
                return Some(figures);
            }
            Err(error) => tracing::warn!("{path} is not a bench report this build can read ({error}); skipping it"),
        }
    }
    tracing::info!("no bench figures yet: run `make bench`, then `make build`, to show them on the home page");
    None
}
// @demo-end

fn page(root: &std::path::Path, url: &str, strategy: Strategy, post_file: Option<PathBuf>) -> PageJob {
    PageJob {
        url: url.to_string(),
        strategy,
        status: StatusCode::OK,
        file: site_fs::page_file(root, url).expect("prerendered URLs are plain paths"),
        post_file,
    }
}

async fn write_page(state: &AppState, job: PageJob) -> Result<(), PrerenderError> {
    let error = |message: String| PrerenderError::Page { page: job.url.clone(), post_file: job.post_file.clone(), message };
    let uri: Uri = job.url.parse().map_err(|e| error(format!("not a URI: {e}")))?;
    let generated_at = SystemTime::now();
    let html = render::document_bytes(state, job.strategy, &uri, job.status).await.map_err(error)?;
    // The copy carries the page's mtime: that is how the server pairs them.
    let copy = job.brotli_copy();
    let file = job.file.clone();
    tokio::task::spawn_blocking(move || {
        site_fs::write_atomic(&file, &html, generated_at).map_err(|e| (file.clone(), e))?;
        if let Some(copy) = copy {
            site_fs::write_atomic_unsynced(&copy, &encoding::brotli(&html), generated_at)
                .map_err(|e| (copy, e))?;
        }
        Ok(())
    })
    .await
    .map_err(|e| error(e.to_string()))?
    .map_err(|(file, e): (PathBuf, std::io::Error)| error(format!("writing {}: {e}", file.display())))
}

// @demo-begin
#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_committed_bench_report_has_a_cost_for_every_strategy() {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../docs/bench/latest.json");
        let figures: BenchFigures = serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap();
        for strategy in Strategy::ALL {
            assert!(figures.cost_of(strategy.as_str()).count() >= 1, "{strategy:?} has a measured cost");
        }
    }
}
// @demo-end
