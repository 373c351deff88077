use crate::{post::POSTS_PATH, site::SITE_TITLE};
use crate::strategy::Strategy; // @demo
use leptos::prelude::*;

/// The site header. Links carry `rel="external"`: each page is its own document,
/// made by its own strategy, so following a link must load it from the server
/// rather than let the client router render it in place.
#[component]
pub fn Nav() -> impl IntoView {
    // @demo-begin
    let links = Strategy::ALL
        .into_iter()
        .map(|strategy| {
            view! {
                <li>
                    <a href=strategy.path() rel="external" title=strategy.name()>
                        {strategy.as_str()}
                    </a>
                </li>
            }
        })
        .collect_view();
    // @demo-end
    view! {
        <header class="site-header">
            <a class="brand" href="/" rel="external">{SITE_TITLE}</a>
            <nav aria-label="Site">
                <ul>
                    <li><a href=POSTS_PATH rel="external" title="Every post, newest first">"posts"</a></li>
                    {links} // @demo
                    <li><a href="/compare" rel="external" title="Every strategy side by side">"compare"</a></li> // @demo
                </ul>
            </nav>
        </header>
    }
}
