//! The component tree, shared by the server (feature `ssr`) and the browser
//! bundle (feature `hydrate`). This file holds the only `<Routes>` table.

pub mod api;
pub mod bench; // @demo
// @demo-begin
#[cfg(feature = "hydrate")]
pub mod browser;
// @demo-end
pub mod clock;
pub mod components;
#[cfg(feature = "ssr")]
pub mod content;
// @demo-begin
#[cfg(feature = "ssr")]
pub mod live;
// @demo-end
pub mod pages;
pub mod post;
#[cfg(feature = "ssr")]
pub mod repeated_errors;
pub mod site;
pub mod strategy;

use components::{BundleLoader, Nav, NotFoundPage};
use components::{GeneratedAt, HoleFilling, Inspector, PageMeta}; // @demo
use leptos::prelude::*;
use leptos_meta::{provide_meta_context, MetaTags};
use leptos_router::{
    components::{Route, Router, Routes},
    location::RequestUrl, // @demo
    path,
};
use pages::{HomePage, PostIndexPage, PostPage, TagPage};
use pages::{ClientRenderedPage, ComparePage, StrategyListPage}; // @demo
pub use strategy::Strategy;

/// What the server knows about a document before rendering it.
#[derive(Clone, Debug)]
pub struct PageShell {
    pub options: LeptosOptions,
    pub strategy: Strategy,
    // @demo-begin
    /// RFC 3339, UTC: when this HTML was generated.
    pub generated_at: String,
    // @demo-end
    /// Whether the page loads the WASM bundle. A page written once and served
    /// for many URLs (the static `404.html`) can't be hydrated for any one of them.
    pub loads_bundle: bool,
}

/// The whole HTML document; only the server renders it. The browser hydrates
/// the islands in it, or client-renders `#app` for CSR. The stamp and the
/// strategy marker live outside `#app`, so the client never has to re-create
/// a server-side fact it cannot know.
pub fn shell(page: PageShell) -> impl IntoView {
    let PageShell { options, strategy, generated_at, loads_bundle } = page; // @demo
    // @minimal: let PageShell { options, strategy, loads_bundle } = page;
    // Islands: the page is plain server HTML, with no hydration markers,
    // except inside the islands, which turn hydration back on for themselves.
    if let Some(context) = Owner::current_shared_context() {
        context.set_is_hydrating(false);
    }
    // CSR's shell is empty on purpose: View Source shows no posts.
    let app = (strategy != Strategy::Csr).then(|| view! { <App/> });
    let stamp_label = if strategy == Strategy::Csr { "Shell HTML generated at" } else { "HTML generated at" }; // @demo
    provide_meta_context();
    view! {
        <!DOCTYPE html>
        <html lang="en" data-render-strategy=strategy.as_str()>
            <head>
                <meta charset="utf-8"/>
                <meta name="viewport" content="width=device-width, initial-scale=1"/>
                <AutoReload options=options.clone()/>
                <link rel="icon" href="/favicon.svg" type="image/svg+xml"/>
                <link rel="alternate" type="application/atom+xml" href="/feed.xml" title=site::SITE_TITLE/>
                <link rel="stylesheet" href=format!("/{}/{}.css", options.site_pkg_dir, options.output_name)/>
                {loads_bundle.then(|| view! { <BundleLoader options strategy/> })}
                <MetaTags/>
            </head>
            <body>
                // The first thing a keyboard reaches: past the header to the page's own content.
                <a class="skip-link" href="#main">"Skip to the content"</a>
                {(strategy == Strategy::Csr).then(|| view! { <ClientRenderedMeta/> })} // @demo
                <div id="app">{app}</div>
                // @demo-begin
                <footer class="page-stamp">
                    <GeneratedAt at=generated_at.clone() label=stamp_label/>
                    <p class="strategy-note">"Rendered as " <code>{strategy.as_str()}</code> ": " {strategy.summary()}</p>
                </footer>
                <Inspector strategy generated_at/>
                <noscript>"This page works without JavaScript, except the tag filter, the CSR page and PPR's holes."</noscript>
                // @demo-end
                // @minimal: <footer class="site-footer"><a href="/feed.xml">"Atom feed"</a></footer>
                // @minimal: <noscript>"This page works without JavaScript, except the tag filter."</noscript>
                {(strategy == Strategy::Ppr).then(|| view! { <script nonce=leptos::nonce::use_nonce()>{PPR_RESOLVER}</script> })}
            </body>
        </html>
    }
}

