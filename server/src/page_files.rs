//! `PageFiles`: prerendered pages kept in memory and checked against their file
//! on every request with one `stat`: no open, no read, no copy while the page
//! is unchanged (the bytes are shared), and a new `make build` shows at once.
//! The hashes of a page's inline scripts, which its Content-Security-Policy
//! lists, are computed once per version of the file too, and the compressed
//! copies the build wrote beside it are read with it.

use crate::{encoding::Encoding, security::InlineScripts};
use axum::http::{HeaderMap, HeaderValue};
use bytes::Bytes;
use std::{
    collections::HashMap,
    io,
    path::{Path, PathBuf},
    sync::RwLock,
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
    /// The copies the build compressed beside the file (`index.html.br`, `.gz`), best first.
    pub compressed: Vec<(Encoding, Bytes)>,
    pub scripts: InlineScripts,
    pub policy: HeaderValue,
}

impl StaticPage {
    pub fn new(html: Bytes) -> StaticPage {
        let scripts = InlineScripts::of_page(&html);
        StaticPage { policy: scripts.content_security_policy(), scripts, html, compressed: Vec::new() }
    }

    /// The body for a request with these headers: the best compressed copy it
    /// accepts, or the HTML itself (`None`).
    pub fn body_for(&self, request: &HeaderMap) -> (Bytes, Option<Encoding>) {
        let offered = self.compressed.iter().map(|(encoding, _)| *encoding);
        match Encoding::negotiate(request, offered) {
            Some(chosen) => {
                let bytes = self.compressed.iter().find(|(encoding, _)| *encoding == chosen).map(|(_, bytes)| bytes);
                (bytes.expect("negotiated from these").clone(), Some(chosen))
            }
            None => (self.html.clone(), None),
        }
    }

    fn len(&self) -> usize {
        self.html.len() + self.compressed.iter().map(|(_, bytes)| bytes.len()).sum::<usize>()
    }
}

impl PageFiles {
    pub async fn read(&self, path: &Path) -> io::Result<StaticPage> {
        // A stat of a page-cached inode takes about a microsecond: cheaper inline
        // than the hop to a blocking thread that an open and a read need.
        let meta = std::fs::metadata(path)?;
        let (modified, len) = (meta.modified()?, meta.len());
        if let Some(page) = self.cached.read().unwrap_or_else(|p| p.into_inner()).pages.get(path) {
            if page.modified == modified && page.len == len {
                return Ok(page.page.clone());
            }
        }
        let html = Bytes::from(tokio::fs::read(path).await?);
        let mut page = StaticPage::new(html);
        let mut whole = true;
        for encoding in Encoding::ALL {
            match read_compressed(path, encoding, modified).await {
                Compressed::Matching(bytes) => page.compressed.push((encoding, bytes)),
                Compressed::Absent => {}
                Compressed::OtherVersion => whole = false,
            }
        }
        // A build caught between writing a page and its compressed copies: serve
        // what matches, and read the page again next time.
        if !whole {
            return Ok(page);
        }
        let mut cache = self.cached.write().unwrap_or_else(|p| p.into_inner());
        let replaced = cache.pages.get(path).map_or(0, |cached| cached.page.len());
        if cache.bytes - replaced + page.len() <= MEMORY_BUDGET {
            cache.bytes = cache.bytes - replaced + page.len();
            cache.pages.insert(path.to_path_buf(), CachedPage { page: page.clone(), modified, len });
        }
        Ok(page)
    }
}

/// The path of `page`'s copy in `encoding`: `index.html.br`, `index.html.gz`.
pub fn compressed_path(page: &Path, encoding: Encoding) -> PathBuf {
    let mut name = page.as_os_str().to_os_string();
    name.push(".");
    name.push(encoding.file_suffix());
    PathBuf::from(name)
}

enum Compressed {
    Matching(Bytes),
    Absent,
    /// A copy of another version of the page: the build writes a page and its
    /// copies with the same mtime, the page's generation time.
    OtherVersion,
}

async fn read_compressed(page: &Path, encoding: Encoding, page_modified: SystemTime) -> Compressed {
    let path = compressed_path(page, encoding);
    let same_version = std::fs::metadata(&path).and_then(|meta| meta.modified()).map(|modified| modified == page_modified);
    match same_version {
        Err(_) => Compressed::Absent,
        Ok(false) => Compressed::OtherVersion,
        Ok(true) => match tokio::fs::read(&path).await {
            Ok(bytes) => Compressed::Matching(Bytes::from(bytes)),
            Err(_) => Compressed::OtherVersion,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_rewritten_file_is_read_again_and_a_missing_one_is_an_error() {
        let dir = tempfile::TempDir::new().unwrap();
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
    async fn compressed_copies_are_served_only_for_the_version_they_were_made_from() {
        let dir = tempfile::TempDir::new().unwrap();
        let path = dir.path().join("index.html");
        let generated_at = SystemTime::UNIX_EPOCH + std::time::Duration::from_secs(1_800_000_000);
        let brotli = compressed_path(&path, Encoding::Brotli);
        crate::site_fs::write_atomic(&path, b"page", generated_at).unwrap();
        crate::site_fs::write_atomic(&brotli, b"br bytes", generated_at).unwrap();
        let files = PageFiles::default();
        let mut accepts_br = HeaderMap::new();
        accepts_br.insert(axum::http::header::ACCEPT_ENCODING, HeaderValue::from_static("gzip, br"));

        let page = files.read(&path).await.unwrap();
        assert_eq!(page.body_for(&accepts_br), (Bytes::from("br bytes"), Some(Encoding::Brotli)));
        assert_eq!(page.body_for(&HeaderMap::new()), (Bytes::from("page"), None), "identity for a client that accepts none");

        // A new page whose copy is not written yet: the HTML alone, never the old copy.
        crate::site_fs::write_atomic(&path, b"new page", SystemTime::now()).unwrap();
        let page = files.read(&path).await.unwrap();
        assert_eq!(page.body_for(&accepts_br), (Bytes::from("new page"), None));
    }
}
