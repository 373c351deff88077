//! The blog's shared types: what the server sends and the browser receives.

use serde::{Deserialize, Serialize};

/// A post as it appears in a list: everything but the body.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PostSummary {
    pub slug: String,
    pub title: String,
    /// `YYYY-MM-DD`
    pub date: String,
    /// `YYYY-MM-DD`, if the post says when it last changed.
    pub updated: Option<String>,
    pub author: String,
    pub tags: Vec<String>,
    pub excerpt: String,
    /// For meta tags and the feed, in place of the excerpt.
    pub description: Option<String>,
    /// Shown only where `SHOW_DRAFTS=1`.
    pub draft: bool,
    pub reading_minutes: u32,
}

impl PostSummary {
    /// What describes the post in meta tags and the feed.
    pub fn description(&self) -> &str {
        self.description.as_deref().unwrap_or(&self.excerpt)
    }
}

/// A whole post, its Markdown already rendered to HTML once, at load time.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Post {
    pub summary: PostSummary,
    pub body_html: String,
}

/// How many posts a list page shows. The newest are on the list's own path
/// (`/posts`), older ones on `/posts/page/2` and on, so a page costs the same
/// with ten posts or ten thousand.
pub const POSTS_PER_PAGE: usize = 10;

/// One page of the post list, newest first.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PostsPage {
    pub posts: Vec<PostSummary>,
    /// From 1.
    pub number: usize,
    /// How many pages the list has: at least one, even with no posts.
    pub count: usize,
}

/// How many list pages `posts` posts fill.
pub fn page_count(posts: usize) -> usize {
    posts.div_ceil(POSTS_PER_PAGE).max(1)
}

/// Where the list of every post is, and its older pages (`/posts/page/2`).
pub const POSTS_PATH: &str = "/posts";

/// The title of page `number` of a list called `name`.
pub fn list_title(name: &str, number: usize) -> String {
    match number {
        1 => name.to_string(),
        number => format!("{name}, page {number}"),
    }
}

/// Where page `number` of the list at `base` (`/posts`) is: page 1 is `base` itself.
pub fn list_page_path(base: &str, number: usize) -> String {
    if number == 1 {
        base.to_string()
    } else {
        format!("{base}/page/{number}")
    }
}

// @demo-begin
/// Which page of the list at `base` (`/csr`) `path` is: 1 for `base` itself,
/// `None` for a path that names no page of it.
pub fn list_page_at(base: &str, path: &str) -> Option<usize> {
    match path.strip_prefix(base)? {
        "" => Some(1),
        rest => page_number(rest.strip_prefix("/page/")?),
    }
}
// @demo-end

/// The page number a `page` segment names: `2` and on, in its one spelling
/// (no `1`, which is the list's own path, no `02`), so each page has one URL.
pub fn page_number(segment: &str) -> Option<usize> {
    segment.parse::<usize>().ok().filter(|&number| number >= 2 && number.to_string() == segment)
}

// @demo-begin
/// A ranking of posts by views, as one hole shows it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Leaderboard {
    /// RFC 3339, UTC: when this hole was rendered, for this request.
    pub generated_at: String,
    /// RFC 3339, UTC: when its views were counted. Up to `live::SNAPSHOT_AGE`
    /// before `generated_at`: requests that close together share one count.
    pub read_at: String,
    pub entries: Vec<LeaderboardEntry>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LeaderboardEntry {
    pub slug: String,
    pub title: String,
    pub views: u64,
}
// @demo-end

/// Where a post's page is: `/posts/{slug}`.
pub fn post_path(slug: &str) -> String {
    format!("/posts/{slug}")
}

/// A tag as a URL segment: ASCII letters (lowercased) and digits, and every
/// other character outside ASCII as it is; each run of ASCII punctuation or
/// space is one dash. `Rust` and `rust` share a page; `Über` is `/tags/Über`.
/// ASCII only, on purpose: Unicode's case and letter tables would add several
/// KiB to the CSR bundle, which renders tag links too. A tag of punctuation
/// alone is spelled by its code points (`u2f-u3e`).
pub fn tag_slug(tag: &str) -> String {
    let mut slug = String::with_capacity(tag.len());
    for c in tag.chars() {
        if c.is_ascii_alphanumeric() || !c.is_ascii() {
            slug.push(c.to_ascii_lowercase());
        } else if !slug.is_empty() && !slug.ends_with('-') {
            slug.push('-');
        }
    }
    let slug = slug.trim_end_matches('-');
    if slug.is_empty() {
        tag.chars().map(|c| format!("u{:x}", c as u32)).collect::<Vec<_>>().join("-")
    } else {
        slug.to_string()
    }
}

/// Where a tag's page is: `/tags/{slug}`.
pub fn tag_path(tag: &str) -> String {
    format!("/tags/{}", tag_slug(tag))
}

/// The tags used by any of `posts`, sorted and without repeats.
pub fn all_tags(posts: &[PostSummary]) -> Vec<String> {
    let mut tags: Vec<String> = posts.iter().flat_map(|post| post.tags.iter().cloned()).collect();
    tags.sort();
    tags.dedup();
    tags
}

#[cfg(test)]
mod tests {
    use super::*;

    fn summary(slug: &str, tags: &[&str]) -> PostSummary {
        PostSummary {
            slug: slug.into(),
            title: slug.into(),
            date: "2026-01-01".into(),
            updated: None,
            author: "a".into(),
            tags: tags.iter().map(|t| t.to_string()).collect(),
            excerpt: String::new(),
            description: None,
            draft: false,
            reading_minutes: 1,
        }
    }

    #[test]
    fn tag_slugs_are_url_segments_of_letters_digits_and_dashes() {
        assert_eq!(tag_slug("rust"), "rust");
        assert_eq!(tag_slug("Web Assembly!"), "web-assembly");
        assert_eq!(tag_slug("ünïcödé"), "ünïcödé");
        assert_eq!(tag_slug("Über Café"), "Über-café");
        assert_eq!(tag_slug("</style><!--"), "style");
        assert_eq!(tag_slug("x\"><img src=x>"), "x-img-src-x");
        assert_eq!(tag_slug("\u{2028}"), "\u{2028}");
        assert_eq!(tag_slug("/>"), "u2f-u3e");
        assert_eq!(tag_path("../etc"), "/tags/etc");
    }

    #[test]
    fn each_list_page_has_one_url() {
        assert_eq!(page_count(0), 1, "an empty list is one page");
        assert_eq!(page_count(POSTS_PER_PAGE), 1);
        assert_eq!(page_count(POSTS_PER_PAGE + 1), 2);
        assert_eq!(list_page_path("/posts", 1), "/posts");
        assert_eq!(list_page_path("/posts", 3), "/posts/page/3");
        assert_eq!(page_number("2"), Some(2));
        for segment in ["1", "0", "02", "+2", "two", "", "99999999999999999999999"] {
            assert_eq!(page_number(segment), None, "{segment:?}");
        }
        // @demo-begin
        assert_eq!(list_page_at("/csr", "/csr"), Some(1));
        assert_eq!(list_page_at("/csr", "/csr/page/3"), Some(3));
        for path in ["/csr/page/1", "/csr/", "/csr/page/", "/csrx", "/ssr/page/2", "/csr/page/2/x"] {
            assert_eq!(list_page_at("/csr", path), None, "{path:?}");
        }
        // @demo-end
    }

    #[test]
    fn tags_are_collected_sorted_and_unique() {
        let posts = [summary("a", &["ssr", "rust"]), summary("b", &["rust", "csr"])];
        assert_eq!(all_tags(&posts), ["csr", "rust", "ssr"]);
    }
}
