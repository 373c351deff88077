//! Streaming SSR and the live data that feeds its holes, read as raw chunks
//! with their arrival times.
//!
//! @demo-file: tests of the demo's routes

use crate::common::{attribute_values, generated_at_values, post_slugs, spawn_in, TestDirs, TestServer};
use std::time::Duration;

const LATENCY: Duration = Duration::from_millis(300);

async fn spawn_streaming(latency: Duration) -> TestServer {
    let dirs = TestDirs::new();
    let mut config = dirs.config();
    config.demo_latency = latency;
    spawn_in(dirs, config).await
}

#[tokio::test]
async fn the_shell_comes_at_once_and_each_hole_streams_in_when_ready() {
    let server = spawn_streaming(LATENCY).await;
    let response = server.get("/stream").await;
    assert_eq!(response.status, 200);
    assert_eq!(response.header("x-render-strategy"), Some("stream"));
    assert_eq!(response.header("cache-control"), Some("no-store"));
    assert_eq!(response.header("transfer-encoding"), Some("chunked"));
    assert!(response.header("server-timing").unwrap().contains(", shell;dur="), "the headers leave with the shell");

    let first = &response.reads[0];
    let first_text = String::from_utf8_lossy(&first.bytes);
    assert!(first.at < LATENCY / 2, "the first chunk came after {:?}", first.at);
    assert!(first_text.contains("<title>"), "the title is in the first flush");
    assert!(first_text.contains("data-post-slug"), "the post list is in the first flush");
    assert!(first_text.contains("data-hole-skeleton"), "the holes start as skeletons");
    assert!(!first_text.contains("data-hole-ready"), "no hole content in the first flush");

    let trending = response.arrival_of("data-hole-ready=\"trending\"");
    let today = response.arrival_of("data-hole-ready=\"most-viewed-today\"");
    assert!(trending >= LATENCY, "trending came after its latency: {trending:?}");
    assert!(today >= LATENCY * 2, "today came after twice the latency: {today:?}");
    assert!(trending < today, "the faster hole arrives first although it is second on the page");
    assert!(response.reads.last().unwrap().at >= LATENCY * 2, "the body ends after the slow hole");
    eprintln!(
        "chunk timeline (ms): {}",
        response.reads.iter().map(|r| format!("{}:{}B", r.at.as_millis(), r.bytes.len())).collect::<Vec<_>>().join(" ")
    );

    let html = response.text();
    let stamps = generated_at_values(&html);
    assert!(stamps.len() >= 3, "the page's stamp and one per hole: {stamps:?}");
}

#[tokio::test]
async fn a_recorded_view_counts_survives_a_restart_and_ranks_the_trending_hole() {
    let dirs = TestDirs::new();
    let mut config = dirs.config();
    // Readers behind a proxy on loopback, each named by X-Forwarded-For.
    config.trusted_proxies = vec!["127.0.0.1".parse().unwrap()];
    let server = spawn_in(dirs, config).await;
    let slugs = post_slugs(&server.posts_dir());
    let (popular, other) = (&slugs[0], &slugs[1]);
    for (slug, reader) in [(popular, "203.0.113.1"), (popular, "203.0.113.2"), (other, "203.0.113.1")] {
        let response = server.view(slug, &[&format!("X-Forwarded-For: {reader}")]).await;
        assert_eq!((response.status, response.text().as_str()), (200, "true"), "counted");
    }
    let unknown = server.view("no-such-post", &[]).await;
    assert_eq!(unknown.status, 404, "unknown slugs are not recorded");

    let server = server.restart().await;
    let html = server.get("/stream").await.text();
    let trending_part = html.split("data-hole-ready=\"trending\"").nth(1).expect("the trending hole is filled");
    let ranked = attribute_values(trending_part, "data-leaderboard-slug");
    assert_eq!(&ranked[..2], [popular.clone(), other.clone()], "most views first, after a restart");
    assert!(trending_part.contains("class=\"views\">2"), "the count is shown");
}

#[tokio::test]
async fn a_locked_database_still_serves_the_holes_and_refuses_a_view_after_its_busy_timeout() {
    use sqlx::{Connection, Executor};
    let server = spawn_streaming(Duration::ZERO).await;
    let slugs = post_slugs(&server.posts_dir());
    let (slug, held_back) = (&slugs[0], &slugs[1]);
    assert_eq!(server.view(slug, &[]).await.status, 200);

    // Another process takes the write lock and keeps it.
    let db = server.site().join("test-data/blog.db");
    let mut other = sqlx::SqliteConnection::connect(&format!("sqlite://{}", db.display())).await.unwrap();
    other.execute("BEGIN EXCLUSIVE").await.unwrap();
    other.execute("INSERT INTO post_view_counts (hour, slug, views) VALUES (0, 'held', 1)").await.unwrap();

    let started = std::time::Instant::now();
    let refused = server.view(held_back, &[]).await;
    assert_eq!(refused.status, 500, "the view is refused, not queued forever: {}", refused.text());
    let waited = started.elapsed();
    assert!(waited >= Duration::from_millis(450), "it waited for the lock (busy timeout 500 ms), not {waited:?}");
    assert!(waited < Duration::from_secs(3), "it gave up on the lock within 3 s, not {waited:?}");
    let html = server.get("/stream").await.text();
    let trending = html.split("data-hole-ready=\"trending\"").nth(1).expect("readers go on while a writer holds the lock (WAL)");
    assert_eq!(attribute_values(trending, "data-leaderboard-slug")[0], *slug);
    assert!(!html.contains("data-hole-error"));

    other.execute("ROLLBACK").await.unwrap();
    let retried = server.view(held_back, &[]).await;
    assert_eq!((retried.status, retried.text().as_str()), (200, "true"), "the refused view counts once the lock is gone");
}

#[tokio::test]
async fn a_broken_database_fills_the_holes_with_their_error_state() {
    let server = spawn_streaming(Duration::ZERO).await;
    // Corrupt the store under the running server: queries fail from now on.
    let db = server.site().join("test-data/blog.db");
    std::fs::write(&db, b"this is not a database").unwrap();
    for suffix in ["-wal", "-shm"] {
        let _ = std::fs::write(db.with_file_name(format!("blog.db{suffix}")), b"garbage");
    }
    let started = std::time::Instant::now();
    let response = server.get("/stream").await;
    assert_eq!(response.status, 200, "the page still serves");
    // A bound on hanging, not a speed target: the pool gives up after 2 s.
    assert!(started.elapsed() < Duration::from_secs(5), "the holes waited {:?} for a broken database", started.elapsed());
    let html = response.text();
    assert!(html.contains("data-post-slug"), "the post list is intact");
    assert!(html.contains("data-hole-error"), "the holes show their error state");
}
