//! Each client gets the encoding it accepts: brotli for a browser (which asks
//! for `gzip, deflate, br, zstd`), gzip for a client that takes only gzip, and
//! the plain bytes for one that accepts nothing, with `Vary: Accept-Encoding`
//! wherever the bytes can differ. Streamed pages stay uncompressed, so that
//! each chunk leaves the moment it is ready.

use crate::common::{request, spawn, spawn_built, RawResponse, TestServer};
use std::io::Read;

const CHROMIUM: &str = "gzip, deflate, br, zstd";

async fn get(server: &TestServer, path: &str, accept_encoding: Option<&str>) -> RawResponse {
    let accept = accept_encoding.map(|value| format!("Accept-Encoding: {value}\r\n")).unwrap_or_default();
    request(server.addr, &format!("GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n{accept}\r\n")).await
}

fn decoded(response: &RawResponse) -> Vec<u8> {
    let mut plain = Vec::new();
    match response.header("content-encoding") {
        Some("br") => brotli::BrotliDecompress(&mut &response.body[..], &mut plain).expect("valid brotli"),
        Some("gzip") => {
            flate2::read::GzDecoder::new(&response.body[..]).read_to_end(&mut plain).expect("valid gzip");
        }
        None => plain.clone_from(&response.body),
        Some(other) => panic!("unexpected content-encoding {other}"),
    }
    plain
}

fn varies_on_accept_encoding(response: &RawResponse) -> bool {
    response.header("vary").is_some_and(|vary| vary.to_ascii_lowercase().contains("accept-encoding"))
}

#[tokio::test]
async fn a_prerendered_page_is_sent_as_the_build_compressed_it() {
    let server = spawn_built().await;
    let plain = get(&server, "/posts", None).await;
    assert_eq!(plain.status, 200);
    assert_eq!(plain.header("content-encoding"), None, "a client that accepts nothing gets the HTML itself");
    assert!(varies_on_accept_encoding(&plain));

    let brotli = get(&server, "/posts", Some(CHROMIUM)).await;
    assert_eq!(brotli.header("content-encoding"), Some("br"));
    assert!(varies_on_accept_encoding(&brotli));
    assert_eq!(brotli.body, std::fs::read(server.site().join("posts/index.html.br")).unwrap(), "the build's own bytes");
    assert_eq!(decoded(&brotli), plain.body);

    let gzip = get(&server, "/posts/", Some("gzip")).await;
    assert_eq!(gzip.header("content-encoding"), Some("gzip"), "compressed per response: the build writes brotli only");
    assert_eq!(decoded(&gzip), plain.body);

    let refused = get(&server, "/posts", Some("br;q=0, gzip;q=0")).await;
    assert_eq!(refused.header("content-encoding"), None, "q=0 refuses an encoding");
}

#[tokio::test]
async fn a_page_rewritten_without_its_compressed_copies_is_never_paired_with_the_old_ones() {
    let server = spawn_built().await;
    let page = server.site().join("posts/index.html");
    let rewritten = std::fs::read_to_string(&page).unwrap().replace("</main>", "<p>Rewritten by hand</p></main>");
    std::fs::write(&page, &rewritten).unwrap();
    let response = get(&server, "/posts", Some(CHROMIUM)).await;
    assert_eq!(String::from_utf8(decoded(&response)).unwrap(), rewritten);
}

#[tokio::test]
async fn rendered_pages_are_compressed_per_response() {
    let server = spawn_built().await;
    let rendered = [
        ("/ssr", 200), // @demo
        ("/isr", 200), // @demo
        ("/csr", 200), // @demo
        ("/api/posts", 200),
        ("/no/such/page", 404),
    ];
    for (path, status) in rendered {
        let plain = get(&server, path, None).await;
        assert_eq!(plain.status, status, "{path}");
        assert_eq!(plain.header("content-encoding"), None, "{path}");
        let brotli = get(&server, path, Some(CHROMIUM)).await;
        assert_eq!(brotli.status, status, "{path}");
        assert_eq!(brotli.header("content-encoding"), Some("br"), "{path}");
        assert!(varies_on_accept_encoding(&brotli), "{path}");
        assert!(brotli.body.len() < plain.body.len(), "{path}: {} bytes against {}", brotli.body.len(), plain.body.len());
        let text = String::from_utf8(decoded(&brotli)).unwrap();
        assert!(text.contains("data-render-strategy") || text.contains("\"slug\""), "{path} decodes to the page");
    }
}

// @demo-begin
#[tokio::test]
async fn streamed_pages_are_never_held_back_by_a_compressor() {
    let server = spawn_built().await;
    for path in ["/stream", "/ppr"] {
        let response = get(&server, path, Some(CHROMIUM)).await;
        assert_eq!(response.status, 200, "{path}");
        assert_eq!(response.header("content-encoding"), None, "{path} is sent as it streams");
        assert!(response.text().contains("data-hole"), "{path}");
    }
}
// @demo-end

#[tokio::test]
async fn bundle_files_are_sent_precompressed() {
    let server = spawn().await;
    let pkg = server.site().join("pkg");
    std::fs::create_dir_all(&pkg).unwrap();
    let wasm = b"\0asm not really, but bytes the build would compress".repeat(50);
    std::fs::write(pkg.join("example.wasm"), &wasm).unwrap();
    std::fs::write(pkg.join("example.wasm.br"), b"the build's brotli bytes").unwrap();
    std::fs::write(pkg.join("example.wasm.gz"), b"the build's gzip bytes").unwrap();

    let brotli = get(&server, "/pkg/example.wasm", Some(CHROMIUM)).await;
    assert_eq!(brotli.status, 200);
    assert_eq!(brotli.header("content-encoding"), Some("br"));
    assert_eq!(brotli.body, b"the build's brotli bytes", "the file the build wrote, as it is");
    assert!(varies_on_accept_encoding(&brotli));

    let gzip = get(&server, "/pkg/example.wasm", Some("gzip")).await;
    assert_eq!(gzip.body, b"the build's gzip bytes");

    let plain = get(&server, "/pkg/example.wasm", None).await;
    assert_eq!(plain.header("content-encoding"), None);
    assert_eq!(plain.body, wasm);
    assert!(varies_on_accept_encoding(&plain));
}
