//! The axum server: every strategy, the API and the static files, over one `AppState`.

pub mod api;
pub mod cli;
pub mod client_address; // @demo
pub mod config;
pub mod connections;
pub mod encoding;
pub mod error;
pub mod feeds;
pub mod isr_cache;
pub mod live_reload;
pub mod owners;
pub mod page_files;
pub mod prerender;
pub mod render;
pub mod response;
pub mod router;
pub mod routes;
#[cfg(test)]
mod scratch;
pub mod security;
pub mod site_fs;
pub mod state;
pub mod strategies;

use app::content::{ContentError, PostStore};
use app::live::{StoreError, ViewStore}; // @demo
use config::Config;
use state::AppState;
use std::{future::Future, net::SocketAddr, time::Duration};
use tokio::net::TcpListener;

/// How often the server looks for edited posts.
const CONTENT_REFRESH: Duration = Duration::from_millis(500);

#[derive(Debug, thiserror::Error)]
pub enum StartupError {
    #[error("cannot load posts: {0}")]
    Content(#[from] ContentError),
    #[error("{0}")] // @demo
    Store(#[from] StoreError), // @demo
    #[error("ISR_CACHE_URL is not a Redis URL: {0}")]
    IsrCacheUrl(#[from] redis::RedisError),
    #[error("cannot listen on {addr}: {source}")]
    Bind { addr: SocketAddr, source: std::io::Error },
    #[error("server failed: {0}")]
    Serve(std::io::Error),
    #[error("prerendering failed: {0}")]
    Prerender(#[from] prerender::PrerenderError),
}

pub fn init_tracing() {
    use tracing_subscriber::EnvFilter;
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info"));
    tracing_subscriber::fmt().with_env_filter(filter).with_target(false).init();
}

/// The build step: loads the posts and writes every prerendered page.
pub async fn prerender(config: Config) -> Result<prerender::PrerenderReport, StartupError> {
    owners::init_executor();
    let posts = PostStore::load(&config.content_dir, config.drafts)?;
    let views = ViewStore::open(&config.database_url).await?; // @demo
    let mut state = AppState::new(config, posts, views)?; // @demo
    state.bench = prerender::bench_figures().map(std::sync::Arc::new); // @demo
    // @minimal: let state = AppState::new(config, posts)?;
    Ok(prerender::prerender(&state).await?)
}

/// How long requests in flight (a slow stream, say) may run on after SIGTERM.
const SHUTDOWN_DEADLINE: Duration = Duration::from_secs(10);

/// Loads the posts, binds, and serves until SIGINT or SIGTERM. Then it accepts
/// no new connection, lets the responses in flight finish, within
/// `SHUTDOWN_DEADLINE`, and returns.
pub async fn serve(config: Config) -> Result<(), StartupError> {
    let signal = shutdown_signal();
    let server = Server::bind(config).await?;
    tracing::info!("listening on http://{}", server.local_addr());
    let (signalled, on_signal) = tokio::sync::oneshot::channel();
    let shutdown = async move {
        signal.await;
        let _ = signalled.send(());
    };
    let deadline = async move {
        if on_signal.await.is_err() {
            return std::future::pending().await; // the server ended on its own
        }
        tokio::time::sleep(SHUTDOWN_DEADLINE).await;
    };
    tokio::select! {
        () = server.run(shutdown) => {}
        () = deadline => {
            tracing::warn!("responses still in flight {SHUTDOWN_DEADLINE:?} after the signal; exiting anyway");
        }
    }
    Ok(())
}

/// A bound server that has not started serving yet: tests read its address first.
pub struct Server {
    listener: TcpListener,
    local_addr: SocketAddr,
    state: AppState,
}

impl Server {
    pub async fn bind(config: Config) -> Result<Server, StartupError> {
        // Leptos resources spawn their futures on this executor while rendering.
        owners::init_executor();
        let posts = PostStore::load(&config.content_dir, config.drafts)?;
        let views = ViewStore::open(&config.database_url).await?; // @demo
        match site_fs::remove_temp_files(&config.site_root) {
            Ok(0) => {}
            Ok(n) => tracing::info!("removed {n} temporary files that an interrupted write left in the site root"),
            Err(error) => tracing::warn!("could not clear temporary files from the site root: {error}"),
        }
        let addr = config.site_addr;
        let listener = TcpListener::bind(addr).await.map_err(|source| StartupError::Bind { addr, source })?;
        let local_addr = listener.local_addr().map_err(StartupError::Serve)?;
        Ok(Server { listener, local_addr, state: AppState::new(config, posts, views)? }) // @demo
        // @minimal: Ok(Server { listener, local_addr, state: AppState::new(config, posts)? })
    }

    pub fn local_addr(&self) -> SocketAddr {
        self.local_addr
    }

    pub fn state(&self) -> &AppState {
        &self.state
    }

    /// Serves until `shutdown` completes, then lets requests in flight finish.
    pub async fn run(self, shutdown: impl Future<Output = ()> + Send + 'static) {
        let refresher = tokio::spawn(refresh_posts(self.state.posts.clone()));
        let limits = connections::Limits {
            header_read_timeout: self.state.config.header_read_timeout,
            max_connections: connections::within_open_file_limit(self.state.config.max_connections),
        };
        let app = router::router(self.state);
        connections::serve(self.listener, app, limits, shutdown).await;
        refresher.abort();
    }
}

/// Picks up edited posts without a restart: SSR shows an edit within a refresh interval.
async fn refresh_posts(posts: PostStore) {
    let mut ticks = tokio::time::interval(CONTENT_REFRESH);
    ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        ticks.tick().await;
        let posts = posts.clone();
        if let Ok(true) = tokio::task::spawn_blocking(move || posts.refresh()).await {
            tracing::info!("posts reloaded");
        }
    }
}

/// SIGINT or SIGTERM. The handlers are installed here, not when the future is
/// first polled: the accept loop may take connections before it polls it, and
/// a SIGTERM until then would end the process at once, cutting the responses
/// in flight. One that can't be installed never arrives; the other still ends
/// the server.
fn shutdown_signal() -> impl Future<Output = ()> {
    #[cfg(unix)]
    let (interrupt, terminate) = {
        use tokio::signal::unix::{signal, SignalKind};
        (signal(SignalKind::interrupt()), signal(SignalKind::terminate()))
    };
    #[cfg(unix)]
    async fn received(signal: std::io::Result<tokio::signal::unix::Signal>) {
        match signal {
            Ok(mut signal) => _ = signal.recv().await,
            Err(_) => std::future::pending().await,
        }
    }
    async move {
        #[cfg(unix)]
        tokio::select! {
            () = received(interrupt) => {},
            () = received(terminate) => {},
        }
        #[cfg(not(unix))]
        {
            _ = tokio::signal::ctrl_c().await;
        }
        tracing::info!("shutting down");
    }
}
