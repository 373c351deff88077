//! PPR: the prerendered shell from disk, byte for byte, then the holes, on one response.
//!
//! @demo-file: tests of the demo's routes

use crate::common::{prerender, request, spawn_in, RawResponse, TestDirs, TestServer};
use std::time::Duration;

const LATENCY: Duration = Duration::from_millis(300);

async fn spawn_ppr(configure: impl FnOnce(&mut server::config::Config)) -> TestServer {
    let dirs = TestDirs::new();
    let mut config = dirs.config();
    configure(&mut config);
    prerender(&config).await;
    spawn_in(dirs, config).await
}

fn shell_file(server: &TestServer) -> Vec<u8> {
    std::fs::read(server.site().join("ppr/index.html")).expect("make build wrote the shell")
}

/// The part of the response after the shell: one script per hole.
fn after_shell(response: &RawResponse, shell: &[u8]) -> String {
    assert!(response.body.starts_with(shell), "the response starts with the shell file, byte for byte");
    String::from_utf8(response.body[shell.len()..].to_vec()).unwrap()
}

#[tokio::test]
async fn the_shell_file_is_sent_unchanged_then_the_holes_in_completion_order() {
    let server = spawn_ppr(|config| config.demo_latency = LATENCY).await;
    let shell = shell_file(&server);
    let shell_text = String::from_utf8_lossy(&shell);
    assert!(shell_text.contains("data-post-slug"), "the shell has the post list");
    assert!(shell_text.contains("data-hole-skeleton"), "the shell has the holes' skeletons");
    assert!(shell_text.contains("window.__pprFill="), "the shell defines the resolver");

    let response = server.get("/ppr").await;
    assert_eq!(response.status, 200);
    assert_eq!(response.header("x-render-strategy"), Some("ppr"));
    assert_eq!(response.header("cache-control"), Some("no-store"));
    assert!(response.header("server-timing").unwrap().starts_with("file;dur="));
    let holes = after_shell(&response, &shell);
    assert_eq!(holes.matches("\">__pprFill(").count(), 2, "one script per hole: {holes}");
    let policy = response.header("content-security-policy").unwrap();
    let nonce = policy.split("'nonce-").nth(1).and_then(|rest| rest.split('\'').next()).expect("a nonce for the fills");
    assert_eq!(holes.matches(&format!("<script nonce=\"{nonce}\">__pprFill(")).count(), 2, "each fill carries the policy's nonce");

    assert!(response.reads[0].at < LATENCY / 2, "the first byte came after {:?}", response.reads[0].at);
    let trending = response.arrival_of("__pprFill(\"trending\"");
    let today = response.arrival_of("__pprFill(\"most-viewed-today\"");
    assert!(trending >= LATENCY && today >= LATENCY * 2, "{trending:?} {today:?}");
    assert!(trending < today, "completion order, not page order");
    assert!(holes.find("\"trending\"") < holes.find("\"most-viewed-today\""));
    eprintln!(
        "ppr chunk timeline (ms): {}",
        response.reads.iter().map(|r| format!("{}:{}B", r.at.as_millis(), r.bytes.len())).collect::<Vec<_>>().join(" ")
    );
}

#[tokio::test]
async fn the_shell_has_a_slot_for_each_of_its_holes_and_nothing_else_reads_as_one() {
    let server = spawn_ppr(|_| {}).await;
    let shell = server::page_files::StaticPage::new(shell_file(&server).into());
    let live: Vec<&str> = app::components::HOLES.iter().map(|hole| hole.id).collect();
    assert_eq!(&*shell.holes, live, "the slots the server fills are the live holes, in page order");
}

#[tokio::test]
async fn the_shell_is_identical_across_requests_and_a_restart_while_the_holes_change() {
    let server = spawn_ppr(|_| {}).await;
    let shell = shell_file(&server);
    let first = server.get("/ppr").await;
    tokio::time::sleep(Duration::from_millis(5)).await;
    let second = server.get("/ppr").await;
    let (first_holes, second_holes) = (after_shell(&first, &shell), after_shell(&second, &shell));
    assert_ne!(first_holes, second_holes, "each request renders its holes anew (their stamps differ)");
    let server = server.restart().await;
    after_shell(&server.get("/ppr").await, &shell);
}

#[tokio::test]
async fn hostile_post_data_cannot_break_out_of_a_hole_script() {
    let dirs = TestDirs::new();
    let hostile_title = "</script><script>window.__pwned=1</script><!-- \u{2028} x";
    std::fs::write(
        dirs.posts_dir().join("hostile.md"),
        format!("---\ntitle: {hostile_title}\nslug: hostile\ndate: 2026-01-01\nauthor: Mallory\ntags: [xss]\nexcerpt: e\n---\nbody\n"),
    )
    .unwrap();
    let config = dirs.config();
    prerender(&config).await;
    let server = spawn_in(dirs, config).await;
    let recorded = server.view("hostile", &[]).await;
    assert_eq!(recorded.status, 200);

    let shell = shell_file(&server);
    let holes = after_shell(&server.get("/ppr").await, &shell);
    assert_eq!(holes.matches("<script").count(), 2, "no script was injected: {holes}");
    assert_eq!(holes.matches("</script>").count(), 2, "no script was closed early: {holes}");
    assert!(!holes.contains("<!--") && !holes.contains('\u{2028}'), "{holes}");
    assert!(holes.contains("hostile"), "the hostile post is in the hole, inert");
}

#[tokio::test]
async fn a_slow_hole_times_out_into_its_error_state_and_the_response_ends() {
    let server = spawn_ppr(|config| {
        config.demo_latency = Duration::from_millis(400);
        config.ppr_hole_timeout = Duration::from_millis(100);
    })
    .await;
    let shell = shell_file(&server);
    let response = server.get("/ppr").await;
    let holes = after_shell(&response, &shell);
    assert_eq!(holes.matches("data-hole-error").count(), 2, "{holes}");
    assert!(holes.contains("no data within 100 ms"));
    assert!(response.reads.last().unwrap().at < Duration::from_millis(400), "the response ended at the timeout");
}

#[tokio::test]
async fn an_http_1_0_client_gets_one_complete_response() {
    let server = spawn_ppr(|config| config.demo_latency = Duration::from_millis(50)).await;
    let shell = shell_file(&server);
    let response = request(server.addr, "GET /ppr HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n").await;
    assert_eq!(response.status, 200);
    assert_eq!(response.header("transfer-encoding"), None);
    let length: usize = response.header("content-length").expect("a Content-Length").parse().unwrap();
    assert_eq!(length, response.body.len());
    assert_eq!(after_shell(&response, &shell).matches("\">__pprFill(").count(), 2);
}
