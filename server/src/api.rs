//! `/api/*`: the component tree's server functions, `GET /api/posts` among them.

use crate::{owners::clear_leftover_owner, state::AppState};
use axum::{
    body::Body,
    extract::State,
    http::{header, Method, Request},
    response::IntoResponse,
};

pub async fn server_fn(State(state): State<AppState>, mut request: Request<Body>) -> impl IntoResponse {
    // Server functions only know GET and POST. A HEAD is answered as a GET;
    // the HTTP layer drops the body of a HEAD response.
    if request.method() == Method::HEAD {
        *request.method_mut() = Method::GET;
    }
    // server_fn answers a request that accepts HTML with a redirect to its
    // Referer, for HTML forms posting to a server function. No page here has
    // one (the islands call them with fetch), and that redirect would go
    // wherever a link said, `javascript:` included: the API answers as an API.
    request.headers_mut().remove(header::ACCEPT);
    // leptos_axum makes the request's owner with `Owner::new()`, in this same poll.
    clear_leftover_owner();
    leptos_axum::handle_server_fns_with_context(move || state.provide_render_context(), request).await
}
