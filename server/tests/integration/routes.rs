//! Every route's contract, against the real server: status, markers, headers.

use crate::common::{copy_of_content, every_page, post_slugs, spawn_built as spawn};
use crate::common::{attribute_values, generated_at_values, post_titles}; // @demo
use server::config::OUTPUT_NAME; // @demo
use std::time::{Duration, Instant};

// @demo-begin
fn escape_text(text: &str) -> String {
    text.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;")
}

fn is_rfc3339_utc(value: &str) -> bool {
    time::OffsetDateTime::parse(value, &time::format_description::well_known::Rfc3339)
        .is_ok_and(|at| at.offset().is_utc())
}
// @demo-end

fn assert_page_markers(html: &str, strategy: &str) {
    assert!(
        html.contains(&format!("<html lang=\"en\" data-render-strategy=\"{strategy}\"")),
        "the root element says {strategy}"
    );
    // @demo-begin
    let stamps = generated_at_values(html);
    assert!(!stamps.is_empty(), "the page carries a generated-at stamp");
    assert!(stamps.iter().all(|s| is_rfc3339_utc(s)), "stamps are RFC 3339 UTC: {stamps:?}");
    assert!(html.contains("HTML generated at"), "the stamp is visible");
    // @demo-end
}

// @demo-begin
#[tokio::test]
async fn home_page_maps_every_strategy_in_its_tree_and_its_table() {
    let server = spawn().await;
    let response = server.get("/").await;
    assert_eq!(response.status, 200);
    assert_eq!(response.header("x-render-strategy"), Some("ssg"), "the home page is prerendered");
    let html = response.text();
    assert_page_markers(&html, "ssg");
    for strategy in ["ssg", "ssr", "stream", "csr", "isr", "ppr"] {
        assert!(html.contains(&format!("data-strategy=\"{strategy}\"")), "the table has a row for {strategy}");
        assert!(html.contains(&format!("data-decision=\"{strategy}\"")), "the decision tree ends in {strategy}");
    }
    assert!(html.contains("Who generates the HTML?"), "the tree asks who");
    assert!(html.contains("<title>"), "leptos_meta sets the title");
}
// @demo-end

/// `name;desc=…;dur=…` entries, checked: every duration parses and is not negative.
fn server_timing_entries(header: &str) -> Vec<(String, Option<f64>, Option<String>)> {
    header
        .split(',')
        .map(|entry| {
            let mut params = entry.trim().split(';');
            let name = params.next().unwrap().trim().to_string();
            assert!(!name.is_empty() && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '-'), "{header}");
            let (mut duration, mut description) = (None, None);
            for param in params {
                match param.trim().split_once('=') {
                    Some(("dur", value)) => {
                        let ms: f64 = value.parse().unwrap_or_else(|_| panic!("dur is a number in {header}"));
                        assert!(ms >= 0.0 && ms.is_finite(), "{header}");
                        duration = Some(ms);
                    }
                    Some(("desc", value)) => description = Some(value.to_string()),
                    _ => panic!("unexpected parameter {param:?} in {header}"),
                }
            }
            (name, duration, description)
        })
        .collect()
}

#[tokio::test]
async fn every_html_route_names_its_strategy_and_times_itself() {
    let server = spawn().await;
    let mut routes: Vec<(String, &str)> =
        every_page(&server).into_iter().map(|(path, strategy)| (path, strategy.as_str())).collect();
    routes.extend([("/posts/no-such-post".to_string(), "ssg"), ("/no/such/page".to_string(), "ssr")]);
    for (path, strategy) in routes {
        let path = path.as_str();
        let response = server.get(path).await;
        assert_eq!(response.header("x-render-strategy"), Some(strategy), "{path}");
        assert!(response.header("content-type").unwrap().starts_with("text/html"), "{path}");
        let timing = response.header("server-timing").unwrap_or_else(|| panic!("{path} has Server-Timing"));
        let entries = server_timing_entries(timing);
        let phases: Vec<&str> = entries.iter().filter(|e| e.1.is_some()).map(|e| e.0.as_str()).collect();
        let expected = match strategy {
            "ssg" | "ppr" => "file",
            "stream" => "shell",
            "isr" => "file",
            _ => "render",
        };
        assert!(phases.contains(&expected), "{path}: {timing} has {expected}");
        if matches!(strategy, "ssr" | "stream" | "csr") {
            assert!(phases.contains(&"data"), "{path}: {timing} says how long data took");
        }
        if strategy == "isr" {
            let cache = response.header("x-isr-cache").expect("x-isr-cache");
            assert!(["miss", "fresh", "stale"].contains(&cache));
            let described = entries.iter().find(|e| e.0 == "cache").and_then(|e| e.2.clone());
            assert_eq!(described.as_deref(), Some(cache), "Server-Timing repeats the cache state, for devtools");
        }
        assert_page_markers(&response.text(), strategy);
    }
}

