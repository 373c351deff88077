//! The view counter under a flood: one reader counts once per post, a client
//! past its rate gets 429, the client is the forwarded address only behind a
//! trusted proxy, and with no limit no view is refused at any concurrency.
//!
//! @demo-file: tests of the demo's routes

use crate::common::{attribute_values, post_slugs, spawn_in, TestDirs, TestServer};

async fn spawn_with(views_per_minute: u32, trusted_proxies: &[&str]) -> TestServer {
    let dirs = TestDirs::new();
    let mut config = dirs.config();
    config.views_per_minute = views_per_minute;
    config.trusted_proxies = trusted_proxies.iter().map(|address| address.parse().unwrap()).collect();
    spawn_in(dirs, config).await
}

/// The views that the trending hole of `/stream` shows for `slug`.
async fn trending_views(server: &TestServer, slug: &str) -> u64 {
    let html = server.get("/stream").await.text();
    let trending = html.split("data-hole-ready=\"trending\"").nth(1).expect("the trending hole is filled");
    let entry = trending.split(&format!("data-leaderboard-slug=\"{slug}\"")).nth(1).expect("the post is ranked");
    let views = entry.split("class=\"views\">").nth(1).unwrap();
    views[..views.find('<').unwrap()].parse().unwrap()
}

#[tokio::test]
async fn a_reader_counts_once_per_post_and_past_its_rate_gets_429() {
    let server = spawn_with(4, &[]).await;
    let slugs = post_slugs(&server.posts_dir());
    let answers: Vec<(u16, String)> = futures::future::join_all([&slugs[0], &slugs[0], &slugs[1], &slugs[0]].map(|slug| async {
        let response = server.view(slug, &[]).await;
        (response.status, response.text())
    }))
    .await;
    let counted = answers.iter().filter(|answer| *answer == &(200, "true".to_string())).count();
    let repeats = answers.iter().filter(|answer| *answer == &(200, "false".to_string())).count();
    assert_eq!((counted, repeats), (2, 2), "each post once: {answers:?}");

    let flooded = server.view(&slugs[2], &[]).await;
    assert_eq!(flooded.status, 429, "{}", flooded.text());
    assert_eq!(flooded.header("retry-after"), Some("15"), "4 a minute: one every 15 s");
    assert!(flooded.text().contains("too many views"), "{}", flooded.text());
    assert_eq!(trending_views(&server, &slugs[0]).await, 1);
}

#[tokio::test]
async fn the_forwarded_address_names_the_reader_only_behind_a_trusted_proxy() {
    let slug_of = |server: &TestServer| post_slugs(&server.posts_dir())[0].clone();
    let direct = spawn_with(60, &[]).await;
    let slug = slug_of(&direct);
    for (reader, counted) in [("203.0.113.1", "true"), ("203.0.113.2", "false")] {
        let response = direct.view(&slug, &[&format!("X-Forwarded-For: {reader}")]).await;
        assert_eq!(response.text(), counted, "a client cannot pose as many readers: {reader}");
    }

    let proxied = spawn_with(60, &["127.0.0.1"]).await;
    let slug = slug_of(&proxied);
    for reader in ["203.0.113.1", "203.0.113.2", "10.9.9.9, 203.0.113.3"] {
        let response = proxied.view(&slug, &[&format!("X-Forwarded-For: {reader}")]).await;
        assert_eq!(response.text(), "true", "each reader the proxy names counts: {reader}");
    }
    let spoofed = proxied.view(&slug, &["X-Forwarded-For: 10.9.9.9, 203.0.113.3"]).await;
    assert_eq!(spoofed.text(), "false", "the address the proxy saw, not the one the client claimed");
    assert_eq!(trending_views(&proxied, &slug).await, 3);
}

/// One writer for all views: the pool's connections no longer wait on each
/// other for SQLite's lock, so none is refused with "database is locked".
#[tokio::test]
async fn with_no_limit_every_view_of_many_at_once_is_counted() {
    const READERS: usize = 300;
    let server = spawn_with(0, &["127.0.0.1"]).await;
    let slug = post_slugs(&server.posts_dir())[0].clone();
    let answers = futures::future::join_all((0..READERS).map(|reader| {
        let (server, slug) = (&server, &slug);
        async move {
            let forwarded = format!("X-Forwarded-For: 198.51.{}.{}", reader / 256, reader % 256);
            server.view(slug, &[&forwarded]).await.status
        }
    }))
    .await;
    assert!(answers.iter().all(|&status| status == 200), "{answers:?}");
    assert_eq!(trending_views(&server, &slug).await, READERS as u64);
    let html = server.get("/stream").await.text();
    assert_eq!(attribute_values(&html, "data-leaderboard-slug")[0], slug);
}
