//! `IsrCache`: prerendered pages with a staleness clock, as Next.js users know ISR.
//! No Leptos in here: a page is bytes from a render function, so the rules below
//! are tested with fake renderers.
//!
//! - No file yet: render, write, serve (`miss`); concurrent first requests share one render.
//! - Younger than the window: serve the file (`fresh`).
//! - Older: serve the file at once (`stale`) and start one background regeneration;
//!   stale hits while it runs join it instead of starting another.
//! - Writes are atomic, so a reader never sees a torn page.
//! - A failed regeneration keeps the last good file, is logged with the path, and
//!   is retried after a backoff that doubles up to a minute.
//! - A page's age is its file's mtime, so a restart changes nothing.

use crate::site_fs::{page_file, write_atomic};
use bytes::Bytes;
use std::{
    collections::HashMap,
    future::Future,
    io,
    path::{Path, PathBuf},
    pin::Pin,
    sync::{
        atomic::{AtomicU64, Ordering},
        Arc, Mutex,
    },
    time::{Duration, Instant, SystemTime},
};

const FIRST_BACKOFF: Duration = Duration::from_secs(1);
const MAX_BACKOFF: Duration = Duration::from_secs(60);

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CacheStatus {
    Miss,
    Fresh,
    Stale,
}

impl CacheStatus {
    /// The `x-isr-cache` header value.
    pub fn as_str(self) -> &'static str {
        match self {
            CacheStatus::Miss => "miss",
            CacheStatus::Fresh => "fresh",
            CacheStatus::Stale => "stale",
        }
    }
}

/// What a render produced: the page, and the tags of the posts it lists.
pub struct RenderedPage {
    pub html: Bytes,
    pub tags: Vec<String>,
}

pub type RenderFuture = Pin<Box<dyn Future<Output = Result<RenderedPage, String>> + Send>>;
/// Renders one page afresh. An `Err` (or a non-200 render) is never written.
pub type Render = Arc<dyn Fn() -> RenderFuture + Send + Sync>;

#[derive(Debug, thiserror::Error)]
pub enum IsrError {
    #[error("{key} is not a page path")]
    NotAPage { key: String },
    #[error("rendering {key} failed: {message}")]
    Render { key: String, message: String },
    #[error("writing {}: {source}", path.display())]
    Io { path: PathBuf, source: io::Error },
}

#[derive(Default)]
struct KeyState {
    regenerating: bool,
    failures: u32,
    retry_at: Option<Instant>,
    /// The tags of the last render since start; `None` until one happens.
    tags: Option<Vec<String>>,
    /// When this process last finished writing the page. A stale hit that began
    /// before then read the file that write replaced: it must not start another.
    written_at: Option<Instant>,
    /// Held while a cold page is first rendered.
    cold: Arc<tokio::sync::Mutex<()>>,
}

pub struct IsrCache {
    root: PathBuf,
    window: Duration,
    keys: Mutex<HashMap<String, KeyState>>,
    regenerations: AtomicU64,
}

impl IsrCache {
    pub fn new(root: PathBuf, window: Duration) -> Arc<IsrCache> {
        Arc::new(IsrCache { root, window, keys: Mutex::default(), regenerations: AtomicU64::new(0) })
    }

    pub fn window(&self) -> Duration {
        self.window
    }

    /// How many renders this cache has run since start (cold, background and on demand).
    pub fn regenerations(&self) -> u64 {
        self.regenerations.load(Ordering::SeqCst)
    }

    pub async fn get(self: &Arc<Self>, key: &str, render: Render) -> Result<(Bytes, CacheStatus), IsrError> {
        let path = self.path(key)?;
        let read_at = Instant::now();
        if let Some((html, modified)) = read_page(&path).await? {
            let age = SystemTime::now().duration_since(modified).unwrap_or_default();
            if age < self.window {
                return Ok((html, CacheStatus::Fresh));
            }
            self.start_background_regeneration(key, read_at, render);
            return Ok((html, CacheStatus::Stale));
        }

        let cold = self.with_state(key, |state| state.cold.clone());
        let _first = cold.lock().await;
        if let Some((html, _)) = read_page(&path).await? {
            return Ok((html, CacheStatus::Miss)); // rendered while this request waited
        }
        Ok((self.regenerate(key, &render).await?, CacheStatus::Miss))
    }