// @demo-begin
#[tokio::test]
async fn ssr_renders_every_post_with_a_per_request_timestamp() {
    let server = spawn().await;
    let first = server.get("/ssr").await;
    tokio::time::sleep(Duration::from_millis(5)).await;
    let second = server.get("/ssr").await;

    for response in [&first, &second] {
        assert_eq!(response.status, 200);
        assert_eq!(response.header("x-render-strategy"), Some("ssr"));
        assert_eq!(response.header("cache-control"), Some("no-store"));
        let timing = response.header("server-timing").expect("a Server-Timing header");
        assert!(timing.starts_with("data;dur=") && timing.contains(", render;dur="), "{timing}");
        assert_page_markers(&response.text(), "ssr");
    }
    let html = first.text();
    let mut slugs = attribute_values(&html, "data-post-slug");
    let mut expected = post_slugs(&server.posts_dir());
    slugs.sort();
    expected.sort();
    assert_eq!(slugs, expected, "every post is listed once");
    for title in post_titles(&server.posts_dir()) {
        assert!(html.contains(&escape_text(&title)), "the list shows {title:?}");
    }
    assert!(!attribute_values(&html, "data-tag-filter").is_empty(), "tag filter buttons are rendered");
    assert_ne!(
        generated_at_values(&first.text()),
        generated_at_values(&second.text()),
        "each request renders anew"
    );
}

#[tokio::test]
async fn csr_shell_has_no_post_in_its_html() {
    let server = spawn().await;
    let response = server.get("/csr").await;
    assert_eq!(response.status, 200);
    assert_eq!(response.header("x-render-strategy"), Some("csr"));
    assert_eq!(response.header("cache-control"), Some("no-store"));
    let html = response.text();
    assert!(html.contains("data-render-strategy=\"csr\""));
    assert_eq!(generated_at_values(&html).len(), 1, "the shell's own stamp");
    let app_root = html.split("<div id=\"app\">").nth(1).and_then(|rest| rest.split("</div>").next());
    assert_eq!(app_root, Some("<!>"), "the app root holds only Leptos's empty marker: {html}");
    assert!(!html.contains("data-post-slug"), "no post is rendered by the server");
    for title in post_titles(&server.posts_dir()) {
        assert!(!html.contains(&escape_text(&title)), "View Source must not show {title:?}");
    }
    assert!(html.contains(&format!("/pkg/{OUTPUT_NAME}-csr.js")), "the shell loads the CSR bundle");
    assert!(!html.contains(&format!("/pkg/{OUTPUT_NAME}.js")), "and not the islands bundle");
}
// @demo-end

#[tokio::test]
async fn api_lists_posts_newest_first_without_bodies() {
    let server = spawn().await;
    let response = server.get("/api/posts").await;
    assert_eq!(response.status, 200);
    assert!(response.header("content-type").unwrap_or_default().starts_with("application/json"));
    let posts: Vec<serde_json::Value> = serde_json::from_slice(&response.body).expect("JSON");
    assert_eq!(posts.len(), post_slugs(&server.posts_dir()).len());
    for post in &posts {
        for field in ["slug", "title", "date", "author", "tags", "excerpt"] {
            assert!(post.get(field).is_some(), "{field} is present in {post}");
        }
        assert!(post.get("body_html").is_none(), "no bodies in the list");
    }
    let dates: Vec<&str> = posts.iter().map(|p| p["date"].as_str().unwrap()).collect();
    let mut sorted = dates.clone();
    sorted.sort_by(|a, b| b.cmp(a));
    assert_eq!(dates, sorted, "newest first");
}

#[tokio::test]
async fn a_post_page_renders_its_markdown() {
    let server = spawn().await;
    let slug = post_slugs(&server.posts_dir()).remove(0);
    let response = server.get(&format!("/posts/{slug}")).await;
    assert_eq!(response.status, 200);
    assert_eq!(response.header("x-render-strategy"), Some("ssg"));
    let html = response.text();
    assert_page_markers(&html, "ssg");
    let article = html.split("<article").nth(1).expect("an <article>");
    assert!(article.split('>').next().unwrap().contains(&format!("data-post-slug=\"{slug}\"")));
    assert!(html.contains("<div class=\"post-body\"><"), "the Markdown body is rendered as HTML");
}

