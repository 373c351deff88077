//! Compressed bodies. What a build writes is compressed once, beside the
//! file (`pkg/blog.wasm.br` and `.gz`, `index.html.br`): `ServeDir` and
//! `PageFiles` send those copies as they are. Rendered HTML is
//! compressed per response by `compress_rendered`, except the streamed
//! strategies, whose chunks must reach the browser the moment they are ready.

use axum::http::{header, HeaderMap, HeaderValue, Response};
use tower_http::compression::{
    predicate::{DefaultPredicate, Predicate},
    CompressionLayer,
};

/// `Content-Encoding` of the page copies the build writes, and their file suffix.
pub const BROTLI: &str = "br";

/// Measured here: a build of 1,000 posts took 0.6 s without copies, 1.6 s
/// with quality 4 and 5.9 s with 5 (from 5 on, the encoder allocates far
/// larger tables for every page); quality-4 pages are 6 % larger than 5 and
/// 20 % larger than 11, about half a KiB.
const BROTLI_QUALITY: i32 = 4;

/// `bytes`, brotli-compressed at the quality a prerender of ten thousand pages
/// can afford.
pub fn brotli(bytes: &[u8]) -> Vec<u8> {
    // A window just large enough for the page: the default, 4 MiB, is allocated
    // by every call, and so it was most of a large build's peak memory.
    let lgwin = (usize::BITS - bytes.len().leading_zeros()).clamp(10, 24) as i32;
    let params = brotli::enc::BrotliEncoderParams { quality: BROTLI_QUALITY, lgwin, ..Default::default() };
    let mut out = Vec::with_capacity(bytes.len() / 4);
    brotli::BrotliCompress(&mut &bytes[..], &mut out, &params).expect("compressing into memory cannot fail");
    out
}

/// Whether `compressed` is brotli that decodes to exactly `plain`.
pub fn is_brotli_of(compressed: &[u8], plain: &[u8]) -> bool {
    let mut decoded = Vec::with_capacity(plain.len());
    brotli::BrotliDecompress(&mut &compressed[..], &mut decoded).is_ok() && decoded == plain
}

/// Whether the request's `Accept-Encoding` takes brotli: named without
/// `q=0`, or not named and allowed by a `*`.
pub fn accepts_brotli(request: &HeaderMap) -> bool {
    let mut star = false;
    for item in request.get_all(header::ACCEPT_ENCODING).iter().filter_map(|value| value.to_str().ok()).flat_map(|v| v.split(',')) {
        let mut parts = item.split(';').map(str::trim);
        let name = parts.next().unwrap_or_default();
        let refused = parts.any(|param| param.strip_prefix("q=").is_some_and(|q| q.parse::<f32>().map_or(true, |q| q <= 0.0)));
        if name.eq_ignore_ascii_case(BROTLI) {
            return !refused;
        }
        star |= name == "*" && !refused;
    }
    star
}

/// `Vary: Accept-Encoding`, for a response whose bytes depend on that header.
pub fn vary_on_accept_encoding(headers: &mut HeaderMap) {
    let varies = headers.get_all(header::VARY).iter().any(|value| {
        value.to_str().is_ok_and(|value| value.split(',').any(|name| name.trim().eq_ignore_ascii_case("accept-encoding")))
    });
    if !varies {
        headers.append(header::VARY, HeaderValue::from_static("accept-encoding"));
    }
}

/// Compresses rendered responses (SSR, ISR, the CSR shell, the 404 page, the
/// API) for the clients that accept it, brotli first, at tower-http's default
/// levels, which cost well under a millisecond for a page. Responses that are
/// already encoded (`ServeDir`'s and `PageFiles`'s precompressed bytes) pass
/// through. So do the streamed strategies: a compressor holds bytes back until
/// it has enough to compress, and their shell must reach the browser at once.
pub fn compress_rendered() -> CompressionLayer<impl Predicate> {
    CompressionLayer::new().no_deflate().no_zstd().compress_when(DefaultPredicate::new().and(NotStreamed))
}

/// Not a page whose strategy streams its holes in after the shell (streaming, PPR).
#[derive(Clone, Copy)]
struct NotStreamed;

impl Predicate for NotStreamed {
    fn should_compress<B: axum::body::HttpBody>(&self, response: &Response<B>) -> bool {
        let strategy = response.headers().get(&crate::response::X_RENDER_STRATEGY);
        let strategy = strategy.and_then(|value| value.to_str().ok()).and_then(app::Strategy::parse);
        !strategy.is_some_and(app::Strategy::has_holes)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn accepting(value: &str) -> HeaderMap {
        let mut headers = HeaderMap::new();
        headers.insert(header::ACCEPT_ENCODING, HeaderValue::from_str(value).unwrap());
        headers
    }

    #[test]
    fn brotli_is_taken_when_named_or_starred_and_not_refused() {
        assert!(accepts_brotli(&accepting("gzip, deflate, br, zstd")));
        assert!(accepts_brotli(&accepting("BR;q=0.5")));
        assert!(accepts_brotli(&accepting("*")));
        assert!(!accepts_brotli(&accepting("gzip")));
        assert!(!accepts_brotli(&accepting("identity")));
        assert!(!accepts_brotli(&HeaderMap::new()));
        assert!(!accepts_brotli(&accepting("br;q=0, gzip")));
        assert!(!accepts_brotli(&accepting("br;q=0.0, *")), "a named refusal wins over the star");
    }

    #[test]
    fn a_copy_is_checked_against_the_page_byte_for_byte() {
        let page = "<p>a page, repeated</p>".repeat(200);
        let compressed = brotli(page.as_bytes());
        assert!(compressed.len() < page.len() / 10);
        assert!(is_brotli_of(&compressed, page.as_bytes()));
        assert!(!is_brotli_of(&compressed[..compressed.len() / 2], page.as_bytes()), "a torn copy");
        assert!(!is_brotli_of(&compressed, b"another page"));
        assert!(!is_brotli_of(b"not brotli", page.as_bytes()));
    }

    #[test]
    fn vary_is_added_once() {
        let mut headers = HeaderMap::new();
        vary_on_accept_encoding(&mut headers);
        vary_on_accept_encoding(&mut headers);
        assert_eq!(headers.get_all(header::VARY).iter().count(), 1);
    }
}
