//! Posts whose every field tries to break out of its HTML, attribute, script or
//! comment context (`end2end/fixtures/hostile-content`): on every route, the
//! bytes the server sends keep all of it inert. The same corpus is loaded in
//! Chromium by `end2end/tests/hostile_content.test.js`.

use crate::common::{prerender, spawn_in, TestDirs};
use std::path::Path;

/// What must never appear raw in a page: each would start markup or script
/// that the content, not the server, wrote.
const RAW_PAYLOADS: [&str; 9] = [
    "</title><script",
    "<script>window.__pwned",
    "</script><script>",
    "<img src=x onerror",
    "<img src=\"x\" onerror",
    "<a href=\"javascript:",
    "<img src=\"javascript:",
    "<a href=\"vbscript:",
    "<iframe srcdoc",
];

#[tokio::test]
async fn hostile_posts_are_inert_in_every_route() {
    let corpus = Path::new(env!("CARGO_MANIFEST_DIR")).join("../end2end/fixtures/hostile-content");
    let dirs = TestDirs::with_extra_posts(&corpus);
    let config = dirs.config();
    prerender(&config).await;
    let server = spawn_in(dirs, config).await;

    // @demo-begin
    for slug in ["hostile-markup", "long-unicode"] {
        let recorded = server.view(slug, &[]).await;
        assert_eq!(recorded.status, 200, "a view of {slug} is recorded, so the holes list it");
    }
    // @demo-end
    let routes = [
        "/ssg", "/ssr", "/stream", "/csr", "/isr", "/ppr", // @demo
        "/", "/posts", "/posts/hostile-markup", "/posts/long-unicode",
    ];
    for path in routes {
        let response = server.get(path).await;
        assert_eq!(response.status, 200, "{path}");
        let html = response.text();
        for payload in RAW_PAYLOADS {
            assert!(!html.contains(payload), "{path} sends {payload:?} raw");
        }
        assert!(!html.contains('\u{2028}') || !script_texts(&html).iter().any(|s| s.contains('\u{2028}')), "{path}: U+2028 inside a script");
    }
    // The lists (and the demo's holes) do show the hostile title, as text.
    let list = server.get("/posts").await.text();
    assert!(list.contains("&lt;script&gt;window.__pwned='title'&lt;/script&gt;"), "the title is shown, escaped");
    let stream = server.get("/stream").await.text(); // @demo
    assert!(stream.contains("data-leaderboard-slug=\"hostile-markup\""), "the holes list the hostile post"); // @demo
    let post = server.get("/posts/hostile-markup").await.text();
    assert!(post.contains("&lt;script&gt;window.__pwned = 'body-script'&lt;/script&gt;"), "raw HTML in the body is shown as text");

    // The feed and the sitemap stay well-formed XML, with the title as text.
    let feed = server.get("/feed.xml").await.text();
    let feed = roxmltree::Document::parse(&feed).expect("the feed parses with hostile posts in it");
    let titles: Vec<&str> = feed.descendants().filter(|n| n.has_tag_name("title")).filter_map(|n| n.text()).collect();
    assert!(titles.iter().any(|t| t.starts_with("<script>window.__pwned='title'</script>")), "{titles:?}");
    roxmltree::Document::parse(&server.get("/sitemap.xml").await.text()).expect("the sitemap parses");

    // The API is JSON, which browsers won't sniff as HTML.
    let api = server.get("/api/posts").await;
    assert!(api.header("content-type").unwrap().starts_with("application/json"));
    assert_eq!(api.header("x-content-type-options"), Some("nosniff"));
}

fn script_texts(html: &str) -> Vec<&str> {
    html.split("<script").skip(1).filter_map(|rest| rest.split_once('>')?.1.split("</script>").next()).collect()
}
