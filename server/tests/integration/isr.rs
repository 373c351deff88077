//! ISR: a file with a staleness clock, regenerated once in the background.
//!
//! @demo-file: tests of the demo's routes

use crate::common::{edit_post, eventually, generated_at_values, post_slugs, spawn_in, TestDirs, TestServer};
use std::{
    collections::BTreeSet,
    sync::Arc,
    time::{Duration, Instant, SystemTime},
};

const TOKEN: &str = "test-token";

async fn spawn_isr(window: Duration) -> TestServer {
    let dirs = TestDirs::new();
    let mut config = dirs.config();
    config.isr_window = window;
    config.revalidate_token = Some(TOKEN.into());
    spawn_in(dirs, config).await
}

fn stamp(html: &str) -> String {
    generated_at_values(html).remove(0)
}

#[tokio::test]
async fn a_cold_page_is_a_miss_then_fresh_then_stale_then_fresh_with_the_edit() {
    let server = spawn_isr(Duration::from_secs(1)).await;
    let first = server.get("/isr").await;
    assert_eq!(first.status, 200);
    assert_eq!(first.header("x-isr-cache"), Some("miss"));
    assert_eq!(first.header("x-render-strategy"), Some("isr"));
    assert_eq!(first.header("cache-control"), Some("s-maxage=1, stale-while-revalidate"));
    assert!(first.text().contains("data-render-strategy=\"isr\""));
    let fresh = server.get("/isr").await;
    assert_eq!(fresh.header("x-isr-cache"), Some("fresh"));
    assert_eq!(stamp(&fresh.text()), stamp(&first.text()));

    let slug = post_slugs(&server.posts_dir()).remove(0);
    edit_post(&server.posts_dir(), &slug, "title: ", "title: Retitled ");
    eventually(Duration::from_secs(5), "the edit shows on /ssr", || async {
        server.get("/ssr").await.text().contains("Retitled ")
    })
    .await;
    assert!(!server.get("/isr").await.text().contains("Retitled "), "within the window ISR keeps its page");

    tokio::time::sleep(Duration::from_millis(1100)).await;
    let stale = server.get("/isr").await;
    assert_eq!(stale.header("x-isr-cache"), Some("stale"));
    assert!(!stale.text().contains("Retitled "), "the stale page is served once more");
    eventually(Duration::from_secs(5), "the regenerated page is served", || async {
        let response = server.get("/isr").await;
        response.header("x-isr-cache") == Some("fresh") && response.text().contains("Retitled ")
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_hundred_requests_after_expiry_trigger_exactly_one_regeneration() {
    // A window long enough that the new page can't turn stale again while the
    // burst is still being answered on a busy machine.
    let server = Arc::new(spawn_isr(Duration::from_secs(3)).await);
    let cold = server.get("/isr").await;
    assert_eq!(server.state.isr.regenerations(), 1);
    tokio::time::sleep(Duration::from_millis(3100)).await;

    let burst: Vec<_> = (0..200)
        .map(|_| {
            let server = server.clone();
            tokio::spawn(async move { server.get("/isr").await })
        })
        .collect();
    let mut stamps = BTreeSet::new();
    for request in burst {
        let response = request.await.unwrap();
        assert_eq!(response.status, 200);
        stamps.insert(stamp(&response.text()));
    }
    eventually(Duration::from_secs(5), "the regeneration finishes", || async {
        server.get("/isr").await.header("x-isr-cache") == Some("fresh")
    })
    .await;
    assert_eq!(server.state.isr.regenerations(), 2, "one cold render, then exactly one regeneration");
    stamps.insert(stamp(&server.get("/isr").await.text()));
    assert!(stamps.contains(&stamp(&cold.text())));
    assert!(stamps.len() <= 2, "only the old and the one new page were ever served: {stamps:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_hammering_reader_never_sees_an_empty_or_torn_page() {
    // A zero window makes every hit stale, so regenerations run back to back.
    let server = Arc::new(spawn_isr(Duration::ZERO).await);
    let reference = server.get("/isr").await.body.len();
    let deadline = Instant::now() + Duration::from_millis(1500);
    let readers: Vec<_> = (0..4)
        .map(|_| {
            let server = server.clone();
            tokio::spawn(async move {
                let mut reads = 0;
                while Instant::now() < deadline {
                    let response = server.get("/isr").await;
                    let html = response.text();
                    assert_eq!(response.status, 200);
                    assert!(html.trim_end().ends_with("</html>") || html.contains("</html><script"), "a whole page");
                    assert!(response.body.len() + 64 >= reference, "not truncated: {} vs {reference}", response.body.len());
                    reads += 1;
                }
                reads
            })
        })
        .collect();
    let mut total = 0;
    for reader in readers {
        total += reader.await.unwrap();
    }
    assert!(server.state.isr.regenerations() > 3, "regenerations ran during the reads");
    assert!(total > 20, "the readers hammered: {total} reads");
}

#[tokio::test]
async fn a_broken_edit_keeps_serving_the_last_good_page() {
    let server = spawn_isr(Duration::from_millis(300)).await;
    let slug = post_slugs(&server.posts_dir()).remove(0);
    let good = server.get("/isr").await.text();
    assert!(good.contains(&format!("data-post-slug=\"{slug}\"")));
    std::fs::write(server.posts_dir().join(format!("{slug}.md")), "---\ntitle: half an edit\n").unwrap();
    tokio::time::sleep(Duration::from_millis(1200)).await;
    server.get("/isr").await; // stale: starts a regeneration over the broken content
    eventually(Duration::from_secs(5), "a regeneration ran", || async { server.state.isr.regenerations() >= 2 }).await;
    let after = server.get("/isr").await;
    assert_eq!(after.status, 200);
    let html = after.text();
    assert!(html.contains(&format!("data-post-slug=\"{slug}\"")), "the post's last good version is still listed");
    assert!(!html.contains("half an edit"));
}

#[tokio::test]
async fn a_page_keeps_its_age_across_a_restart() {
    let server = spawn_isr(Duration::from_secs(60)).await;
    let first = server.get("/isr").await;
    assert_eq!(first.header("x-isr-cache"), Some("miss"));
    let server = server.restart().await;
    let after = server.get("/isr").await;
    assert_eq!(after.header("x-isr-cache"), Some("fresh"), "the file on disk is reused");
    assert_eq!(stamp(&after.text()), stamp(&first.text()));

    // An old file is stale to a new process: the age is the file's, not the process's.
    let file = std::fs::File::options().write(true).open(server.site().join("isr/index.html")).unwrap();
    file.set_modified(SystemTime::now() - Duration::from_secs(120)).unwrap();
    let server = server.restart().await;
    assert_eq!(server.get("/isr").await.header("x-isr-cache"), Some("stale"));
}

#[tokio::test]
async fn on_demand_revalidation_needs_the_token_and_a_small_body() {
    let server = spawn_isr(Duration::from_secs(60)).await;
    let before = stamp(&server.get("/isr").await.text());
    let auth = format!("Authorization: Bearer {TOKEN}");

    assert_eq!(server.post("/api/revalidate", &[], r#"{"path":"/isr"}"#).await.status, 401);
    assert_eq!(server.post("/api/revalidate", &["Authorization: Bearer nope"], r#"{"path":"/isr"}"#).await.status, 401);
    let huge = format!(r#"{{"path":"/isr","pad":"{}"}}"#, "x".repeat(5000));
    assert_eq!(server.post("/api/revalidate", &[&auth], &huge).await.status, 413);
    assert_eq!(server.post("/api/revalidate", &[&auth], r#"{"path":"/nope"}"#).await.status, 404);
    assert_eq!(server.post("/api/revalidate", &[&auth], "not json").await.status, 400);

    let by_path = server.post("/api/revalidate", &[&auth], r#"{"path":"/isr"}"#).await;
    assert_eq!(by_path.status, 200, "{}", by_path.text());
    let after_path = stamp(&server.get("/isr").await.text());
    assert_ne!(after_path, before, "revalidating a path regenerates it now");

    let by_tag = server.post("/api/revalidate", &[&auth], r#"{"tag":"rust"}"#).await;
    assert_eq!(by_tag.status, 200);
    let body: serde_json::Value = serde_json::from_slice(&by_tag.body).unwrap();
    assert_eq!(body["regenerated"], serde_json::json!(["/isr"]));
    assert_ne!(stamp(&server.get("/isr").await.text()), after_path);
    let untagged = server.post("/api/revalidate", &[&auth], r#"{"tag":"no-such-tag"}"#).await;
    assert_eq!(serde_json::from_slice::<serde_json::Value>(&untagged.body).unwrap()["regenerated"], serde_json::json!([]));
}

#[tokio::test]
async fn revalidation_is_refused_when_no_token_is_configured() {
    let dirs = TestDirs::new();
    let server = spawn_in(dirs.clone(), dirs.config()).await;
    let response = server.post("/api/revalidate", &["Authorization: Bearer anything"], r#"{"path":"/isr"}"#).await;
    assert_eq!(response.status, 403);
}

#[tokio::test]
async fn a_revalidation_right_after_an_edit_renders_the_edit_every_time() {
    let server = spawn_isr(Duration::from_secs(3600)).await;
    let slug = post_slugs(&server.posts_dir()).remove(0);
    let file = server.posts_dir().join(format!("{slug}.md"));
    let original = std::fs::read_to_string(&file).unwrap();
    let auth = format!("Authorization: Bearer {TOKEN}");
    for round in 0..50 {
        // A title of a new length each round, so no edit looks like the last one.
        let title = format!("Edited {}", "x".repeat(round + 1));
        std::fs::write(&file, original.replacen("title: ", &format!("title: {title} "), 1)).unwrap();
        let revalidated = server.post("/api/revalidate", &[&auth], r#"{"path":"/isr"}"#).await;
        assert_eq!(revalidated.status, 200, "round {round}");
        let page = server.get("/isr").await.text();
        assert!(page.contains(&format!("{title} ")), "round {round}: the page renders the file as it was when revalidated");
    }
}

#[tokio::test]
async fn compare_states_the_window_this_server_uses() {
    let dirs = TestDirs::new();
    let config = server::config::Config { isr_window: Duration::from_secs(42), ..dirs.config() };
    crate::common::prerender(&config).await;
    let server = spawn_in(dirs, config).await;
    assert!(server.get("/compare").await.text().contains(", 42 s here"), "not a window written into the page's text");
}
