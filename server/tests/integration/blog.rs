//! What a blog needs beyond its pages: the feed, the sitemap, robots.txt and
//! drafts. The XML is read by an XML parser (roxmltree), never string-matched.

use app::{content::Drafts, site::SITE_TITLE};
use crate::common::{post_slugs, prerender, spawn_in, TestDirs, TestServer};
use roxmltree::{Document, Node};
use server::config::Config;

const SITE_URL: &str = "https://blog.example.org";
const ATOM: &str = "http://www.w3.org/2005/Atom";

/// A built site whose absolute URLs are under [`SITE_URL`], and its server.
async fn built_site(dirs: std::sync::Arc<TestDirs>) -> (TestServer, Config) {
    let config = Config { site_url: SITE_URL.into(), ..dirs.config() };
    prerender(&config).await;
    (spawn_in(dirs, config.clone()).await, config)
}

/// The path of an absolute URL under [`SITE_URL`].
fn path_of(url: &str) -> &str {
    url.strip_prefix(SITE_URL).unwrap_or_else(|| panic!("{url} is under {SITE_URL}"))
}

fn child<'a, 'i>(node: Node<'a, 'i>, name: &str) -> Node<'a, 'i> {
    node.children().find(|n| n.has_tag_name((ATOM, name))).unwrap_or_else(|| panic!("<{name}> in <{}>", node.tag_name().name()))
}

fn text<'a>(node: Node<'a, '_>, name: &str) -> &'a str {
    child(node, name).text().unwrap_or_default()
}

fn rfc3339(value: &str) -> time::OffsetDateTime {
    time::OffsetDateTime::parse(value, &time::format_description::well_known::Rfc3339).unwrap_or_else(|e| panic!("{value}: {e}"))
}

/// The feed's entries' ids and the sitemap's `<loc>`s, as served.
async fn feed_and_sitemap(server: &TestServer) -> (Vec<String>, Vec<String>) {
    let feed = server.get("/feed.xml").await.text();
    let feed = Document::parse(&feed).unwrap();
    let ids = feed.root_element().children().filter(|n| n.has_tag_name((ATOM, "entry"))).map(|e| text(e, "id").to_string()).collect();
    let sitemap = server.get("/sitemap.xml").await.text();
    let sitemap = Document::parse(&sitemap).unwrap();
    let locs = sitemap.descendants().filter(|n| n.has_tag_name("loc")).map(|n| n.text().unwrap().to_string()).collect();
    (ids, locs)
}

