use crate::{
    components::{PageMeta, PostListing},
    components::StrategyMap, // @demo
    post::POSTS_PATH,
    site::{SITE_DESCRIPTION, SITE_TITLE},
};
use leptos::prelude::*;

/// `/`: the front page: what the site is, then its newest posts, with a link
/// to the older ones under `/posts`. Prerendered by the build.
#[component]
pub fn HomePage() -> impl IntoView {
    view! {
        <PageMeta/>
        <section class="home">
            <h1>{SITE_TITLE}</h1>
            <p class="lede">{SITE_DESCRIPTION}</p>
            <StrategyMap/> // @demo
            <h2>"Latest posts"</h2>
            <PostListing base=POSTS_PATH number=1/>
        </section>
    }
}