    /// Renders and writes `key` now. The old file stays if anything fails.
    pub async fn regenerate(&self, key: &str, render: &Render) -> Result<Bytes, IsrError> {
        let path = self.path(key)?;
        self.regenerations.fetch_add(1, Ordering::SeqCst);
        let page = render().await.map_err(|message| IsrError::Render { key: key.to_string(), message })?;
        let html = page.html.clone();
        let written = html.clone();
        let target = path.clone();
        tokio::task::spawn_blocking(move || write_atomic(&target, &written))
            .await
            .map_err(|join| IsrError::Io { path: path.clone(), source: io::Error::other(join) })?
            .map_err(|source| IsrError::Io { path, source })?;
        self.with_state(key, |state| {
            state.tags = Some(page.tags);
            state.written_at = Some(Instant::now());
        });
        Ok(html)
    }

    /// The keys among `keys` whose page lists a post tagged `tag`. A key not
    /// rendered since start counts as tagged: better one render too many than a
    /// stale page kept.
    pub fn keys_tagged(&self, tag: &str, keys: &[&str]) -> Vec<String> {
        let states = self.keys.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        keys.iter()
            .filter(|key| {
                states
                    .get(**key)
                    .and_then(|state| state.tags.as_ref())
                    .is_none_or(|tags| tags.iter().any(|t| t == tag))
            })
            .map(|key| key.to_string())
            .collect()
    }

    fn start_background_regeneration(self: &Arc<Self>, key: &str, read_at: Instant, render: Render) {
        let start = self.with_state(key, |state| {
            let backing_off = state.retry_at.is_some_and(|at| Instant::now() < at);
            let already_replaced = state.written_at.is_some_and(|written_at| read_at < written_at);
            if state.regenerating || backing_off || already_replaced {
                return false;
            }
            state.regenerating = true;
            true
        });
        if !start {
            return;
        }
        let cache = Arc::clone(self);
        let key = key.to_string();
        tokio::spawn(async move {
            let result = cache.regenerate(&key, &render).await;
            cache.with_state(&key, |state| {
                state.regenerating = false;
                match &result {
                    Ok(_) => {
                        state.failures = 0;
                        state.retry_at = None;
                        tracing::info!(path = %key, "regenerated");
                    }
                    Err(error) => {
                        let backoff = FIRST_BACKOFF.saturating_mul(1 << state.failures.min(6)).min(MAX_BACKOFF);
                        state.failures += 1;
                        state.retry_at = Some(Instant::now() + backoff);
                        tracing::error!(path = %key, %error, retry_in = ?backoff, "regeneration failed; serving the last good page");
                    }
                }
            });
        });
    }

    fn path(&self, key: &str) -> Result<PathBuf, IsrError> {
        page_file(&self.root, key).ok_or_else(|| IsrError::NotAPage { key: key.to_string() })
    }

    fn with_state<T>(&self, key: &str, f: impl FnOnce(&mut KeyState) -> T) -> T {
        let mut states = self.keys.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        f(states.entry(key.to_string()).or_default())
    }
}

