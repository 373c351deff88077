//! SSR: the page is rendered for each request, and never cached.
//! Also serves the home page and the 404 page for paths no route knows.

use crate::{
    render,
    response::{finish, Caching},
    state::AppState,
};
use app::Strategy;
use axum::{body::Body, extract::State, http::Uri, response::Response};

pub async fn page(State(state): State<AppState>, uri: Uri) -> Response<Body> {
    let (response, timing, scripts) = render::document(&state, Strategy::Ssr, &uri).await;
    finish(response, Strategy::Ssr, timing, Caching::NoStore, scripts.content_security_policy())
}
