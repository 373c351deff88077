//! Faults at runtime: the content directory vanishing, a full disk at build
//! time, and the open-file limit.
// @demo-begin
//! SIGTERM in the middle of a streamed response, an answer slower than the
//! request timeout, and a flood of views refused for one cause.
// @demo-end

use crate::common::{
    binary::{server_command, start_binary_from, OpenFiles},
    post_slugs, spawn,
};
use crate::common::{attribute_values, binary::start_binary}; // @demo
use std::{io::Write, process::Command, time::Duration};
use std::{io::Read, net::TcpStream, time::Instant}; // @demo

#[tokio::test]
async fn when_the_content_dir_vanishes_the_last_good_posts_keep_serving() {
    let server = spawn().await;
    let mut expected = post_slugs(&server.posts_dir());
    expected.sort();
    let moved = server.posts_dir().with_file_name("posts-gone");
    std::fs::rename(server.posts_dir(), &moved).unwrap();
    // The refresh that the server runs every interval, run now: it finds no
    // content directory at all, and leaves the index as it was.
    assert!(!server.refresh_posts().await, "a missing directory changes no post");
    let listed = server.get("/api/posts").await;
    assert_eq!(listed.status, 200);
    let listed = serde_json::from_str::<Vec<serde_json::Value>>(&listed.text()).unwrap();
    let mut slugs: Vec<String> = listed.iter().map(|post| post["slug"].as_str().unwrap().to_string()).collect();
    slugs.sort();
    assert_eq!(slugs, expected, "the API still lists every post");
    // @demo-begin
    let mut rendered = attribute_values(&server.get("/ssr").await.text(), "data-post-slug");
    rendered.sort();
    assert_eq!(rendered, expected, "SSR still renders every post");
    // @demo-end
    std::fs::rename(&moved, server.posts_dir()).unwrap();
}

// @demo-begin
/// The real binary, so the signal is a real SIGTERM.
#[test]
fn sigterm_during_a_stream_lets_it_finish_then_exits_0() {
    let dirs = crate::common::TestDirs::new();
    let (mut child, addr, _) = start_binary(&dirs.config(), &[("DEMO_LATENCY_MS", "400")]);

    let mut stream = TcpStream::connect(&addr).unwrap();
    stream.write_all(b"GET /stream HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n").unwrap();
    let mut first = [0u8; 4096];
    let n = stream.read(&mut first).unwrap();
    assert!(String::from_utf8_lossy(&first[..n]).starts_with("HTTP/1.1 200"), "the shell has started");

    let signalled = Instant::now();
    let status = Command::new("kill").args(["-TERM", &child.0.id().to_string()]).status().unwrap();
    assert!(status.success());

    // Under load, the first read may already hold the first hole (400 ms):
    // what matters is that the response runs to its end after the signal.
    let mut body = first[..n].to_vec();
    stream.set_read_timeout(Some(Duration::from_secs(15))).unwrap();
    stream.read_to_end(&mut body).unwrap();
    let body = String::from_utf8_lossy(&body);
    assert_eq!(body.matches("data-hole-ready=").count(), 2, "both holes arrived, the last after the signal");
    assert!(body.trim_end().ends_with("0"), "the chunked body ended properly: {:?}", &body[body.len().saturating_sub(40)..]);

    let exit = loop {
        if let Some(exit) = child.0.try_wait().unwrap() {
            break exit;
        }
        assert!(signalled.elapsed() < Duration::from_secs(12), "the server exits after its in-flight response");
        std::thread::sleep(Duration::from_millis(20));
    };
    assert!(exit.success(), "exit status {exit:?}");
    assert!(TcpStream::connect(&addr).is_err(), "no longer accepting connections");
}
// @demo-end

/// A tmpfs of `size`, unmounted when dropped. Mounting takes root: the test
/// that needs one is `#[ignore]`d, `make test` opts in where it runs as root.
struct TinyDisk {
    dir: crate::common::TempDir,
}

impl TinyDisk {
    fn mount(size: &str) -> TinyDisk {
        let dir = crate::common::TempDir::new().unwrap();
        let mounted = Command::new("mount")
            .args(["-t", "tmpfs", "-o", &format!("size={size}"), "tmpfs"])
            .arg(dir.path())
            .output()
            .expect("mount runs");
        assert!(mounted.status.success(), "cannot mount a tmpfs: {}", String::from_utf8_lossy(&mounted.stderr).trim());
        TinyDisk { dir }
    }
}

impl Drop for TinyDisk {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg(self.dir.path()).status();
    }
}

