//! The one module that calls Leptos rendering. Every strategy that makes HTML
//! on the server comes through here; they differ only in when they call it:
//! per request (SSR, streaming), at build time (SSG, the prerender step), or
//! when a page turns stale (ISR). `document` waits for all data; `stream` sends
//! the shell at once and each hole when its data is ready; `hole`
//! renders one PPR hole alone.

use crate::{
    response::ServerTiming,
    security::{new_nonce, InlineScripts},
    state::AppState,
};
use app::{
    api::DataTime,
    clock, // @demo
    components::{hole_error, Hole},
    shell,
    site::PageUrl,
    PageShell, Strategy,
};
use axum::{
    body::Body,
    http::{Request, Response, StatusCode, Uri},
};
use bytes::Bytes;
use futures::StreamExt;
use crate::owners::clear_leftover_owner;
use leptos::{
    reactive::{computed::ScopedFuture, owner::Owner},
    tachys::view::RenderHtml,
};
use std::time::{Duration, Instant};

/// Renders the whole document for `uri` as `strategy` would serve it, waiting for
/// all its data first. The status comes from the page (the 404 page sets 404).
pub async fn document(state: &AppState, strategy: Strategy, uri: &Uri) -> (Response<Body>, ServerTiming, InlineScripts) {
    render(state, strategy, uri, true).await
}

/// Out-of-order streaming: the response starts with the shell (everything but
/// the holes still loading, with their fallbacks: see `app::components::awaited`),
/// and each hole follows on the same response as soon as its data is ready.
/// Returns once the shell is ready, so the `shell` timing is the time to the
/// first flush.
pub async fn stream(state: &AppState, strategy: Strategy, uri: &Uri) -> (Response<Body>, ServerTiming, InlineScripts) {
    let started = Instant::now();
    let (page, context, data, scripts) = page_and_context(state, strategy, uri, true);
    let handler = leptos_axum::render_app_to_stream_with_context(context, move || shell(page.clone()));
    let response = handler(request(uri)).await;
    let (parts, body) = response.into_parts();
    let mut frames = body.into_data_stream().fuse();
    // Pull the shell out of the stream before answering, so the timing is real.
    let first = frames.next().await;
    let shell_done = started.elapsed();
    // Whatever else is ready leaves with it, in the same write.
    let ready = with_what_is_ready(first, &mut frames).await;
    let body = Body::from_stream(futures::stream::iter(ready).chain(frames));
    // The headers leave with the shell: `data` is what the shell waited for,
    // the holes' data comes later and has its own stamps.
    let timing = ServerTiming::default().with("data", data.total()).with("shell", shell_done);
    (Response::from_parts(parts, body), timing, scripts)
}

/// `first` (the shell), and the frames after it that are ready within a few
/// turns of the executor. Hyper writes the frames it gets without waiting in one
/// system call, so a hole whose data is at hand (a snapshot, no latency) leaves
/// with the shell, as Node's `cork` sends writes of the same tick together.
/// Written apart, the shell and each hole cost `/stream` four writes per
/// response, each waking the client, and a quarter of its speed. Nothing waits
/// for what is still loading: the first turn that brings nothing ends this, and
/// a hole still loading follows on its own, as before. A stream that brought a
/// frame on every turn would hold the shell back: `MOST_TURNS` bounds that.
async fn with_what_is_ready<S: futures::Stream + futures::stream::FusedStream + Unpin>(
    first: Option<S::Item>,
    frames: &mut S,
) -> Vec<S::Item> {
    use futures::FutureExt;
    const MOST_TURNS: usize = 8;
    let mut ready: Vec<_> = first.into_iter().collect();
    for _ in 0..MOST_TURNS {
        if ready.is_empty() || frames.is_terminated() {
            break;
        }
        tokio::task::yield_now().await;
        let before = ready.len();
        while let Some(Some(frame)) = frames.next().now_or_never() {
            ready.push(frame);
        }
        if ready.len() == before {
            break;
        }
    }
    ready
}

async fn render(
    state: &AppState,
    strategy: Strategy,
    uri: &Uri,
    loads_bundle: bool,
) -> (Response<Body>, ServerTiming, InlineScripts) {
    let started = Instant::now();
    let (page, context, data, scripts) = page_and_context(state, strategy, uri, loads_bundle);
    let handler = leptos_axum::render_app_async_with_context(context, move || shell(page.clone()));
    let response = handler(request(uri)).await;
    (response, ServerTiming::default().with("data", data.total()).with("render", started.elapsed()), scripts)
}