/// The page and its mtime, or `None` if there is no file yet. One blocking
/// task does the whole read: open, stat and read of the same open file, so a
/// rename in between can't mix an old mtime with new bytes.
async fn read_page(path: &Path) -> Result<Option<(Bytes, SystemTime)>, IsrError> {
    let owned = path.to_path_buf();
    let read = tokio::task::spawn_blocking(move || -> io::Result<Option<(Bytes, SystemTime)>> {
        use std::io::Read;
        let mut file = match std::fs::File::open(&owned) {
            Ok(file) => file,
            Err(error) if error.kind() == io::ErrorKind::NotFound => return Ok(None),
            Err(error) => return Err(error),
        };
        let meta = file.metadata()?;
        let mut html = Vec::with_capacity(meta.len() as usize);
        file.read_to_end(&mut html)?;
        Ok(Some((Bytes::from(html), meta.modified()?)))
    })
    .await
    .map_err(|join| IsrError::Io { path: path.to_path_buf(), source: io::Error::other(join) })?;
    read.map_err(|source| IsrError::Io { path: path.to_path_buf(), source })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::AtomicUsize;

    struct FakeRenderer {
        calls: Arc<AtomicUsize>,
        fail: Arc<std::sync::atomic::AtomicBool>,
        delay: Duration,
    }

    impl FakeRenderer {
        fn new(delay: Duration) -> FakeRenderer {
            FakeRenderer { calls: Arc::default(), fail: Arc::default(), delay }
        }

        fn render(&self) -> Render {
            let (calls, fail, delay) = (self.calls.clone(), self.fail.clone(), self.delay);
            Arc::new(move || {
                let (calls, fail) = (calls.clone(), fail.clone());
                Box::pin(async move {
                    let n = calls.fetch_add(1, Ordering::SeqCst) + 1;
                    tokio::time::sleep(delay).await;
                    if fail.load(Ordering::SeqCst) {
                        return Err("the data source is down".to_string());
                    }
                    Ok(RenderedPage { html: Bytes::from(format!("<p>render {n}</p>")), tags: vec!["rust".into()] })
                })
            })
        }

        fn calls(&self) -> usize {
            self.calls.load(Ordering::SeqCst)
        }
    }

    fn age_file(path: &Path, by: Duration) {
        let file = std::fs::File::options().write(true).open(path).unwrap();
        file.set_modified(SystemTime::now() - by).unwrap();
    }

    async fn wait_for(mut done: impl FnMut() -> bool) {
        for _ in 0..200 {
            if done() {
                return;
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        panic!("condition never held");
    }

    #[tokio::test]
    async fn a_cold_page_is_rendered_written_and_then_fresh() {
        let root = tempfile::TempDir::new().unwrap();
        let cache = IsrCache::new(root.path().into(), Duration::from_secs(60));
        let renderer = FakeRenderer::new(Duration::ZERO);
        let (html, status) = cache.get("/isr", renderer.render()).await.unwrap();
        assert_eq!((status, &html[..]), (CacheStatus::Miss, &b"<p>render 1</p>"[..]));
        assert_eq!(std::fs::read(root.path().join("isr/index.html")).unwrap(), b"<p>render 1</p>");
        let (html, status) = cache.get("/isr", renderer.render()).await.unwrap();
        assert_eq!((status, &html[..]), (CacheStatus::Fresh, &b"<p>render 1</p>"[..]));
        assert_eq!(renderer.calls(), 1);
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn concurrent_cold_requests_share_one_render() {
        let root = tempfile::TempDir::new().unwrap();
        let cache = IsrCache::new(root.path().into(), Duration::from_secs(60));
        let renderer = FakeRenderer::new(Duration::from_millis(50));
        let requests: Vec<_> = (0..20)
            .map(|_| {
                let (cache, render) = (cache.clone(), renderer.render());
                tokio::spawn(async move { cache.get("/isr", render).await.unwrap() })
            })
            .collect();
        for request in requests {
            assert_eq!(request.await.unwrap().1, CacheStatus::Miss);
        }
        assert_eq!(renderer.calls(), 1);
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn stale_page_is_served_at_once_while_one_regeneration_runs() {
        let root = tempfile::TempDir::new().unwrap();
        let cache = IsrCache::new(root.path().into(), Duration::from_secs(60));
        let renderer = FakeRenderer::new(Duration::from_millis(200));
        cache.get("/isr", renderer.render()).await.unwrap();
        age_file(&root.path().join("isr/index.html"), Duration::from_secs(61));

        let started = Instant::now();
        let requests: Vec<_> = (0..50)
            .map(|_| {
                let (cache, render) = (cache.clone(), renderer.render());
                tokio::spawn(async move { cache.get("/isr", render).await.unwrap() })
            })
            .collect();
        for request in requests {
            let (html, status) = request.await.unwrap();
            assert_eq!((status, &html[..]), (CacheStatus::Stale, &b"<p>render 1</p>"[..]));
        }
        assert!(started.elapsed() < Duration::from_millis(200), "no stale hit waited for the render");
        wait_for(|| renderer.calls() == 2 && !cache.with_state("/isr", |s| s.regenerating)).await;
        let (html, status) = cache.get("/isr", renderer.render()).await.unwrap();
        assert_eq!((status, &html[..]), (CacheStatus::Fresh, &b"<p>render 2</p>"[..]));
        assert_eq!(renderer.calls(), 2, "fifty stale hits started exactly one regeneration");
    }

    #[tokio::test]
    async fn a_failed_regeneration_keeps_the_last_good_page_and_backs_off() {
        let root = tempfile::TempDir::new().unwrap();
        let cache = IsrCache::new(root.path().into(), Duration::from_secs(60));
        let renderer = FakeRenderer::new(Duration::ZERO);
        cache.get("/isr", renderer.render()).await.unwrap();
        let file = root.path().join("isr/index.html");
        age_file(&file, Duration::from_secs(61));
        renderer.fail.store(true, Ordering::SeqCst);

        cache.get("/isr", renderer.render()).await.unwrap();
        wait_for(|| cache.with_state("/isr", |s| s.failures == 1 && !s.regenerating)).await;
        for _ in 0..5 {
            let (html, status) = cache.get("/isr", renderer.render()).await.unwrap();
            assert_eq!((status, &html[..]), (CacheStatus::Stale, &b"<p>render 1</p>"[..]));
        }
        assert_eq!(renderer.calls(), 2, "no retry before the backoff ends");
        assert_eq!(std::fs::read(&file).unwrap(), b"<p>render 1</p>");
        assert!(cache.regenerate("/isr", &renderer.render()).await.is_err());
        assert_eq!(std::fs::read(&file).unwrap(), b"<p>render 1</p>", "an error is never written");
    }

    #[tokio::test]
    async fn age_comes_from_the_file_so_a_new_cache_sees_old_pages_as_stale() {
        let root = tempfile::TempDir::new().unwrap();
        let renderer = FakeRenderer::new(Duration::ZERO);
        IsrCache::new(root.path().into(), Duration::from_secs(60)).get("/isr", renderer.render()).await.unwrap();
        age_file(&root.path().join("isr/index.html"), Duration::from_secs(61));
        let restarted = IsrCache::new(root.path().into(), Duration::from_secs(60));
        assert_eq!(restarted.get("/isr", renderer.render()).await.unwrap().1, CacheStatus::Stale);
    }

    #[tokio::test]
    async fn tags_select_the_pages_that_list_them() {
        let root = tempfile::TempDir::new().unwrap();
        let cache = IsrCache::new(root.path().into(), Duration::from_secs(60));
        assert_eq!(cache.keys_tagged("rust", &["/isr"]), ["/isr"], "unknown tags count as tagged");
        cache.get("/isr", FakeRenderer::new(Duration::ZERO).render()).await.unwrap();
        assert_eq!(cache.keys_tagged("rust", &["/isr"]), ["/isr"]);
        assert!(cache.keys_tagged("css", &["/isr"]).is_empty());
    }

    #[tokio::test]
    async fn paths_outside_the_root_are_not_pages() {
        let cache = IsrCache::new("/site".into(), Duration::from_secs(1));
        let result = cache.get("/../etc", FakeRenderer::new(Duration::ZERO).render()).await;
        assert!(matches!(result, Err(IsrError::NotAPage { .. })));
    }
}
