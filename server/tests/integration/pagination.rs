//! The post list a page at a time: `/posts` (and each of the demo's list strategies) serve the same pages,
//! newest first, each linked to the newer and the older one with `rel="prev"`
//! and `rel="next"`; a page past the last, or a second spelling of one, is 404.
//! CSR sends a shell for each of the same pages, and the bundle fetches the
//! page's posts from `/api/posts/page`.

use crate::common::*;
use app::post::{list_page_path, PostsPage, POSTS_PATH, POSTS_PER_PAGE};
use std::sync::Arc;

const LISTS: [&str; 6] = [POSTS_PATH, "/ssg", "/ssr", "/stream", "/isr", "/ppr"]; // @demo
// @minimal: const LISTS: [&str; 1] = [POSTS_PATH];
/// Two full pages and three posts over.
const POSTS: usize = 2 * POSTS_PER_PAGE + 3;

/// The fixture's posts, and older ones up to [`POSTS`].
fn paged_content() -> Arc<TestDirs> {
    let dirs = TestDirs::new();
    let have = post_slugs(&dirs.posts_dir()).len();
    for n in 0..POSTS - have {
        let source = format!(
            "---\ntitle: An older post, number {n}\nslug: older-{n:02}\ndate: 2024-01-{:02}\nauthor: Test Fixture\n\
             tags: [archive]\nexcerpt: One of many.\n---\nBody {n}.\n",
            n + 1
        );
        std::fs::write(dirs.posts_dir().join(format!("older-{n:02}.md")), source).unwrap();
    }
    dirs
}

/// A server over [`paged_content`], with its pages prerendered.
async fn paged_server() -> TestServer {
    let dirs = paged_content();
    prerender(&dirs.config()).await;
    let config = dirs.config();
    spawn_in(dirs, config).await
}

/// The `href` of the page's `<a rel="…">`, if it has one.
fn link(html: &str, rel: &str) -> Option<String> {
    let needle = format!("rel=\"{rel}\"");
    html.split("<a ").skip(1).map(|tag| &tag[..tag.find('>').unwrap()]).find(|tag| tag.contains(&needle)).map(|tag| {
        attribute_values(tag, "href").pop().expect("the link has an href")
    })
}

#[tokio::test]
async fn every_list_strategy_serves_the_same_pages_linked_newer_to_older() {
    let server = paged_server().await;
    let newest_first: Vec<String> = server.state.posts.index().summaries().into_iter().map(|post| post.slug).collect();
    assert_eq!(newest_first.len(), POSTS);
    for base in LISTS {
        let mut listed = Vec::new();
        for number in 1..=3 {
            let path = list_page_path(base, number);
            let response = server.get(&path).await;
            assert_eq!(response.status, 200, "{path}");
            let html = response.text();
            let on_page = attribute_values(&html, "data-post-slug");
            assert_eq!(on_page.len(), if number < 3 { POSTS_PER_PAGE } else { 3 }, "{path}");
            listed.extend(on_page);
            assert_eq!(link(&html, "prev"), (number > 1).then(|| list_page_path(base, number - 1)), "{path}");
            assert_eq!(link(&html, "next"), (number < 3).then(|| list_page_path(base, number + 1)), "{path}");
        }
        assert_eq!(listed, newest_first, "{base}: every post once, newest first");
        for beyond in ["/page/4", "/page/1", "/page/02", "/page/0", "/page/two", "/page/2/3"] {
            let path = format!("{base}{beyond}");
            let response = server.get(&path).await;
            assert_eq!(response.status, 404, "{path}");
            assert!(response.text().contains("404: nothing here"), "{path}");
        }
    }
    assert!(!server.site().join("isr/page/4").exists(), "ISR stored no page for a number past the last"); // @demo
}

#[tokio::test]
async fn the_front_page_lists_the_newest_posts_and_links_to_the_older_ones() {
    let server = paged_server().await;
    let newest_first: Vec<String> = server.state.posts.index().summaries().into_iter().map(|post| post.slug).collect();
    let home = server.get("/").await;
    assert_eq!(home.status, 200);
    let html = home.text();
    assert_eq!(attribute_values(&html, "data-post-slug"), newest_first[..POSTS_PER_PAGE], "the first page of posts");
    assert_eq!(link(&html, "next"), Some(list_page_path(POSTS_PATH, 2)));
    assert_eq!(link(&html, "prev"), None);
}

