//! The one module that calls Leptos rendering. Every strategy that makes HTML
//! on the server comes through `document`; they differ only in when they call it.

use crate::{response::ServerTiming, state::AppState};
use app::{clock, shell, PageShell, Strategy};
use axum::{
    body::Body,
    http::{Request, Response, Uri},
};
use std::time::Instant;

/// Renders the whole document for `uri` as `strategy` would serve it, waiting for
/// all its data first. The status comes from the page (the 404 page sets 404).
pub async fn document(state: &AppState, strategy: Strategy, uri: &Uri) -> (Response<Body>, ServerTiming) {
    let started = Instant::now();
    let page = PageShell {
        options: state.leptos_options.clone(),
        strategy,
        generated_at: clock::now_rfc3339(),
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