// @demo-begin
/// The CSR shell's title and description. The browser renders no `<head>`, so
/// the server names the list page that the address asks for, as the
/// server-rendered list pages name theirs.
#[component]
fn ClientRenderedMeta() -> impl IntoView {
    let path = use_context::<RequestUrl>().and_then(|url| url.parse().ok()).map(|url| url.path().to_string());
    let number = path.and_then(|path| post::list_page_at(Strategy::Csr.path(), &path)).unwrap_or(1);
    view! { <PageMeta title=Strategy::Csr.list_title(number) description=Strategy::Csr.summary()/> }
}
// @demo-end

/// PPR's resolver, defined in the prerendered shell before `</body>`: the server
/// streams one `__pprFill(id, html)` call per hole after the shell.
/// (Its selector quotes the id with `JSON.stringify`: spelled out, `data-ppr-hole="`
/// would read as one more slot to the server, which finds the slots by that text.)
const PPR_RESOLVER: &str = "window.__pprFill=function(id,html){var slot=document.querySelector('[data-ppr-hole='+JSON.stringify(id)+']');if(slot){slot.innerHTML=html;slot.setAttribute('data-ppr-filled','');}};";

#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    view! {
        <Router>
            <SiteLayout>
                <Routes fallback=NotFoundPage>
                    <Route path=path!("/") view=HomePage/>
                    <Route path=path!("/compare") view=ComparePage/> // @demo
                    <Route path=path!("/ssg") view=SsgIndex/> // @demo
                    <Route path=path!("/ssg/page/:page") view=SsgIndex/> // @demo
                    <Route path=path!("/ssr") view=SsrIndex/> // @demo
                    <Route path=path!("/ssr/page/:page") view=SsrIndex/> // @demo
                    <Route path=path!("/stream") view=StreamIndex/> // @demo
                    <Route path=path!("/stream/page/:page") view=StreamIndex/> // @demo
                    <Route path=path!("/csr") view=ClientRenderedPage/> // @demo
                    <Route path=path!("/csr/page/:page") view=ClientRenderedPage/> // @demo
                    <Route path=path!("/isr") view=IsrIndex/> // @demo
                    <Route path=path!("/isr/page/:page") view=IsrIndex/> // @demo
                    <Route path=path!("/ppr") view=PprIndex/> // @demo
                    <Route path=path!("/ppr/page/:page") view=PprIndex/> // @demo
                    <Route path=path!("/posts") view=PostIndexPage/>
                    <Route path=path!("/posts/page/:page") view=PostIndexPage/>
                    <Route path=path!("/posts/:slug") view=PostPage/>
                    <Route path=path!("/tags/:tag") view=TagPage/>
                </Routes>
            </SiteLayout>
        </Router>
    }
}

// @demo-begin
// Each strategy's post list, at its path and at each of its older pages.
#[component]
fn SsgIndex() -> impl IntoView {
    view! { <StrategyListPage strategy=Strategy::Ssg/> }
}
#[component]
fn SsrIndex() -> impl IntoView {
    view! { <StrategyListPage strategy=Strategy::Ssr/> }
}
#[component]
fn StreamIndex() -> impl IntoView {
    view! { <StrategyListPage strategy=Strategy::Stream live_holes=HoleFilling::Streamed/> }
}
#[component]
fn IsrIndex() -> impl IntoView {
    view! { <StrategyListPage strategy=Strategy::Isr/> }
}
#[component]
fn PprIndex() -> impl IntoView {
    view! { <StrategyListPage strategy=Strategy::Ppr live_holes=HoleFilling::AfterShell/> }
}
// @demo-end

/// What every page has around its content: the header, and `<main>`. The CSR
/// route gets it from the browser, everything else from the server.
#[component]
pub fn SiteLayout<C: IntoView + 'static>(children: TypedChildren<C>) -> impl IntoView {
    // Typed, not `Children`: an `AnyView` would link in the code to hydrate
    // the page inside, which the CSR bundle, rendering it afresh, never runs.
    view! {
        <Nav/>
        <main id="main">{children.into_inner()()}</main>
    }
}
