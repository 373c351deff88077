//! `cargo xtask new DIR [--name NAME] [--minimal | --full]`: a new,
//! self-contained project in DIR, made from this one as it is on disk, renamed,
//! with its own README and a first git commit.
//!
//! What it copies is what git tracks here, or would track (`git ls-files
//! --cached --others --exclude-standard`), so it never needs a list of the
//! project's files: `target/`, `data/`, `node_modules/` and whatever else git
//! ignores stay behind by themselves. Left out besides: this repository's own
//! README and `docs/` (screenshots of this demo, benchmark figures measured on
//! it). The minimal flavour also leaves out what the project marks as the
//! demo's (see [`markers`]), the posts about rendering (it gets one sample post
//! instead) and this generator. Renaming is a few edits, each of which must
//! find what it replaces (see [`rename`]), so that a change to the project
//! that moves the name breaks the generator's tests rather than its output.

mod in_place;
mod markers;
mod name;
mod tailwind;
#[cfg(test)]
mod tests;

use crate::{workspace_root, OUTPUT_NAME};
use anyhow::{bail, Context, Result};
use std::{
    env, fs,
    path::{Component, Path, PathBuf},
    process::Command,
};

/// Which project DIR gets.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Flavour {
    /// This demo, renamed: every strategy route, the inspector, `/compare`,
    /// the live holes and the posts about rendering.
    Full,
    /// A blog to start from: home, post index, posts and tags, prerendered,
    /// with the feed and the sitemap, one sample post, and every strategy
    /// module a page can be moved to; none of the demo.
    Minimal,
}

impl Flavour {
    fn as_str(self) -> &'static str {
        match self {
            Flavour::Full => "full",
            Flavour::Minimal => "minimal",
        }
    }
}

const USAGE: &str = "usage: cargo xtask new DIR [--name NAME] [--minimal | --full] [--tailwind]";

/// What `cargo xtask new` was asked for, checked.
#[derive(Debug)]
pub struct Request {
    pub dir: PathBuf,
    pub name: String,
    pub flavour: Flavour,
    /// Tailwind CSS in the stylesheet (see `tailwind.rs`); plain CSS otherwise.
    pub tailwind: bool,
}

impl Request {
    /// From the arguments after `new`: `DIR [--name NAME] [--full | --minimal] [--tailwind]`.
    pub fn parse(args: &[&str]) -> Result<Request> {
        let mut dir = None;
        let mut name = None;
        let mut flavour = Flavour::Minimal;
        let mut tailwind = false;
        let mut args = args.iter();
        while let Some(&arg) = args.next() {
            match arg {
                "--name" => name = Some(args.next().context("--name needs a value: --name my-site")?.to_string()),
                "--full" => flavour = Flavour::Full,
                "--minimal" => flavour = Flavour::Minimal,
                "--tailwind" => tailwind = true,
                flag if flag.starts_with('-') => {
                    bail!("unknown option `{flag}`: expected --name NAME, --minimal, --full or --tailwind")
                }
                path if dir.is_none() => dir = Some(PathBuf::from(path)),
                extra => bail!("one DIR only, but `{extra}` follows it"),
            }
        }
        let dir = dir.context(USAGE)?;
        let name = match name {
            Some(name) => {
                name::check(&name).map_err(|rule| anyhow::anyhow!("--name `{name}` cannot be a crate name: {rule}"))?;
                name
            }
            None => name::from_dir(&dir)?,
        };
        Ok(Request { dir, name, flavour, tailwind })
    }
}

/// Writes the project that `args` ask for, from the project it runs in.
pub fn run(args: &[&str]) -> Result<()> {
    if args.contains(&"--in-place") {
        return in_place::run(args);
    }
    let request = Request::parse(args)?;
    let root = workspace_root()?;
    let files = project_files(&root)?;
    generate(&root, &files, &request)?;
    println!(
        "xtask: {} ({}{}) written to {}, with one git commit. Next:\n  cd {} && make serve",
        request.name,
        request.flavour.as_str(),
        if request.tailwind { ", Tailwind" } else { "" },
        request.dir.display(),
        request.dir.display(),
    );
    Ok(())
}