#[tokio::test]
async fn unknown_slugs_and_paths_get_the_404_page() {
    let server = spawn().await;
    for path in ["/posts/no-such-post", "/no/such/page", "/posts/page/2/extra"] {
        let response = server.get(path).await;
        assert_eq!(response.status, 404, "{path}");
        let html = response.text();
        assert!(html.contains("404: nothing here"), "{path} shows the 404 page");
    }
}

#[tokio::test]
async fn head_requests_get_headers_without_a_body() {
    let server = spawn().await;
    for path in [
        "/ssr", "/csr", // @demo
        "/", "/posts", "/api/posts",
    ] {
        let response = server.head(path).await;
        assert_eq!(response.status, 200, "{path}");
        assert!(response.body.is_empty(), "{path}");
    }
}

#[tokio::test]
async fn files_in_the_site_root_are_served_as_they_are() {
    let server = spawn().await;
    std::fs::create_dir_all(server.site().join("pkg")).unwrap();
    std::fs::write(server.site().join("pkg/blog.css"), "body{}").unwrap();
    let response = server.get("/pkg/blog.css").await;
    assert_eq!(response.status, 200);
    assert_eq!(response.body, b"body{}");
    assert_eq!(server.get("/pkg/missing.js").await.status, 404);
}

#[tokio::test]
async fn an_edited_post_shows_without_a_restart() {
    let server = spawn().await;
    let live = "/ssr"; // @demo
    // @minimal: let live = "/api/posts";
    let slug = post_slugs(&server.posts_dir()).remove(0);
    let path = server.posts_dir().join(format!("{slug}.md"));
    let source = std::fs::read_to_string(&path).unwrap();
    // @demo-begin
    // Rendered once before the edit, so that the post's list page is in the index's cache.
    assert!(server.get("/ssr").await.text().contains(&format!("data-post-slug=\"{slug}\"")));
    // @demo-end
    let edited = source.replacen("title:", "title: Edited live,", 1);
    std::fs::write(&path, edited).unwrap();

    let deadline = Instant::now() + Duration::from_secs(5);
    loop {
        if server.get(live).await.text().contains("Edited live,") {
            break;
        }
        assert!(Instant::now() < deadline, "the edit never showed on {live}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

#[tokio::test]
async fn a_broken_edit_keeps_the_last_good_version() {
    let server = spawn().await;
    let slug = post_slugs(&server.posts_dir()).remove(0);
    let path = server.posts_dir().join(format!("{slug}.md"));
    std::fs::write(&path, "---\ntitle: Half-typed edit\n").unwrap();
    assert!(!server.refresh_posts().await, "a refresh that reads the broken file changes nothing");
    let html = server.get("/ssr").await.text(); // @demo
    // @minimal: let html = server.get("/api/posts").await.text();
    assert!(html.contains(&slug), "the last good version is still listed");
    assert!(!html.contains("Half-typed edit"));
    assert_eq!(server.get(&format!("/posts/{slug}")).await.status, 200);
}

#[tokio::test]
async fn broken_content_fails_startup_naming_file_and_line() {
    let content = copy_of_content();
    std::fs::write(content.path().join("posts/broken.md"), "---\ntitle: x\nslug: broken\ndate: someday\nauthor: a\nexcerpt: e\n---\n").unwrap();
    let site_root = crate::common::TempDir::new().unwrap();
    let config = server::config::Config::for_test(site_root.path().into(), content.path().into());
    let error = server::Server::bind(config).await.err().expect("startup fails").to_string();
    assert!(error.contains("posts/broken.md:4: date `someday`"), "{error}");
}

#[tokio::test]
async fn the_route_table_and_the_apps_routes_name_the_same_paths() {
    server::owners::init_executor();
    let mut routed: Vec<String> = leptos_axum::generate_route_list(app::App).iter().map(|route| route.path().to_string()).collect();
    let mut table: Vec<String> = server::routes::PAGES.iter().map(|page| page.path.to_string()).collect();
    routed.sort();
    routed.dedup();
    table.sort();
    assert_eq!(routed, table, "every <Route> of app::App has its line in PAGES, and every line its <Route>");
}
