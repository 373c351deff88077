//! Project tasks that need no tool beyond cargo:
//! - `cargo xtask site`: the WASM bundles and the site root (see `site.rs`);
//! - `cargo xtask dev`: the edit loop of `make dev` (see `dev/`), and
//!   `dev-prebuild`, the part of its first round that `make build` leaves;
// @demo-begin
//! - `cargo xtask bench`: every route under load, next to nginx (see `bench/`);
//! - `cargo xtask soak`: every route under load while the site is rebuilt (see `soak.rs`);
//! - `cargo xtask cluster` / `cluster-stop` / `cluster-bench`: several instances
//!   behind nginx, sharing Redis and PostgreSQL (see `cluster/`);
//! - `cargo xtask gen-posts N DIR`: N synthetic posts for scale tests;
//! - `cargo xtask new DIR`: a new project made from this one (see `new/`).
// @demo-end

mod bench; // @demo
mod cluster; // @demo
mod dev;
mod gen_posts; // @demo
mod http;
mod new; // @demo
mod nginx; // @demo
mod prebuilt;
mod project;
mod site;
mod soak; // @demo
mod stylesheet;
mod temp_dir; // @demo
// @minimal: #[cfg(test)]
// @minimal: mod temp_dir;
mod wasm_sections;

use anyhow::{bail, Context, Result};
use std::{
    env, fs,
    path::{Path, PathBuf},
};

/// The stem of the site's file names under `pkg/`: `blog.css`, and the bundles
/// (see `site::Bundle`). Set once, as `BUNDLE_NAME` in `.cargo/config.toml`.
pub const OUTPUT_NAME: &str = env!("BUNDLE_NAME");

const USAGE: &[&str] = &[
    "cargo xtask site              build the WASM bundles and assets into $LEPTOS_SITE_ROOT",
    "cargo xtask dev               the edit loop: serve, rebuild on save, reload the page (see README: Develop)",
    "cargo xtask dev-prebuild      compile what the edit loop's first round compiles that `make build` does not",
    "cargo xtask bench             measure every route (see README: Benchmarks)", // @demo
    "cargo xtask soak              every route under load while the site is rebuilt (SOAK_SECONDS)", // @demo
    "cargo xtask cluster           N instances behind nginx on 127.0.0.1:3000, with Redis and PostgreSQL", // @demo
    "cargo xtask cluster-stop      stop what `cargo xtask cluster` started", // @demo
    "cargo xtask cluster-bench     /ssr and /isr through nginx: 1 instance, then 3", // @demo
    "cargo xtask gen-posts N DIR   write N synthetic posts into DIR/posts", // @demo
    "cargo xtask new DIR [--name NAME] [--minimal | --full] [--tailwind]", // @demo
    "                              a new site in DIR, made from this one, with its own README and git", // @demo
];

fn main() -> Result<()> {
    let args: Vec<String> = env::args().skip(1).collect();
    match args.iter().map(String::as_str).collect::<Vec<_>>().as_slice() {
        ["site"] => site::site(),
        ["dev"] => dev::run(dev::Settings::from_env()?),
        ["dev-prebuild"] => dev::prebuild(),
        ["bench"] => bench::run(&bench::Settings::from_env()?), // @demo
        ["soak"] => soak::run_and_print(&soak::Settings::from_env()?), // @demo
        ["cluster"] => cluster::start_detached(&cluster::Settings::from_env()?), // @demo
        ["cluster-stop"] => cluster::stop_detached(), // @demo
        ["cluster-bench"] => cluster::throughput(bench::Settings::from_env()?.seconds), // @demo
        ["new", args @ ..] => new::run(args), // @demo
        // @demo-begin
        ["gen-posts", count, dir] => {
            let count = count.parse().context("N is a number of posts")?;
            gen_posts::write(count, &PathBuf::from(dir))
        }
        // @demo-end
        _ => bail!("usage:\n  {}", USAGE.join("\n  ")),
    }
}

/// The project this command works on: the nearest directory, from the current
/// one up, whose `Cargo.toml` declares `[workspace]`. Found at run time, so
/// one built xtask works on any copy of the project (`make dev`'s test runs
/// it on a scratch copy).
pub fn workspace_root() -> Result<PathBuf> {
    let here = env::current_dir().context("reading the current directory")?;
    let declares_workspace = |dir: &Path| {
        fs::read_to_string(dir.join("Cargo.toml")).is_ok_and(|manifest| manifest.lines().any(|line| line.trim() == "[workspace]"))
    };
    match here.ancestors().find(|dir| declares_workspace(dir)) {
        Some(root) => Ok(root.to_path_buf()),
        None => bail!("no Cargo.toml with [workspace] in {} or above it: run this inside the project", here.display()),
    }
}

/// A `cargo` command: the cargo that runs this one, if any (`$CARGO`, which
/// cargo sets for what it runs), so that a build started here uses the same
/// toolchain.
pub fn cargo() -> std::process::Command {
    std::process::Command::new(env::var_os("CARGO").unwrap_or_else(|| "cargo".into()))
}

/// `cargo metadata` of the workspace at `root`, without its dependencies: its
/// own packages, their targets and what they depend on by name.
pub fn workspace_metadata(root: &Path) -> Result<serde_json::Value> {
    let output = cargo()
        .args(["metadata", "--no-deps", "--format-version=1", "--offline"])
        .current_dir(root)
        .output()
        .context("running cargo metadata")?;
    if !output.status.success() {
        bail!("cargo metadata failed in {}: {}", root.display(), String::from_utf8_lossy(&output.stderr).trim());
    }
    serde_json::from_slice(&output.stdout).context("reading cargo metadata's JSON")
}

/// 128 random bits in hex: a `REVALIDATE_TOKEN` for a server this command starts.
pub fn random_token() -> Result<String> {
    let mut bytes = [0u8; 16];
    std::io::Read::read_exact(&mut fs::File::open("/dev/urandom")?, &mut bytes)?;
    Ok(bytes.iter().map(|b| format!("{b:02x}")).collect())
}

#[cfg(test)]
mod tests {
    /// cargo-leptos takes the bundle's name from the workspace metadata, the
    /// plain cargo build from `.cargo/config.toml`: a rename must change both.
    #[test]
    fn cargo_leptos_metadata_names_the_same_bundle() {
        let manifest = std::fs::read_to_string(super::workspace_root().unwrap().join("Cargo.toml")).unwrap();
        let metadata = manifest.split("[[workspace.metadata.leptos]]").nth(1).expect("the cargo-leptos metadata");
        let name = metadata.lines().find_map(|line| line.strip_prefix("name = ")).expect("a name");
        assert_eq!(name.trim_matches('"'), super::OUTPUT_NAME);
    }
}
