//! `make dev`'s server (`LEPTOS_WATCH`, `Config::reload_port`): its pages may
//! connect to the reload socket, and none of the site's files is taken from a
//! cache unchecked. The production policy, which allows no socket, is checked with
//! every other security header in `hostile_requests.rs`.

use crate::common::*;

#[tokio::test]
async fn a_dev_server_allows_the_reload_socket_and_no_stale_bundle() {
    let dirs = TestDirs::new();
    let config = server::config::Config { reload_port: Some(4123), ..dirs.config() };
    prerender(&config).await;
    let server = spawn_in(dirs, config).await;
    for (path, _) in every_page(&server) {
        let response = server.get(&path).await;
        let policy = response.header("content-security-policy").unwrap_or_else(|| panic!("{path} has a CSP"));
        assert!(policy.ends_with("; connect-src 'self' ws://127.0.0.1:4123 ws://localhost:4123"), "{path}: {policy}");
    }
    let stylesheet = format!("pkg/{}.css", server::config::OUTPUT_NAME);
    std::fs::create_dir_all(server.site().join("pkg")).unwrap();
    std::fs::write(server.site().join(&stylesheet), "main { color: black }").unwrap();
    let response = server.get(&format!("/{stylesheet}")).await;
    assert_eq!(response.status, 200);
    assert_eq!(response.header("cache-control"), Some("no-cache"));
    assert_eq!(server.get("/ssr").await.header("cache-control"), Some("no-store"), "a page keeps its own caching"); // @demo
}
