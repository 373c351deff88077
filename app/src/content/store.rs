//! `PostStore`: every post in `$CONTENT_DIR/posts/*.md`, parsed once and shared.
//!
//! `load` is strict (the build and startup fail on the first broken file);
//! `refresh` is lenient (a running server logs a broken file and keeps the last
//! good version of it, so an edit in progress never takes a page down).

use super::parse::{parse, ContentError};
use crate::post::{page_count, Post, PostSummary, PostsPage, POSTS_PER_PAGE};
use std::{
    collections::{HashMap, HashSet},
    fs,
    path::{Path, PathBuf},
    sync::{Arc, Mutex, OnceLock, RwLock},
    time::SystemTime,
};

/// An immutable view of all posts, newest first.
#[derive(Debug, Default)]
pub struct PostIndex {
    posts: Vec<Post>,
    by_slug: HashMap<String, usize>,
    sources: HashMap<String, PathBuf>,
    /// Each page of the post list, as HTML, rendered the first time it is
    /// shown: a page depends on its posts alone. A new version of the content
    /// is a new index, so a page with an edited post is rendered again.
    pages: Vec<OnceLock<Arc<str>>>,
}

impl PostIndex {
    fn new(mut posts: Vec<(Post, PathBuf)>, drafts: Drafts) -> Self {
        posts.retain(|(post, _)| drafts == Drafts::Shown || !post.summary.draft);
        posts.sort_by(|(a, _), (b, _)| {
            b.summary.date.cmp(&a.summary.date).then_with(|| a.summary.slug.cmp(&b.summary.slug))
        });
        let sources = posts.iter().map(|(post, path)| (post.summary.slug.clone(), path.clone())).collect();
        let posts: Vec<Post> = posts.into_iter().map(|(post, _)| post).collect();
        let by_slug = posts.iter().enumerate().map(|(i, post)| (post.summary.slug.clone(), i)).collect();
        let pages = (0..page_count(posts.len())).map(|_| OnceLock::new()).collect();
        PostIndex { posts, by_slug, sources, pages }
    }

    /// The Markdown file a post was read from, for error messages.
    pub fn source_file(&self, slug: &str) -> Option<&Path> {
        self.sources.get(slug).map(PathBuf::as_path)
    }

    pub fn posts(&self) -> &[Post] {
        &self.posts
    }

    pub fn summaries(&self) -> Vec<PostSummary> {
        self.posts.iter().map(|post| post.summary.clone()).collect()
    }

    pub fn get(&self, slug: &str) -> Option<&Post> {
        self.by_slug.get(slug).map(|&i| &self.posts[i])
    }

    /// The HTML of the list of `posts`, rendered by `render` once per version
    /// of the content, if `posts` is one of this index's pages as it is now;
    /// `None` for any other list (a tag's posts, or a page of an older version
    /// of the content, read before an edit). Shared, not copied, per request.
    pub fn page_html(&self, posts: &[PostSummary], render: impl FnOnce() -> String) -> Option<Arc<str>> {
        let &at = self.by_slug.get(&posts.first()?.slug)?;
        let number = at / POSTS_PER_PAGE + 1;
        let on_page = self.posts_on_page(number).filter(|_| at % POSTS_PER_PAGE == 0)?;
        let is_page =
            on_page.len() == posts.len() && on_page.iter().zip(posts).all(|(post, summary)| post.summary == *summary);
        is_page.then(|| self.pages[number - 1].get_or_init(|| render().into()).clone())
    }

    /// Page `number` (from 1) of the list, or `None` past the last page.
    /// It copies one page's summaries, however many posts there are.
    pub fn page(&self, number: usize) -> Option<PostsPage> {
        let on_page = self.posts_on_page(number)?;
        let posts = on_page.iter().map(|post| post.summary.clone()).collect();
        Some(PostsPage { posts, number, count: page_count(self.posts.len()) })
    }

    /// The posts on page `number` (from 1), or `None` past the last page.
    fn posts_on_page(&self, number: usize) -> Option<&[Post]> {
        if number == 0 || number > page_count(self.posts.len()) {
            return None;
        }
        let first = (number - 1) * POSTS_PER_PAGE;
        Some(&self.posts[first..self.posts.len().min(first + POSTS_PER_PAGE)])
    }
}

