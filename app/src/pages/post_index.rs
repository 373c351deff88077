use crate::{
    api::list_posts_page,
    components::{HoleFilling, LiveHoles, PageMeta, Pagination, PostList, TagFilterIsland},
    pages::NotFoundPage,
    post::page_number,
    strategy::Strategy,
};
use leptos::prelude::*;
use leptos_router::{hooks::use_params, params::Params};

#[derive(Params, Clone, Debug, PartialEq, Eq)]
struct ListParams {
    page: Option<String>,
}

/// The blog's post list, as one strategy serves it, one page of posts at a
/// time: the newest at the strategy's path (`/ssr`), older ones at
/// `/ssr/page/2` and on. Every server-rendered strategy uses this page; only
/// *when* it runs differs. With `live_holes`, it also has the request-time
/// holes that streaming and PPR fill in later.
#[component]
pub fn PostIndexPage(strategy: Strategy, #[prop(optional)] live_holes: Option<HoleFilling>) -> impl IntoView {
    let segment = use_params::<ListParams>().with_untracked(|params| params.as_ref().ok().and_then(|p| p.page.clone()));
    let number = match segment {
        None => 1,
        Some(segment) => match page_number(&segment) {
            Some(number) => number,
            None => return view! { <NotFoundPage/> }.into_any(),
        },
    };
    // Blocking: the response waits for it before its first byte, so a page past
    // the last still answers 404. Streamed, the shell carries the fallback and the
    // list follows in a chunk of its own, like the holes.
    let page = Resource::new_blocking(move || number, list_posts_page);
    let title = strategy.list_title(number);
    view! {
        <PageMeta title description=strategy.summary()/>
        <StrategyIntro strategy/>
        {live_holes.map(|filling| view! { <LiveHoles filling/> })}
        <Suspense fallback=|| view! { <p class="loading">"Loading posts…"</p> }>
            {move || Suspend::new(async move {
                match page.await {
                    Ok(Some(page)) => {
                        let posts = page.posts.clone();
                        view! {
                            <TagFilterIsland><PostList posts/></TagFilterIsland>
                            <Pagination base=strategy.path() page/>
                        }
                        .into_any()
                    }
                    // Past the last page: a 404, with the status to match.
                    Ok(None) => view! { <NotFoundPage/> }.into_any(),
                    Err(error) => view! { <p class="error">"Posts are unavailable: " {error.to_string()}</p> }.into_any(),
                }
            })}
        </Suspense>
    }
    .into_any()
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