/// One PPR hole's content, rendered alone, with its data as of now. A hole
/// that fails or runs out of `time` renders its error state: it always ends.
pub async fn hole(state: &AppState, hole: &'static Hole, time: Duration) -> String {
    clear_leftover_owner();
    let owner = Owner::new();
    owner.with(|| state.provide_render_context());
    let content = owner.with(|| ScopedFuture::new((hole.content)()));
    match tokio::time::timeout(time, content).await {
        Ok(view) => owner.with(|| view.to_html()),
        Err(_) => owner.with(|| hole_error(hole.id, format!("no data within {} ms", time.as_millis())).to_html()),
    }
}

/// The document's shell facts, stamped now, what the components read from
/// context (the page's absolute URL among them), the clock their data loads
/// add to, and the nonce every inline script of this render carries (Leptos's
/// and ours).
fn page_and_context(
    state: &AppState,
    strategy: Strategy,
    uri: &Uri,
    loads_bundle: bool,
) -> (PageShell, impl Fn() + Clone + Send + Sync + 'static, DataTime, InlineScripts) {
    let page = PageShell {
        options: state.leptos_options.clone(),
        strategy,
        generated_at: clock::now_rfc3339(), // @demo
        loads_bundle,
    };
    let state = state.clone();
    let data = DataTime::default();
    let provided = data.clone();
    let nonce = new_nonce();
    let scripts = InlineScripts::with_nonce(nonce.clone());
    // `/ssg/` and `/ssg` are one page: the canonical URL has no trailing slash.
    let path = match uri.path().trim_end_matches('/') {
        "" => "/",
        path => path,
    };
    let url = PageUrl(format!("{}{path}", state.config.site_url));
    // Runs after leptos_axum's own contexts, so this nonce replaces the one it made.
    let context = move || {
        state.provide_render_context();
        leptos::prelude::provide_context(provided.clone());
        leptos::prelude::provide_context(url.clone());
        leptos::prelude::provide_context(leptos::nonce::Nonce::from_value(nonce.clone()));
    };
    (page, context, data, scripts)
}

fn request(uri: &Uri) -> Request<Body> {
    Request::builder().uri(uri.clone()).body(Body::empty()).expect("a URI alone is a valid request")
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
    let (response, _, _) = render(state, strategy, uri, expected == StatusCode::OK).await;
    let status = response.status();
    if status != expected {
        return Err(format!("rendering {uri} answered {status}, not {expected}"));
    }
    axum::body::to_bytes(response.into_body(), usize::MAX)
        .await
        .map_err(|error| format!("rendering {uri} failed mid-stream: {error}"))
}

#[cfg(test)]
mod tests {
    use super::with_what_is_ready;
    use futures::{stream, StreamExt};

    #[tokio::test]
    async fn frames_that_another_task_finishes_at_once_leave_with_the_first() {
        let (sender, receiver) = futures::channel::mpsc::unbounded();
        tokio::spawn(async move {
            sender.unbounded_send("hole one").unwrap();
            tokio::task::yield_now().await;
            sender.unbounded_send("hole two").unwrap();
        });
        let mut frames = receiver.fuse();
        let ready = with_what_is_ready(Some("shell"), &mut frames).await;
        assert_eq!(ready, ["shell", "hole one", "hole two"]);
        assert!(futures::stream::FusedStream::is_terminated(&frames), "the end of the stream was seen too");
    }

    #[tokio::test]
    async fn a_frame_still_loading_does_not_hold_back_the_first() {
        let mut frames = stream::iter(["ready"]).chain(stream::pending()).fuse();
        let ready = with_what_is_ready(Some("shell"), &mut frames).await;
        assert_eq!(ready, ["shell", "ready"]);
        assert!(!futures::stream::FusedStream::is_terminated(&frames));
    }

    #[tokio::test]
    async fn a_stream_ready_on_every_turn_holds_the_first_frame_back_a_few_turns_at_most() {
        // Another task that sends a frame on every turn, for as long as it is read.
        let (sender, receiver) = futures::channel::mpsc::unbounded();
        tokio::spawn(async move {
            while sender.unbounded_send("more").is_ok() {
                tokio::task::yield_now().await;
            }
        });
        let mut frames = receiver.fuse();
        let ready = tokio::time::timeout(std::time::Duration::from_secs(5), with_what_is_ready(Some("shell"), &mut frames))
            .await
            .expect("the shell is not held back for ever");
        assert!((2..=1 + 8).contains(&ready.len()), "{} frames", ready.len());
    }

    #[tokio::test]
    async fn no_first_frame_is_an_empty_body() {
        let mut frames = stream::iter(["never read"]).fuse();
        assert!(with_what_is_ready(None, &mut frames).await.is_empty());
        assert_eq!(frames.next().await, Some("never read"));
    }
}
