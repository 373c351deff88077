//! Streaming SSR: rendered per request, out of order. The shell (nav, the post
//! list, the holes' skeletons) is flushed at once; each hole's content follows
//! on the same response when its own data is ready, in completion order (a hole
//! whose data is already at hand leaves in the shell's write: see
//! `render::stream`). The
//! status, `<title>` and headers are decided before the first byte. Nothing
//! between this handler and the socket buffers (no compression layer): the
//! chunk-timing test proves it.

use crate::{
    render,
    response::{finish, Caching},
    state::AppState,
};
use app::Strategy;
use axum::{body::Body, extract::State, http::Uri, response::Response};

pub async fn page(State(state): State<AppState>, uri: Uri) -> Response<Body> {
    let (response, timing, scripts) = render::stream(&state, Strategy::Stream, &uri).await;
    finish(response, Strategy::Stream, timing, Caching::NoStore, scripts.content_security_policy())
}
