//! `PageFiles`: prerendered pages kept in memory and checked against their file
//! on every request with one `stat`: no open, no read, no copy while the page
//! is unchanged (the bytes are shared), and a new `make build` shows at once.
//! The hashes of a page's inline scripts, which its Content-Security-Policy
//! lists, are computed once per version of the file too.

use crate::security::InlineScripts;
use axum::http::HeaderValue;
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

/// A prerendered page's bytes, the inline scripts its policy allows, and that
/// policy as a ready header value.
#[derive(Clone)]
pub struct StaticPage {
    pub html: Bytes,
    pub scripts: InlineScripts,
    pub policy: HeaderValue,
}

impl StaticPage {
    pub fn new(html: Bytes) -> StaticPage {
        let scripts = InlineScripts::of_page(&html);
        StaticPage { policy: scripts.content_security_policy(), scripts, html }
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
        let page = StaticPage::new(html);
        let mut cache = self.cached.write().unwrap_or_else(|p| p.into_inner());
        let replaced = cache.pages.get(path).map_or(0, |cached| cached.page.html.len());
        if cache.bytes - replaced + page.html.len() <= MEMORY_BUDGET {
            cache.bytes = cache.bytes - replaced + page.html.len();
            cache.pages.insert(path.to_path_buf(), CachedPage { page: page.clone(), modified, len });
        }
        Ok(page)
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
}
