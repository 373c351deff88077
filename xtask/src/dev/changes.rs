//! What a set of changed files asks of `make dev`: the cheapest round that
//! shows all of them. Paths are sorted by where they are, not by what they hold.

use std::path::Path;

/// The work of one round. Each change adds to it; a round does all of it once.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Work {
    /// `style/`: write the stylesheet again and swap it in the open page.
    pub stylesheet: bool,
    /// `public/`: copy the files into the site root.
    pub public: bool,
    /// The posts: prerender the pages, and have the server re-read the posts.
    pub content: bool,
    /// `server/`, `app/`, the manifests: rebuild and restart the server.
    pub server: bool,
    /// `frontend/`, `app/`, the manifests: rebuild the WASM bundles.
    pub wasm: bool,
}

impl Work {
    /// The first round: build and lay out everything.
    pub const EVERYTHING: Work = Work { stylesheet: true, public: true, content: true, server: true, wasm: true };

    /// Both rounds' work, done once.
    pub fn union(self, other: Work) -> Work {
        Work {
            stylesheet: self.stylesheet || other.stylesheet,
            public: self.public || other.public,
            content: self.content || other.content,
            server: self.server || other.server,
            wasm: self.wasm || other.wasm,
        }
    }

    /// What the round did, for the terminal: "rebuilt the server and the bundles".
    pub fn describe(self) -> String {
        let done: Vec<&str> = [
            (self.server && self.wasm, "rebuilt the server and the bundles"),
            (self.server && !self.wasm, "rebuilt the server"),
            (self.wasm && !self.server, "rebuilt the bundles"),
            (self.content, "re-read the posts"),
            (self.public, "copied public/"),
            (self.stylesheet, "wrote the stylesheet"),
        ]
        .into_iter()
        .filter_map(|(done, what)| done.then_some(what))
        .collect();
        done.join(", ")
    }

    pub fn is_empty(self) -> bool {
        self == Work::default()
    }

    /// Whether the open page needs a reload; a stylesheet alone is swapped in place.
    pub fn reloads_page(self) -> bool {
        self.public || self.content || self.server || self.wasm
    }

    /// Adds what a change to `path` needs. `root` is the workspace and
    /// `content` the posts' directory (`CONTENT_DIR`), both absolute.
    pub fn add(&mut self, root: &Path, content: &Path, path: &Path) {
        let Some(name) = path.file_name().and_then(|name| name.to_str()) else { return };
        if is_editor_scratch(name) {
            return;
        }
        // Checked first: CONTENT_DIR may be anywhere, inside the workspace or not.
        if path.starts_with(content) {
            self.content = true;
            return;
        }
        let Ok(relative) = path.strip_prefix(root) else { return };
        let top = relative.components().next().and_then(|c| c.as_os_str().to_str()).unwrap_or("");
        match top {
            "style" => self.stylesheet = true,
            "public" => self.public = true,
            "server" => self.server = true,
            "frontend" => self.wasm = true,
            // The component tree is in both halves; so are the dependencies.
            "app" | ".cargo" | "Cargo.toml" | "Cargo.lock" => (self.server, self.wasm) = (true, true),
            // target/, data/, end2end/, xtask/, the docs: nothing the site is made of.
            _ => {}
        }
    }
}

/// The files editors write beside the one being saved (`.main.rs.swp`,
/// `main.rs~`, `#main.rs#`, vim's `4913` probe), and our own temp files.
fn is_editor_scratch(name: &str) -> bool {
    name.starts_with('.') || name.starts_with('#') || name.ends_with('~') || name.ends_with(".tmp") || name == "4913"
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::PathBuf;

    fn work_for(paths: &[&str]) -> Work {
        let root = PathBuf::from("/site");
        let mut work = Work::default();
        for path in paths {
            work.add(&root, &root.join("content"), &root.join(path));
        }
        work
    }

    #[test]
    fn each_kind_of_edit_asks_for_its_own_work() {
        assert_eq!(work_for(&["style/main.css"]), Work { stylesheet: true, ..Work::default() });
        assert_eq!(work_for(&["content/posts/ssg.md"]), Work { content: true, ..Work::default() });
        assert_eq!(work_for(&["public/favicon.svg"]), Work { public: true, ..Work::default() });
        assert_eq!(work_for(&["server/src/router.rs"]), Work { server: true, ..Work::default() });
        assert_eq!(work_for(&["frontend/src/lib.rs"]), Work { wasm: true, ..Work::default() });
        let both = Work { server: true, wasm: true, ..Work::default() };
        for path in ["app/src/pages/home.rs", "Cargo.toml", "Cargo.lock", "app/Cargo.toml", ".cargo/config.toml"] {
            assert_eq!(work_for(&[path]), both, "{path}");
        }
    }

    #[test]
    fn changes_that_arrive_together_make_one_round() {
        let work = work_for(&["style/main.css", "content/posts/a.md", "server/src/lib.rs"]);
        assert_eq!(work, Work { stylesheet: true, content: true, server: true, ..Work::default() });
        assert!(work.reloads_page());
        assert!(!work_for(&["style/main.css"]).reloads_page(), "a stylesheet is swapped, not reloaded");
    }

    #[test]
    fn build_output_data_and_editor_scratch_files_are_ignored() {
        let ignored = [
            "target/release/server",
            "target/dev/site/pkg/blog.css",
            "data/blog.db",
            "end2end/tests/dev.test.js",
            "app/src/pages/.home.rs.swp",
            "app/src/pages/home.rs~",
            "app/src/pages/#home.rs#",
            "app/src/pages/4913",
            "content/posts/.ssg.md.tmp",
        ];
        for path in ignored {
            assert!(work_for(&[path]).is_empty(), "{path}");
        }
        assert!(work_for(&["/elsewhere/app/src/lib.rs"]).is_empty(), "outside the workspace");
    }

    #[test]
    fn a_content_dir_outside_the_workspace_is_content() {
        let mut work = Work::default();
        work.add(Path::new("/site"), Path::new("/posts-repo"), Path::new("/posts-repo/posts/a.md"));
        assert_eq!(work, Work { content: true, ..Work::default() });
    }
}
