//! A real server on an ephemeral loopback port, over a temporary copy of the
//! content, and a raw HTTP/1.1 client that keeps every read with its arrival time.

pub mod binary;

#[path = "../../../src/scratch.rs"]
mod scratch;
pub use scratch::TempDir;

use server::{config::Config, state::AppState, Server};
use std::{
    net::SocketAddr,
    path::{Path, PathBuf},
    sync::Arc,
    time::{Duration, Instant},
};
use tokio::{
    io::{AsyncReadExt, AsyncWriteExt},
    net::TcpStream,
    sync::oneshot,
};

/// The temporary content and site root a test server works on; they outlive restarts.
pub struct TestDirs {
    pub content: TempDir,
    pub site_root: TempDir,
}

impl TestDirs {
    pub fn new() -> Arc<TestDirs> {
        Arc::new(TestDirs { content: copy_of_content(), site_root: TempDir::new().expect("temp dir") })
    }

    /// The fixture's posts plus every post in `extra/posts`.
    pub fn with_extra_posts(extra: &Path) -> Arc<TestDirs> {
        let dirs = TestDirs::new();
        copy_posts(&extra.join("posts"), &dirs.posts_dir());
        dirs
    }

    pub fn config(&self) -> Config {
        Config::for_test(self.site_root.path().to_path_buf(), self.content.path().to_path_buf())
    }

    pub fn posts_dir(&self) -> PathBuf {
        self.content.path().join("posts")
    }

    pub fn site(&self) -> &Path {
        self.site_root.path()
    }
}

pub struct TestServer {
    pub addr: SocketAddr,
    pub dirs: Arc<TestDirs>,
    pub config: Config,
    pub state: AppState,
    stop: Option<oneshot::Sender<()>>,
    task: Option<tokio::task::JoinHandle<()>>,
}

impl TestServer {
    pub fn posts_dir(&self) -> PathBuf {
        self.dirs.posts_dir()
    }

    pub fn site(&self) -> &Path {
        self.dirs.site()
    }

    pub async fn get(&self, path: &str) -> RawResponse {
        request(self.addr, &format!("GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")).await
    }

    pub async fn head(&self, path: &str) -> RawResponse {
        request(self.addr, &format!("HEAD {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")).await
    }

    pub async fn post(&self, path: &str, headers: &[&str], body: &str) -> RawResponse {
        let extra: String = headers.iter().map(|h| format!("{h}\r\n")).collect();
        let content_type = if headers.iter().any(|h| h.to_ascii_lowercase().starts_with("content-type:")) {
            ""
        } else {
            "Content-Type: application/json\r\n"
        };
        let raw = format!(
            "POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n{content_type}Content-Length: {}\r\n{extra}\r\n{body}",
            body.len()
        );
        request(self.addr, &raw).await
    }

    // @demo-begin
    /// `POST /api/views` for `slug`, as the post page's beacon sends it, with `headers` on top.
    pub async fn view(&self, slug: &str, headers: &[&str]) -> RawResponse {
        let headers: Vec<&str> = ["Content-Type: application/x-www-form-urlencoded"].into_iter().chain(headers.iter().copied()).collect();
        self.post("/api/views", &headers, &format!("slug={slug}")).await
    }
    // @demo-end

    /// The refresh of the posts that the server runs every interval, run now, so
    /// a test waits for it rather than for time: whether the index changed.
    pub async fn refresh_posts(&self) -> bool {
        let posts = self.state.posts.clone();
        tokio::task::spawn_blocking(move || posts.refresh()).await.unwrap()
    }

    /// Stops the server and waits until requests in flight are done.
    pub async fn stop(mut self) -> Arc<TestDirs> {
        self.shutdown().await;
        self.dirs.clone()
    }

    /// The same dirs and config, in a new server process state.
    pub async fn restart(mut self) -> TestServer {
        self.shutdown().await;
        spawn_in(self.dirs.clone(), self.config.clone()).await
    }

    async fn shutdown(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(task) = self.task.take() {
            let _ = task.await;
        }
    }
}

impl Drop for TestServer {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }
}

/// The tests' own posts (`end2end/fixtures/content`), copied so a test may
/// edit them. Not the site's `content/`: a site made from this starter
/// replaces those posts, and its tests must still mean something.
pub fn copy_of_content() -> TempDir {
    let dir = TempDir::new().expect("temp dir");
    std::fs::create_dir(dir.path().join("posts")).unwrap();
    copy_posts(&Path::new(env!("CARGO_MANIFEST_DIR")).join("../end2end/fixtures/content/posts"), &dir.path().join("posts"));
    dir
}

