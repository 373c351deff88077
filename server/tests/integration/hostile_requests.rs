//! Odd and oversized requests get clean answers, nothing outside the site root
//! is ever served, and every response carries the security headers.

use crate::common::{attribute_values, every_page, request, spawn_built as spawn, RawResponse};
use crate::common::post_slugs; // @demo
use server::config::OUTPUT_NAME;

fn raw_get(path: &str, extra_headers: &str) -> String {
    format!("GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n{extra_headers}Connection: close\r\n\r\n")
}

#[tokio::test]
async fn traversal_and_malformed_paths_get_a_clean_404_and_nothing_outside_the_site_root() {
    let server = spawn().await;
    // A file right beside the site root: no path may reach it.
    let outside = server.site().parent().unwrap().join("secret.txt");
    std::fs::write(&outside, "TOP SECRET").unwrap();
    let paths = [
        "//",
        "//etc/passwd",
        "/..%2f..%2fetc/passwd",
        "/%2e%2e/%2e%2e/etc/passwd",
        "/pkg/%2e%2e/%2e%2e/secret.txt",
        "/pkg/..%2f..%2fsecret.txt",
        "/%00",
        "/posts/%00",
        "/posts/a%00b",
        "/pkg%252f..%252f..%252fsecret.txt",
        "/posts/..%252f..%252fsecret.txt",
        "/tags/%2e%2e/%2e%2e/secret.txt",
    ];
    for path in paths {
        let response = request(server.addr, &raw_get(path, "")).await;
        assert!((400..500).contains(&response.status), "{path} answered {}", response.status);
        let body = String::from_utf8_lossy(&response.body);
        assert!(!body.contains("TOP SECRET") && !body.contains("root:x:0:0"), "{path} served a file outside the root");
    }
    assert_eq!(server.get("/posts").await.status, 200, "the server is still up");
}

#[tokio::test]
async fn an_8_kib_path_gets_414_and_an_8_kib_header_gets_431() {
    let server = spawn().await;
    let long_path = format!("/{}", "a".repeat(8 * 1024));
    assert_eq!(request(server.addr, &raw_get(&long_path, "")).await.status, 414);
    let long_header = format!("X-Filler: {}\r\n", "b".repeat(8 * 1024));
    assert_eq!(request(server.addr, &raw_get("/posts", &long_header)).await.status, 431);
    assert_eq!(server.get("/posts").await.status, 200, "the server is still up");
}

#[tokio::test]
async fn every_write_endpoint_has_a_body_limit() {
    let server = spawn().await;
    // @demo-begin
    let slug = &post_slugs(&server.posts_dir())[0];
    let form = format!("slug={slug}");
    let fine = server.post("/api/views", &["Content-Type: application/x-www-form-urlencoded"], &form).await;
    assert_eq!(fine.status, 200, "a view is recorded: {}", String::from_utf8_lossy(&fine.body));
    // @demo-end
    let huge = format!("slug={}", "x".repeat(32 * 1024));
    let refused = server.post("/api/posts", &["Content-Type: application/x-www-form-urlencoded"], &huge).await;
    assert_eq!(refused.status, 413, "server functions refuse bodies above 16 KiB");
    let revalidate = server.post("/api/revalidate", &["Authorization: Bearer x"], &"y".repeat(5 * 1024)).await;
    assert_eq!(revalidate.status, 413, "revalidation refuses bodies above 4 KiB");
}

#[tokio::test]
async fn head_works_on_every_route() {
    let server = spawn().await;
    let pages = every_page(&server).into_iter().map(|(path, _)| path);
    let others = ["/posts/", "/api/posts", "/favicon.svg"].map(String::from);
    for path in pages.chain(others).chain([format!("/pkg/{OUTPUT_NAME}.css")]) {
        let path = path.as_str();
        let head = server.head(path).await;
        let get = server.get(path).await;
        assert_eq!(head.status, get.status, "HEAD {path}");
        assert!(head.body.is_empty(), "HEAD {path} has no body");
        assert_eq!(head.header("content-type"), get.header("content-type"), "HEAD {path}");
    }
    assert_eq!(server.head("/no/such/page").await.status, 404);
}

