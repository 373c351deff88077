//! `cargo xtask new --in-place --name NAME [--minimal | --full] [--tailwind]`:
//! what `cargo generate` runs. cargo-generate copies this repository whole,
//! without its `.git`, into a scratch directory, and runs the hook named in
//! `cargo-generate.toml` there (`cargo-generate.rhai`), which runs this: it
//! writes the new project beside the copy, as `cargo xtask new` would, then
//! puts it in the copy's place, and cargo-generate moves the result to where
//! its user asked. So cargo-generate's path makes the same project as
//! `cargo xtask new`, with no `{{…}}` placeholder in this repository's sources.

use super::{generate, project_files, Request};
use crate::workspace_root;
use anyhow::{bail, Context, Result};
use std::{fs, path::Path, process::Command};

pub fn run(args: &[&str]) -> Result<()> {
    let root = workspace_root()?;
    // It replaces the project it runs in: only in cargo-generate's copy, which
    // is in no git work tree (cargo-generate has taken its own config file
    // out of the copy by then, so that can't tell it apart).
    if in_a_git_work_tree(&root) {
        bail!(
            "--in-place replaces the project it runs in, so it runs only in cargo-generate's copy of this \
             template, which is in no git work tree; {} is in one: use `cargo xtask new DIR`",
            root.display()
        );
    }
    if !args.contains(&"--name") {
        bail!("--in-place needs --name NAME: cargo-generate's copy has a scratch directory's name");
    }
    let scratch = root.with_file_name(format!(".xtask-new-{}", std::process::id()));
    let mut request_args = vec![scratch.to_str().context("the scratch directory's path is not UTF-8")?];
    request_args.extend(args.iter().filter(|&&arg| arg != "--in-place"));
    let request = Request::parse(&request_args)?;

    // `project_files` lists what git would track: the copy becomes a
    // repository for that, and its `.git` goes with the rest of it below.
    let status = Command::new("git").args(["init", "--quiet"]).current_dir(&root).status().context("running git")?;
    if !status.success() {
        bail!("`git init` failed in {}", root.display());
    }
    let files = project_files(&root)?;
    generate(&root, &files, &request)?;
    replace_contents(&root, &scratch)?;
    println!("xtask: {} ({}) made in place", request.name, request.flavour.as_str());
    Ok(())
}

fn in_a_git_work_tree(dir: &Path) -> bool {
    Command::new("git")
        .args(["rev-parse", "--is-inside-work-tree"])
        .current_dir(dir)
        .output()
        .is_ok_and(|output| output.status.success())
}

/// Empties `root` but for `target/` (where cargo built this command, and what
/// the new project's first build can reuse), then moves `from`'s entries in.
fn replace_contents(root: &Path, from: &Path) -> Result<()> {
    for entry in fs::read_dir(root).with_context(|| format!("reading {}", root.display()))? {
        let path = entry?.path();
        if path.file_name().is_some_and(|name| name == "target") {
            continue;
        }
        let removed = if path.is_dir() { fs::remove_dir_all(&path) } else { fs::remove_file(&path) };
        removed.with_context(|| format!("removing {}", path.display()))?;
    }
    for entry in fs::read_dir(from).with_context(|| format!("reading {}", from.display()))? {
        let path = entry?.path();
        let to = root.join(path.file_name().expect("an entry has a name"));
        fs::rename(&path, &to).with_context(|| format!("moving {} to {}", path.display(), to.display()))?;
    }
    fs::remove_dir(from).with_context(|| format!("removing {}", from.display()))
}

#[cfg(test)]
mod tests {
    use super::in_a_git_work_tree;
    use crate::{temp_dir::TempDir, workspace_root};

    #[test]
    fn a_checkout_is_told_apart_from_the_templates_copy_by_git() {
        let root = workspace_root().unwrap();
        assert!(in_a_git_work_tree(&root), "this project, so --in-place refuses to run in it");
        assert!(in_a_git_work_tree(&root.join("xtask/src")), "and in any folder of it");
        let copy = TempDir::new("in-place-copy").unwrap();
        assert!(!in_a_git_work_tree(copy.path()), "a folder outside any repository");
    }
}
