//! Security headers. Every response gets `X-Content-Type-Options: nosniff` and
//! a `Referrer-Policy`; every HTML page gets a strict `Content-Security-Policy`
//! that allows exactly the inline scripts the server put there:
//!
//! - a page rendered for this response gets a fresh nonce, which Leptos puts on
//!   its own scripts (resources, streamed chunks) and our components on theirs
//!   (the bundle loader, PPR's resolver);
//! - a page served from a file (SSG, ISR, the 404 page, PPR's shell) cannot carry
//!   a per-response nonce, so its policy lists the SHA-256 of each of its inline
//!   scripts instead, computed from the file's bytes. A CDN serving the static
//!   export can send the same hashes (see the README);
//! - PPR uses both: hashes for the shell's scripts, a nonce for the fill scripts
//!   it appends to this response.

use axum::{
    extract::Request,
    http::{header, HeaderName, HeaderValue, StatusCode},
    middleware::Next,
    response::{IntoResponse, Response},
};
use base64::Engine as _;
use sha2::{Digest, Sha256};
use std::sync::Arc;
use tower_http::set_header::SetResponseHeaderLayer;

/// The inline scripts a page may run: a nonce, hashes, or both.
#[derive(Clone, Debug)]
pub struct InlineScripts {
    pub nonce: Option<String>,
    pub hashes: Arc<[String]>,
}

impl InlineScripts {
    pub fn with_nonce(nonce: String) -> Self {
        InlineScripts { nonce: Some(nonce), hashes: Arc::from([]) }
    }

    /// The hashes of every inline `<script>` in `html`, the server's own markup.
    /// Content never adds a `<script>`: it is escaped, which the hostile-content tests prove.
    pub fn of_page(html: &[u8]) -> Self {
        InlineScripts { nonce: None, hashes: inline_script_hashes(html).into() }
    }

    pub fn content_security_policy(&self) -> HeaderValue {
        let mut scripts = String::from("'self' 'wasm-unsafe-eval'");
        if let Some(nonce) = &self.nonce {
            scripts.push_str(&format!(" 'nonce-{nonce}'"));
        }
        for hash in self.hashes.iter() {
            scripts.push_str(&format!(" 'sha256-{hash}'"));
        }
        let policy = format!(
            "default-src 'self'; script-src {scripts}; style-src 'self'; img-src 'self' data:; \
             object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'self'"
        );
        HeaderValue::from_str(&policy).expect("nonces and base64 hashes are valid header text")
    }
}

/// Base64 SHA-256 of each inline script's text, as CSP's `'sha256-…'` wants it.
fn inline_script_hashes(html: &[u8]) -> Vec<String> {
    let mut hashes = Vec::new();
    let mut rest = html;
    while let Some(start) = find(rest, b"<script") {
        rest = &rest[start..];
        let Some(tag_end) = find(rest, b">") else { break };
        let tag = &rest[..tag_end];
        rest = &rest[tag_end + 1..];
        let Some(end) = find(rest, b"</script>") else { break };
        if find(tag, b" src=").is_none() {
            hashes.push(base64::engine::general_purpose::STANDARD.encode(Sha256::digest(&rest[..end])));
        }
        rest = &rest[end..];
    }
    hashes.sort();
    hashes.dedup();
    hashes
}

/// ISR pages are hashed on every request, so the scan is a SIMD substring search.
fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    memchr::memmem::find(haystack, needle)
}

/// A fresh nonce for one response.
pub fn new_nonce() -> String {
    leptos::nonce::Nonce::new().to_string()
}

