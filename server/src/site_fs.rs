//! The site root on disk: which file a URL maps to, and how a page is written.

use std::{
    collections::HashSet,
    fs, io,
    path::{Path, PathBuf},
    sync::atomic::{AtomicU64, Ordering},
    time::SystemTime,
};

/// The file that holds the page for `url_path`: `/` is `index.html`, `/a/b` and
/// `/a/b/` are `a/b/index.html`, so the site root works from any file server.
/// Percent-escapes are decoded, one segment at a time (a tag page may be
/// `/tags/%C3%BC`, which a browser sends for `/tags/ü`). `None` for anything
/// that could step outside the root or hide a file, an escaped `/` included.
pub fn page_file(root: &Path, url_path: &str) -> Option<PathBuf> {
    let rest = url_path.strip_prefix('/')?;
    let mut file = root.to_path_buf();
    if !rest.is_empty() {
        // One trailing slash is the directory form of the same page; more is not a page.
        for segment in rest.strip_suffix('/').unwrap_or(rest).split('/') {
            let segment = percent_decoded(segment)?;
            let safe = !segment.is_empty()
                && !segment.starts_with('.')
                && !segment.contains(['/', '\\', '\0', '%', ':']);
            if !safe {
                return None;
            }
            file.push(segment);
        }
    }
    file.push("index.html");
    Some(file)
}

/// `segment` with its `%XX` escapes decoded; `None` if one is malformed or the
/// result is not UTF-8.
pub fn percent_decoded(segment: &str) -> Option<String> {
    if !segment.contains('%') {
        return Some(segment.to_string());
    }
    let mut bytes = Vec::with_capacity(segment.len());
    let mut rest = segment.as_bytes();
    while let Some((&byte, tail)) = rest.split_first() {
        if byte == b'%' {
            let hex = std::str::from_utf8(tail.get(..2)?).ok()?;
            bytes.push(u8::from_str_radix(hex, 16).ok()?);
            rest = &tail[2..];
        } else {
            bytes.push(byte);
            rest = tail;
        }
    }
    String::from_utf8(bytes).ok()
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

/// Removes the temporary files that a write killed half-way left under `root`
/// (`.index.html.<pid>-<n>.tmp`, see `write_replacing`): run at start, before
/// anything of this process writes. Returns how many it removed.
pub fn remove_temp_files(root: &Path) -> io::Result<usize> {
    let mut removed = 0;
    let Ok(entries) = fs::read_dir(root) else { return Ok(0) }; // no site root yet
    for entry in entries {
        let entry = entry?;
        let name = entry.file_name();
        let name = name.to_string_lossy();
        if entry.file_type()?.is_dir() {
            removed += remove_temp_files(&entry.path())?;
        } else if name.starts_with('.') && name.ends_with(".tmp") {
            fs::remove_file(entry.path())?;
            removed += 1;
        }
    }
    Ok(removed)
}

/// Removes every page file under `root` that the build did not just write:
/// the pages of deleted posts and of routes no longer in the table, with their
/// compressed copies. A page file is an `index.html` or `404.html`, or one of
/// those with `.br` or `.gz` added; nothing else in the root is the build's
/// (`pkg/` and the files of `public/` are `cargo xtask site`'s). Directories
/// left empty go too. Returns the files removed.
///
/// The build calls this only once every new page is in place, so a running
/// server never finds a current page missing.
pub fn remove_stale_pages(root: &Path, written: &HashSet<PathBuf>) -> io::Result<Vec<PathBuf>> {
    let mut removed = Vec::new();
    for entry in fs::read_dir(root)? {
        let entry = entry?;
        if entry.file_name() != "pkg" {
            remove_stale_in(&entry.path(), entry.file_type()?, written, &mut removed)?;
        }
    }
    Ok(removed)
}

fn remove_stale_in(path: &Path, kind: fs::FileType, written: &HashSet<PathBuf>, removed: &mut Vec<PathBuf>) -> io::Result<()> {
    if kind.is_dir() {
        for entry in fs::read_dir(path)? {
            let entry = entry?;
            remove_stale_in(&entry.path(), entry.file_type()?, written, removed)?;
        }
        if fs::read_dir(path)?.next().is_none() {
            fs::remove_dir(path)?;
        }
    } else if is_page_file(path) && !written.contains(path) {
        fs::remove_file(path)?;
        removed.push(path.to_path_buf());
    }
    Ok(())
}

/// Whether `path` names a page file: `index.html` or `404.html`, or either's
/// `.br` or `.gz` copy.
pub fn is_page_file(path: &Path) -> bool {
    let name = path.file_name().and_then(|name| name.to_str()).unwrap_or_default();
    let page = name.strip_suffix(".br").or(name.strip_suffix(".gz")).unwrap_or(name);
    page == "index.html" || page == "404.html"
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
        assert_eq!(page_file(root, "/tags/%C3%BCber"), Some("/site/tags/über/index.html".into()));
        assert_eq!(page_file(root, "/tags/über"), Some("/site/tags/über/index.html".into()));
    }

    #[test]
    fn paths_that_could_escape_or_hide_are_refused() {
        let root = Path::new("/site");
        let escaped = ["/a%2fb", "/%2e%2e/etc", "/a%5cb", "/a%00b", "/a%2", "/a%zz", "/a%ff", "/a%2525"];
        for path in ["", "ssg", "/..", "/posts/../../etc", "/posts/.git", "//", "/a//b", "/a\\b", "/a\0b", "/c:"].into_iter().chain(escaped) {
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

    #[test]
    fn only_the_pages_not_written_are_removed() {
        let dir = crate::scratch::TempDir::new().unwrap();
        let root = dir.path();
        let files = [
            "index.html", "index.html.br", "404.html", "404.html.gz",
            "posts/kept/index.html", "posts/kept/index.html.br",
            "posts/deleted/index.html", "posts/deleted/index.html.br",
            "about/index.html", "favicon.svg", "pkg/blog.js", "pkg/index.html", "docs/guide.html",
        ];
        for file in files {
            let path = root.join(file);
            fs::create_dir_all(path.parent().unwrap()).unwrap();
            fs::write(path, "x").unwrap();
        }
        let written: HashSet<PathBuf> =
            ["index.html", "index.html.br", "404.html", "posts/kept/index.html", "posts/kept/index.html.br"]
                .iter()
                .map(|file| root.join(file))
                .collect();

        let mut removed: Vec<_> = remove_stale_pages(root, &written).unwrap().into_iter().map(|p| p.strip_prefix(root).unwrap().to_path_buf()).collect();
        removed.sort();
        let expected: Vec<PathBuf> = ["404.html.gz", "about/index.html", "posts/deleted/index.html", "posts/deleted/index.html.br"]
            .iter()
            .map(PathBuf::from)
            .collect();
        assert_eq!(removed, expected);
        assert!(!root.join("posts/deleted").exists() && !root.join("about").exists(), "emptied directories go");
        for kept in ["favicon.svg", "pkg/blog.js", "pkg/index.html", "docs/guide.html", "posts/kept/index.html.br"] {
            assert!(root.join(kept).is_file(), "{kept} stays");
        }
    }
}
