//! `/api/*`: the component tree's server functions, `GET /api/posts` among them.

use crate::{owners::clear_leftover_owner, state::AppState};
use crate::client_address::client_address; // @demo
use axum::{
    body::{to_bytes, Body},
    extract::{ConnectInfo, State}, // @demo
    // @minimal: extract::State,
    http::{header, HeaderValue, Method, Request, StatusCode},
    response::{IntoResponse, Response},
};
use leptos::server_fn::{self, error::SERVER_FN_ERROR_HEADER};
use std::net::SocketAddr; // @demo

/// An error body is one short line; anything longer is not server_fn's.
const ERROR_BODY_LIMIT: usize = 16 * 1024;

pub async fn server_fn(State(state): State<AppState>, mut request: Request<Body>) -> Response {
    // Server functions only know GET and POST. A HEAD is answered as a GET;
    // the HTTP layer drops the body of a HEAD response.
    if request.method() == Method::HEAD {
        *request.method_mut() = Method::GET;
    }
    // Leptos's own answer names its internals, with a 400 and no Content-Type.
    if server_fn::axum::get_server_fn_service(request.uri().path(), request.method().clone()).is_none() {
        let message = format!("no API function answers {} {}\n", request.method(), request.uri().path());
        return (StatusCode::NOT_FOUND, message).into_response();
    }
    // server_fn answers a request that accepts HTML with a redirect to its
    // Referer, for HTML forms posting to a server function. No page here has
    // one (the islands call them with fetch), and that redirect would go
    // wherever a link said, `javascript:` included: the API answers as an API.
    request.headers_mut().remove(header::ACCEPT);
    // @demo-begin
    // The view counter counts per client: its address, for `record_view`.
    if let Some(ConnectInfo(peer)) = request.extensions().get::<ConnectInfo<SocketAddr>>().copied() {
        let client = client_address(peer, request.headers(), &state.config.trusted_proxies);
        request.extensions_mut().insert(client);
    }
    // @demo-end
    // leptos_axum makes the request's owner with `Owner::new()`, in this same poll.
    clear_leftover_owner();
    let response = leptos_axum::handle_server_fns_with_context(move || state.provide_render_context(), request).await;
    client_mistakes_as_such(response.into_response()).await
}

/// server_fn answers every failure with 500, its own and the client's alike.
/// A request it could not read is the client's: 400, or 413 for a body over
/// the limit. The body stays server_fn's one line (`Deserialization|missing
/// field …`), which its client decodes; a server function sets any other
/// status itself (an unknown slug is 404).
async fn client_mistakes_as_such(response: Response) -> Response {
    if response.status() != StatusCode::INTERNAL_SERVER_ERROR || !response.headers().contains_key(SERVER_FN_ERROR_HEADER) {
        return response;
    }
    let (mut parts, body) = response.into_parts();
    let Ok(bytes) = to_bytes(body, ERROR_BODY_LIMIT).await else {
        return (StatusCode::INTERNAL_SERVER_ERROR, "the server function's error was too long to send\n").into_response();
    };
    let text = String::from_utf8_lossy(&bytes);
    let client_error = ["Deserialization|", "Args|", "MissingArg|"].iter().any(|kind| text.starts_with(kind));
    if text.contains("length limit exceeded") {
        parts.status = StatusCode::PAYLOAD_TOO_LARGE;
    } else if client_error {
        parts.status = StatusCode::BAD_REQUEST;
    }
    parts.headers.insert(header::CONTENT_TYPE, HeaderValue::from_static("text/plain; charset=utf-8"));
    Response::from_parts(parts, Body::from(bytes))
}
