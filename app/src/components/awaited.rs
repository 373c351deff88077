//! What a page waits for, as `<Suspense>` would stream it, without what
//! `<Suspense>` needs to find out *when* its children are ready: it runs an
//! effect as a task of its own, two channels and a `select!` to learn that its
//! resources have loaded. What waits here is a future, which the stream can
//! await directly.
//!
//! `AwaitedView` renders content whose data is already at hand in place, as
//! `<Suspense>` does, with no fallback to replace; else it writes what
//! `<Suspense>` writes into an out-of-order stream (the fallback between chunk
//! markers, then the content with Leptos's own swap script). The holes use it,
//! and, through [`awaited`], every page that waits for the posts.
//!
//! Measured with `<Suspense>` and then with this (`wrk -t1 -c32`, one server,
//! 0 ms latency): the two holes held `/stream` at 0.76x `/ssr`, and at about
//! 0.9x with this; the post list took 18 % more server CPU per `/ssr` request
//! (143.6 against 121.3 us) and 44 % more per `/stream` request (158.4 against
//! 110.2 us) than it does now.

use leptos::{
    nonce::use_nonce,
    prelude::*,
    reactive::computed::ScopedFuture,
    tachys::{
        html::attribute::{any_attribute::AnyAttribute, Attribute},
        hydration::Cursor,
        ssr::StreamBuilder,
        view::{add_attr::AddAnyAttr, any_view::AnyViewState, Position, PositionState, Render, RenderHtml},
    },
};
use std::{
    future::Future,
    pin::Pin,
    task::{Context, Poll, Waker},
};

/// `content` in place if its future is ready when the render reaches it; else
/// `fallback`, and `content` streamed in when it is. In the browser, the
/// fallback alone: see [`awaited`] for what renders there.
pub struct AwaitedView {
    pub fallback: AnyView,
    pub content: Pin<Box<dyn Future<Output = AnyView> + Send>>,
}

impl Render for AwaitedView {
    type State = AnyViewState;

    fn build(self) -> Self::State {
        self.fallback.build()
    }

    fn rebuild(self, state: &mut Self::State) {
        self.fallback.rebuild(state)
    }
}

impl AddAnyAttr for AwaitedView {
    type Output<SomeNewAttr: Attribute> = AwaitedView;

    /// Like `<Suspense>`, it has no element of its own to take attributes.
    fn add_any_attr<NewAttr: Attribute>(self, _attr: NewAttr) -> Self::Output<NewAttr> {
        self
    }
}

impl RenderHtml for AwaitedView {
    /// Like `<Suspense>`'s, its content is not awaited by a parent that resolves
    /// its children: it streams in later, on its own.
    type AsyncOutput = AwaitedView;
    type Owned = AwaitedView;

    const MIN_LENGTH: usize = 0;

    fn dry_resolve(&mut self) {}

    async fn resolve(self) -> Self::AsyncOutput {
        self
    }

    /// Rendered all at once, there is nothing to wait for: the fallback.
    fn to_html_with_buf(
        self,
        buf: &mut String,
        position: &mut Position,
        escape: bool,
        mark_branches: bool,
        extra_attrs: Vec<AnyAttribute>,
    ) {
        self.fallback.to_html_with_buf(buf, position, escape, mark_branches, extra_attrs);
    }

