//! CSR: the server sends the document shell with an empty `#app`; the WASM
//! bundle sees `data-render-strategy="csr"`, calls `GET /api/posts` and builds
//! the page in the browser.

use crate::{
    render,
    response::{finish, Caching},
    state::AppState,
};
use app::Strategy;
use axum::{body::Body, extract::State, http::Uri, response::Response};

pub async fn shell(State(state): State<AppState>, uri: Uri) -> Response<Body> {
    let (response, timing, scripts) = render::document(&state, Strategy::Csr, &uri).await;
    finish(response, Strategy::Csr, timing, Caching::NoStore, scripts.content_security_policy())
}