/// The files of the project at `root` that a new project gets, relative to it.
pub fn project_files(root: &Path) -> Result<Vec<PathBuf>> {
    let listed = Command::new("git")
        .args(["ls-files", "-z", "--cached", "--others", "--exclude-standard"])
        .current_dir(root)
        .output()
        .context("running git: `cargo xtask new` copies what git tracks, so it needs git")?;
    if !listed.status.success() {
        bail!("`git ls-files` failed in {}: {}", root.display(), String::from_utf8_lossy(&listed.stderr).trim());
    }
    let mut files: Vec<PathBuf> = listed
        .stdout
        .split(|&byte| byte == 0)
        .filter(|path| !path.is_empty())
        .map(|path| PathBuf::from(String::from_utf8_lossy(path).into_owned()))
        // A tracked file deleted but not yet committed is not on disk to copy.
        .filter(|path| root.join(path).is_file())
        .filter(|path| !belongs_to_this_repository(path))
        .collect();
    files.sort();
    files.dedup();
    Ok(files)
}

/// This repository's README (the new project gets its own) and `docs/`: the
/// screenshots of this demo and the benchmark figures measured on it.
fn belongs_to_this_repository(path: &Path) -> bool {
    path == Path::new("README.md") || path.starts_with("docs")
}

/// Copies `files` from `root` into `request.dir`, renames, writes the README,
/// wires in Tailwind if asked, and makes the first commit. Refuses a DIR that
/// is not empty or that lies inside `root`; on any failure, removes what it
/// wrote.
pub fn generate(root: &Path, files: &[PathBuf], request: &Request) -> Result<()> {
    let dir = absolute(&request.dir)?;
    let root = root.canonicalize().with_context(|| format!("reading {}", root.display()))?;
    if dir.starts_with(&root) {
        bail!(
            "{} is inside this project ({}): a new project goes beside it, such as ../{}",
            request.dir.display(),
            root.display(),
            request.name
        );
    }
    let existed = dir.exists();
    if existed {
        let entries = fs::read_dir(&dir).with_context(|| format!("{} exists and is not a directory", dir.display()))?;
        if entries.count() > 0 {
            bail!("{} exists and is not empty: nothing was written", request.dir.display());
        }
    }
    let unfinished = Unfinished { dir: dir.clone(), existed, finished: false };
    fs::create_dir_all(&dir).with_context(|| format!("creating {}", dir.display()))?;
    for file in files.iter().filter(|file| request.flavour == Flavour::Full || !left_out_of_minimal(file)) {
        copy_file(&root.join(file), &dir.join(file), request.flavour)?;
    }
    if request.flavour == Flavour::Minimal {
        write(&dir.join(FIRST_POST), &first_post(&request.name))?;
    }
    rename(&dir, &request.name)?;
    write(&dir.join("README.md"), &readme_for(request)?)?;
    if request.tailwind {
        tailwind::apply(&dir)?;
    }
    if request.flavour == Flavour::Minimal {
        prune_lockfile(&dir)?;
    }
    first_commit(&dir, &request.name)?;
    unfinished.done();
    Ok(())
}

/// DIR as an absolute path with its existing part resolved (so `..` and
/// symlinks can't hide that it is inside the project).
fn absolute(dir: &Path) -> Result<PathBuf> {
    let dir = env::current_dir().context("reading the current directory")?.join(dir);
    let existing = dir.ancestors().find(|ancestor| ancestor.exists()).context("no part of DIR exists")?;
    let rest = dir.strip_prefix(existing).expect("an ancestor is a prefix");
    if rest.components().any(|component| !matches!(component, Component::Normal(_))) {
        bail!("{}: `..` after a directory that does not exist", dir.display());
    }
    Ok(existing.canonicalize().with_context(|| format!("reading {}", existing.display()))?.join(rest))
}

