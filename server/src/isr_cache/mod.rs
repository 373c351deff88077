//! `IsrCache`: prerendered pages with a staleness clock, as Next.js users know ISR.
//! No Leptos in here: a page is bytes from a render function, so the rules below
//! are tested with fake renderers.
//!
//! - No page yet: render, write, serve (`miss`); concurrent first requests to
//!   one process share one render.
//! - Younger than the window: serve it (`fresh`).
//! - Older: serve it at once (`stale`) and start one background regeneration;
//!   stale hits while it runs are served the old page and start nothing.
//! - Writes are atomic, so a reader never sees a torn page.
//! - A failed regeneration (an error, a panic, or no page within
//!   `RENDER_TIMEOUT`) keeps the last good page, is logged with the path, and is
//!   retried after a backoff that doubles up to a minute.
//! - A page's age is its stored generation time, so a restart changes nothing.
//!
//! Where pages live is a `PageStore`: the site root on disk (`DiskPages`, the
//! default), or Redis shared by every instance (`RedisPages`, `ISR_CACHE_URL`).
//! The rules above are the same for both; the store's lock makes "one
//! regeneration" hold across instances too.

mod disk;
mod redis;

pub use disk::DiskPages;
pub use redis::RedisPages;

use bytes::Bytes;
use futures::{future::BoxFuture, FutureExt};
use std::{
    collections::HashMap,
    future::Future,
    io,
    path::PathBuf,
    pin::Pin,
    sync::{
        atomic::{AtomicU64, Ordering},
        Arc, Mutex,
    },
    time::{Duration, Instant, SystemTime},
};

const FIRST_BACKOFF: Duration = Duration::from_secs(1);
const MAX_BACKOFF: Duration = Duration::from_secs(60);
/// How long a regeneration lock holds if its holder dies without releasing it.
const LOCK_TTL: Duration = Duration::from_secs(30);
/// A render that takes longer has failed. Shorter than `LOCK_TTL`, so no other
/// instance takes the lock while a render still runs.
const RENDER_TIMEOUT: Duration = Duration::from_secs(20);
/// While another instance holds a key's lock, stale hits here wait this long
/// before asking for it again, rather than ask Redis on every hit.
const LOCK_BUSY_RETRY: Duration = Duration::from_millis(250);

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

/// A page as a store keeps it.
#[derive(Clone, Debug)]
pub struct StoredPage {
    pub html: Bytes,
    pub generated_at: SystemTime,
    /// The tags of the posts it lists; `None` where the store doesn't know them.
    pub tags: Option<Vec<String>>,
}

/// Where ISR pages live. Reads and writes are whole pages (never torn); the
/// lock lets one caller at a time regenerate a key, and expires by itself.
pub trait PageStore: Send + Sync + 'static {
    fn read<'a>(&'a self, key: &'a str) -> BoxFuture<'a, Result<Option<StoredPage>, IsrError>>;
    fn write<'a>(&'a self, key: &'a str, page: StoredPage) -> BoxFuture<'a, Result<(), IsrError>>;
    /// `None` while someone else holds the key's lock.
    fn try_lock<'a>(&'a self, key: &'a str, ttl: Duration) -> BoxFuture<'a, Option<RegenerationLock>>;
    fn unlock(&self, lock: RegenerationLock) -> BoxFuture<'_, ()>;
}

/// Proof of holding a key's regeneration lock: the token tells our lock from a
/// later holder's after ours expired.
#[derive(Debug)]
pub struct RegenerationLock {
    key: String,
    token: String,
}

#[derive(Default)]
struct KeyState {
    regenerating: bool,
    failures: u32,
    retry_at: Option<Instant>,
    /// When this process last finished writing the page. A stale hit that began
    /// before then read the page that write replaced: it must not start another.
    written_at: Option<Instant>,
    /// Held while a cold page is first rendered.
    cold: Arc<tokio::sync::Mutex<()>>,
}

pub struct IsrCache {
    store: Arc<dyn PageStore>,
    window: Duration,
    render_timeout: Duration,
    keys: Mutex<HashMap<String, KeyState>>,
    regenerations: AtomicU64,
}

impl IsrCache {
    pub fn new(store: Arc<dyn PageStore>, window: Duration) -> Arc<IsrCache> {
        IsrCache::with_render_timeout(store, window, RENDER_TIMEOUT)
    }

