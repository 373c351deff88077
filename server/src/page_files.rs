//! `PageFiles`: prerendered pages kept in memory and checked against their file
//! on every request with one `stat`: no open, no read, no copy while the page
//! is unchanged (the bytes are shared), and a new `make build` shows at once.
//! The hashes of a page's inline scripts, which its Content-Security-Policy
//! lists, are computed once per version of the file too, and the compressed
//! copy the build wrote beside it is read (and checked) with it.

use crate::{encoding, security::InlineScripts};
use app::components::is_hole_id;
use axum::http::{HeaderMap, HeaderValue};
use bytes::Bytes;
use std::{
    collections::HashMap,
    io,
    path::{Path, PathBuf},
    sync::{Arc, RwLock},
    time::SystemTime,
};

/// Pages beyond this many bytes in memory are served from disk uncached, so a
/// site with ten thousand posts doesn't hold them all in the server's memory.
const MEMORY_BUDGET: usize = 8 * 1024 * 1024;

#[derive(Default)]
pub struct PageFiles {
    cached: RwLock<Cache>,
}

#[derive(Default)]
struct Cache {
    pages: HashMap<PathBuf, CachedPage>,
    bytes: usize,
}

struct CachedPage {
    page: StaticPage,
    modified: SystemTime,
    len: u64,
}

/// A prerendered page's bytes, the same bytes compressed, the inline scripts
/// its policy allows, and that policy as a ready header value.
#[derive(Clone)]
pub struct StaticPage {
    pub html: Bytes,
    /// The copy the build compressed beside the file (`index.html.br`), if it
    /// is there for this version of the page.
    pub brotli: Option<Bytes>,
    pub scripts: InlineScripts,
    pub policy: HeaderValue,
    /// The ids of the hole slots in it (`data-ppr-hole`), in page order: what
    /// PPR fills after the page, when it is a PPR shell.
    pub holes: Arc<[String]>,
}

impl StaticPage {
    pub fn new(html: Bytes) -> StaticPage {
        let scripts = InlineScripts::of_page(&html);
        StaticPage { policy: scripts.content_security_policy(), scripts, holes: hole_slots(&html), html, brotli: None }
    }

    /// The body for a request with these headers, and its `Content-Encoding`:
    /// the build's brotli copy if the client takes it, else the HTML itself.
    pub fn body_for(&self, request: &HeaderMap) -> (Bytes, Option<&'static str>) {
        match &self.brotli {
            Some(brotli) if encoding::accepts_brotli(request) => (brotli.clone(), Some(encoding::BROTLI)),
            _ => (self.html.clone(), None),
        }
    }

    fn len(&self) -> usize {
        self.html.len() + self.brotli.as_ref().map_or(0, Bytes::len)
    }
}

/// The `data-ppr-hole` ids in `html`, each once, in the order they appear. A
/// match whose value can be no hole's id (`app::components::is_hole_id`) is
/// no slot.
fn hole_slots(html: &[u8]) -> Arc<[String]> {
    const SLOT: &[u8] = b"data-ppr-hole=\"";
    let mut ids: Vec<String> = Vec::new();
    for at in memchr::memmem::find_iter(html, SLOT) {
        let rest = &html[at + SLOT.len()..];
        let Some(id) = memchr::memchr(b'"', rest).map(|end| &rest[..end]) else { continue };
        if is_hole_id(id) && !ids.iter().any(|known| known.as_bytes() == id) {
            ids.push(String::from_utf8_lossy(id).into_owned());
        }
    }
    ids.into()
}

impl PageFiles {
    pub async fn read(&self, path: &Path) -> io::Result<StaticPage> {
        // A stat of a page-cached inode takes about a microsecond: cheaper inline
        // than the hop to a blocking thread that an open and a read need.
        let meta = match std::fs::metadata(path) {
            Ok(meta) => meta,
            Err(error) => {
                self.forget(path); // a build removed it: free its memory too
                return Err(error);
            }
        };
        let (modified, len) = (meta.modified()?, meta.len());
        if let Some(page) = self.cached.read().unwrap_or_else(|p| p.into_inner()).pages.get(path) {
            if page.modified == modified && page.len == len {
                return Ok(page.page.clone());
            }
        }
        let html = Bytes::from(tokio::fs::read(path).await?);
        let mut page = StaticPage::new(html);
        // A page beyond the budget is read from disk on every request: reading
        // and checking its copy each time too would double that cost, so it is
        // compressed per response instead, like a rendered page.
        if !self.cached.read().unwrap_or_else(|p| p.into_inner()).fits(path, page.len()) {
            return Ok(page);
        }
        match read_brotli_copy(path, &page.html, modified).await {
            Copy::Matching(bytes) => page.brotli = Some(bytes),
            Copy::Absent => {}
            // A build caught between writing a page and its copy: serve the
            // page, and read it again next time.
            Copy::OtherVersion => return Ok(page),
        }
        let mut cache = self.cached.write().unwrap_or_else(|p| p.into_inner());
        if cache.fits(path, page.len()) {
            let replaced = cache.pages.get(path).map_or(0, |cached| cached.page.len());
            cache.bytes = cache.bytes - replaced + page.len();
            cache.pages.insert(path.to_path_buf(), CachedPage { page: page.clone(), modified, len });
        }
        Ok(page)
    }

    fn forget(&self, path: &Path) {
        if !self.cached.read().unwrap_or_else(|p| p.into_inner()).pages.contains_key(path) {
            return;
        }
        let mut cache = self.cached.write().unwrap_or_else(|p| p.into_inner());
        if let Some(gone) = cache.pages.remove(path) {
            cache.bytes -= gone.page.len();
        }
    }
}