/// Whether posts marked `draft: true` are built and served (`SHOW_DRAFTS=1`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Drafts {
    Hidden,
    Shown,
}

/// What the store last read from one file.
struct FileState {
    modified: Option<SystemTime>,
    len: u64,
    /// The last version of this file that parsed; kept while the file is broken.
    post: Option<Post>,
}

#[derive(Clone)]
pub struct PostStore {
    inner: Arc<Inner>,
}

struct Inner {
    posts_dir: PathBuf,
    drafts: Drafts,
    index: RwLock<Arc<PostIndex>>,
    files: Mutex<HashMap<PathBuf, FileState>>,
}

impl PostStore {
    /// Reads every post under `content_dir/posts`; the first broken file is the
    /// error. Drafts are in the index only if `drafts` is `Shown`; hidden, they
    /// are on no list and no route, as if their file were not there.
    pub fn load(content_dir: &Path, drafts: Drafts) -> Result<PostStore, ContentError> {
        let posts_dir = content_dir.join("posts");
        let mut files = HashMap::new();
        let paths = markdown_files(&posts_dir)?;
        let content_root = canonical(content_dir)?;
        let _grammars = super::highlight::grammars(); // loaded once for every post
        for path in paths {
            let (modified, len) = stat(&path)?;
            let source = read(&path, &content_root)?;
            let post = parse(&path, &source)?;
            files.insert(path, FileState { modified, len, post: Some(post) });
        }
        let posts = unique_posts(&files).map_err(|(file, message)| ContentError::new(&file, None, message))?;
        Ok(PostStore {
            inner: Arc::new(Inner {
                posts_dir,
                drafts,
                index: RwLock::new(Arc::new(PostIndex::new(posts, drafts))),
                files: Mutex::new(files),
            }),
        })
    }

    pub fn index(&self) -> Arc<PostIndex> {
        self.inner.index.read().unwrap_or_else(|poisoned| poisoned.into_inner()).clone()
    }

    /// Picks up added, changed and removed files. Errors are logged and the last
    /// good version stays in place; returns whether the index changed.
    pub fn refresh(&self) -> bool {
        let mut files = self.inner.files.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        let content_dir = self.inner.posts_dir.parent().unwrap_or(&self.inner.posts_dir);
        let listed = markdown_files(&self.inner.posts_dir).and_then(|paths| Ok((paths, canonical(content_dir)?)));
        let (paths, content_root) = match listed {
            Ok(listed) => listed,
            Err(error) => {
                tracing::error!(%error, "content unreadable; serving the last good posts");
                return false;
            }
        };
        let mut changed = false;
        // Loaded at the first changed file, once for all of them; mostly nothing changed.
        let mut grammars = None;
        let before = files.len();
        // A set: a refresh runs every half second, over ten thousand posts too.
        let listed: HashSet<&PathBuf> = paths.iter().collect();
        files.retain(|path, _| listed.contains(path));
        changed |= files.len() != before;

        for path in paths {
            let Ok((modified, len)) = stat(&path) else {
                continue; // removed between listing and stat: the next refresh drops it
            };
            let previous = files.get(&path);
            if previous.is_some_and(|state| state.modified == modified && state.len == len) {
                continue;
            }
            grammars.get_or_insert_with(super::highlight::grammars);
            let parsed = read(&path, &content_root).and_then(|source| parse(&path, &source));
            let last_good = previous.and_then(|state| state.post.clone());
            let post = match parsed {
                Ok(post) => {
                    changed = true;
                    Some(post)
                }
                Err(error) => {
                    tracing::error!(%error, "post not updated; serving its last good version");
                    last_good
                }
            };
            files.insert(path, FileState { modified, len, post });
        }
        if !changed {
            return false;
        }
        match unique_posts(&files) {
            Ok(posts) => {
                *self.inner.index.write().unwrap_or_else(|poisoned| poisoned.into_inner()) =
                    Arc::new(PostIndex::new(posts, self.inner.drafts));
                true
            }
            Err((file, message)) => {
                tracing::error!(file = %file.display(), %message, "posts not updated");
                false
            }
        }
    }
}

