//! `/api/*`: the component tree's server functions, `GET /api/posts` among them.

use crate::state::AppState;
use axum::{body::Body, extract::State, http::Request, response::IntoResponse};

pub async fn server_fn(State(state): State<AppState>, request: Request<Body>) -> impl IntoResponse {
    leptos_axum::handle_server_fns_with_context(move || state.provide_render_context(), request).await
}
