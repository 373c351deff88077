use crate::{
    api::list_posts,
    components::{HoleFilling, LiveHoles, PageMeta, PostList, TagFilterIsland},
    strategy::Strategy,
};
use leptos::prelude::*;

/// The blog's post list, as one strategy serves it. Every server-rendered
/// strategy uses this page; only *when* it runs differs. With `live_holes`, it
/// also has the request-time holes that streaming and PPR fill in later.
#[component]
pub fn PostIndexPage(strategy: Strategy, #[prop(optional)] live_holes: Option<HoleFilling>) -> impl IntoView {
    // Blocking: when the page streams, the list is part of the first flush,
    // and only the holes arrive later.
    let posts = Resource::new_blocking(|| (), |_| list_posts());
    view! {
        <PageMeta title=strategy.name() description=strategy.summary()/>
        <StrategyIntro strategy/>
        {live_holes.map(|filling| view! { <LiveHoles filling/> })}
        <Suspense fallback=|| view! { <p class="loading">"Loading posts…"</p> }>
            {move || Suspend::new(async move {
                match posts.await {
                    Ok(posts) => view! { <TagFilterIsland><PostList posts/></TagFilterIsland> }.into_any(),
                    Err(error) => view! { <p class="error">"Posts are unavailable: " {error.to_string()}</p> }.into_any(),
                }
            })}
        </Suspense>
    }
}

/// The heading that says which strategy made this page and what that means.
#[component]
pub fn StrategyIntro(strategy: Strategy) -> impl IntoView {
    view! {
        <section class="strategy-intro">
            <p class="strategy-badge" data-strategy=strategy.as_str()>{strategy.as_str()}</p>
            <h1>{strategy.name()}</h1>
            <p>{strategy.summary()}</p>
        </section>
    }
}
