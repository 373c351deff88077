//! URL to handler, in the order of the contract. The page components' own
//! route table is `app::App`; this one decides which strategy serves each URL.

use crate::{
    api,
    state::AppState,
    strategies::{csr, isr, ppr, ssg, ssr, stream},
};
use axum::{
    extract::DefaultBodyLimit,
    handler::Handler,
    routing::{get, post},
    Router,
};
use tower_http::services::ServeDir;

/// `{"path": …}` or `{"tag": …}` fits in far less.
const REVALIDATE_BODY_LIMIT: usize = 4 * 1024;

pub fn router(state: AppState) -> Router {
    // Files under the site root (`pkg/`, public assets) are served as they are;
    // any other path is the 404 page, rendered by the app's router fallback.
    let not_found = ssr::page.with_state(state.clone());
    // `make build` writes `pkg/*.gz` beside each file: browsers that accept gzip get those.
    let site_files = ServeDir::new(&state.config.site_root).precompressed_gzip().fallback(not_found);

    Router::new()
        .route("/", get(ssg::page))
        .route("/compare", get(ssg::page))
        .route("/ssg", get(ssg::page))
        .route("/ssg/", get(ssg::page))
        .route("/ssr", get(ssr::page))
        .route("/stream", get(stream::page))
        .route("/csr", get(csr::shell))
        .route("/isr", get(isr::page))
        .route("/ppr", get(ppr::page))
        .route("/posts/{slug}", get(ssg::page))
        .route("/posts/{slug}/", get(ssg::page))
        .route("/api/revalidate", post(isr::revalidate).layer(DefaultBodyLimit::max(REVALIDATE_BODY_LIMIT)))
        .route("/api/{*server_fn}", get(api::server_fn).post(api::server_fn))
        .fallback_service(site_files)
        .with_state(state)
}