    /// A cache whose renders fail after `render_timeout` instead of [`RENDER_TIMEOUT`].
    pub fn with_render_timeout(store: Arc<dyn PageStore>, window: Duration, render_timeout: Duration) -> Arc<IsrCache> {
        Arc::new(IsrCache { store, window, render_timeout, keys: Mutex::default(), regenerations: AtomicU64::new(0) })
    }

    pub fn window(&self) -> Duration {
        self.window
    }

    /// How many renders this cache has run since start (cold, background and on demand).
    pub fn regenerations(&self) -> u64 {
        self.regenerations.load(Ordering::SeqCst)
    }

    pub async fn get(self: &Arc<Self>, key: &str, render: Render) -> Result<(Bytes, CacheStatus), IsrError> {
        let read_at = Instant::now();
        if let Some(page) = self.store.read(key).await? {
            if self.is_fresh(&page) {
                return Ok((page.html, CacheStatus::Fresh));
            }
            self.start_background_regeneration(key, read_at, render);
            return Ok((page.html, CacheStatus::Stale));
        }

        let cold = self.with_state(key, |state| state.cold.clone());
        let _first = cold.lock().await;
        if let Some(page) = self.store.read(key).await? {
            return Ok((page.html, CacheStatus::Miss)); // rendered while this request waited
        }
        Ok((self.regenerate(key, &render).await?, CacheStatus::Miss))
    }

    /// Renders and writes `key` now. The old page stays if anything fails.
    pub async fn regenerate(&self, key: &str, render: &Render) -> Result<Bytes, IsrError> {
        self.regenerations.fetch_add(1, Ordering::SeqCst);
        let generated_at = SystemTime::now();
        let page = render_guarded(render, self.render_timeout).await.map_err(|message| IsrError::Render { key: key.to_string(), message })?;
        let html = page.html.clone();
        let stored = StoredPage { html: page.html, generated_at, tags: Some(page.tags) };
        self.store.write(key, stored).await?;
        self.with_state(key, |state| state.written_at = Some(Instant::now()));
        Ok(html)
    }

    /// The keys among `keys` whose page lists a post tagged `tag`. A page whose
    /// tags the store doesn't know counts as tagged: better one render too many
    /// than a stale page kept.
    pub async fn keys_tagged(&self, tag: &str, keys: &[&str]) -> Result<Vec<String>, IsrError> {
        let mut tagged = Vec::new();
        for key in keys {
            let tags = self.store.read(key).await?.and_then(|page| page.tags);
            if tags.is_none_or(|tags| tags.iter().any(|t| t == tag)) {
                tagged.push(key.to_string());
            }
        }
        Ok(tagged)
    }