/// The posts of `files`, or the file whose slug another file already uses.
fn unique_posts(files: &HashMap<PathBuf, FileState>) -> Result<Vec<(Post, PathBuf)>, (PathBuf, String)> {
    let mut paths: Vec<&PathBuf> = files.keys().collect();
    paths.sort();
    let mut owners: HashMap<&str, &PathBuf> = HashMap::new();
    let mut posts = Vec::with_capacity(files.len());
    for path in paths {
        let Some(post) = &files[path].post else { continue };
        if let Some(owner) = owners.insert(&post.summary.slug, path) {
            return Err((
                path.clone(),
                format!("slug `{}` is already used by {}", post.summary.slug, owner.display()),
            ));
        }
        posts.push((post.clone(), path.clone()));
    }
    Ok(posts)
}

fn markdown_files(dir: &Path) -> Result<Vec<PathBuf>, ContentError> {
    let entries = fs::read_dir(dir).map_err(|e| ContentError::new(dir, None, format!("cannot list posts: {e}")))?;
    let mut paths = Vec::new();
    for entry in entries {
        let entry = entry.map_err(|e| ContentError::new(dir, None, format!("cannot list posts: {e}")))?;
        let path = entry.path();
        if path.extension().is_some_and(|ext| ext == "md") {
            paths.push(path);
        }
    }
    paths.sort();
    Ok(paths)
}

/// `dir` with every symlink resolved, for comparing where a post's file really is.
fn canonical(dir: &Path) -> Result<PathBuf, ContentError> {
    fs::canonicalize(dir).map_err(|e| ContentError::new(dir, None, format!("cannot resolve: {e}")))
}

fn stat(path: &Path) -> Result<(Option<SystemTime>, u64), ContentError> {
    let meta = fs::metadata(path).map_err(|e| ContentError::new(path, None, format!("cannot read: {e}")))?;
    Ok((meta.modified().ok(), meta.len()))
}

/// A post is Markdown: a file larger than this is a mistake, not a post.
const MAX_POST_BYTES: u64 = 1024 * 1024;

