//! First load: everything a browser with an empty cache fetches to make a page
//! interactive (the HTML, then the stylesheet and the bundle that the HTML
//! links), each in the encoding the server sends to Chromium. Beside it, the
//! JS+WASM part in gzip, the figure that compares like for like with Next.js's
//! 131 KiB gzip for the same blog; and where the islands bundle's bytes go.
// @demo-file: measurement and operations tooling for the demo's routes

use super::report::{BundleFiles, Download, PageLoad, Part, Sizes};
use crate::{
    http,
    site::{self, Bundle},
    wasm_sections,
};
use anyhow::{Context, Result};
use std::{fmt::Write, net::SocketAddr, path::Path};

/// Next.js's first load of the same blog, JS included, gzip.
pub const NEXTJS_FIRST_LOAD_GZIP: u64 = 131 * 1024;
/// What Chromium sends, so what a browser gets.
const CHROMIUM_ACCEPTS: &str = "gzip, deflate, br, zstd";
/// The rows of the "where the bytes go" table.
const LARGEST_PARTS: usize = 12;

pub fn pages(server: SocketAddr, paths: &[String]) -> Result<Vec<PageLoad>> {
    paths.iter().map(|path| page(server, path)).collect()
}

fn page(server: SocketAddr, path: &str) -> Result<PageLoad> {
    let get = |file: &str, accept: &str| {
        http::send(&mut None, server, "GET", file, &[&format!("Accept-Encoding: {accept}")], b"")
    };
    let html = http::get(&mut None, server, path)?;
    let linked = linked_files(&html.text());
    let mut files = Vec::new();
    let mut js_wasm_gzip = 0;
    for file in std::iter::once(path.to_string()).chain(linked) {
        let sent = get(&file, CHROMIUM_ACCEPTS)?;
        if file.ends_with(".js") || file.ends_with(".wasm") {
            js_wasm_gzip += get(&file, "gzip")?.body.len() as u64;
        }
        files.push(Download {
            encoding: sent.header("content-encoding").unwrap_or("identity").to_string(),
            bytes: sent.body.len() as u64,
            path: file,
        });
    }
    let as_sent = files.iter().map(|file| file.bytes).sum();
    Ok(PageLoad { path: path.to_string(), files, as_sent, js_wasm_gzip })
}

/// The `href` of each stylesheet, module preload and preload link: what the
/// browser fetches before the page is interactive.
fn linked_files(html: &str) -> Vec<String> {
    let attribute = |tag: &str, name: &str| {
        let start = tag.find(&format!(" {name}=\""))? + name.len() + 3;
        Some(tag[start..].split('"').next()?.to_string())
    };
    html.split("<link ")
        .skip(1)
        .filter_map(|rest| {
            let tag = format!(" {}", rest.split('>').next()?);
            let rel = attribute(&tag, "rel")?;
            let fetched = matches!(rel.as_str(), "stylesheet" | "modulepreload" | "preload");
            fetched.then(|| attribute(&tag, "href")).flatten()
        })
        .collect()
}

/// The sizes of each bundle's files, and of the `.gz` and `.br` copies that
/// `cargo xtask site` wrote beside them: the bytes the server sends.
pub fn bundles(site_root: &Path) -> Result<Vec<BundleFiles>> {
    let sizes = |file: &str| -> Result<Sizes> {
        let size = |name: String| {
            let path = site_root.join("pkg").join(&name);
            std::fs::metadata(&path).map(|meta| meta.len()).with_context(|| format!("reading pkg/{name}"))
        };
        Ok(Sizes { raw: size(file.to_string())?, gzip: size(format!("{file}.gz"))?, br: size(format!("{file}.br"))? })
    };
    Bundle::ALL
        .into_iter()
        .map(|bundle| {
            let name = bundle.name();
            Ok(BundleFiles { wasm: sizes(&format!("{name}.wasm"))?, js: sizes(&format!("{name}.js"))?, name })
        })
        .collect()
}

