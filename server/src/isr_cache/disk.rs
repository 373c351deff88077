//! `DiskPages`: ISR pages as files in the site root, where the build step put
//! them, so a plain file server serves the same bytes. A page's age is its
//! file's mtime; its tags are known from the renders since start. A write never
//! replaces a newer page: a slow render that finishes last loses to a later one.

use super::{IsrError, PageStore, RegenerationLock, StoredPage};
use crate::site_fs::{page_file, write_atomic};
use bytes::Bytes;
use futures::future::BoxFuture;
use std::{
    collections::HashMap,
    io,
    path::{Path, PathBuf},
    sync::{Arc, Mutex},
    time::{Duration, Instant, SystemTime},
};

pub struct DiskPages {
    root: PathBuf,
    tags: Mutex<HashMap<String, Vec<String>>>,
    /// Writes to one page take turns, so comparing ages and renaming is one step.
    write_turns: Mutex<HashMap<String, Arc<tokio::sync::Mutex<()>>>>,
    /// Regeneration locks held in this process, with their expiry.
    locks: Mutex<HashMap<String, Instant>>,
}

impl DiskPages {
    pub fn new(root: PathBuf) -> DiskPages {
        DiskPages { root, tags: Mutex::default(), write_turns: Mutex::default(), locks: Mutex::default() }
    }

    fn path(&self, key: &str) -> Result<PathBuf, IsrError> {
        page_file(&self.root, key).ok_or_else(|| IsrError::NotAPage { key: key.to_string() })
    }

    pub(super) async fn read_page(&self, key: &str) -> Result<Option<StoredPage>, IsrError> {
        let path = self.path(key)?;
        let Some((html, generated_at)) = read_file(&path).await? else {
            return Ok(None);
        };
        let tags = self.tags.lock().unwrap_or_else(|p| p.into_inner()).get(key).cloned();
        Ok(Some(StoredPage { html, generated_at, tags }))
    }

    /// When the page on disk was generated, without reading it.
    pub(super) async fn generated_at(&self, key: &str) -> Option<SystemTime> {
        tokio::fs::metadata(self.path(key).ok()?).await.ok()?.modified().ok()
    }

    /// Writes `page` unless the page on disk is as new or newer; true if it wrote.
    pub(super) async fn write_page(&self, key: &str, page: StoredPage) -> Result<bool, IsrError> {
        let path = self.path(key)?;
        let turn = Arc::clone(self.write_turns.lock().unwrap_or_else(|p| p.into_inner()).entry(key.to_string()).or_default());
        let _turn = turn.lock().await;
        let target = path.clone();
        let (html, generated_at) = (page.html, page.generated_at);
        let wrote = tokio::task::spawn_blocking(move || {
            let on_disk = std::fs::metadata(&target).and_then(|meta| meta.modified()).ok();
            if on_disk.is_some_and(|on_disk| on_disk >= generated_at) {
                return Ok(false);
            }
            write_atomic(&target, &html, generated_at).map(|()| true)
        })
        .await
        .map_err(|join| IsrError::Io { path: path.clone(), source: io::Error::other(join) })?
        .map_err(|source| IsrError::Io { path, source })?;
        if let Some(tags) = page.tags.filter(|_| wrote) {
            self.tags.lock().unwrap_or_else(|p| p.into_inner()).insert(key.to_string(), tags);
        }
        Ok(wrote)
    }

    pub(super) fn try_lock_here(&self, key: &str, ttl: Duration) -> Option<RegenerationLock> {
        let mut locks = self.locks.lock().unwrap_or_else(|p| p.into_inner());
        let now = Instant::now();
        if locks.get(key).is_some_and(|expires| now < *expires) {
            return None;
        }
        locks.insert(key.to_string(), now + ttl);
        Some(RegenerationLock { key: key.to_string(), token: String::new() })
    }

    pub(super) fn unlock_here(&self, lock: &RegenerationLock) {
        self.locks.lock().unwrap_or_else(|p| p.into_inner()).remove(&lock.key);
    }
}

impl PageStore for DiskPages {
    fn read<'a>(&'a self, key: &'a str) -> BoxFuture<'a, Result<Option<StoredPage>, IsrError>> {
        Box::pin(self.read_page(key))
    }

    fn write<'a>(&'a self, key: &'a str, page: StoredPage) -> BoxFuture<'a, Result<(), IsrError>> {
        Box::pin(async move { self.write_page(key, page).await.map(drop) })
    }

    fn try_lock<'a>(&'a self, key: &'a str, ttl: Duration) -> BoxFuture<'a, Option<RegenerationLock>> {
        Box::pin(async move { self.try_lock_here(key, ttl) })
    }

    fn unlock(&self, lock: RegenerationLock) -> BoxFuture<'_, ()> {
        Box::pin(async move { self.unlock_here(&lock) })
    }
}

/// The page and its mtime, or `None` if there is no file yet. One blocking
/// task does the whole read: open, stat and read of the same open file, so a
/// rename in between can't mix an old mtime with new bytes.
async fn read_file(path: &Path) -> Result<Option<(Bytes, SystemTime)>, IsrError> {
    let owned = path.to_path_buf();
    let read = tokio::task::spawn_blocking(move || -> io::Result<Option<(Bytes, SystemTime)>> {
        use std::io::Read;
        let mut file = match std::fs::File::open(&owned) {
            Ok(file) => file,
            Err(error) if error.kind() == io::ErrorKind::NotFound => return Ok(None),
            Err(error) => return Err(error),
        };
        let meta = file.metadata()?;
        let mut html = Vec::with_capacity(meta.len() as usize);
        file.read_to_end(&mut html)?;
        Ok(Some((Bytes::from(html), meta.modified()?)))
    })
    .await
    .map_err(|join| IsrError::Io { path: path.to_path_buf(), source: io::Error::other(join) })?;
    read.map_err(|source| IsrError::Io { path: path.to_path_buf(), source })
}
