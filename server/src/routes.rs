//! The route table: every page, and the strategy that serves it. Adding a page
//! is one line in `PAGES` plus its component in `app::App`'s `<Routes>`. Pages
//! served from files (SSG, ISR, PPR) are written by the build step from this
//! same table (see `crate::prerender`).

use crate::{
    api, encoding, security,
    state::AppState,
    strategies::{csr, isr, ppr, ssg, ssr, stream},
};
use app::Strategy;
use axum::{
    extract::DefaultBodyLimit,
    handler::Handler,
    middleware,
    routing::{get, post, MethodRouter},
    Router,
};
use tower::{util::MapResponseLayer, Layer};
use tower_http::{limit::RequestBodyLimitLayer, services::ServeDir};

/// A page and the strategy that serves it. `{slug}` in a path stands for every post.
pub struct Page {
    pub path: &'static str,
    pub strategy: Strategy,
}

pub const PAGES: &[Page] = &[
    Page { path: "/", strategy: Strategy::Ssg },
    Page { path: "/compare", strategy: Strategy::Ssg },
    Page { path: "/ssg", strategy: Strategy::Ssg },
    Page { path: "/ssr", strategy: Strategy::Ssr },
    Page { path: "/stream", strategy: Strategy::Stream },
    Page { path: "/csr", strategy: Strategy::Csr },
    Page { path: "/isr", strategy: Strategy::Isr },
    Page { path: "/ppr", strategy: Strategy::Ppr },
    Page { path: "/posts/{slug}", strategy: Strategy::Ssg },
];

/// The paths `strategy` serves.
pub fn paths_served_by(strategy: Strategy) -> impl Iterator<Item = &'static str> {
    PAGES.iter().filter(move |page| page.strategy == strategy).map(|page| page.path)
}

/// `{"path": …}` or `{"tag": …}` fits in far less.
const REVALIDATE_BODY_LIMIT: usize = 4 * 1024;
/// The server functions' arguments are a slug at most.
const SERVER_FN_BODY_LIMIT: usize = 16 * 1024;

pub fn router(state: AppState) -> Router {
    // Files under the site root (`pkg/`, public assets) are served as they are;
    // any other path is the 404 page, rendered by the app's router fallback.
    // `make build` writes `pkg/*.br` and `pkg/*.gz` beside each file: browsers
    // that accept brotli or gzip get those.
    let not_found = ssr::page.with_state(state.clone());
    let site_files = ServeDir::new(&state.config.site_root).precompressed_br().precompressed_gzip().fallback(not_found);
    let site_files = MapResponseLayer::new(|mut response: axum::http::Response<_>| {
        encoding::vary_on_accept_encoding(response.headers_mut());
        response
    })
    .layer(site_files);

    let mut router = Router::new();
    for page in PAGES {
        router = router.route(page.path, handler(page.strategy));
        // A page written as `<path>/index.html` is also reached at `<path>/`, as
        // a plain file server would serve it.
        if page.strategy == Strategy::Ssg && page.path != "/" {
            router = router.route(&format!("{}/", page.path), handler(page.strategy));
        }
    }
    router
        .route("/api/revalidate", post(isr::revalidate).layer(DefaultBodyLimit::max(REVALIDATE_BODY_LIMIT)))
        .route(
            "/api/{*server_fn}",
            get(api::server_fn).post(api::server_fn).layer(RequestBodyLimitLayer::new(SERVER_FN_BODY_LIMIT)),
        )
        .fallback_service(site_files)
        .layer(encoding::compress_rendered())
        .layer(middleware::from_fn(security::refuse_malformed_requests))
        .layer(security::headers_on_every_response())
        .with_state(state)
}

fn handler(strategy: Strategy) -> MethodRouter<AppState> {
    match strategy {
        Strategy::Ssg => get(ssg::page),
        Strategy::Ssr => get(ssr::page),
        Strategy::Stream => get(stream::page),
        Strategy::Csr => get(csr::shell),
        Strategy::Isr => get(isr::page),
        Strategy::Ppr => get(ppr::page),
    }
}