    fn to_html_async_with_buf<const OUT_OF_ORDER: bool>(
        self,
        buf: &mut StreamBuilder,
        position: &mut Position,
        escape: bool,
        mark_branches: bool,
        extra_attrs: Vec<AnyAttribute>,
    ) {
        // The same chunk ids as `<Suspense>`, so the swap script finds its markers.
        buf.next_id();
        // The content reads its data from this render's context.
        // `self.content` is boxed, so this future is `Unpin`: polled here, awaited later.
        let mut content = ScopedFuture::new(self.content);
        // Data already at hand (a snapshot, no latency) is rendered in place, as
        // `<Suspense>` does: no skeleton to send and then replace.
        if let Poll::Ready(ready) = Pin::new(&mut content).poll(&mut Context::from_waker(Waker::noop())) {
            ready.to_html_async_with_buf::<OUT_OF_ORDER>(buf, position, escape, mark_branches, extra_attrs);
        } else if OUT_OF_ORDER {
            let mut fallback_position = *position;
            buf.push_fallback(self.fallback, &mut fallback_position, mark_branches, extra_attrs.clone());
            let nonce = use_nonce().map(|nonce| nonce.to_string().into());
            buf.push_async_out_of_order_with_nonce(async { Some(content.await) }, position, mark_branches, nonce, extra_attrs);
        } else {
            let id = buf.clone_id();
            let mut position = *position;
            buf.push_async(async move {
                let mut builder = StreamBuilder::new(id);
                content.await.to_html_async_with_buf::<false>(&mut builder, &mut position, escape, mark_branches, extra_attrs);
                builder.finish().take_chunks()
            });
        }
    }

    fn hydrate<const FROM_SERVER: bool>(self, cursor: &Cursor, position: &PositionState) -> Self::State {
        self.fallback.hydrate::<FROM_SERVER>(cursor, position)
    }

    fn into_owned(self) -> Self::Owned {
        self
    }
}

/// `render` of what `fetch(source())` reads through a server function, with
/// `fallback` until then. On the server the data is in memory, at hand when the
/// render asks for it: it renders in place (an `AwaitedView`), so a page it
/// makes a 404 still answers with that status. In the browser (a page moved to
/// CSR), the data comes over HTTP: a `<Suspense>` over a resource, which
/// loads again when `source` changes.
pub fn awaited<S, T, Fut>(
    fallback: fn() -> AnyView,
    source: impl Fn() -> S + Send + Sync + 'static,
    fetch: impl Fn(S) -> Fut + Send + Sync + 'static,
    render: impl Fn(T) -> AnyView + Send + Sync + 'static,
) -> impl IntoView
where
    S: PartialEq + Clone + Send + Sync + 'static,
    T: serde::Serialize + serde::de::DeserializeOwned + Clone + Send + Sync + 'static,
    Fut: Future<Output = T> + Send + 'static,
{
    #[cfg(feature = "ssr")]
    let view = {
        let data = fetch(untrack(source));
        AwaitedView { fallback: fallback(), content: Box::pin(async move { render(data.await) }) }
    };
    #[cfg(not(feature = "ssr"))]
    let view = {
        let data = Resource::new(source, fetch);
        let render = std::sync::Arc::new(render);
        view! {
            <Suspense fallback>
                {move || {
                    let render = render.clone();
                    Suspend::new(async move { render(data.await) })
                }}
            </Suspense>
        }
    };
    view
}

#[cfg(all(test, feature = "ssr"))]
mod tests {
    use super::AwaitedView;
    use futures::{channel::oneshot, executor::block_on, StreamExt};
    use leptos::prelude::*;
    use std::future::Future;

    fn hole(content: impl Future<Output = AnyView> + Send + 'static) -> AwaitedView {
        AwaitedView { fallback: "skeleton".into_any(), content: Box::pin(content) }
    }

    #[test]
    fn content_at_hand_is_rendered_in_place_of_the_skeleton() {
        let html = block_on(hole(async { "content".into_any() }).to_html_stream_out_of_order().collect::<String>());
        assert_eq!(html, "content");
    }

    #[test]
    fn content_still_loading_follows_its_skeleton_and_is_swapped_in() {
        let (ready, loaded) = oneshot::channel::<()>();
        let mut stream = hole(async {
            loaded.await.unwrap();
            "content".into_any()
        })
        .to_html_stream_out_of_order();
        let shell = block_on(stream.next()).unwrap();
        assert_eq!(shell, "<!--s-1-o-->skeleton<!--s-1-c-->");
        ready.send(()).unwrap();
        let rest = block_on(stream.collect::<String>());
        assert!(rest.starts_with("<template id=\"1-f\">content</template>"), "{rest}");
        assert!(rest.contains("<script>(function() { let id = \"1-\""), "Leptos's swap script: {rest}");
    }
}
