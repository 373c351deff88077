//! The site root on disk: which file a URL maps to, and how a page is written.

use std::{
    fs, io,
    path::{Path, PathBuf},
    sync::atomic::{AtomicU64, Ordering},
    time::SystemTime,
};

/// The file that holds the page for `url_path`: `/` is `index.html`, `/a/b` and
/// `/a/b/` are `a/b/index.html`, so the site root works from any file server.
/// `None` for anything that could step outside the root or hide a file.
pub fn page_file(root: &Path, url_path: &str) -> Option<PathBuf> {
    let rest = url_path.strip_prefix('/')?;
    let mut file = root.to_path_buf();
    if !rest.is_empty() {
        // One trailing slash is the directory form of the same page; more is not a page.
        for segment in rest.strip_suffix('/').unwrap_or(rest).split('/') {
            let safe = !segment.is_empty()
                && !segment.starts_with('.')
                && !segment.contains(['\\', '\0', '%', ':']);
            if !safe {
                return None;
            }
            file.push(segment);
        }
    }
    file.push("index.html");
    Some(file)
}

/// Writes `bytes` to `path` so that a reader sees either the old file or the new
/// one, never a partial one: the bytes go to a temporary file in the same
/// directory, reach the disk, then a rename swaps it in. On error the old file
/// is untouched and the temporary file is removed. The file's mtime is
/// `generated_at`: that is how ISR tells a page's age, after a restart too.
pub fn write_atomic(path: &Path, bytes: &[u8], generated_at: SystemTime) -> io::Result<()> {
    write_replacing(path, bytes, generated_at, Durability::Synced)
}

/// `write_atomic` without waiting for the disk, for a file that can be made
/// again from another and is checked before use (a page's compressed copy):
/// a sync per file made a ten-thousand-post build several times slower.
pub fn write_atomic_unsynced(path: &Path, bytes: &[u8], generated_at: SystemTime) -> io::Result<()> {
    write_replacing(path, bytes, generated_at, Durability::Unsynced)
}

#[derive(PartialEq)]
enum Durability {
    Synced,
    Unsynced,
}

fn write_replacing(path: &Path, bytes: &[u8], generated_at: SystemTime, durability: Durability) -> io::Result<()> {
    static NEXT: AtomicU64 = AtomicU64::new(0);
    let dir = path.parent().ok_or_else(|| io::Error::other("a page file has a parent directory"))?;
    fs::create_dir_all(dir)?;
    let name = path.file_name().ok_or_else(|| io::Error::other("a page file has a name"))?;
    let temp = dir.join(format!(
        ".{}.{}-{}.tmp",
        name.to_string_lossy(),
        std::process::id(),
        NEXT.fetch_add(1, Ordering::Relaxed)
    ));
    let written = (|| {
        use io::Write;
        let mut file = fs::File::create(&temp)?;
        file.write_all(bytes)?;
        file.set_modified(generated_at)?;
        if durability == Durability::Synced {
            file.sync_all()?;
        }
        fs::rename(&temp, path)
    })();
    if written.is_err() {
        let _ = fs::remove_file(&temp);
    }
    written
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_map_to_index_files() {
        let root = Path::new("/site");
        assert_eq!(page_file(root, "/"), Some("/site/index.html".into()));
        assert_eq!(page_file(root, "/ssg"), Some("/site/ssg/index.html".into()));
        assert_eq!(page_file(root, "/ssg/"), Some("/site/ssg/index.html".into()));
        assert_eq!(page_file(root, "/posts/hydration"), Some("/site/posts/hydration/index.html".into()));
    }

    #[test]
    fn paths_that_could_escape_or_hide_are_refused() {
        let root = Path::new("/site");
        for path in ["", "ssg", "/..", "/posts/../../etc", "/posts/.git", "//", "/a//b", "/a\\b", "/a%2fb", "/a\0b", "/c:"] {
            assert_eq!(page_file(root, path), None, "{path:?}");
        }
    }

    #[test]
    fn atomic_write_replaces_the_file_with_its_generation_time_and_leaves_no_temp() {
        let dir = crate::scratch::TempDir::new().unwrap();
        let path = dir.path().join("a/index.html");
        let generated_at = SystemTime::UNIX_EPOCH + std::time::Duration::from_secs(1_800_000_000);
        write_atomic(&path, b"one", SystemTime::now()).unwrap();
        write_atomic(&path, b"two", generated_at).unwrap();
        assert_eq!(fs::read(&path).unwrap(), b"two");
        assert_eq!(fs::metadata(&path).unwrap().modified().unwrap(), generated_at);
        let names: Vec<_> = fs::read_dir(dir.path().join("a")).unwrap().map(|e| e.unwrap().file_name()).collect();
        assert_eq!(names, ["index.html"]);
    }

    #[test]
    fn a_failed_write_keeps_the_old_file() {
        let dir = crate::scratch::TempDir::new().unwrap();
        let path = dir.path().join("index.html");
        write_atomic(&path, b"good", SystemTime::now()).unwrap();
        // A directory where the temp file's rename target is: the rename fails.
        let blocked = dir.path().join("blocked");
        fs::create_dir_all(blocked.join("index.html/x")).unwrap();
        assert!(write_atomic(&blocked.join("index.html"), b"new", SystemTime::now()).is_err());
        assert_eq!(fs::read(&path).unwrap(), b"good");
        let leftovers = fs::read_dir(&blocked).unwrap().count();
        assert_eq!(leftovers, 1, "only the blocking directory remains");
    }
}