impl Cache {
    /// Whether a version of `path` that takes `len` bytes stays within the budget.
    fn fits(&self, path: &Path, len: usize) -> bool {
        let replaced = self.pages.get(path).map_or(0, |cached| cached.page.len());
        self.bytes - replaced + len <= MEMORY_BUDGET
    }
}

/// Where the build writes `page`'s brotli copy: `index.html.br`.
pub fn brotli_copy_path(page: &Path) -> PathBuf {
    let mut name = page.as_os_str().to_os_string();
    name.push(".");
    name.push(encoding::BROTLI);
    PathBuf::from(name)
}

enum Copy {
    Matching(Bytes),
    Absent,
    /// A copy of another version of the page: the build writes a page and its
    /// copy with the same mtime, the page's generation time.
    OtherVersion,
}

async fn read_brotli_copy(page: &Path, html: &[u8], page_modified: SystemTime) -> Copy {
    let path = brotli_copy_path(page);
    let same_version = std::fs::metadata(&path).and_then(|meta| meta.modified()).map(|modified| modified == page_modified);
    match same_version {
        Err(_) => Copy::Absent,
        Ok(false) => Copy::OtherVersion,
        // The build writes the copy without a sync: it is served only if it
        // decodes to the page, byte for byte (checked once per version).
        Ok(true) => match tokio::fs::read(&path).await {
            Ok(bytes) if encoding::is_brotli_of(&bytes, html) => Copy::Matching(Bytes::from(bytes)),
            _ => Copy::OtherVersion,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_shell_names_its_hole_slots_in_page_order() {
        let html = br#"<aside><div class="hole-slot" data-ppr-hole="most-viewed-today"><span></span></div><p>data-ppr-hole</p><div data-ppr-hole="trending"></div><div data-ppr-hole="trending"></div></aside><script>q('[data-ppr-hole="'+id+'"]')</script>"#;
        assert_eq!(&*hole_slots(html), ["most-viewed-today", "trending"], "each slot once, and no script's text");
        assert!(hole_slots(b"<p>no holes</p>").is_empty());
    }

    #[tokio::test]
    async fn a_rewritten_file_is_read_again_and_a_missing_one_is_an_error() {
        let dir = crate::scratch::TempDir::new().unwrap();
        let path = dir.path().join("index.html");
        let files = PageFiles::default();
        std::fs::write(&path, "first build").unwrap();
        assert_eq!(files.read(&path).await.unwrap().html, "first build");
        assert_eq!(files.read(&path).await.unwrap().html, "first build");
        std::fs::write(&path, "the second build<script>x()</script>").unwrap();
        let page = files.read(&path).await.unwrap();
        assert_eq!(page.html, "the second build<script>x()</script>");
        assert_eq!(page.scripts.hashes.len(), 1, "the new version's script is hashed");
        std::fs::remove_file(&path).unwrap();
        assert_eq!(files.read(&path).await.err().unwrap().kind(), io::ErrorKind::NotFound);
    }

    #[tokio::test]
    async fn a_brotli_copy_is_served_only_for_the_version_it_was_made_from() {
        let dir = crate::scratch::TempDir::new().unwrap();
        let path = dir.path().join("index.html");
        let generated_at = SystemTime::UNIX_EPOCH + std::time::Duration::from_secs(1_800_000_000);
        let brotli = brotli_copy_path(&path);
        crate::site_fs::write_atomic(&path, b"page", generated_at).unwrap();
        let compressed = encoding::brotli(b"page");
        crate::site_fs::write_atomic(&brotli, &compressed, generated_at).unwrap();
        let files = PageFiles::default();
        let mut accepts_br = HeaderMap::new();
        accepts_br.insert(axum::http::header::ACCEPT_ENCODING, HeaderValue::from_static("gzip, br"));

        let page = files.read(&path).await.unwrap();
        assert_eq!(page.body_for(&accepts_br), (Bytes::from(compressed), Some("br")));
        assert_eq!(page.body_for(&HeaderMap::new()), (Bytes::from("page"), None), "identity for a client that accepts none");

        // A new page whose copy is not written yet: the HTML alone, never the old copy.
        crate::site_fs::write_atomic(&path, b"new page", SystemTime::now()).unwrap();
        let page = files.read(&path).await.unwrap();
        assert_eq!(page.body_for(&accepts_br), (Bytes::from("new page"), None));

        // A copy with the right mtime that is not the page (torn by a crash, say): never sent.
        let generated_at = SystemTime::UNIX_EPOCH + std::time::Duration::from_secs(1_900_000_000);
        crate::site_fs::write_atomic(&path, b"third page", generated_at).unwrap();
        crate::site_fs::write_atomic(&brotli, &encoding::brotli(b"third pa"), generated_at).unwrap();
        let page = files.read(&path).await.unwrap();
        assert_eq!(page.body_for(&accepts_br), (Bytes::from("third page"), None));

        // A page beyond the memory budget, read from disk per request, leaves its
        // copy unread: the compression layer compresses it per response.
        let huge = "<p>many posts</p>".repeat(MEMORY_BUDGET / 16 + 1);
        crate::site_fs::write_atomic(&path, huge.as_bytes(), generated_at).unwrap();
        crate::site_fs::write_atomic(&brotli, &encoding::brotli(huge.as_bytes()), generated_at).unwrap();
        let page = files.read(&path).await.unwrap();
        assert_eq!(page.body_for(&accepts_br), (Bytes::from(huge), None));
    }
}