/// The largest parts of the islands bundle, read from the copy with names
/// that `cargo xtask site` keeps; the rest summed in one last row.
pub fn islands_bundle_parts(workspace: &Path) -> Result<Vec<Part>> {
    let path = site::named_bundle(workspace, Bundle::Islands);
    let wasm = std::fs::read(&path).with_context(|| format!("reading {} (written by `cargo xtask site`)", path.display()))?;
    let by_crate = wasm_sections::bytes_by_crate(&wasm)?;
    let rest: u64 = by_crate.iter().skip(LARGEST_PARTS).map(|(_, bytes)| bytes).sum();
    let mut parts: Vec<Part> =
        by_crate.into_iter().take(LARGEST_PARTS).map(|(name, bytes)| Part { name, bytes }).collect();
    if rest > 0 {
        parts.push(Part { name: "everything else".into(), bytes: rest });
    }
    Ok(parts)
}

fn kib(bytes: u64) -> String {
    format!("{:.1}", bytes as f64 / 1024.0)
}

pub fn markdown(pages: &[PageLoad], bundles: &[BundleFiles], parts: &[Part]) -> String {
    let mut out = String::from(
        "\nFirst load, empty cache, as sent to Chromium (KiB; `br` unless marked):\n\n\
         | page | HTML | CSS | JS | WASM | first load | JS+WASM gzip | vs Next.js's 131 KiB gzip |\n\
         |---|---:|---:|---:|---:|---:|---:|---:|\n",
    );
    for page in pages {
        let cell = |matches: &dyn Fn(&str) -> bool| {
            let files: Vec<&Download> = page.files.iter().filter(|file| matches(&file.path)).collect();
            let bytes: u64 = files.iter().map(|file| file.bytes).sum();
            let encodings: Vec<&str> =
                files.iter().map(|file| file.encoding.as_str()).filter(|encoding| *encoding != "br").collect();
            if encodings.is_empty() { kib(bytes) } else { format!("{} ({})", kib(bytes), encodings.join(", ")) }
        };
        let _ = writeln!(
            out,
            "| `{}` | {} | {} | {} | {} | **{}** | {} | {:.2}× |",
            page.path,
            cell(&|path| path == page.path),
            cell(&|path| path.ends_with(".css")),
            cell(&|path| path.ends_with(".js")),
            cell(&|path| path.ends_with(".wasm")),
            kib(page.as_sent),
            kib(page.js_wasm_gzip),
            page.js_wasm_gzip as f64 / NEXTJS_FIRST_LOAD_GZIP as f64,
        );
    }
    out.push_str("\n| bundle | WASM raw | WASM gzip | WASM br | JS raw | JS gzip | JS br |\n|---|---:|---:|---:|---:|---:|---:|\n");
    for bundle in bundles {
        let (wasm, js) = (&bundle.wasm, &bundle.js);
        let _ = writeln!(
            out,
            "| `{}` | {} | {} | {} | {} | {} | {} |",
            bundle.name,
            kib(wasm.raw),
            kib(wasm.gzip),
            kib(wasm.br),
            kib(js.raw),
            kib(js.gzip),
            kib(js.br)
        );
    }
    let total: u64 = parts.iter().map(|part| part.bytes).sum();
    out.push_str("\nWhere the islands bundle's bytes go (code and data, before compression):\n\n| part | KiB | share |\n|---|---:|---:|\n");
    for part in parts {
        let _ = writeln!(out, "| {} | {} | {:.1} % |", part.name, kib(part.bytes), 100.0 * part.bytes as f64 / total.max(1) as f64);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_files_a_page_fetches_first_are_its_stylesheet_and_preloads() {
        let html = r#"<head><link rel="icon" href="/favicon.svg"><link rel="stylesheet" href="/pkg/blog.css"/>
            <link rel="modulepreload" href="/pkg/blog.js"><link rel="preload" href="/pkg/blog.wasm" as="fetch" crossorigin="">
            <link rel="alternate" href="/feed.xml"></head>"#;
        assert_eq!(linked_files(html), ["/pkg/blog.css", "/pkg/blog.js", "/pkg/blog.wasm"]);
    }
}