fn copy_posts(from: &Path, to: &Path) {
    for entry in std::fs::read_dir(from).unwrap_or_else(|e| panic!("{}: {e}", from.display())) {
        let entry = entry.unwrap();
        std::fs::copy(entry.path(), to.join(entry.file_name())).unwrap();
    }
}

pub async fn spawn() -> TestServer {
    let dirs = TestDirs::new();
    let config = dirs.config();
    spawn_in(dirs, config).await
}

/// A server over a site that `make build` would have written: prerendered first.
pub async fn spawn_built() -> TestServer {
    let dirs = TestDirs::new();
    let config = dirs.config();
    prerender(&config).await;
    spawn_in(dirs, config).await
}

/// Runs the build step, `server prerender`, over these dirs.
pub async fn prerender(config: &Config) {
    server::prerender(config.clone()).await.expect("prerender succeeds");
}

pub async fn spawn_in(dirs: Arc<TestDirs>, config: Config) -> TestServer {
    let server = Server::bind(config.clone()).await.expect("server starts");
    let addr = server.local_addr();
    let state = server.state().clone();
    let (stop, stopped) = oneshot::channel::<()>();
    let task = tokio::spawn(async move {
        server
            .run(async {
                let _ = stopped.await;
            })
            .await;
    });
    TestServer { addr, dirs, config, state, stop: Some(stop), task: Some(task) }
}

/// Every page of the route table that `server` serves, each with its
/// strategy: every post's and every tag's too. Tests that visit every page
/// take them from here, so a route added or dropped is tested or gone with it.
pub fn every_page(server: &TestServer) -> Vec<(String, app::Strategy)> {
    let index = server.state.posts.index();
    assert!(!index.posts().is_empty(), "the fixture has posts");
    server::routes::every_page(index.posts()).into_iter().map(|(path, strategy, _)| (path, strategy)).collect()
}

/// A child process (a server, a file server) that is killed and reaped however
/// the test ends, a failed assertion included.
pub struct KillOnDrop(pub std::process::Child);

impl Drop for KillOnDrop {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// `python3 -m http.server` over a directory: a plain file server, which is
/// what a static host does with the site root.
pub struct PlainFileServer {
    addr: SocketAddr,
    _process: KillOnDrop,
}

impl PlainFileServer {
    pub async fn start(dir: &Path) -> PlainFileServer {
        use std::io::{BufRead, BufReader};
        let mut process = KillOnDrop(
            std::process::Command::new("python3")
                .args(["-u", "-m", "http.server", "--bind", "127.0.0.1", "0", "--directory"])
                .arg(dir)
                .stdout(std::process::Stdio::piped())
                .stderr(std::process::Stdio::null())
                .spawn()
                .expect("python3 runs"),
        );
        let stdout = process.0.stdout.take().unwrap();
        // The banner names the port the OS picked: "Serving HTTP on 127.0.0.1 port 41234 …"
        let banner = tokio::task::spawn_blocking(move || BufReader::new(stdout).lines().next().unwrap().unwrap()).await.unwrap();
        let port: u16 = banner.split(" port ").nth(1).and_then(|rest| rest.split(' ').next()).unwrap().parse().unwrap();
        PlainFileServer { addr: ([127, 0, 0, 1], port).into(), _process: process }
    }

