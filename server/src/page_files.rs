//! `PageFiles`: prerendered pages kept in memory and checked against their file
//! on every request with one `stat`: no open, no read, no copy while the page
//! is unchanged (the bytes are shared), and a new `make build` shows at once.

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
    html: Bytes,
    modified: SystemTime,
    len: u64,
}

impl PageFiles {
    pub async fn read(&self, path: &Path) -> io::Result<Bytes> {
        // A stat of a page-cached inode takes about a microsecond: cheaper inline
        // than the hop to a blocking thread that an open and a read need.
        let meta = std::fs::metadata(path)?;
        let (modified, len) = (meta.modified()?, meta.len());
        if let Some(page) = self.cached.read().unwrap_or_else(|p| p.into_inner()).pages.get(path) {
            if page.modified == modified && page.len == len {
                return Ok(page.html.clone());
            }
        }
        let html = Bytes::from(tokio::fs::read(path).await?);
        let mut cache = self.cached.write().unwrap_or_else(|p| p.into_inner());
        let replaced = cache.pages.get(path).map_or(0, |page| page.html.len());
        if cache.bytes - replaced + html.len() <= MEMORY_BUDGET {
            cache.bytes = cache.bytes - replaced + html.len();
            cache.pages.insert(path.to_path_buf(), CachedPage { html: html.clone(), modified, len });
        }
        Ok(html)
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
        assert_eq!(files.read(&path).await.unwrap(), "first build");
        assert_eq!(files.read(&path).await.unwrap(), "first build");
        std::fs::write(&path, "the second build").unwrap();
        assert_eq!(files.read(&path).await.unwrap(), "the second build");
        std::fs::remove_file(&path).unwrap();
        assert_eq!(files.read(&path).await.unwrap_err().kind(), io::ErrorKind::NotFound);
    }
}
