//! The project as xtask's commands find it: where it is, and where `make build`
//! puts what they run. The one place that reads `LEPTOS_SITE_ROOT` and
//! `CONTENT_DIR` here, with the server's defaults.

use crate::workspace_root;
use anyhow::{bail, Result}; // @demo
// @minimal: use anyhow::Result;
use std::{env, path::PathBuf};

pub struct Project {
    pub root: PathBuf,
    /// `LEPTOS_SITE_ROOT` (default `target/site`), under the root.
    pub site_root: PathBuf,
    // @demo-begin
    /// `CONTENT_DIR` (default `content`), under the root.
    pub content: PathBuf,
    /// The release server that `make build` builds.
    pub server_bin: PathBuf,
    // @demo-end
}

impl Project {
    pub fn from_env() -> Result<Project> {
        let root = workspace_root()?;
        let under_root = |var: &str, default: &str| root.join(env::var(var).unwrap_or_else(|_| default.into()));
        Ok(Project {
            site_root: under_root("LEPTOS_SITE_ROOT", "target/site"),
            content: under_root("CONTENT_DIR", "content"), // @demo
            server_bin: root.join("target/release/server"), // @demo
            root,
        })
    }

    // @demo-begin
    /// The project, once `make build` has run: its release server, and a site
    /// root holding `page` (a page `who` needs).
    pub fn built(who: &str, page: &str) -> Result<Project> {
        let project = Project::from_env()?;
        if !project.server_bin.is_file() || !project.site_root.join(page).is_file() {
            bail!(
                "run `make build` first: {who} needs {} and a built site root ({} is missing)",
                project.server_bin.display(),
                project.site_root.join(page).display()
            );
        }
        Ok(project)
    }
    // @demo-end
}