#[tokio::test]
#[ignore = "mounts a tmpfs, which takes root: `make test` runs it as root"]
async fn a_full_disk_fails_the_prerender_and_leaves_the_old_pages_whole() {
    let disk = TinyDisk::mount("2m");
    let dirs = crate::common::TestDirs::new();
    let mut config = dirs.config();
    config.site_root = disk.dir.path().join("site");
    config.database_url = format!("sqlite://{}", dirs.site().join("blog.db").display()); // @demo
    server::prerender(config.clone()).await.expect("the first build fits");
    let page = config.site_root.join("tags/rust/index.html");
    let before = std::fs::read(&page).unwrap();

    // Fill the disk to the last byte.
    let mut filler = std::fs::File::create(disk.dir.path().join("filler")).unwrap();
    let block = vec![0u8; 64 * 1024];
    while filler.write_all(&block).is_ok() {}
    let _ = filler.write_all(&[0u8; 1]);

    tokio::time::sleep(Duration::from_millis(20)).await; // a new stamp, were anything rewritten
    let error = server::prerender(config.clone()).await.err().expect("the build fails on a full disk").to_string();
    assert!(error.contains("index.html") && error.to_lowercase().contains("space"), "the error names the file and the cause: {error}");
    assert_eq!(std::fs::read(&page).unwrap(), before, "the old page is whole");
    let mut leftovers: Vec<_> = std::fs::read_dir(page.parent().unwrap()).unwrap().map(|e| e.unwrap().file_name()).collect();
    leftovers.sort();
    assert_eq!(leftovers, ["index.html", "index.html.br"], "no temporary file is left behind");
}

// @demo-begin
/// A page or server function that has not answered within REQUEST_TIMEOUT_SECS
/// gets 503; a streamed page, which answers at once, is not cut off.
#[tokio::test]
async fn a_slow_answer_gets_503_at_the_timeout_and_a_streamed_page_runs_to_its_end() {
    let dirs = crate::common::TestDirs::new();
    let mut config = dirs.config();
    config.demo_latency = Duration::from_millis(1500);
    config.request_timeout = Duration::from_millis(200);
    let server = crate::common::spawn_in(dirs, config).await;

    // The trending data waits out the demo latency before anything is sent.
    let started = Instant::now();
    let slow = server.get("/api/trending").await;
    assert_eq!(slow.status, 503);
    assert!(started.elapsed() < Duration::from_millis(1500), "answered at the timeout, before the data: {:?}", started.elapsed());
    assert_eq!(slow.header("x-content-type-options"), Some("nosniff"), "with the headers of every response");

    let streamed = server.get("/stream").await;
    assert_eq!(streamed.status, 200);
    let html = streamed.text();
    assert!(html.contains("data-hole-ready=\"trending\"") && html.contains("data-hole-ready=\"most-viewed-today\""), "both holes arrived");
    assert_eq!(server.get("/ssr").await.status, 200, "a page that answers in time");
}

/// Twenty views refused at once, each for the same cause (another process
/// holds the database's write lock): one line in the log, not twenty.
#[tokio::test]
async fn a_flood_of_refused_views_is_one_line_in_the_log() {
    use sqlx::{Connection, Executor};
    let dirs = crate::common::TestDirs::new();
    let config = dirs.config();
    // Twenty readers behind a proxy on loopback, each counted once.
    let env = [("DEMO_LATENCY_MS", "0"), ("TRUSTED_PROXIES", "127.0.0.1")];
    let (mut child, addr, logged) = start_binary(&config, &env);
    let addr: std::net::SocketAddr = addr.parse().unwrap();
    let slug = &post_slugs(&dirs.posts_dir())[0];
    let view = |reader: u8| {
        let body = format!("slug={slug}");
        let raw = format!(
            "POST /api/views HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\nX-Forwarded-For: 203.0.113.{reader}\r\n\
             Content-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\n\r\n{body}",
            body.len()
        );
        async move { crate::common::request(addr, &raw).await.status }
    };
    assert_eq!(view(0).await, 200);

    let db = config.database_url.strip_prefix("sqlite://").unwrap();
    let mut other = sqlx::SqliteConnection::connect(&format!("sqlite://{db}")).await.unwrap();
    other.execute("BEGIN EXCLUSIVE").await.unwrap();
    other.execute("INSERT INTO post_view_counts (hour, slug, views) VALUES (0, 'held', 1)").await.unwrap();
    let refused = futures::future::join_all((1..=20).map(view)).await;
    assert!(refused.iter().all(|&status| status == 500), "{refused:?}");
    other.execute("ROLLBACK").await.unwrap();
    assert_eq!(view(1).await, 200, "recorded again once the lock is gone");

    // Its whole log: what it wrote before it was stopped.
    child.0.kill().unwrap();
    child.0.wait().unwrap();
    let logged = logged.join().unwrap();
    let lines = logged.iter().filter(|line| line.contains("view not recorded")).count();
    assert_eq!(lines, 1, "{logged:#?}");
}
// @demo-end

/// Started with the common soft limit of open files far below its hard limit,
/// the server raises it to the hard one, so idle clients cannot use up the
/// descriptors that `accept` needs.
#[test]
fn the_server_takes_the_whole_open_file_limit_it_is_allowed() {
    let dirs = crate::common::TestDirs::new();
    let command = server_command(OpenFiles { soft: 256, hard: None });
    let (child, _, _) = start_binary_from(command, &dirs.config(), &[]);
    let limits = std::fs::read_to_string(format!("/proc/{}/limits", child.0.id())).unwrap();
    let open_files = limits.lines().find(|line| line.starts_with("Max open files")).unwrap();
    let figures: Vec<&str> = open_files.split_whitespace().skip(3).take(2).collect();
    assert_eq!(figures[0], figures[1], "the soft limit is the hard one: {open_files}");
    assert_ne!(figures[0], "256", "{open_files}");
}
