//! SSG: the page was written to the site root by the build step
//! (`server prerender`, see `crate::prerender`). Serving it is a file read
//! (through `PageFiles`, which keeps unchanged pages in memory): this module
//! never calls the render path, so its "HTML generated at" stays frozen until
//! the next `make build`. The build compressed each page too: a browser gets
//! those bytes, with no compression per request.

use crate::{
    encoding,
    page_files::StaticPage,
    response::{finish, html, Caching, ServerTiming},
    site_fs,
    state::AppState,
};
use app::Strategy;
use axum::{
    body::Body,
    extract::State,
    http::{header, HeaderMap, HeaderValue, StatusCode, Uri},
    response::Response,
};
use bytes::Bytes;
use std::time::Instant;

pub async fn page(State(state): State<AppState>, uri: Uri, request: HeaderMap) -> Response<Body> {
    let started = Instant::now();
    let root = &state.config.site_root;
    let page = match site_fs::page_file(root, uri.path()) {
        Some(file) => state.page_files.read(&file).await.ok(),
        None => None,
    };
    let (status, page) = match page {
        Some(page) => (StatusCode::OK, page),
        None => not_found(&state).await,
    };
    respond(status, page, &request, started)
}

/// The prerendered 404 page, as this strategy serves it.
pub async fn not_found_page(state: &AppState, request: &HeaderMap) -> Response<Body> {
    let started = Instant::now();
    let (status, page) = not_found(state).await;
    respond(status, page, request, started)
}

fn respond(status: StatusCode, page: StaticPage, request: &HeaderMap, started: Instant) -> Response<Body> {
    let timing = ServerTiming::default().with("file", started.elapsed());
    let (body, encoding) = page.body_for(request);
    let mut response = html(body);
    *response.status_mut() = status;
    if let Some(encoding) = encoding {
        response.headers_mut().insert(header::CONTENT_ENCODING, HeaderValue::from_static(encoding));
    }
    encoding::vary_on_accept_encoding(response.headers_mut());
    finish(response, Strategy::Ssg, timing, Caching::Revalidate, page.policy)
}

/// The prerendered 404 page, which static hosts also serve for a miss.
async fn not_found(state: &AppState) -> (StatusCode, StaticPage) {
    let page = state.page_files.read(&state.config.site_root.join("404.html")).await;
    let page = page.unwrap_or_else(|_| {
        StaticPage::new(Bytes::from_static(b"404: not prerendered. Run `make build` to write the static pages."))
    });
    (StatusCode::NOT_FOUND, page)
}