/// The text of one post file. Only a regular file is opened: opening a named
/// pipe (or a device) would block the thread that refreshes the posts for good.
/// A symlink is followed only if it stays inside `content_root` (the content
/// directory, canonical): a link to `/etc/passwd` must not become a post.
fn read(path: &Path, content_root: &Path) -> Result<String, ContentError> {
    use std::io::Read;
    let error = |message: String| ContentError::new(path, None, message);
    let real = fs::canonicalize(path).map_err(|e| error(format!("cannot read: {e}")))?;
    if !real.starts_with(content_root) {
        return Err(error(format!("links to {}, outside the content directory: a post must live inside it", real.display())));
    }
    let meta = fs::metadata(&real).map_err(|e| error(format!("cannot read: {e}")))?;
    if !meta.is_file() {
        return Err(error("not a regular file: a post is a Markdown file".into()));
    }
    let too_large = || error(format!("larger than the {} KiB a post may have", MAX_POST_BYTES / 1024));
    if meta.len() > MAX_POST_BYTES {
        return Err(too_large());
    }
    let mut text = String::new();
    let file = fs::File::open(&real).map_err(|e| error(format!("cannot read: {e}")))?;
    // The cap holds even if the file grows after the check.
    file.take(MAX_POST_BYTES + 1).read_to_string(&mut text).map_err(|e| error(format!("cannot read: {e}")))?;
    if text.len() as u64 > MAX_POST_BYTES {
        return Err(too_large());
    }
    Ok(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn post_source(slug: &str, title: &str, date: &str) -> String {
        format!("---\ntitle: {title}\nslug: {slug}\ndate: {date}\nauthor: T\ntags: [t]\nexcerpt: e\n---\nbody\n")
    }

    fn content_dir(posts: &[(&str, String)]) -> PathBuf {
        let dir = std::env::temp_dir().join(format!(
            "app-store-test-{}-{:?}",
            std::process::id(),
            std::thread::current().id()
        ));
        let _ = fs::remove_dir_all(&dir);
        fs::create_dir_all(dir.join("posts")).unwrap();
        for (name, source) in posts {
            fs::write(dir.join("posts").join(name), source).unwrap();
        }
        dir
    }

    /// Rewrites a file with a length that differs, so the change is seen even
    /// when the file system's clock granularity hides the new mtime.
    fn rewrite(path: &Path, source: &str) {
        fs::write(path, source).unwrap();
    }

    #[test]
    fn loads_posts_newest_first() {
        let dir = content_dir(&[
            ("a.md", post_source("a", "Old", "2026-01-01")),
            ("b.md", post_source("b", "New", "2026-02-01")),
        ]);
        let store = PostStore::load(&dir, Drafts::Hidden).unwrap();
        let slugs: Vec<_> = store.index().posts().iter().map(|p| p.summary.slug.clone()).collect();
        assert_eq!(slugs, ["b", "a"]);
        assert_eq!(store.index().get("a").unwrap().summary.title, "Old");
        fs::remove_dir_all(dir).unwrap();
    }

    #[test]
    fn a_list_page_is_rendered_once_per_version_of_its_posts() {
        let dir = content_dir(&[
            ("a.md", post_source("a", "Old", "2026-01-02")),
            ("b.md", post_source("b", "B", "2026-01-01")),
        ]);
        let store = PostStore::load(&dir, Drafts::Hidden).unwrap();
        let old = store.index();
        let page = old.page(1).unwrap().posts;
        assert_eq!(old.page_html(&page, || "first".into()).as_deref(), Some("first"));
        assert_eq!(old.page_html(&page, || unreachable!("rendered once")).as_deref(), Some("first"));
        assert_eq!(old.page_html(&page[1..], || unreachable!("not a page")), None, "a list that starts mid-page");
        assert_eq!(old.page_html(&page[..1], || unreachable!("not a page")), None, "a page's first post alone");

        rewrite(&dir.join("posts/a.md"), &post_source("a", "New title", "2026-01-02"));
        assert!(store.refresh());
        let new = store.index();
        assert_eq!(new.page_html(&page, || unreachable!("not this version")), None, "the old version is not the index's");
        let edited = new.page(1).unwrap().posts;
        assert_eq!(new.page_html(&edited, || "second".into()).as_deref(), Some("second"), "the new version is rendered afresh");
        fs::remove_dir_all(dir).unwrap();
    }

    #[test]
    fn load_fails_naming_the_broken_file_and_line() {
        let dir = content_dir(&[("bad.md", "---\ntitle x\n---\n".into())]);
        let error = PostStore::load(&dir, Drafts::Hidden).err().expect("broken content fails the load").to_string();
        assert!(error.ends_with("posts/bad.md:2: expected `key: value`, found `title x`"), "{error}");
        fs::remove_dir_all(dir).unwrap();
    }

    #[test]
    fn duplicate_slugs_fail_the_load() {
        let dir = content_dir(&[
            ("a.md", post_source("same", "A", "2026-01-01")),
            ("b.md", post_source("same", "B", "2026-01-01")),
        ]);
        let error = PostStore::load(&dir, Drafts::Hidden).err().expect("duplicate slugs fail").to_string();
        assert!(error.contains("b.md: slug `same` is already used by"), "{error}");
        fs::remove_dir_all(dir).unwrap();
    }

    #[test]
    fn refresh_picks_up_edits_additions_and_removals() {
        let dir = content_dir(&[("a.md", post_source("a", "First", "2026-01-01"))]);
        let store = PostStore::load(&dir, Drafts::Hidden).unwrap();
        rewrite(&dir.join("posts/a.md"), &post_source("a", "First, edited", "2026-01-01"));
        fs::write(dir.join("posts/b.md"), post_source("b", "Second", "2026-01-02")).unwrap();
        assert!(store.refresh());
        assert_eq!(store.index().get("a").unwrap().summary.title, "First, edited");
        assert!(store.index().get("b").is_some());
        fs::remove_file(dir.join("posts/b.md")).unwrap();
        assert!(store.refresh());
        assert!(store.index().get("b").is_none());
        assert!(!store.refresh(), "nothing changed");
        fs::remove_dir_all(dir).unwrap();
    }

    #[test]
    fn a_broken_edit_keeps_the_last_good_version() {
        let dir = content_dir(&[("a.md", post_source("a", "Good", "2026-01-01"))]);
        let store = PostStore::load(&dir, Drafts::Hidden).unwrap();
        rewrite(&dir.join("posts/a.md"), "---\ntitle: Broken edit\nslug: a\n");
        store.refresh();
        assert_eq!(store.index().get("a").unwrap().summary.title, "Good");
        rewrite(&dir.join("posts/a.md"), &post_source("a", "Fixed again", "2026-01-01"));
        assert!(store.refresh());
        assert_eq!(store.index().get("a").unwrap().summary.title, "Fixed again");
        fs::remove_dir_all(dir).unwrap();
    }

    #[test]
    fn drafts_are_left_out_unless_shown() {
        let draft = post_source("d", "Draft", "2026-01-03").replace("excerpt: e", "excerpt: e\ndraft: true");
        let dir = content_dir(&[("a.md", post_source("a", "Published", "2026-01-01")), ("d.md", draft.clone())]);
        let hidden = PostStore::load(&dir, Drafts::Hidden).unwrap();
        assert!(hidden.index().get("d").is_none());
        assert_eq!(hidden.index().posts().len(), 1);
        let shown = PostStore::load(&dir, Drafts::Shown).unwrap();
        assert!(shown.index().get("d").unwrap().summary.draft);
        rewrite(&dir.join("posts/d.md"), &draft.replace("draft: true", "draft: false"));
        assert!(hidden.refresh());
        assert!(hidden.index().get("d").is_some(), "published by an edit, without a restart");
        fs::remove_dir_all(dir).unwrap();
    }

    #[test]
    fn a_named_pipe_or_an_oversized_file_is_refused_without_blocking() {
        let dir = content_dir(&[("a.md", post_source("a", "Good", "2026-01-01"))]);
        let store = PostStore::load(&dir, Drafts::Hidden).unwrap();
        let pipe = dir.join("posts/pipe.md");
        assert!(std::process::Command::new("mkfifo").arg(&pipe).status().unwrap().success());
        fs::write(dir.join("posts/huge.md"), "x".repeat(MAX_POST_BYTES as usize + 1)).unwrap();
        // Opening the pipe would block for good: the refresh must return, and soon.
        let (done, refreshed) = std::sync::mpsc::channel();
        let refreshing = store.clone();
        std::thread::spawn(move || done.send(refreshing.refresh()).unwrap());
        let changed = refreshed.recv_timeout(std::time::Duration::from_secs(5)).expect("the refresh returns");
        assert!(!changed, "neither file is a post");
        assert_eq!(store.index().get("a").unwrap().summary.title, "Good");
        let error = PostStore::load(&dir, Drafts::Hidden).err().expect("the build refuses them").to_string();
        assert!(error.contains("posts/huge.md: larger than the 1024 KiB a post may have"), "{error}");
        fs::remove_file(dir.join("posts/huge.md")).unwrap();
        let error = PostStore::load(&dir, Drafts::Hidden).err().expect("the build refuses the pipe").to_string();
        assert!(error.contains("posts/pipe.md: not a regular file"), "{error}");
        fs::remove_dir_all(dir).unwrap();
    }

    #[test]
    fn a_symlink_is_followed_only_inside_the_content_dir() {
        let dir = content_dir(&[("a.md", post_source("a", "Good", "2026-01-01"))]);
        fs::write(dir.join("drafts-elsewhere.md"), post_source("inside", "Inside", "2026-01-02")).unwrap();
        std::os::unix::fs::symlink(dir.join("drafts-elsewhere.md"), dir.join("posts/inside.md")).unwrap();
        let store = PostStore::load(&dir, Drafts::Hidden).unwrap();
        assert!(store.index().get("inside").is_some(), "a link within the content dir is a post");

        let outside = dir.with_extension("outside.md");
        fs::write(&outside, post_source("outside", "Outside", "2026-01-03")).unwrap();
        std::os::unix::fs::symlink(&outside, dir.join("posts/outside.md")).unwrap();
        assert!(!store.refresh(), "a running server ignores the link");
        assert!(store.index().get("outside").is_none());
        assert_eq!(store.index().get("a").unwrap().summary.title, "Good", "and keeps its posts");
        let error = PostStore::load(&dir, Drafts::Hidden).err().expect("the build refuses it").to_string();
        assert!(error.contains("posts/outside.md: links to") && error.contains("outside the content directory"), "{error}");
        fs::remove_file(outside).unwrap();
        fs::remove_dir_all(dir).unwrap();
    }

    #[test]
    fn a_vanished_content_dir_keeps_the_last_good_posts() {
        let dir = content_dir(&[("a.md", post_source("a", "Kept", "2026-01-01"))]);
        let store = PostStore::load(&dir, Drafts::Hidden).unwrap();
        fs::remove_dir_all(&dir).unwrap();
        assert!(!store.refresh());
        assert_eq!(store.index().get("a").unwrap().summary.title, "Kept");
    }
}
