//! PPR: partial prerendering. `make build` wrote the page's shell to disk: nav,
//! post list, skeletons in the holes, and a resolver script (`__pprFill`). A
//! request gets the shell file's bytes at once, unchanged, then one inline
//! `<script>` per hole slot in the shell (`data-ppr-hole`, filled by the hole
//! of that id in `app::components::HOLES`), in the order the holes finish, on
//! the same response.
//! Only the holes cost compute: this module never renders the shell, it reads
//! it (through `PageFiles`, like SSG).
//!
//! Because the shell is a complete document, a plain file server or a CDN can
//! serve it too; there the holes simply keep their skeletons.

use crate::{
    render,
    response::{finish, Caching, ServerTiming},
    security::{new_nonce, InlineScripts},
    routes::serves,
    site_fs,
    state::AppState,
    strategies::ssg,
};
use app::{components::hole, Strategy};
use axum::{
    body::Body,
    extract::State,
    http::{header, HeaderValue, Request, StatusCode, Version},
    response::{IntoResponse, Response},
};
use bytes::Bytes;
use futures::{stream::FuturesUnordered, StreamExt};
use std::{convert::Infallible, time::Instant};

pub async fn page(State(state): State<AppState>, request: Request<Body>) -> Response {
    let started = Instant::now();
    let path = request.uri().path();
    let file = site_fs::page_file(&state.config.site_root, path);
    // A list page past the last has no shell: it is not found, not unbuilt.
    let Some(file) = file.filter(|_| serves(&state.posts.index(), Strategy::Ppr, path)) else {
        return ssg::not_found_page(&state, request.headers()).await;
    };
    let shell = match state.page_files.read(&file).await {
        Ok(page) => page,
        Err(error) => {
            app::repeated_errors::log_error("PPR shell missing", |held_back| {
                tracing::error!(file = %file.display(), %error, held_back, "PPR shell missing: run `make build`");
            });
            return (StatusCode::SERVICE_UNAVAILABLE, "The PPR shell is not built yet: run `make build`.").into_response();
        }
    };
    let timing = ServerTiming::default().with("file", started.elapsed());
    // The shell's own scripts are allowed by their hashes; the fills, made for
    // this response, by a nonce.
    let nonce = new_nonce();
    let scripts = InlineScripts { nonce: Some(nonce.clone()), hashes: shell.scripts.hashes.clone() };
    let (slots, shell) = (shell.holes, shell.html);

    let fills: FuturesUnordered<_> = slots
        .iter()
        .filter_map(|id| {
            let found = hole(id);
            if found.is_none() {
                log_unknown_slot(id);
            }
            found
        })
        .map(|hole| {
            let (state, nonce) = (state.clone(), nonce.clone());
            async move {
                let html = render::hole(&state, hole, state.config.ppr_hole_timeout).await;
                Bytes::from(fill_script(&nonce, hole.id, &html))
            }
        })
        .collect();

    let response = if request.version() <= Version::HTTP_10 {
        // No chunked encoding: wait for every hole and send one complete body.
        let fills: Vec<Bytes> = fills.collect().await;
        let mut body = shell.to_vec();
        fills.iter().for_each(|fill| body.extend_from_slice(fill));
        let mut response = Response::new(Body::from(body));
        response.headers_mut().insert(header::CONTENT_LENGTH, HeaderValue::from(response_len(&shell, &fills)));
        response
    } else {
        let body = futures::stream::once(async move { shell }).chain(fills).map(Ok::<_, Infallible>);
        Response::new(Body::from_stream(body))
    };
    let mut response = finish(response, Strategy::Ppr, timing, Caching::NoStore, scripts.content_security_policy());
    response
        .headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static("text/html; charset=utf-8"));
    response
}

/// A slot whose id no hole in `app::components::HOLES` has keeps its
/// skeleton; the log says why.
fn log_unknown_slot(id: &str) {
    app::repeated_errors::log_error("PPR slot without a hole", |held_back| {
        tracing::error!(id, held_back, "a PPR shell has a slot for a hole that `app::components::HOLES` does not list");
    });
}

