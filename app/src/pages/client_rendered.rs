use crate::{
    api::list_posts,
    clock,
    components::{PostList, TagFilter},
    pages::post_index::StrategyIntro,
    strategy::Strategy,
};
use leptos::prelude::*;

/// `/csr`: the server never renders this page, it sends an empty shell. The
/// browser calls `GET /api/posts` and builds the same `PostList` itself. (The
/// shell already carries the title: there is no head for the client to manage.)
#[component]
pub fn ClientRenderedPage() -> impl IntoView {
    // A local resource, read directly: nothing here is ever server-rendered,
    // so the page needs no `<Suspense>` and the bundle carries none.
    let posts = LocalResource::new(|| async { (list_posts().await, clock::now_rfc3339()) });
    let content = move || match posts.get() {
        None => view! { <p class="loading">"Fetching /api/posts…"</p> }.into_any(),
        Some((Ok(posts), arrived_at)) => view! {
            <p class="data-arrived" data-fetched-at=arrived_at.clone()>
                "Data arrived in the browser at "
                <time datetime=arrived_at.clone()>{clock::display(&arrived_at)}</time>
            </p>
            <TagFilter><PostList posts/></TagFilter>
        }
        .into_any(),
        Some((Err(error), _)) => view! { <p class="error">"Posts are unavailable: " {error.to_string()}</p> }.into_any(),
    };
    view! {
        <StrategyIntro strategy=Strategy::Csr/>
        {content}
    }
}