/// The `nonce-…` and `sha256-…` sources of a policy's `script-src`.
fn script_sources(policy: &str) -> (Option<String>, Vec<String>) {
    let scripts = policy.split(';').map(str::trim).find(|d| d.starts_with("script-src ")).expect("a script-src");
    let sources: Vec<&str> = scripts.split_whitespace().skip(1).map(|s| s.trim_matches('\'')).collect();
    let nonce = sources.iter().find_map(|s| s.strip_prefix("nonce-")).map(String::from);
    let hashes = sources.iter().filter_map(|s| s.strip_prefix("sha256-")).map(String::from).collect();
    assert!(!sources.contains(&"unsafe-inline"), "{policy}");
    (nonce, hashes)
}

/// Each inline script's opening tag and text.
fn inline_scripts(html: &str) -> Vec<(String, String)> {
    let mut scripts = Vec::new();
    let mut rest = html;
    while let Some(start) = rest.find("<script") {
        rest = &rest[start..];
        let tag_end = rest.find('>').unwrap();
        let tag = rest[..tag_end].to_string();
        rest = &rest[tag_end + 1..];
        let end = rest.find("</script>").unwrap();
        if !tag.contains(" src=") {
            scripts.push((tag, rest[..end].to_string()));
        }
        rest = &rest[end..];
    }
    scripts
}

fn assert_every_inline_script_is_allowed(path: &str, response: &RawResponse) {
    use base64::Engine as _;
    use sha2::Digest as _;
    let policy = response.header("content-security-policy").unwrap_or_else(|| panic!("{path} has a CSP"));
    let (nonce, hashes) = script_sources(policy);
    let html = response.text();
    let scripts = inline_scripts(&html);
    assert!(!scripts.is_empty(), "{path} has inline scripts to check");
    for (tag, text) in scripts {
        let by_nonce = nonce.as_ref().is_some_and(|nonce| attribute_values(&tag, "nonce").contains(nonce));
        let hash = base64::engine::general_purpose::STANDARD.encode(sha2::Sha256::digest(text.as_bytes()));
        assert!(by_nonce || hashes.contains(&hash), "{path}: a script the policy does not allow: {tag}>{text}");
    }
}

#[tokio::test]
async fn every_response_carries_the_security_headers_and_leaks_no_version() {
    let server = spawn().await;
    let mut pages: Vec<String> = every_page(&server).into_iter().map(|(path, _)| path).collect();
    pages.extend(["/posts/nope", "/no/such/page"].map(String::from));
    let others = ["/api/posts".to_string(), "/favicon.svg".to_string(), format!("/pkg/{OUTPUT_NAME}.css")];
    for path in pages.iter().chain(&others) {
        let response = server.get(path).await;
        assert_eq!(response.header("x-content-type-options"), Some("nosniff"), "{path}");
        assert_eq!(response.header("referrer-policy"), Some("strict-origin-when-cross-origin"), "{path}");
        assert_eq!(response.header("server"), None, "{path} names no server");
        assert_eq!(response.header("x-powered-by"), None, "{path}");
    }
    for path in &pages {
        let response = server.get(path).await;
        assert_every_inline_script_is_allowed(path, &response);
        let policy = response.header("content-security-policy").unwrap();
        for directive in ["default-src 'self'", "object-src 'none'", "base-uri 'none'", "frame-ancestors 'self'"] {
            assert!(policy.contains(directive), "{path}: {policy}");
        }
        // Only `make dev` lets a page open a socket (see live_reload.rs).
        assert!(!policy.contains("connect-src"), "{path}: {policy}");
    }
}

#[tokio::test]
async fn page_files_dotfiles_and_temp_files_are_not_served_around_their_strategy() {
    let server = spawn().await;
    std::fs::write(server.site().join(".env"), "SECRET=1").unwrap();
    // What a write killed half-way leaves: a dotfile beside the page.
    std::fs::write(server.site().join("posts/.index.html.123-0.tmp"), "torn").unwrap();
    let around = [
        "/isr/", "/isr/index.html", "/ppr/", "/ppr/index.html", // @demo
        "/posts/index.html", "/posts/index.html.br", "/404.html", "/index.html",
        "/.env", "/%2eenv", "/posts/.index.html.123-0.tmp",
    ];
    for path in around {
        let response = server.get(path).await;
        assert_eq!(response.status, 404, "{path}");
        assert!(response.header("content-security-policy").is_some(), "{path} carries the security headers");
        let body = response.text();
        assert!(!body.contains("SECRET") && !body.contains("torn"), "{path}");
    }
    let robots = server.get("/robots.txt").await;
    assert_eq!(robots.status, 200, "a plain file is still served");
    assert_eq!(robots.header("x-content-type-options"), Some("nosniff"));

    let restarted = server.restart().await;
    assert!(!restarted.site().join("posts/.index.html.123-0.tmp").exists(), "a restart clears what a killed write left");
    assert!(restarted.site().join(".env").exists(), "and nothing else");
}

