//! CSR: the server sends the document shell with an empty `#app`; the WASM
//! bundle sees `data-render-strategy="csr"`, calls `GET /api/posts/page` for
//! the list page its address names, and builds the page in the browser.

use crate::{
    render,
    response::{finish, Caching},
    routes::serves,
    state::AppState,
    strategies::ssg,
};
use app::Strategy;
use axum::{
    body::Body,
    extract::State,
    http::{HeaderMap, Uri},
    response::Response,
};

pub async fn shell(State(state): State<AppState>, uri: Uri, headers: HeaderMap) -> Response<Body> {
    // A list page past the last gets no shell: the browser could only say so
    // after a download and a fetch, and with a 200.
    if !serves(&state.posts.index(), Strategy::Csr, uri.path()) {
        return ssg::not_found_page(&state, &headers).await;
    }
    let (response, timing, scripts) = render::document(&state, Strategy::Csr, &uri).await;
    finish(response, Strategy::Csr, timing, Caching::NoStore, scripts.content_security_policy())
}
