//! SSG: the page was written to the site root by the build step
//! (`server prerender`, see `crate::prerender`). Serving it is a file read: this
//! module never calls the render path, so its "HTML generated at" stays frozen
//! until the next `make build`.

use crate::{
    response::{finish, html, Caching, ServerTiming},
    site_fs,
    state::AppState,
};
use app::Strategy;
use axum::{
    body::Body,
    extract::State,
    http::{StatusCode, Uri},
    response::Response,
};
use std::time::Instant;

pub async fn page(State(state): State<AppState>, uri: Uri) -> Response<Body> {
    let started = Instant::now();
    let root = &state.config.site_root;
    let (status, bytes) = match site_fs::page_file(root, uri.path()) {
        Some(file) => match tokio::fs::read(&file).await {
            Ok(bytes) => (StatusCode::OK, bytes),
            Err(_) => not_found(root).await,
        },
        None => not_found(root).await,
    };
    let timing = ServerTiming::default().with("file", started.elapsed());
    let mut response = html(bytes.into());
    *response.status_mut() = status;
    finish(response, Strategy::Ssg, timing, Caching::Revalidate)
}

/// The prerendered 404 page, which static hosts also serve for a miss.
async fn not_found(root: &std::path::Path) -> (StatusCode, Vec<u8>) {
    let page = tokio::fs::read(root.join("404.html")).await;
    let body = page.unwrap_or_else(|_| b"404: not prerendered. Run `make build` to write the static pages.".to_vec());
    (StatusCode::NOT_FOUND, body)
}