#[tokio::test]
async fn the_api_serves_each_list_page_and_none_past_the_last() {
    let server = paged_server().await;
    let newest_first: Vec<String> = server.state.posts.index().summaries().into_iter().map(|post| post.slug).collect();
    let mut listed = Vec::new();
    for number in 1..=3 {
        let api = server.get(&format!("/api/posts/page?number={number}")).await;
        assert_eq!(api.status, 200);
        let page: Option<PostsPage> = serde_json::from_str(&api.text()).unwrap();
        let page = page.expect("a page of posts");
        assert_eq!((page.number, page.count), (number, 3));
        listed.extend(page.posts.into_iter().map(|post| post.slug));
    }
    assert_eq!(listed, newest_first, "every post once, newest first");
    let past_the_last: Option<PostsPage> = serde_json::from_str(&server.get("/api/posts/page?number=4").await.text()).unwrap();
    assert_eq!(past_the_last, None);
}

// @demo-begin
#[tokio::test]
async fn csr_sends_a_shell_for_each_list_page() {
    let server = paged_server().await;
    for number in 1..=3 {
        let path = list_page_path("/csr", number);
        let shell = server.get(&path).await;
        assert_eq!((shell.status, shell.header("x-render-strategy")), (200, Some("csr")), "{path}");
        assert!(attribute_values(&shell.text(), "data-post-slug").is_empty(), "{path}: the server sent no posts");
    }
    for beyond in ["/page/4", "/page/1", "/page/02", "/page/two", "/page/2/3"] {
        let path = format!("/csr{beyond}");
        assert_eq!(server.get(&path).await.status, 404, "{path}");
    }
}
// @demo-end

#[tokio::test]
async fn each_list_page_has_a_title_of_its_own_the_csr_shell_too() {
    let server = paged_server().await;
    for base in LISTS.into_iter().chain(["/csr"]) { // @demo
    // @minimal: for base in LISTS {
        for number in 1..=3 {
            let path = list_page_path(base, number);
            let html = server.get(&path).await.text();
            let title = &html[html.find("<title>").unwrap() + 7..html.find("</title>").unwrap()];
            assert_eq!(title.contains(", page "), number > 1, "{path}: {title}");
            assert!(number == 1 || title.contains(&format!(", page {number} ")), "{path}: {title}");
        }
    }
}

#[tokio::test]
async fn the_list_pages_are_prerendered_in_the_sitemap_and_work_from_a_plain_file_server() {
    let dirs = paged_content();
    prerender(&dirs.config()).await;
    for page in [
        "ssg/page/2", "ssg/page/3", "isr/page/3", "ppr/page/2", // @demo
        "posts/page/2", "posts/page/3",
    ] {
        assert!(dirs.site().join(page).join("index.html").is_file(), "{page} is written by the build");
    }
    assert!(!dirs.site().join("posts/page/4").exists());
    let sitemap = std::fs::read_to_string(dirs.site().join("sitemap.xml")).unwrap();
    let sitemap = roxmltree::Document::parse(&sitemap).unwrap();
    let listed: Vec<&str> = sitemap.descendants().filter(|n| n.has_tag_name("loc")).filter_map(|n| n.text()).collect();
    for page in [
        "/ssg/page/2", "/ssg/page/3", "/ssr/page/3", "/stream/page/2", "/csr/page/3", "/isr/page/3", "/ppr/page/3", // @demo
        "/posts/page/2", "/posts/page/3",
    ] {
        assert!(listed.iter().any(|url| url.ends_with(page)), "the sitemap lists {page}");
    }

    let files = PlainFileServer::start(dirs.site()).await;
    let page = files.get("/posts/page/3/").await;
    assert_eq!(page.status, 200);
    let html = page.text();
    assert_eq!(attribute_values(&html, "data-post-slug").len(), 3);
    assert_eq!(link(&html, "prev").as_deref(), Some("/posts/page/2"));
    assert_eq!(files.get("/posts/page/2/").await.status, 200);
}