/// Left out of the minimal flavour besides what is marked: the generator
/// itself, with what makes the project a cargo-generate template (see
/// `in_place.rs`); the posts about rendering (it gets one sample post,
/// `first-post.md`, instead); and the view counts' SQL migrations, which
/// can't carry a marker, since sqlx refuses a migration edited once applied.
fn left_out_of_minimal(path: &Path) -> bool {
    ["xtask/src/new", "cargo-generate.toml", "cargo-generate.rhai", "content/posts", "app/migrations"]
        .iter()
        .any(|left_out| path.starts_with(left_out))
}

/// Where the minimal flavour's sample post goes.
const FIRST_POST: &str = "content/posts/first-post.md";

/// Copies `from` to `to`; for the minimal flavour, a text file as
/// [`markers::for_flavour`] makes it, or not at all if the file is the demo's.
fn copy_file(from: &Path, to: &Path, flavour: Flavour) -> Result<()> {
    if flavour == Flavour::Minimal {
        let bytes = fs::read(from).with_context(|| format!("reading {}", from.display()))?;
        if let Ok(text) = String::from_utf8(bytes) {
            let Some(text) = markers::for_flavour(&text, flavour).map_err(|why| anyhow::anyhow!("{}: {why}", from.display()))?
            else {
                return Ok(());
            };
            write(to, &text)?;
            let permissions = fs::metadata(from).with_context(|| format!("reading {}", from.display()))?.permissions();
            return fs::set_permissions(to, permissions).with_context(|| format!("writing {}", to.display()));
        }
    }
    create_parent(to)?;
    fs::copy(from, to).with_context(|| format!("writing {} (from {})", to.display(), from.display()))?;
    Ok(())
}

fn write(path: &Path, text: &str) -> Result<()> {
    create_parent(path)?;
    fs::write(path, text).with_context(|| format!("writing {}", path.display()))
}

/// A file's directory, made if missing: a failure names the file.
fn create_parent(path: &Path) -> Result<()> {
    let parent = path.parent().expect("a file in DIR has a parent");
    fs::create_dir_all(parent).with_context(|| format!("writing {}", path.display()))
}

/// The minimal flavour's one post, dated the day it is written.
fn first_post(name: &str) -> String {
    let today = time::OffsetDateTime::now_utc().date();
    include_str!("first-post.md").replace("{date}", &today.to_string()).replace("{title}", &name::title(name))
}

/// The project's name where the project uses it as an identifier: the bundle's
/// file names (`.cargo/config.toml`, and cargo-leptos's metadata, which must
/// agree), the site's title (pages, feed) and the container image's tag.
fn rename(dir: &Path, name: &str) -> Result<()> {
    let title = name::title(name);
    let edits: [(&str, String, String); 5] = [
        (".cargo/config.toml", format!("BUNDLE_NAME = \"{OUTPUT_NAME}\""), format!("BUNDLE_NAME = \"{name}\"")),
        (
            "Cargo.toml",
            format!("[[workspace.metadata.leptos]]\nname = \"{OUTPUT_NAME}\""),
            format!("[[workspace.metadata.leptos]]\nname = \"{name}\""),
        ),
        ("app/src/site.rs", site_title_line(dir)?, format!("pub const SITE_TITLE: &str = {title:?};")),
        ("Dockerfile", format!("docker build -t {OUTPUT_NAME} ."), format!("docker build -t {name} .")),
        ("Dockerfile", format!("docker run -p 3000:3000 {OUTPUT_NAME}"), format!("docker run -p 3000:3000 {name}")),
    ];
    for (file, from, to) in edits {
        edit(dir, file, &from, &to)?;
    }
    Ok(())
}

