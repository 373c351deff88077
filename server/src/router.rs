//! The axum router: each page of the route table (`crate::routes`) to its
//! strategy's handler, the API, the site's files, and the layers every
//! response goes through.

use crate::{
    api, encoding, live_reload,
    routes::PAGES,
    security, site_fs,
    state::AppState,
    strategies::{csr, isr, ppr, ssg, ssr, stream},
};
use app::Strategy;
use axum::{
    extract::{DefaultBodyLimit, State},
    handler::Handler,
    http::{header, HeaderValue, StatusCode},
    middleware,
    routing::{get, post, MethodRouter},
    Router,
};
use std::{convert::Infallible, path::Path, time::Duration};
use tower::{util::MapResponseLayer, Layer, ServiceBuilder};
use tower_http::{
    limit::RequestBodyLimitLayer,
    services::{ServeDir, ServeFile},
    timeout::TimeoutLayer,
    trace::TraceLayer,
};

const ATOM: &str = "application/atom+xml; charset=utf-8";

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
    let site_files = middleware::from_fn_with_state(state.clone(), only_plain_files).layer(site_files);

    // The feed is a file the build wrote, served with Atom's own media type
    // (a file server guesses text/xml from the name).
    let feed = MapResponseLayer::new(|mut response: axum::http::Response<_>| {
        if response.status() == StatusCode::OK {
            response.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static(ATOM));
        }
        response
    })
    .layer(ServeFile::new(state.config.site_root.join("feed.xml")));

    let timeout = state.config.request_timeout;
    let mut router = Router::new().route_service("/feed.xml", feed);
    for page in PAGES {
        router = router.route(page.path, handler(page.strategy, timeout));
        // A page written as `<path>/index.html` is also reached at `<path>/`, as
        // a plain file server would serve it.
        if page.strategy == Strategy::Ssg && page.path != "/" {
            router = router.route(&format!("{}/", page.path), handler(page.strategy, timeout));
        }
    }
    router = router
        .route(
            "/api/revalidate",
            post(isr::revalidate)
                .layer(DefaultBodyLimit::max(REVALIDATE_BODY_LIMIT))
                .layer(middleware::from_fn(security::refuse_cross_site_writes)),
        )
        .route(
            "/api/{*server_fn}",
            get(api::server_fn)
                .post(api::server_fn)
                .layer(
                    ServiceBuilder::new()
                        .layer(timed_out_after(timeout))
                        .layer(middleware::from_fn(security::refuse_cross_site_writes))
                        .layer(RequestBodyLimitLayer::new(SERVER_FN_BODY_LIMIT)),
                ),
        )
        .fallback_service(site_files)
        // What every response goes through, outermost first.
        .layer(
            ServiceBuilder::new()
                // A span per request, with its status and latency: `RUST_LOG=tower_http=debug`.
                .layer(TraceLayer::new_for_http())
                .layer(security::headers_on_every_response())
                .layer(middleware::from_fn(security::refuse_malformed_requests))
                .layer(encoding::compress_rendered()),
        );
    if let Some(reload_port) = state.config.reload_port {
        router = router.layer(live_reload::layer(state.config.site_addr, reload_port));
    }
    router.with_state(state)
}

/// The file fallback serves the bundles and `public/`'s files, as they are. A
/// page file is served only through its strategy, with that strategy's headers
/// and rules (`/isr/index.html` raw would skip ISR), so a path that names one
/// (`/isr/`, `/isr/index.html`, `/404.html`, a `.br` copy) is not found here.
/// Nor is a dotfile: temp files are dotfiles, and so is a stray `.env`.
async fn only_plain_files(
    State(state): State<AppState>,
    request: axum::extract::Request,
    next: middleware::Next,
) -> axum::response::Response {
    let path = request.uri().path();
    let hidden = path.split('/').any(|segment| site_fs::percent_decoded(segment).is_some_and(|s| s.starts_with('.')));
    let page = path.ends_with('/') || site_fs::is_page_file(Path::new(path));
    if hidden || page {
        return ssg::not_found_page(&state, request.headers()).await;
    }
    next.run(request).await
}

fn handler(strategy: Strategy, timeout: Duration) -> MethodRouter<AppState> {
    let handler = match strategy {
        Strategy::Ssg => get(ssg::page),
        Strategy::Ssr => get(ssr::page),
        Strategy::Stream => get(stream::page),
        Strategy::Csr => get(csr::shell),
        Strategy::Isr => get(isr::page),
        Strategy::Ppr => get(ppr::page),
    };
    match strategy {
        // A streamed page answers with its shell at once; its holes end within
        // their own limits (the hole's error state, PPR_HOLE_TIMEOUT_MS).
        Strategy::Stream | Strategy::Ppr => handler,
        _ => handler.layer::<_, Infallible>(timed_out_after(timeout)),
    }
}

/// 503 for a response not started within `timeout`: the server, not the
/// client (408), ran out of time.
fn timed_out_after(timeout: Duration) -> TimeoutLayer {
    TimeoutLayer::with_status_code(StatusCode::SERVICE_UNAVAILABLE, timeout)
}
