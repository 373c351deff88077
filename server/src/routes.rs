//! The route table: every page, and the strategy that serves it. Adding a page
//! is one line in `PAGES` plus its component in `app::App`'s `<Routes>`. Pages
//! served from files (SSG, ISR, PPR) are written by the build step from this
//! same table (see `crate::prerender`), and `crate::router` routes each path to
//! its strategy's handler. This module is data: it imports no handler, so the
//! strategies can read it.

use app::{
    post::{tag_slug, Post},
    Strategy,
};

/// A page and the strategy that serves it. `{slug}` in a path stands for every
/// post, `{tag}` for every tag (as `app::post::tag_slug` spells it).
pub struct Page {
    pub path: &'static str,
    pub strategy: Strategy,
}

pub const PAGES: &[Page] = &[
    Page { path: "/", strategy: Strategy::Ssg },
    Page { path: "/compare", strategy: Strategy::Ssg },
    Page { path: "/ssg", strategy: Strategy::Ssg },
    Page { path: "/ssr", strategy: Strategy::Ssr },
    Page { path: "/stream", strategy: Strategy::Stream },
    Page { path: "/csr", strategy: Strategy::Csr },
    Page { path: "/isr", strategy: Strategy::Isr },
    Page { path: "/ppr", strategy: Strategy::Ppr },
    Page { path: "/posts/{slug}", strategy: Strategy::Ssg },
    Page { path: "/tags/{tag}", strategy: Strategy::Ssg },
];

/// Every page that the table serves, with its strategy: each path as it is, a
/// `{slug}` path once per post (with that post), a `{tag}` path once per tag.
pub fn every_page(posts: &[Post]) -> Vec<(String, Strategy, Option<&Post>)> {
    let mut tags: Vec<String> = posts.iter().flat_map(|post| post.summary.tags.iter().map(|tag| tag_slug(tag))).collect();
    tags.sort();
    tags.dedup();
    let mut pages = Vec::new();
    for page in PAGES {
        if let Some((before, after)) = page.path.split_once("{slug}") {
            pages.extend(posts.iter().map(|post| (format!("{before}{}{after}", post.summary.slug), page.strategy, Some(post))));
        } else if let Some((before, after)) = page.path.split_once("{tag}") {
            pages.extend(tags.iter().map(|tag| (format!("{before}{tag}{after}"), page.strategy, None)));
        } else {
            pages.push((page.path.to_string(), page.strategy, None));
        }
    }
    pages
}

/// The paths `strategy` serves.
pub fn paths_served_by(strategy: Strategy) -> impl Iterator<Item = &'static str> {
    PAGES.iter().filter(move |page| page.strategy == strategy).map(|page| page.path)
}