    pub async fn get(&self, path: &str) -> RawResponse {
        request(self.addr, &format!("GET {path} HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n")).await
    }
}

/// Replaces `from` with `to` in a post's file.
pub fn edit_post(posts_dir: &Path, slug: &str, from: &str, to: &str) {
    let path = posts_dir.join(format!("{slug}.md"));
    let source = std::fs::read_to_string(&path).unwrap();
    assert!(source.contains(from), "{slug}.md contains {from:?}");
    std::fs::write(&path, source.replacen(from, to, 1)).unwrap();
}

/// Polls `check` until it holds, for at most `within`.
pub async fn eventually<F, Fut>(within: Duration, what: &str, mut check: F)
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    let deadline = Instant::now() + within;
    while !check().await {
        assert!(Instant::now() < deadline, "{what}: not within {within:?}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

// @demo-begin
/// One read from the socket, and how long after the request was sent it arrived.
pub struct Read {
    pub at: Duration,
    pub bytes: Vec<u8>,
}
// @demo-end

pub struct RawResponse {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    /// The body, with chunked transfer encoding removed.
    pub body: Vec<u8>,
    pub reads: Vec<Read>, // @demo
}

impl RawResponse {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(n, _)| n.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }

    // @demo-begin
    /// When the bytes that contain `needle` had all arrived.
    pub fn arrival_of(&self, needle: &str) -> Duration {
        let mut seen = Vec::new();
        for read in &self.reads {
            seen.extend_from_slice(&read.bytes);
            if String::from_utf8_lossy(&seen).contains(needle) {
                return read.at;
            }
        }
        panic!("{needle:?} never arrived");
    }
    // @demo-end

    pub fn text(&self) -> String {
        String::from_utf8(self.body.clone()).expect("the body is UTF-8")
    }
}

/// Sends `raw` as is and reads until the server closes the connection.
pub async fn request(addr: SocketAddr, raw: &str) -> RawResponse {
    let mut stream = TcpStream::connect(addr).await.expect("connect");
    let started = Instant::now(); // @demo
    stream.write_all(raw.as_bytes()).await.expect("send request");
    let mut reads = Vec::new(); // @demo
    let mut all = Vec::new();
    let mut buffer = vec![0u8; 64 * 1024];
    loop {
        let n = tokio::time::timeout(Duration::from_secs(20), stream.read(&mut buffer))
            .await
            .expect("the response completes within 20 s")
            .expect("read");
        if n == 0 {
            break;
        }
        all.extend_from_slice(&buffer[..n]);
        reads.push(Read { at: started.elapsed(), bytes: buffer[..n].to_vec() }); // @demo
    }
    parse_response(&all, reads) // @demo
    // @minimal: parse_response(&all)
}

fn parse_response(all: &[u8], reads: Vec<Read>) -> RawResponse { // @demo
// @minimal: fn parse_response(all: &[u8]) -> RawResponse {
    let split = all.windows(4).position(|w| w == b"\r\n\r\n").expect("a complete response head");
    let head = std::str::from_utf8(&all[..split]).expect("the head is ASCII");
    let mut lines = head.split("\r\n");
    let status_line = lines.next().unwrap();
    let status = status_line.split(' ').nth(1).and_then(|s| s.parse().ok()).expect("a status code");
    let headers: Vec<(String, String)> = lines
        .filter_map(|line| line.split_once(':'))
        .map(|(name, value)| (name.trim().to_ascii_lowercase(), value.trim().to_string()))
        .collect();
    let raw_body = &all[split + 4..];
    let chunked = headers.iter().any(|(n, v)| n == "transfer-encoding" && v.contains("chunked"));
    let body = if chunked { dechunk(raw_body) } else { raw_body.to_vec() };
    RawResponse { status, headers, body, reads } // @demo
    // @minimal: RawResponse { status, headers, body }
}

fn dechunk(mut raw: &[u8]) -> Vec<u8> {
    let mut body = Vec::new();
    loop {
        let line_end = raw.windows(2).position(|w| w == b"\r\n").expect("a chunk size line");
        let size_text = std::str::from_utf8(&raw[..line_end]).unwrap();
        let size = usize::from_str_radix(size_text.split(';').next().unwrap().trim(), 16).expect("a hex chunk size");
        raw = &raw[line_end + 2..];
        if size == 0 {
            return body;
        }
        body.extend_from_slice(&raw[..size]);
        raw = &raw[size + 2..];
    }
}

// @demo-begin
/// Every `data-generated-at="…"` value in `html`, in document order.
pub fn generated_at_values(html: &str) -> Vec<String> {
    attribute_values(html, "data-generated-at")
}
// @demo-end

pub fn attribute_values(html: &str, attribute: &str) -> Vec<String> {
    let needle = format!("{attribute}=\"");
    html.match_indices(&needle)
        .map(|(i, _)| {
            let rest = &html[i + needle.len()..];
            rest[..rest.find('"').unwrap()].to_string()
        })
        .collect()
}

// @demo-begin
/// Titles of the posts in a content dir, as the front matter spells them.
pub fn post_titles(posts_dir: &Path) -> Vec<String> {
    std::fs::read_dir(posts_dir)
        .unwrap()
        .map(|entry| std::fs::read_to_string(entry.unwrap().path()).unwrap())
        .map(|source| {
            let line = source.lines().find(|l| l.starts_with("title:")).expect("a title line");
            line["title:".len()..].trim().trim_matches('"').to_string()
        })
        .collect()
}
// @demo-end

pub fn post_slugs(posts_dir: &Path) -> Vec<String> {
    std::fs::read_dir(posts_dir)
        .unwrap()
        .map(|entry| entry.unwrap().path().file_stem().unwrap().to_string_lossy().into_owned())
        .collect()
}