/// Replaces the first `from` in `dir`'s `file` with `to`; an error if `file`
/// no longer holds `from`, so that a change to the project that moves what
/// the generator edits fails its tests rather than its output.
fn edit(dir: &Path, file: &str, from: &str, to: &str) -> Result<()> {
    let path = dir.join(file);
    let text = fs::read_to_string(&path).with_context(|| format!("reading {}", path.display()))?;
    if !text.contains(from) {
        bail!("{file} no longer holds `{}`: `cargo xtask new` must learn what became of it (xtask/src/new)", from.trim_end());
    }
    write(&path, &text.replacen(from, to, 1))
}

/// The line of `app/src/site.rs` that sets the site's title, as it is.
fn site_title_line(dir: &Path) -> Result<String> {
    let path = dir.join("app/src/site.rs");
    let text = fs::read_to_string(&path).with_context(|| format!("reading {}", path.display()))?;
    let line = text.lines().find(|line| line.starts_with("pub const SITE_TITLE: &str = "));
    Ok(line.context("app/src/site.rs no longer sets SITE_TITLE: `cargo xtask new` must learn where the title went")?.to_string())
}

fn readme_for(request: &Request) -> Result<String> {
    let readme = markers::for_flavour(include_str!("README.md"), request.flavour)
        .map_err(|why| anyhow::anyhow!("xtask/src/new/README.md: {why}"))?
        .context("xtask/src/new/README.md is every flavour's")?;
    Ok(readme.replace("{title}", &name::title(&request.name)).replace("{name}", &request.name))
}

/// Drops from the copied `Cargo.lock` the packages that only the demo used
/// (sqlx and its tree), keeping every other version as it is: what a first
/// build would do, done before the first commit, so the tree stays clean.
fn prune_lockfile(dir: &Path) -> Result<()> {
    let output = crate::cargo()
        .args(["metadata", "--format-version=1"])
        .current_dir(dir)
        .env_remove("BUNDLE_NAME")
        .output()
        .context("running cargo metadata")?;
    if !output.status.success() {
        bail!("`cargo metadata` failed in {}: {}", dir.display(), String::from_utf8_lossy(&output.stderr).trim());
    }
    Ok(())
}

/// `git init` and one commit of everything, as the user's git identity if it
/// has one, else as the generator.
fn first_commit(dir: &Path, name: &str) -> Result<()> {
    let git = |args: &[&str]| -> Result<std::process::Output> {
        let output = Command::new("git").args(args).current_dir(dir).output().context("running git")?;
        Ok(output)
    };
    let run = |args: &[&str]| -> Result<()> {
        let output = git(args)?;
        if !output.status.success() {
            bail!("`git {}` failed in {}: {}", args.join(" "), dir.display(), String::from_utf8_lossy(&output.stderr).trim());
        }
        Ok(())
    };
    run(&["init", "--quiet", "--initial-branch=main"])?;
    run(&["add", "--all"])?;
    let message = format!("A new site, {name}, from `cargo xtask new`");
    let has_identity = git(&["config", "user.email"])?.status.success();
    let mut commit = vec!["-c", "commit.gpgsign=false"];
    if !has_identity {
        commit.extend(["-c", "user.name=cargo xtask new", "-c", "user.email=xtask-new@localhost"]);
    }
    commit.extend(["commit", "--quiet", "--message", &message]);
    run(&commit)
}

/// Removes what `generate` wrote unless it finished: DIR itself if it made
/// DIR, else what it put in the empty DIR it was given.
struct Unfinished {
    dir: PathBuf,
    existed: bool,
    finished: bool,
}

impl Unfinished {
    fn done(mut self) {
        self.finished = true;
    }
}

impl Drop for Unfinished {
    fn drop(&mut self) {
        if self.finished {
            return;
        }
        if !self.existed {
            let _ = fs::remove_dir_all(&self.dir);
            return;
        }
        for entry in fs::read_dir(&self.dir).into_iter().flatten().flatten() {
            let path = entry.path();
            let _ = if path.is_dir() { fs::remove_dir_all(&path) } else { fs::remove_file(&path) };
        }
    }
}
