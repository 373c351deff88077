//! Watches what the site is made of, and nothing else: the crates' sources,
//! `style/`, `public/`, the posts, the manifests. `target/` and `data/` are
//! never watched, and reads are not changes, so a build's own work cannot
//! start another build.

use super::changes::Work;
use anyhow::{bail, Context, Result};
use notify::{Event, EventKind, RecommendedWatcher, RecursiveMode, Watcher};
use std::{
    path::{Path, PathBuf},
    sync::mpsc::{self, Receiver, RecvTimeoutError},
    time::{Duration, Instant},
};

/// Saves that come within this of each other are one change: an editor's
/// write-rename-chmod, or "save all".
const SETTLE: Duration = Duration::from_millis(50);

pub struct Watch {
    root: PathBuf,
    content: PathBuf,
    events: Receiver<notify::Result<Event>>,
    _watcher: RecommendedWatcher,
}

impl Watch {
    pub fn start(root: &Path, content: &Path) -> Result<Watch> {
        let (sender, events) = mpsc::channel();
        let mut watcher = notify::recommended_watcher(sender).context("starting the file watcher")?;
        // The workspace's own files (Cargo.toml, Cargo.lock), not its subdirectories.
        watcher.watch(root, RecursiveMode::NonRecursive).context("watching the workspace")?;
        let dirs = ["app", "frontend", "server", "style", "public", ".cargo"].map(|dir| root.join(dir));
        for dir in dirs.into_iter().chain([content.to_path_buf()]) {
            if dir.exists() {
                watcher.watch(&dir, RecursiveMode::Recursive).with_context(|| format!("watching {}", dir.display()))?;
            }
        }
        Ok(Watch { root: root.to_path_buf(), content: content.to_path_buf(), events, _watcher: watcher })
    }

    /// The work that the changes so far ask for, once there is any; waits at
    /// most `poll`, so that the caller can check for Ctrl-C in between. Every
    /// change that arrived during the last round is in this one.
    pub fn next(&self, poll: Duration) -> Result<Option<Work>> {
        let mut work = Work::default();
        let mut deadline = Instant::now() + poll;
        loop {
            let event = match self.events.recv_timeout(deadline.saturating_duration_since(Instant::now())) {
                Ok(event) => event,
                Err(RecvTimeoutError::Timeout) => return Ok((!work.is_empty()).then_some(work)),
                Err(RecvTimeoutError::Disconnected) => bail!("the file watcher stopped"),
            };
            match event {
                Ok(event) if is_change(&event.kind) => {
                    let was_empty = work.is_empty();
                    event.paths.iter().for_each(|path| work.add(&self.root, &self.content, path));
                    if was_empty && !work.is_empty() {
                        deadline = Instant::now() + SETTLE; // gather the rest of this save
                    }
                }
                Ok(_) => {}
                Err(error) => eprintln!("dev: the file watcher: {error}"),
            }
        }
    }
}

/// A file written, created, renamed or removed; not one opened or read.
fn is_change(kind: &EventKind) -> bool {
    matches!(kind, EventKind::Create(_) | EventKind::Modify(_) | EventKind::Remove(_))
}