/// The headers every response carries, whatever made it.
pub fn headers_on_every_response() -> (SetResponseHeaderLayer<HeaderValue>, SetResponseHeaderLayer<HeaderValue>) {
    (
        SetResponseHeaderLayer::overriding(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff")),
        SetResponseHeaderLayer::overriding(
            HeaderName::from_static("referrer-policy"),
            HeaderValue::from_static("strict-origin-when-cross-origin"),
        ),
    )
}

/// No page of this site has a longer URI: anything longer is refused before routing.
const MAX_URI_BYTES: usize = 2 * 1024;
/// The whole header section a request may send, names and values together.
const MAX_HEADER_BYTES: usize = 8 * 1024;

/// Refuses, before they reach a handler, requests no page of this site could
/// answer: a URI or headers larger than any real client sends here (414, 431),
/// and a path with an empty segment (`//`), which a file server would resolve
/// to some other file than the one named (404).
pub async fn refuse_malformed_requests(request: Request, next: Next) -> Response {
    if request.uri().path().contains("//") {
        return (StatusCode::NOT_FOUND, "not found").into_response();
    }
    let uri_bytes = request.uri().path_and_query().map_or(0, |p| p.as_str().len());
    if uri_bytes > MAX_URI_BYTES {
        return (StatusCode::URI_TOO_LONG, "URI too long").into_response();
    }
    let header_bytes: usize = request.headers().iter().map(|(name, value)| name.as_str().len() + value.len() + 4).sum();
    if header_bytes > MAX_HEADER_BYTES {
        return (StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE, "request headers too large").into_response();
    }
    next.run(request).await
}

/// Refuses a write (`POST`) that a page of another site made the browser send,
/// such as a form that counts a view (403). The browser says where the request
/// came from: `Sec-Fetch-Site` where it sends it (Chromium, Firefox and Safari do,
/// to HTTPS and loopback), else `Origin`, whose host must be the `Host` the
/// request was sent to (ports aside: a proxy may drop them from `Host`). A
/// request with neither (curl, a webhook) is not a browser's, and passes.
pub async fn refuse_cross_site_writes(request: Request, next: Next) -> Response {
    if request.method() == axum::http::Method::POST && is_cross_site(request.headers()) {
        return (StatusCode::FORBIDDEN, "cross-site requests may not change anything here").into_response();
    }
    next.run(request).await
}

fn is_cross_site(headers: &axum::http::HeaderMap) -> bool {
    let text = |name: &str| headers.get(name).map(|value| value.to_str().unwrap_or("\u{0}"));
    if let Some(site) = text("sec-fetch-site") {
        return !matches!(site, "same-origin" | "none");
    }
    let Some(origin) = text("origin") else { return false };
    let host_name = |authority: &str| authority.rsplit_once(':').map_or(authority, |(host, _)| host).to_ascii_lowercase();
    let origin_host = origin.split_once("://").map(|(_, authority)| host_name(authority));
    origin_host.is_none_or(|origin_host| text("host").is_none_or(|host| host_name(host) != origin_host))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_write_is_cross_site_by_what_the_browser_says_of_it() {
        let headers = |pairs: &[(&'static str, &'static str)]| {
            let mut map = axum::http::HeaderMap::new();
            for (name, value) in pairs {
                map.insert(*name, HeaderValue::from_static(value));
            }
            map
        };
        for same in [
            &[][..],
            &[("sec-fetch-site", "same-origin")],
            &[("sec-fetch-site", "none")],
            &[("host", "blog.example.org"), ("origin", "https://blog.example.org")],
            &[("host", "127.0.0.1:3000"), ("origin", "http://127.0.0.1:3000")],
            &[("host", "blog.example.org"), ("origin", "https://Blog.Example.org:8443")],
        ] {
            assert!(!is_cross_site(&headers(same)), "{same:?}");
        }
        for cross in [
            &[("sec-fetch-site", "cross-site")][..],
            &[("sec-fetch-site", "same-site")],
            &[("sec-fetch-site", "cross-site"), ("host", "a.org"), ("origin", "https://a.org")],
            &[("host", "blog.example.org"), ("origin", "https://evil.example")],
            &[("host", "blog.example.org"), ("origin", "null")],
            &[("origin", "https://evil.example")],
        ] {
            assert!(is_cross_site(&headers(cross)), "{cross:?}");
        }
    }

    #[test]
    fn hashes_every_inline_script_and_no_external_one() {
        let html = br#"<head><script type="module">a()</script><script src="/pkg/x.js"></script></head><body><script nonce="n">b()</script></body>"#;
        let hashes = inline_script_hashes(html);
        let digest = |text: &str| base64::engine::general_purpose::STANDARD.encode(Sha256::digest(text.as_bytes()));
        let mut expected = vec![digest("a()"), digest("b()")];
        expected.sort();
        assert_eq!(hashes, expected);
    }

    #[test]
    fn the_policy_names_the_nonce_and_the_hashes() {
        let scripts = InlineScripts { nonce: Some("abc".into()), hashes: Arc::from(["h1".to_string()]) };
        let policy = scripts.content_security_policy();
        let policy = policy.to_str().unwrap();
        assert!(policy.contains("script-src 'self' 'wasm-unsafe-eval' 'nonce-abc' 'sha256-h1';"), "{policy}");
        assert!(policy.contains("object-src 'none'") && policy.contains("base-uri 'none'"), "{policy}");
    }
}
