use crate::{
    config::Config,
    isr_cache::{DiskPages, IsrCache, PageStore, RedisPages},
    page_files::PageFiles,
};
use app::content::PostStore;
use app::{bench::BenchFigures, live::{LiveData, ViewStore}}; // @demo
use axum::extract::FromRef;
use leptos::config::LeptosOptions;
use std::sync::Arc;

/// Everything a handler may need, cloned cheaply into each request.
#[derive(Clone, FromRef)]
pub struct AppState {
    pub leptos_options: LeptosOptions,
    pub config: Arc<Config>,
    pub posts: PostStore,
    pub isr: Arc<IsrCache>,
    pub live: LiveData, // @demo
    pub page_files: Arc<PageFiles>,
    // @demo-begin
    /// The last `make bench` figures, for the home page: read by the build step only.
    pub bench: Option<Arc<BenchFigures>>,
    // @demo-end
}

impl AppState {
    /// Fails only on an `ISR_CACHE_URL` that isn't a Redis URL; Redis itself
    /// may be down (ISR then serves from the site root until it is back).
    pub fn new(config: Config, posts: PostStore, views: ViewStore) -> Result<AppState, redis::RedisError> { // @demo
    // @minimal: pub fn new(config: Config, posts: PostStore) -> Result<AppState, redis::RedisError> {
        let pages: Arc<dyn PageStore> = match &config.isr_cache_url {
            Some(url) => Arc::new(RedisPages::new(url, config.site_root.clone())?),
            None => Arc::new(DiskPages::new(config.site_root.clone())),
        };
        let isr = IsrCache::new(pages, config.isr_window);
        let live = LiveData::new(views, config.demo_latency, config.views_per_minute); // @demo
        Ok(AppState {
            leptos_options: config.leptos_options(),
            config: Arc::new(config),
            posts,
            isr,
            live, // @demo
            page_files: Arc::default(),
            bench: None, // @demo
        })
    }

    /// What the component tree reads through `use_context` while it renders or
    /// answers a server function.
    pub fn provide_render_context(&self) {
        leptos::prelude::provide_context(self.posts.clone());
        // @demo-begin
        leptos::prelude::provide_context(self.live.clone());
        leptos::prelude::provide_context(app::strategy::IsrWindow(self.isr.window()));
        if let Some(bench) = &self.bench {
            leptos::prelude::provide_context(bench.clone());
        }
        // @demo-end
    }
}
