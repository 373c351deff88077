//! The site's stylesheet, `pkg/NAME.css`, written by `make build` and `make
//! dev` alike: `style/main.css` as it is, or, when it imports Tailwind
//! (`@import "tailwindcss…"`, as `cargo xtask new --tailwind` writes it),
//! compiled by Tailwind's CLI, which finds the classes the pages use by
//! scanning the project's sources. The CLI comes from npm, at the versions the
//! project's `package-lock.json` pins, installed on first use.

use anyhow::{bail, Context, Result};
use std::{
    fs,
    path::{Path, PathBuf},
    process::Command,
};

/// The stylesheet's source, relative to the project's root.
const SOURCE: &str = "style/main.css";

/// Writes the project at `root`'s stylesheet to `to`, whole or not at all: it
/// is written beside `to` and renamed over it, so a server serving `to` never
/// sends half of it, and a failure leaves the last good one.
pub fn write(root: &Path, to: &Path) -> Result<()> {
    let css = fs::read_to_string(root.join(SOURCE)).with_context(|| format!("reading {SOURCE}"))?;
    let mut next = to.as_os_str().to_owned();
    next.push(".next");
    let next = PathBuf::from(next);
    let written = if imports_tailwind(&css) {
        compile_with_tailwind(root, &next)
    } else {
        fs::write(&next, css).with_context(|| format!("writing {}", next.display()))
    };
    if let Err(error) = written {
        let _ = fs::remove_file(&next); // what a failed compile left, if anything
        return Err(error);
    }
    fs::rename(&next, to).with_context(|| format!("moving {} to {}", next.display(), to.display()))
}

fn compile_with_tailwind(root: &Path, to: &Path) -> Result<()> {
    let cli = root.join("node_modules/.bin/tailwindcss");
    if !cli.exists() || !installed_since_the_lockfile_changed(root) {
        install_tailwind(root)?;
    }
    let output = Command::new(&cli)
        .args(["--input", SOURCE, "--minify", "--output"])
        .arg(to)
        .current_dir(root)
        .output()
        .with_context(|| format!("running {}", cli.display()))?;
    if !output.status.success() {
        bail!("Tailwind could not compile {SOURCE}:\n{}", String::from_utf8_lossy(&output.stderr).trim());
    }
    Ok(())
}

/// Whether npm last installed after `package-lock.json` last changed (npm
/// writes `node_modules/.package-lock.json` as it installs): a lockfile that a
/// pull or an upgrade changed installs again.
fn installed_since_the_lockfile_changed(root: &Path) -> bool {
    let modified = |path: &str| fs::metadata(root.join(path)).and_then(|metadata| metadata.modified()).ok();
    matches!(
        (modified("node_modules/.package-lock.json"), modified("package-lock.json")),
        (Some(installed), Some(locked)) if installed >= locked
    )
}

/// Whether `css` imports Tailwind (`tailwindcss`, or one of its parts such
/// as `tailwindcss/utilities.css`).
fn imports_tailwind(css: &str) -> bool {
    css.lines().any(|line| {
        let line = line.trim_start();
        line.starts_with("@import \"tailwindcss") || line.starts_with("@import 'tailwindcss")
    })
}

/// `npm ci` in `root`: the CLI at the versions `package-lock.json` pins.
/// Install scripts are not run: the CLI needs none.
fn install_tailwind(root: &Path) -> Result<()> {
    eprintln!("xtask: {SOURCE} imports Tailwind: installing its CLI with npm ci");
    let status = Command::new("npm")
        .args(["ci", "--no-audit", "--no-fund", "--ignore-scripts"])
        .current_dir(root)
        .status()
        .context("running npm: Tailwind's CLI installs with it, and runs on Node.js 20 or later")?;
    if !status.success() {
        bail!("`npm ci` failed ({status}) in {}: Tailwind's CLI is not installed", root.display());
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::temp_dir::TempDir;

    #[test]
    fn a_plain_stylesheet_is_written_as_it_is() {
        let project = TempDir::new("stylesheet-plain").unwrap();
        fs::create_dir(project.path().join("style")).unwrap();
        let css = "/* @import \"tailwindcss\"; is only a comment here */\n.x { color: red; }\n";
        fs::write(project.path().join(SOURCE), css).unwrap();
        let out = project.path().join("out.css");
        write(project.path(), &out).unwrap();
        assert_eq!(fs::read_to_string(&out).unwrap(), css);

        // A stylesheet that can't be read leaves the one written before.
        fs::remove_file(project.path().join(SOURCE)).unwrap();
        assert!(write(project.path(), &out).unwrap_err().to_string().contains("reading style/main.css"));
        assert_eq!(fs::read_to_string(&out).unwrap(), css);
    }

    #[test]
    fn a_stylesheet_that_imports_tailwind_or_a_part_of_it_is_compiled() {
        assert!(imports_tailwind("@import \"tailwindcss\";\n"));
        assert!(imports_tailwind("@layer theme, base;\n  @import 'tailwindcss/utilities.css' layer(utilities);\n"));
        assert!(!imports_tailwind("@import \"./fonts.css\";\n.tailwindcss { }\n"));
    }
}