    fn is_fresh(&self, page: &StoredPage) -> bool {
        SystemTime::now().duration_since(page.generated_at).unwrap_or_default() < self.window
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
            let _flag = RegeneratingFlag { cache: Arc::clone(&cache), key: key.clone() };
            let result = cache.regenerate_unless_another_instance_does(&key, &render).await;
            cache.with_state(&key, |state| {
                match &result {
                    Ok(Some(_)) => {
                        state.failures = 0;
                        state.retry_at = None;
                        tracing::info!(path = %key, "regenerated");
                    }
                    Ok(None) => state.retry_at = Some(Instant::now() + LOCK_BUSY_RETRY),
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

    /// Regenerates `key` holding the store's lock; `Ok(None)` if another holds it,
    /// or already replaced the stale page while this instance waited for it.
    async fn regenerate_unless_another_instance_does(&self, key: &str, render: &Render) -> Result<Option<Bytes>, IsrError> {
        let Some(lock) = self.store.try_lock(key, LOCK_TTL).await else {
            return Ok(None);
        };
        let result = match self.store.read(key).await {
            Ok(Some(page)) if self.is_fresh(&page) => Ok(None),
            Ok(_) => self.regenerate(key, render).await.map(Some),
            Err(error) => Err(error),
        };
        self.store.unlock(lock).await;
        result
    }

    fn with_state<T>(&self, key: &str, f: impl FnOnce(&mut KeyState) -> T) -> T {
        let mut states = self.keys.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        f(states.entry(key.to_string()).or_default())
    }
}

/// Clears a key's `regenerating` however its task ends, a panic included, so
/// that no key can stop regenerating for good.
struct RegeneratingFlag {
    cache: Arc<IsrCache>,
    key: String,
}

impl Drop for RegeneratingFlag {
    fn drop(&mut self) {
        self.cache.with_state(&self.key, |state| state.regenerating = false);
    }
}

/// Runs a render to its end, turning a panic or a hang into an error: either
/// would otherwise leave the key marked as regenerating for good.
async fn render_guarded(render: &Render, timeout: Duration) -> Result<RenderedPage, String> {
    let rendered = std::panic::AssertUnwindSafe(async { render().await }).catch_unwind();
    match tokio::time::timeout(timeout, rendered).await {
        Ok(Ok(result)) => result,
        Ok(Err(panic)) => {
            let message = panic.downcast_ref::<&str>().copied().or(panic.downcast_ref::<String>().map(String::as_str));
            Err(format!("the render panicked: {}", message.unwrap_or("(no message)")))
        }
        Err(_) => Err(format!("no page after {timeout:?}")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::{path::Path, sync::atomic::AtomicUsize};

    #[derive(Clone, Copy)]
    enum Outcome {
        Page,
        Error,
        Panic,
        Hang,
    }

    struct FakeRenderer {
        calls: Arc<AtomicUsize>,
        outcome: Arc<Mutex<Outcome>>,
        delay: Duration,
    }

    impl FakeRenderer {
        fn new(delay: Duration) -> FakeRenderer {
            FakeRenderer { calls: Arc::default(), outcome: Arc::new(Mutex::new(Outcome::Page)), delay }
        }

        fn from_now_on(&self, outcome: Outcome) {
            *self.outcome.lock().unwrap() = outcome;
        }

        fn render(&self) -> Render {
            let (calls, outcome, delay) = (self.calls.clone(), self.outcome.clone(), self.delay);
            Arc::new(move || {
                let (calls, outcome) = (calls.clone(), *outcome.lock().unwrap());
                Box::pin(async move {
                    let n = calls.fetch_add(1, Ordering::SeqCst) + 1;
                    tokio::time::sleep(delay).await;
                    match outcome {
                        Outcome::Page => {
                            Ok(RenderedPage { html: Bytes::from(format!("<p>render {n}</p>")), tags: vec!["rust".into()] })
                        }
                        Outcome::Error => Err("the data source is down".to_string()),
                        Outcome::Panic => panic!("a component unwrapped a None"),
                        Outcome::Hang => std::future::pending().await,
                    }
                })
            })
        }

        fn calls(&self) -> usize {
            self.calls.load(Ordering::SeqCst)
        }
    }

    fn age_file(path: &std::path::Path, by: Duration) {
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
        let root = crate::scratch::TempDir::new().unwrap();
        let cache = IsrCache::new(Arc::new(DiskPages::new(root.path().into())), Duration::from_secs(60));
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
        let root = crate::scratch::TempDir::new().unwrap();
        let cache = IsrCache::new(Arc::new(DiskPages::new(root.path().into())), Duration::from_secs(60));
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
        let root = crate::scratch::TempDir::new().unwrap();
        let cache = IsrCache::new(Arc::new(DiskPages::new(root.path().into())), Duration::from_secs(60));
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

    /// A page rendered once, then stale, whose background regeneration ended
    /// in `outcome`: the cache, the renderer, and the page's file.
    async fn stale_page_after_a_failed_regeneration(root: &Path, outcome: Outcome) -> (Arc<IsrCache>, FakeRenderer, PathBuf) {
        let cache = IsrCache::new(Arc::new(DiskPages::new(root.into())), Duration::from_secs(60));
        let renderer = FakeRenderer::new(Duration::ZERO);
        cache.get("/isr", renderer.render()).await.unwrap();
        let file = root.join("isr/index.html");
        age_file(&file, Duration::from_secs(61));
        renderer.from_now_on(outcome);
        cache.get("/isr", renderer.render()).await.unwrap();
        wait_for(|| cache.with_state("/isr", |s| s.failures == 1 && !s.regenerating)).await;
        (cache, renderer, file)
    }

    #[tokio::test]
    async fn a_failed_regeneration_keeps_the_last_good_page_and_backs_off() {
        let root = crate::scratch::TempDir::new().unwrap();
        let (cache, renderer, file) = stale_page_after_a_failed_regeneration(root.path(), Outcome::Error).await;
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
    async fn a_panicking_render_keeps_the_last_good_page_and_is_retried() {
        let root = crate::scratch::TempDir::new().unwrap();
        let (cache, renderer, file) = stale_page_after_a_failed_regeneration(root.path(), Outcome::Panic).await;
        assert_eq!(std::fs::read(&file).unwrap(), b"<p>render 1</p>");

        renderer.from_now_on(Outcome::Page);
        cache.with_state("/isr", |s| s.retry_at = None); // the backoff is over
        cache.get("/isr", renderer.render()).await.unwrap();
        wait_for(|| cache.with_state("/isr", |s| s.failures == 0 && !s.regenerating)).await;
        assert_eq!(std::fs::read(&file).unwrap(), b"<p>render 3</p>");
    }

    #[tokio::test]
    async fn a_render_that_never_ends_fails_after_the_timeout() {
        let root = crate::scratch::TempDir::new().unwrap();
        let pages = Arc::new(DiskPages::new(root.path().into()));
        let cache = IsrCache::with_render_timeout(pages, Duration::from_secs(60), Duration::from_millis(100));
        let renderer = FakeRenderer::new(Duration::ZERO);
        renderer.from_now_on(Outcome::Hang);
        let error = cache.get("/isr", renderer.render()).await.unwrap_err();
        assert!(error.to_string().contains("no page after 100ms"), "{error}");
        renderer.from_now_on(Outcome::Page);
        assert_eq!(cache.get("/isr", renderer.render()).await.unwrap().1, CacheStatus::Miss);
    }

    #[tokio::test]
    async fn a_page_is_never_replaced_by_one_generated_before_it() {
        // A slow background render that finishes after an on-demand one.
        let root = crate::scratch::TempDir::new().unwrap();
        let pages = DiskPages::new(root.path().into());
        let page = |html: &'static str, generated_at| StoredPage { html: Bytes::from(html), generated_at, tags: None };
        let now = SystemTime::now();
        assert!(pages.write_page("/isr", page("later render", now)).await.unwrap());
        assert!(!pages.write_page("/isr", page("earlier render", now - Duration::from_secs(1))).await.unwrap());
        assert_eq!(std::fs::read(root.path().join("isr/index.html")).unwrap(), b"later render");
        assert!(pages.write_page("/isr", page("next render", now + Duration::from_secs(1))).await.unwrap());
        assert_eq!(std::fs::read(root.path().join("isr/index.html")).unwrap(), b"next render");
    }

    #[tokio::test]
    async fn age_comes_from_the_file_so_a_new_cache_sees_old_pages_as_stale() {
        let root = crate::scratch::TempDir::new().unwrap();
        let renderer = FakeRenderer::new(Duration::ZERO);
        IsrCache::new(Arc::new(DiskPages::new(root.path().into())), Duration::from_secs(60)).get("/isr", renderer.render()).await.unwrap();
        age_file(&root.path().join("isr/index.html"), Duration::from_secs(61));
        let restarted = IsrCache::new(Arc::new(DiskPages::new(root.path().into())), Duration::from_secs(60));
        assert_eq!(restarted.get("/isr", renderer.render()).await.unwrap().1, CacheStatus::Stale);
    }

    #[tokio::test]
    async fn tags_select_the_pages_that_list_them() {
        let root = crate::scratch::TempDir::new().unwrap();
        let cache = IsrCache::new(Arc::new(DiskPages::new(root.path().into())), Duration::from_secs(60));
        assert_eq!(cache.keys_tagged("rust", &["/isr"]).await.unwrap(), ["/isr"], "unknown tags count as tagged");
        cache.get("/isr", FakeRenderer::new(Duration::ZERO).render()).await.unwrap();
        assert_eq!(cache.keys_tagged("rust", &["/isr"]).await.unwrap(), ["/isr"]);
        assert!(cache.keys_tagged("css", &["/isr"]).await.unwrap().is_empty());
    }

    #[tokio::test]
    async fn paths_outside_the_root_are_not_pages() {
        let cache = IsrCache::new(Arc::new(DiskPages::new("/site".into())), Duration::from_secs(1));
        let result = cache.get("/../etc", FakeRenderer::new(Duration::ZERO).render()).await;
        assert!(matches!(result, Err(IsrError::NotAPage { .. })));
    }
}
