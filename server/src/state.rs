use crate::{config::Config, isr_cache::IsrCache, page_files::PageFiles};
use app::{
    bench::BenchFigures,
    content::PostStore,
    live::{LiveData, ViewStore},
};
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
    pub live: LiveData,
    pub page_files: Arc<PageFiles>,
    /// The last `make bench` figures, for the home page: read by the build step only.
    pub bench: Option<Arc<BenchFigures>>,
}

impl AppState {
    pub fn new(config: Config, posts: PostStore, views: ViewStore) -> AppState {
        let isr = IsrCache::new(config.site_root.clone(), config.isr_window);
        let live = LiveData { views, latency: config.demo_latency };
        AppState {
            leptos_options: config.leptos_options(),
            config: Arc::new(config),
            posts,
            isr,
            live,
            page_files: Arc::default(),
            bench: None,
        }
    }

    /// What the component tree reads through `use_context` while it renders or
    /// answers a server function.
    pub fn provide_render_context(&self) {
        leptos::prelude::provide_context(self.posts.clone());
        leptos::prelude::provide_context(self.live.clone());
        if let Some(bench) = &self.bench {
            leptos::prelude::provide_context(bench.clone());
        }
    }
}