#[tokio::test]
async fn a_write_from_another_site_is_refused_and_one_from_this_site_is_not() {
    let server = spawn().await;
    // @demo-begin
    let slug = &post_slugs(&server.posts_dir())[0];
    let view = |headers: &'static [&'static str]| {
        let server = &server;
        async move { server.view(slug, headers).await.status }
    };
    assert_eq!(view(&["Sec-Fetch-Site: cross-site"]).await, 403, "a form on another site");
    assert_eq!(view(&["Origin: https://evil.example"]).await, 403, "another origin, from a browser without Sec-Fetch-Site");
    assert_eq!(view(&["Origin: null"]).await, 403, "an opaque origin");
    assert_eq!(view(&["Sec-Fetch-Site: same-origin"]).await, 200, "this site's own island");
    assert_eq!(view(&["Origin: http://127.0.0.1"]).await, 200, "this origin");
    assert_eq!(view(&[]).await, 200, "no browser at all");
    // @demo-end
    let revalidate = server.post("/api/revalidate", &["Sec-Fetch-Site: cross-site", "Authorization: Bearer x"], "{}").await;
    assert_eq!(revalidate.status, 403, "revalidation is a write too");
}

#[tokio::test]
async fn the_api_answers_a_browser_that_accepts_html_as_an_api_never_with_a_redirect() {
    let server = spawn().await;
    let slug = &post_slugs(&server.posts_dir())[0]; // @demo
    let html_referer = "Accept: text/html\r\nReferer: javascript:alert(1)\r\n";
    let posts = request(server.addr, &raw_get("/api/posts", html_referer)).await;
    assert_eq!(posts.status, 200);
    assert_eq!(posts.header("location"), None);
    assert!(posts.header("content-type").is_some_and(|t| t.starts_with("application/json")), "{:?}", posts.header("content-type"));
    // @demo-begin
    let view = server
        .post(
            "/api/views",
            &["Content-Type: application/x-www-form-urlencoded", "Accept: text/html", "Referer: https://evil.example/"],
            &format!("slug={slug}"),
        )
        .await;
    assert_eq!((view.status, view.header("location")), (200, None));
    // @demo-end
}

#[tokio::test]
async fn an_api_call_the_server_cannot_read_is_the_clients_mistake_with_its_own_status() {
    let server = spawn().await;
    let unread = server.get("/api/post").await;
    assert_eq!(unread.status, 400, "a call without its argument: {}", unread.text());
    assert!(unread.header("content-type").is_some_and(|t| t.starts_with("text/plain")));
    // @demo-begin
    let form = |body: &str| {
        let (server, body) = (&server, body.to_string());
        async move { server.post("/api/views", &["Content-Type: application/x-www-form-urlencoded"], &body).await }
    };
    let slug = &post_slugs(&server.posts_dir())[0];
    assert_eq!(form(&format!("slug={slug}")).await.status, 200);
    for (body, status) in [("other=1", 400), (&format!("slug={slug}&slug={slug}"), 400), ("slug=no-such-post", 404)] {
        let response = form(body).await;
        assert_eq!(response.status, status, "{body}: {}", response.text());
        assert!(response.header("content-type").is_some_and(|t| t.starts_with("text/plain")), "{body}");
        assert!(response.body.len() < 200, "a short body: {}", response.text());
    }

    let chunk = format!("slug={}", "x".repeat(32 * 1024));
    let chunked = format!(
        "POST /api/views HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\
         Content-Type: application/x-www-form-urlencoded\r\nTransfer-Encoding: chunked\r\n\r\n{:x}\r\n{chunk}\r\n0\r\n\r\n",
        chunk.len()
    );
    assert_eq!(request(server.addr, &chunked).await.status, 413, "a chunked body over 16 KiB");
    // @demo-end

    let unknown = server.get("/api/no-such-function").await;
    assert_eq!(unknown.status, 404);
    assert!(unknown.header("content-type").is_some_and(|t| t.starts_with("text/plain")));
    assert!(!unknown.text().contains("register_explicit"), "nothing of Leptos's internals: {}", unknown.text());
}
