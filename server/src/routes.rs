//! URL to handler, in the order of the contract. The page components' own
//! route table is `app::App`; this one decides which strategy serves each URL.

use crate::{
    api,
    state::AppState,
    strategies::{csr, ssr},
};
use axum::{handler::Handler, routing::get, Router};
use tower_http::services::ServeDir;

pub fn router(state: AppState) -> Router {
    // Files under the site root (`pkg/`, public assets) are served as they are;
    // any other path is the 404 page, rendered by the app's router fallback.
    let not_found = ssr::page.with_state(state.clone());
    let site_files = ServeDir::new(&state.config.site_root).fallback(not_found);

    Router::new()
        .route("/", get(ssr::page))
        .route("/ssr", get(ssr::page))
        .route("/csr", get(csr::shell))
        .route("/posts/{slug}", get(ssr::page))
        .route("/api/{*server_fn}", get(api::server_fn).post(api::server_fn))
        .fallback_service(site_files)
        .with_state(state)
}
