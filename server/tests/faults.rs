//! Faults at runtime: the content directory vanishing, and SIGTERM in the middle
//! of a streamed response.

mod common;

use common::{attribute_values, post_slugs, spawn};
use std::{
    io::{BufRead, BufReader, Read, Write},
    net::TcpStream,
    process::{Command, Stdio},
    time::{Duration, Instant},
};

#[tokio::test]
async fn when_the_content_dir_vanishes_the_last_good_posts_keep_serving() {
    let server = spawn().await;
    let mut expected = post_slugs(&server.posts_dir());
    expected.sort();
    let moved = server.posts_dir().with_file_name("posts-gone");
    std::fs::rename(server.posts_dir(), &moved).unwrap();
    // Several refresh intervals go by with no content directory at all.
    tokio::time::sleep(Duration::from_millis(1600)).await;
    for path in ["/ssr", "/api/posts"] {
        let response = server.get(path).await;
        assert_eq!(response.status, 200, "{path}");
        let text = response.text();
        let mut slugs = if path == "/ssr" {
            attribute_values(&text, "data-post-slug")
        } else {
            serde_json::from_str::<Vec<serde_json::Value>>(&text).unwrap().iter().map(|p| p["slug"].as_str().unwrap().to_string()).collect()
        };
        slugs.sort();
        assert_eq!(slugs, expected, "{path} still lists every post");
    }
    std::fs::rename(&moved, server.posts_dir()).unwrap();
}

/// The real binary, so the signal is a real SIGTERM.
#[test]
fn sigterm_during_a_stream_lets_it_finish_then_exits_0() {
    let dirs = common::TestDirs::new();
    let config = dirs.config();
    let mut child = Command::new(env!("CARGO_BIN_EXE_server"))
        .env("LEPTOS_SITE_ADDR", "127.0.0.1:0")
        .env("LEPTOS_SITE_ROOT", &config.site_root)
        .env("CONTENT_DIR", &config.content_dir)
        .env("DATABASE_URL", &config.database_url)
        .env("DEMO_LATENCY_MS", "400")
        .env("RUST_LOG", "info")
        .env("NO_COLOR", "1")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let addr = loop {
        let line = lines.next().expect("the server logs its address").unwrap();
        if let Some((_, addr)) = line.split_once("listening on http://") {
            break addr.trim().to_string();
        }
    };
    std::thread::spawn(move || lines.for_each(drop)); // keep draining the log

    let mut stream = TcpStream::connect(&addr).unwrap();
    stream.write_all(b"GET /stream HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n").unwrap();
    let mut first = [0u8; 4096];
    let n = stream.read(&mut first).unwrap();
    assert!(String::from_utf8_lossy(&first[..n]).starts_with("HTTP/1.1 200"), "the shell has started");

    let signalled = Instant::now();
    let status = Command::new("kill").args(["-TERM", &child.id().to_string()]).status().unwrap();
    assert!(status.success());

    let mut rest = Vec::new();
    stream.set_read_timeout(Some(Duration::from_secs(15))).unwrap();
    stream.read_to_end(&mut rest).unwrap();
    let body = String::from_utf8_lossy(&rest);
    assert_eq!(body.matches("data-hole-ready=").count(), 2, "both holes still arrived after the signal");
    assert!(body.trim_end().ends_with("0"), "the chunked body ended properly: {:?}", &body[body.len().saturating_sub(40)..]);

    let exit = loop {
        if let Some(exit) = child.try_wait().unwrap() {
            break exit;
        }
        assert!(signalled.elapsed() < Duration::from_secs(12), "the server exits after its in-flight response");
        std::thread::sleep(Duration::from_millis(20));
    };
    assert!(exit.success(), "exit status {exit:?}");
    assert!(TcpStream::connect(&addr).is_err(), "no longer accepting connections");
}
