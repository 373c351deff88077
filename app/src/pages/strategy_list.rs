// @demo-file: the strategy pages
use crate::{
    components::{list_page_number, HoleFilling, LiveHoles, NotFoundPage, PageMeta, PostListing},
    strategy::Strategy,
};
use leptos::prelude::*;

/// The post list as one strategy serves it, at the strategy's path (`/ssr`)
/// and its older pages (`/ssr/page/2`): the same list as `/posts`, under a
/// heading that says how it was made. Every server-rendered strategy uses
/// this page; only *when* it runs differs. With `live_holes`, it also has the
/// request-time holes that streaming and PPR fill in later.
#[component]
pub fn StrategyListPage(strategy: Strategy, #[prop(optional)] live_holes: Option<HoleFilling>) -> impl IntoView {
    let Some(number) = list_page_number() else {
        return view! { <NotFoundPage/> }.into_any();
    };
    view! {
        <PageMeta title=strategy.list_title(number) description=strategy.summary()/>
        <StrategyIntro strategy/>
        {live_holes.map(|filling| view! { <LiveHoles filling/> })}
        <PostListing base=strategy.path() number/>
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
