//! The route table: every page, and the strategy that serves it. Adding a page
//! is one line in `PAGES` plus its component in `app::App`'s `<Routes>`. Pages
//! served from files (SSG, ISR, PPR) are written by the build step from this
//! same table (see `crate::prerender`), and `crate::router` routes each path to
//! its strategy's handler. This module is data: it imports no handler, so the
//! strategies can read it.

use app::{
    content::PostIndex,
    post::{page_count, page_number, tag_slug, Post},
    Strategy,
};

/// A page and the strategy that serves it. `{slug}` in a path stands for every
/// post, `{tag}` for every tag (as `app::post::tag_slug` spells it), `{page}`
/// for every list page after the first (`app::post::POSTS_PER_PAGE` posts each).
pub struct Page {
    pub path: &'static str,
    pub strategy: Strategy,
}

/// To serve a page another way, change the strategy on its line: `Ssg`, `Ssr`,
/// `Stream`, `Csr`, `Isr` or `Ppr` (each one's whole story is a module in
/// `crate::strategies`).
pub const PAGES: &[Page] = &[
    Page { path: "/", strategy: Strategy::Ssg },
    Page { path: "/compare", strategy: Strategy::Ssg }, // @demo
    Page { path: "/ssg", strategy: Strategy::Ssg }, // @demo
    Page { path: "/ssg/page/{page}", strategy: Strategy::Ssg }, // @demo
    Page { path: "/ssr", strategy: Strategy::Ssr }, // @demo
    Page { path: "/ssr/page/{page}", strategy: Strategy::Ssr }, // @demo
    Page { path: "/stream", strategy: Strategy::Stream }, // @demo
    Page { path: "/stream/page/{page}", strategy: Strategy::Stream }, // @demo
    Page { path: "/csr", strategy: Strategy::Csr }, // @demo
    Page { path: "/csr/page/{page}", strategy: Strategy::Csr }, // @demo
    Page { path: "/isr", strategy: Strategy::Isr }, // @demo
    Page { path: "/isr/page/{page}", strategy: Strategy::Isr }, // @demo
    Page { path: "/ppr", strategy: Strategy::Ppr }, // @demo
    Page { path: "/ppr/page/{page}", strategy: Strategy::Ppr }, // @demo
    Page { path: "/posts", strategy: Strategy::Ssg },
    Page { path: "/posts/page/{page}", strategy: Strategy::Ssg },
    Page { path: "/posts/{slug}", strategy: Strategy::Ssg },
    Page { path: "/tags/{tag}", strategy: Strategy::Ssg },
];

/// Every page that the table serves, with its strategy: each path as it is, a
/// `{slug}` path once per post (with that post), a `{tag}` path once per tag,
/// a `{page}` path once per list page after the first.
pub fn every_page(posts: &[Post]) -> Vec<(String, Strategy, Option<&Post>)> {
    let mut tags: Vec<String> = posts.iter().flat_map(|post| post.summary.tags.iter().map(|tag| tag_slug(tag))).collect();
    tags.sort();
    tags.dedup();
    let mut pages = Vec::new();
    for page in PAGES {
        let Some((before, name, after)) = pattern(page.path) else {
            pages.push((page.path.to_string(), page.strategy, None));
            continue;
        };
        let at = |segment: &str| format!("{before}{segment}{after}");
        match name {
            "slug" => pages.extend(posts.iter().map(|post| (at(&post.summary.slug), page.strategy, Some(post)))),
            "tag" => pages.extend(tags.iter().map(|tag| (at(tag), page.strategy, None))),
            "page" => pages.extend((2..=page_count(posts.len())).map(|number| (at(&number.to_string()), page.strategy, None))),
            _ => unreachable!("PAGES has no {{{name}}}: see `Page`"),
        }
    }
    pages
}

/// Whether `strategy` serves a page at `path`: one of the table's paths, or a
/// pattern's path whose post, tag or list page exists. For the strategies that
/// would otherwise render, store or send a shell for any path they are asked for
/// (ISR, PPR, CSR).
pub fn serves(index: &PostIndex, strategy: Strategy, path: &str) -> bool {
    PAGES.iter().filter(|page| page.strategy == strategy).any(|page| match pattern(page.path) {
        None => page.path == path,
        Some((before, name, after)) => {
            let segment = path.strip_prefix(before).and_then(|rest| rest.strip_suffix(after)).filter(|s| !s.contains('/'));
            segment.is_some_and(|segment| match name {
                "slug" => index.get(segment).is_some(),
                "tag" => index.posts().iter().any(|post| post.summary.tags.iter().any(|tag| tag_slug(tag) == segment)),
                "page" => page_number(segment).is_some_and(|number| number <= page_count(index.posts().len())),
                _ => false,
            })
        }
    })
}

/// A pattern path split around its one `{name}`: `("/posts/", "slug", "")`.
fn pattern(path: &str) -> Option<(&str, &str, &str)> {
    let (before, rest) = path.split_once('{')?;
    let (name, after) = rest.split_once('}')?;
    Some((before, name, after))
}