#[tokio::test]
async fn the_feed_is_atom_with_every_post_whole_and_absolute_urls() {
    let dirs = TestDirs::new();
    let (server, _) = built_site(dirs.clone()).await;
    let response = server.get("/feed.xml").await;
    assert_eq!(response.status, 200);
    assert_eq!(response.header("content-type"), Some("application/atom+xml; charset=utf-8"));
    let xml = response.text();
    let feed = Document::parse(&xml).expect("the feed is well-formed XML");
    let root = feed.root_element();
    assert!(root.has_tag_name((ATOM, "feed")), "an Atom feed");
    assert_eq!(text(root, "title"), SITE_TITLE);
    let self_link = root.children().find(|n| n.has_tag_name((ATOM, "link")) && n.attribute("rel") == Some("self")).unwrap();
    assert_eq!(self_link.attribute("href"), Some(format!("{SITE_URL}/feed.xml").as_str()));
    let feed_updated = rfc3339(text(root, "updated"));

    let entries: Vec<Node> = root.children().filter(|n| n.has_tag_name((ATOM, "entry"))).collect();
    let mut slugs = post_slugs(&dirs.posts_dir());
    assert_eq!(entries.len(), slugs.len(), "every fixture post (fewer than the feed's limit)");
    let mut linked = Vec::new();
    for entry in entries {
        let link = child(entry, "link").attribute("href").unwrap();
        assert_eq!(text(entry, "id"), link);
        assert_eq!(server.get(path_of(link)).await.status, 200, "{link} answers");
        linked.push(path_of(link).trim_start_matches("/posts/").to_string());
        assert!(!text(entry, "title").is_empty() && !text(child(entry, "author"), "name").is_empty());
        assert!(rfc3339(text(entry, "updated")) <= feed_updated);
        rfc3339(text(entry, "published"));
        let content = child(entry, "content");
        assert_eq!(content.attribute("type"), Some("html"));
        assert!(content.text().unwrap().contains("<p>"), "the whole post, as HTML");
    }
    linked.sort();
    slugs.sort();
    assert_eq!(linked, slugs);

    let page = server.get("/posts").await.text();
    assert!(page.contains(r#"<link rel="alternate" type="application/atom+xml" href="/feed.xml""#), "every page links the feed");
}

#[tokio::test]
async fn the_sitemap_lists_every_page_and_post_and_each_answers() {
    let dirs = TestDirs::new();
    let (server, _) = built_site(dirs.clone()).await;
    let xml = server.get("/sitemap.xml").await.text();
    let sitemap = Document::parse(&xml).expect("the sitemap is well-formed XML");
    assert!(sitemap.root_element().has_tag_name(("http://www.sitemaps.org/schemas/sitemap/0.9", "urlset")));
    let (_, locs) = feed_and_sitemap(&server).await;
    for route in server::routes::PAGES.iter().filter(|page| !page.path.contains('{')) {
        assert!(locs.contains(&format!("{SITE_URL}{}", route.path)), "{} is listed", route.path);
    }
    for slug in post_slugs(&dirs.posts_dir()) {
        assert!(locs.contains(&format!("{SITE_URL}/posts/{slug}")), "{slug} is listed");
    }
    for loc in &locs {
        assert_eq!(server.get(path_of(loc)).await.status, 200, "{loc} answers");
    }
    let robots = server.get("/robots.txt").await;
    assert_eq!(robots.status, 200);
    assert!(robots.text().lines().any(|line| line == format!("Sitemap: {SITE_URL}/sitemap.xml")), "{}", robots.text());
}

#[tokio::test]
async fn a_deleted_post_leaves_the_feed_and_the_sitemap_with_the_next_build() {
    let dirs = TestDirs::new();
    let (server, config) = built_site(dirs.clone()).await;
    let deleted = post_slugs(&dirs.posts_dir()).remove(0);
    let url = format!("{SITE_URL}/posts/{deleted}");
    let (ids, locs) = feed_and_sitemap(&server).await;
    assert!(ids.contains(&url) && locs.contains(&url));

    std::fs::remove_file(dirs.posts_dir().join(format!("{deleted}.md"))).unwrap();
    server.refresh_posts().await;
    prerender(&config).await;
    let (ids, locs) = feed_and_sitemap(&server).await;
    assert!(!ids.contains(&url), "no feed entry for {deleted}");
    assert!(!locs.contains(&url), "no sitemap entry for {deleted}");
    assert_eq!(server.get(&format!("/posts/{deleted}")).await.status, 404);
}

const DRAFT: &str = "---
title: Not ready yet
slug: not-ready-yet
date: 2026-12-01
author: Test Fixture
tags: [rust]
excerpt: A draft.
draft: true
---
Half a thought.
";

#[tokio::test]
async fn drafts_are_on_no_list_and_no_route_unless_shown() {
    let dirs = TestDirs::new();
    std::fs::write(dirs.posts_dir().join("not-ready-yet.md"), DRAFT).unwrap();
    let hidden = dirs.config();
    prerender(&hidden).await;
    let server = spawn_in(dirs.clone(), hidden.clone()).await;
    assert_eq!(server.get("/posts/not-ready-yet").await.status, 404);
    for list in [
        "/ssg", "/ssr", "/isr", // @demo
        "/", "/posts", "/api/posts",
    ] {
        assert!(!server.get(list).await.text().contains("not-ready-yet"), "{list} leaves the draft out");
    }
    assert!(!dirs.site().join("posts/not-ready-yet").exists(), "the build wrote no page for it");
    let (ids, locs) = feed_and_sitemap(&server).await;
    assert!(!ids.iter().chain(&locs).any(|url| url.contains("not-ready-yet")), "nor a feed or sitemap entry");

    let shown = Config { drafts: Drafts::Shown, ..hidden };
    prerender(&shown).await;
    let server = server.stop().await;
    let server = spawn_in(server, shown).await;
    assert_eq!(server.get("/posts/not-ready-yet").await.status, 200);
    for list in [
        "/ssg", "/ssr", // @demo
        "/", "/posts", "/api/posts", "/feed.xml", "/sitemap.xml",
    ] {
        assert!(server.get(list).await.text().contains("not-ready-yet"), "{list} lists the draft with SHOW_DRAFTS=1");
    }
}

/// The `content` of each `<meta>` in the head whose `key` attribute (`name` or
/// `property`) is `value`.
fn head_meta(html: &str, key: &str, value: &str) -> Vec<String> {
    let head = html.split("</head>").next().unwrap();
    head.split("<meta ")
        .skip(1)
        .map(|tag| &tag[..tag.find('>').unwrap()])
        .filter(|tag| crate::common::attribute_values(tag, key).first().map(String::as_str) == Some(value))
        .map(|tag| crate::common::attribute_values(tag, "content").remove(0))
        .collect()
}

#[tokio::test]
async fn every_page_describes_itself_to_search_engines_and_link_previews() {
    let dirs = TestDirs::new();
    let described = "---\ntitle: Described\nslug: described\ndate: 2026-01-01\nauthor: A\nexcerpt: The excerpt.\ndescription: The description.\n---\nBody.\n";
    std::fs::write(dirs.posts_dir().join("described.md"), described).unwrap();
    let (server, _) = built_site(dirs.clone()).await;
    let pages = crate::common::every_page(&server).into_iter().map(|(path, _)| path);
    for path in pages.chain(["/tags/rust/".to_string(), "/posts/described".to_string()]) {
        let html = server.get(&path).await.text();
        let canonical = format!("{SITE_URL}{}", if path == "/" { "/" } else { path.trim_end_matches('/') });
        let links: Vec<&str> =
            html.split("<link ").skip(1).map(|tag| &tag[..tag.find('>').unwrap()]).filter(|tag| tag.contains("rel=\"canonical\"")).collect();
        assert_eq!(links.len(), 1, "{path}: one canonical link");
        assert_eq!(crate::common::attribute_values(links[0], "href"), [canonical.clone()], "{path}");
        assert_eq!(head_meta(&html, "property", "og:url"), [canonical], "{path}");
        assert_eq!(head_meta(&html, "property", "og:site_name"), [SITE_TITLE], "{path}");
        assert_eq!(head_meta(&html, "name", "twitter:card"), ["summary"], "{path}");
        let description = head_meta(&html, "name", "description");
        assert_eq!(description.len(), 1, "{path}: one description");
        assert_eq!(head_meta(&html, "property", "og:description"), description, "{path}");
        assert_eq!(head_meta(&html, "name", "twitter:description"), description, "{path}");
        assert_eq!(head_meta(&html, "property", "og:title").len(), 1, "{path}");
        let kind = if path.starts_with("/posts/") { "article" } else { "website" };
        assert_eq!(head_meta(&html, "property", "og:type"), [kind], "{path}");
    }
    let post = server.get("/posts/described").await.text();
    assert_eq!(head_meta(&post, "name", "description"), ["The description."], "description overrides the excerpt");
    assert_eq!(head_meta(&post, "property", "og:title"), ["Described"]);
    assert!(post.contains("<title>Described · "), "the post's title, then the site's");
}

/// `path` as a browser sends it: every byte outside ASCII percent-encoded.
fn percent_encoded(path: &str) -> String {
    path.bytes().map(|b| if b.is_ascii() { (b as char).to_string() } else { format!("%{b:02X}") }).collect()
}

#[tokio::test]
async fn each_tag_has_a_prerendered_page_with_exactly_its_posts() {
    let dirs = TestDirs::new();
    let accented = "---\ntitle: Accented\nslug: accented\ndate: 2026-01-01\nauthor: A\ntags: [Über Café, rust]\nexcerpt: E.\n---\nBody.\n";
    std::fs::write(dirs.posts_dir().join("accented.md"), accented).unwrap();
    let (server, _) = built_site(dirs.clone()).await;
    let posts: Vec<serde_json::Value> = serde_json::from_str(&server.get("/api/posts").await.text()).unwrap();
    let tags_of = |post: &serde_json::Value| -> Vec<String> {
        post["tags"].as_array().unwrap().iter().map(|t| t.as_str().unwrap().to_string()).collect()
    };
    let mut tags: Vec<String> = posts.iter().flat_map(tags_of).collect();
    tags.sort();
    tags.dedup();
    assert!(tags.len() >= 3, "{tags:?}");
    let (_, sitemap) = feed_and_sitemap(&server).await;
    let list = server.get("/posts").await.text();
    for tag in tags {
        let path = app::post::tag_path(&tag);
        let response = server.get(&percent_encoded(&path)).await;
        assert_eq!(response.status, 200, "{path}");
        assert_eq!(response.header("x-render-strategy"), Some("ssg"), "{path} is a prerendered file");
        let mut listed = crate::common::attribute_values(&response.text(), "data-post-slug");
        let mut expected: Vec<String> =
            posts.iter().filter(|post| tags_of(post).contains(&tag)).map(|post| post["slug"].as_str().unwrap().to_string()).collect();
        listed.sort();
        expected.sort();
        assert_eq!(listed, expected, "{path} lists the posts tagged {tag}");
        assert!(list.contains(&format!("href=\"{path}\"")), "a chip links {path}");
        assert!(sitemap.contains(&format!("{SITE_URL}{path}")), "the sitemap lists {path}");
    }
    assert_eq!(server.get("/tags/no-post-has-this").await.status, 404);
}

#[tokio::test]
async fn a_rust_code_block_is_highlighted_on_the_server_with_css_classes() {
    let dirs = TestDirs::new();
    let (server, _) = built_site(dirs).await;
    let post = server.get("/posts/caching-pages").await.text();
    let block = post.split("<pre><code class=\"language-rust\">").nth(1).expect("the fixture's rust block, marked with its language");
    let block = &block[..block.find("</code></pre>").unwrap()];
    for class in ["hl-storage", "hl-entity hl-name hl-function", "hl-string", "hl-support hl-macro"] {
        assert!(block.contains(&format!("<span class=\"{class}")), "{class} in {block}");
    }
}
