//! The one module that calls Leptos rendering. Every strategy that makes HTML
//! on the server comes through `document`; they differ only in when they call it:
//! per request (SSR), at build time (SSG, the prerender step), or when a page
//! turns stale (ISR).

use crate::{response::ServerTiming, state::AppState};
use app::{clock, shell, PageShell, Strategy};
use axum::{
    body::Body,
    http::{Request, Response, StatusCode, Uri},
};
use bytes::Bytes;
use std::time::Instant;

/// Renders the whole document for `uri` as `strategy` would serve it, waiting for
/// all its data first. The status comes from the page (the 404 page sets 404).
pub async fn document(state: &AppState, strategy: Strategy, uri: &Uri) -> (Response<Body>, ServerTiming) {
    render(state, strategy, uri, true).await
}

async fn render(state: &AppState, strategy: Strategy, uri: &Uri, loads_bundle: bool) -> (Response<Body>, ServerTiming) {
    let started = Instant::now();
    let page = PageShell {
        options: state.leptos_options.clone(),
        strategy,
        generated_at: clock::now_rfc3339(),
        loads_bundle,
    };
    let context_state = state.clone();
    let handler = leptos_axum::render_app_async_with_context(
        move || context_state.provide_render_context(),
        move || shell(page.clone()),
    );
    let request = Request::builder().uri(uri.clone()).body(Body::empty()).expect("a URI alone is a valid request");
    let response = handler(request).await;
    (response, ServerTiming::default().with("render", started.elapsed()))
}

/// A document rendered to bytes, for writing to disk. Only a page with the
/// `expected` status is returned, so an error page is never stored as a good one.
/// A page expected to be an error (`404.html`) is served for any URL that misses,
/// so it doesn't load the bundle: there is no one route to hydrate it as.
pub async fn document_bytes(
    state: &AppState,
    strategy: Strategy,
    uri: &Uri,
    expected: StatusCode,
) -> Result<Bytes, String> {
    let (response, _) = render(state, strategy, uri, expected == StatusCode::OK).await;
    let status = response.status();
    if status != expected {
        return Err(format!("rendering {uri} answered {status}, not {expected}"));
    }
    axum::body::to_bytes(response.into_body(), usize::MAX)
        .await
        .map_err(|error| format!("rendering {uri} failed mid-stream: {error}"))
}