fn response_len(shell: &Bytes, fills: &[Bytes]) -> usize {
    shell.len() + fills.iter().map(Bytes::len).sum::<usize>()
}

/// `<script nonce="…">__pprFill("id","html")</script>`, with the HTML as a
/// string literal that can't end the script (see `push_script_string`).
fn fill_script(nonce: &str, id: &str, html: &str) -> String {
    let mut script = String::with_capacity(html.len() + html.len() / 8 + 64);
    script.push_str("<script nonce=\"");
    script.push_str(nonce);
    script.push_str("\">__pprFill(");
    push_script_string(&mut script, id);
    script.push(',');
    push_script_string(&mut script, html);
    script.push_str(")</script>");
    script
}

/// `text` as a JSON string literal that is also safe inside `<script>`: `<`,
/// `>` and `&` become `\u003c`, `\u003e`, `\u0026` (so no `</script>` or
/// `<!--`), and U+2028/U+2029 are escaped too. One pass that copies the runs
/// between escapes: it is on every PPR response, for every hole.
fn push_script_string(out: &mut String, text: &str) {
    out.push('"');
    let bytes = text.as_bytes();
    let mut copied = 0;
    for (at, &byte) in bytes.iter().enumerate() {
        let escape = match byte {
            b'"' => "\\\"",
            b'\\' => "\\\\",
            b'\n' => "\\n",
            b'\r' => "\\r",
            b'\t' => "\\t",
            b'<' => "\\u003c",
            b'>' => "\\u003e",
            b'&' => "\\u0026",
            // U+2028 and U+2029 are E2 80 A8 and E2 80 A9 in UTF-8.
            0xE2 if bytes[at..].starts_with(&[0xE2, 0x80, 0xA8]) => "\\u2028",
            0xE2 if bytes[at..].starts_with(&[0xE2, 0x80, 0xA9]) => "\\u2029",
            byte if byte < 0x20 => CONTROL_ESCAPES[byte as usize],
            _ => continue,
        };
        out.push_str(&text[copied..at]);
        out.push_str(escape);
        copied = at + if byte == 0xE2 { 3 } else { 1 };
    }
    out.push_str(&text[copied..]);
    out.push('"');
}

/// `\u0000` to `\u001f`, for the control characters without a short escape.
const CONTROL_ESCAPES: [&str; 32] = [
    "\\u0000", "\\u0001", "\\u0002", "\\u0003", "\\u0004", "\\u0005", "\\u0006", "\\u0007", "\\u0008", "\\u0009", "\\u000a",
    "\\u000b", "\\u000c", "\\u000d", "\\u000e", "\\u000f", "\\u0010", "\\u0011", "\\u0012", "\\u0013", "\\u0014", "\\u0015",
    "\\u0016", "\\u0017", "\\u0018", "\\u0019", "\\u001a", "\\u001b", "\\u001c", "\\u001d", "\\u001e", "\\u001f",
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hole_html_cannot_break_out_of_its_script() {
        let hostile = "</script><script>window.__pwned=1</script><!-- \u{2028}\u{2029} \"quoted\" \\ & \n\t\r\u{1}\u{1f} € \u{2027} done";
        let script = fill_script("n0nce", "trending", hostile);
        let inner = script.strip_prefix("<script nonce=\"n0nce\">").unwrap().strip_suffix("</script>").unwrap();
        for forbidden in ["<", ">", "\u{2028}", "\u{2029}", "\n", "\u{1}"] {
            assert!(!inner.contains(forbidden), "{forbidden:?} in {inner}");
        }
        let literal = inner.strip_prefix("__pprFill(\"trending\",").unwrap().strip_suffix(')').unwrap();
        let decoded: String = serde_json::from_str(literal).unwrap();
        assert_eq!(decoded, hostile, "the string decodes back to the exact HTML");
    }
}
