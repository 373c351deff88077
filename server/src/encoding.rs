//! Compressed bodies. The bytes a build writes are compressed once, at the
//! build's best levels, beside the file (`index.html.br`, `index.html.gz`):
//! `PageFiles` and `ServeDir` send those as they are. Rendered HTML is
//! compressed per response by `compress_rendered`, except the streamed
//! strategies, whose chunks must reach the browser the moment they are ready.

use axum::http::{header, HeaderMap, HeaderValue, Response};
use std::io::Write;
use tower_http::compression::{
    predicate::{DefaultPredicate, Predicate},
    CompressionLayer,
};

/// The encodings a build writes beside a file, best first.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Encoding {
    Brotli,
    Gzip,
}

impl Encoding {
    pub const ALL: [Encoding; 2] = [Encoding::Brotli, Encoding::Gzip];

    /// What `Content-Encoding` and `Accept-Encoding` call it.
    pub fn token(self) -> &'static str {
        match self {
            Encoding::Brotli => "br",
            Encoding::Gzip => "gzip",
        }
    }

    /// The suffix of the file that holds a file's bytes in this encoding.
    pub fn file_suffix(self) -> &'static str {
        match self {
            Encoding::Brotli => "br",
            Encoding::Gzip => "gz",
        }
    }

    /// `bytes`, compressed at this encoding's best level that a prerender of ten
    /// thousand pages can afford.
    pub fn compress(self, bytes: &[u8]) -> Vec<u8> {
        match self {
            Encoding::Brotli => {
                let mut out = Vec::with_capacity(bytes.len() / 4);
                let params = brotli::enc::BrotliEncoderParams { quality: BROTLI_QUALITY, ..Default::default() };
                brotli::BrotliCompress(&mut &bytes[..], &mut out, &params).expect("compressing into memory cannot fail");
                out
            }
            Encoding::Gzip => {
                let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
                encoder.write_all(bytes).expect("writing to memory cannot fail");
                encoder.finish().expect("writing to memory cannot fail")
            }
        }
    }

    /// The best of `offered` that the request's `Accept-Encoding` allows; `None`
    /// means identity. A `q=0` refuses an encoding; `*` stands for any not named.
    pub fn negotiate(request: &HeaderMap, offered: impl IntoIterator<Item = Encoding>) -> Option<Encoding> {
        let accepted: Vec<(&str, bool)> = request
            .get_all(header::ACCEPT_ENCODING)
            .iter()
            .filter_map(|value| value.to_str().ok())
            .flat_map(|value| value.split(','))
            .filter_map(|item| {
                let mut parts = item.split(';').map(str::trim);
                let name = parts.next().filter(|name| !name.is_empty())?;
                let refused = parts.any(|param| {
                    param.strip_prefix("q=").is_some_and(|q| q.parse::<f32>().map_or(true, |q| q <= 0.0))
                });
                Some((name, !refused))
            })
            .collect();
        let allows = |encoding: Encoding| {
            let named = accepted.iter().find(|(name, _)| name.eq_ignore_ascii_case(encoding.token()));
            match named {
                Some(&(_, allowed)) => allowed,
                None => accepted.iter().any(|&(name, allowed)| name == "*" && allowed),
            }
        };
        offered.into_iter().find(|&encoding| allows(encoding))
    }
}

/// Measured on this blog's 8-12 KB pages: quality 11 is 13 % smaller than 5
/// but takes 10-20 ms a page against 0.5-2 ms, a minute more for a build of
/// ten thousand posts; 9 is no smaller than 5.
const BROTLI_QUALITY: i32 = 5;

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

#[derive(Clone, Copy)]
struct NotStreamed;

impl Predicate for NotStreamed {
    fn should_compress<B: axum::body::HttpBody>(&self, response: &Response<B>) -> bool {
        let strategy = response.headers().get(&crate::response::X_RENDER_STRATEGY);
        !strategy.is_some_and(|strategy| strategy == "stream" || strategy == "ppr")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use Encoding::{Brotli, Gzip};

    fn accepting(value: &str) -> HeaderMap {
        let mut headers = HeaderMap::new();
        headers.insert(header::ACCEPT_ENCODING, HeaderValue::from_str(value).unwrap());
        headers
    }

    #[test]
    fn brotli_is_preferred_then_gzip_then_identity() {
        assert_eq!(Encoding::negotiate(&accepting("gzip, deflate, br, zstd"), Encoding::ALL), Some(Brotli));
        assert_eq!(Encoding::negotiate(&accepting("gzip"), Encoding::ALL), Some(Gzip));
        assert_eq!(Encoding::negotiate(&accepting("GZip;q=0.5, identity"), Encoding::ALL), Some(Gzip));
        assert_eq!(Encoding::negotiate(&accepting("identity"), Encoding::ALL), None);
        assert_eq!(Encoding::negotiate(&HeaderMap::new(), Encoding::ALL), None);
    }

    #[test]
    fn a_zero_quality_refuses_and_a_star_accepts_the_rest() {
        assert_eq!(Encoding::negotiate(&accepting("br;q=0, gzip"), Encoding::ALL), Some(Gzip));
        assert_eq!(Encoding::negotiate(&accepting("br;q=0.0, gzip;q=0"), Encoding::ALL), None);
        assert_eq!(Encoding::negotiate(&accepting("*"), Encoding::ALL), Some(Brotli));
        assert_eq!(Encoding::negotiate(&accepting("br;q=0, *"), Encoding::ALL), Some(Gzip));
        assert_eq!(Encoding::negotiate(&accepting("gzip"), [Brotli]), None, "only what is offered");
    }

    #[test]
    fn compressed_bytes_decompress_to_the_original() {
        let page = "<p>a page, repeated</p>".repeat(200);
        let mut decoded = Vec::new();
        brotli::BrotliDecompress(&mut &Brotli.compress(page.as_bytes())[..], &mut decoded).unwrap();
        assert_eq!(decoded, page.as_bytes());
        let mut decoded = String::new();
        std::io::Read::read_to_string(&mut flate2::read::GzDecoder::new(&Gzip.compress(page.as_bytes())[..]), &mut decoded)
            .unwrap();
        assert_eq!(decoded, page);
    }

    #[test]
    fn vary_is_added_once() {
        let mut headers = HeaderMap::new();
        vary_on_accept_encoding(&mut headers);
        vary_on_accept_encoding(&mut headers);
        assert_eq!(headers.get_all(header::VARY).iter().count(), 1);
    }
}
