//! A target dir started from another one's compiled dependencies, so that a
//! build there compiles only the workspace's own crates: `make dev`'s server
//! build starts from `make build`'s, and the generator's test builds a new
//! project against this one's.
//!
//! Cargo finds a dependency fresh when its fingerprint and its files are where
//! it looks (`<profile>/deps`, `build`, `.fingerprint`, under the same profile
//! dir name) and their modification times are in the order it wrote them. So
//! the files are copied with their times, and never hard-linked: cargo rewrites
//! some in place (a build script's `output`), which through a link would change
//! the source build too, and make it rebuild everything.

use anyhow::{Context, Result};
use std::{fs, path::Path};

/// Copies the compiled dependencies of each of `profiles` (`release`,
/// `wasm32-unknown-unknown/wasm-release`) from the target dir `from` into the
/// target dir `to`, leaving out the crates of the workspace at `root`. A
/// profile that `from` has not built is skipped.
pub fn seed_target_dir(from: &Path, to: &Path, profiles: &[&str], root: &Path) -> Result<()> {
    let ours = workspace_crates(root)?;
    for profile in profiles {
        for sub in ["deps", "build", ".fingerprint"] {
            let source = from.join(profile).join(sub);
            if !source.is_dir() {
                continue;
            }
            let dest = to.join(profile).join(sub);
            fs::create_dir_all(&dest).with_context(|| format!("creating {}", dest.display()))?;
            for entry in fs::read_dir(&source).with_context(|| format!("reading {}", source.display()))? {
                let entry = entry?;
                if !is_built_from(&entry.file_name().to_string_lossy(), &ours) {
                    copy_with_times(&entry.path(), &dest.join(entry.file_name()))?;
                }
            }
        }
    }
    Ok(())
}

/// The names that the workspace's crates give their files: each package's and
/// each target's, as cargo spells them in `deps/` (`_`) and elsewhere (`-`).
fn workspace_crates(root: &Path) -> Result<Vec<String>> {
    let metadata = crate::workspace_metadata(root)?;
    let mut names = Vec::new();
    for package in metadata["packages"].as_array().into_iter().flatten() {
        let targets = package["targets"].as_array().into_iter().flatten();
        for name in targets.chain([package]).filter_map(|item| item["name"].as_str()) {
            names.push(name.to_string());
            names.push(name.replace('-', "_"));
        }
    }
    names.sort();
    names.dedup();
    Ok(names)
}

/// Whether a file or dir of a target dir (`libapp-0123456789abcdef.rlib`,
/// `app-0123456789abcdef`) belongs to one of `crates`.
fn is_built_from(entry: &str, crates: &[String]) -> bool {
    let stem = entry.strip_prefix("lib").unwrap_or(entry);
    [entry, stem].iter().any(|name| {
        crates.iter().any(|krate| {
            let hash = name.strip_prefix(krate.as_str()).and_then(|rest| rest.strip_prefix('-'));
            hash.is_some_and(|hash| hash.len() >= 16 && hash.as_bytes()[..16].iter().all(u8::is_ascii_hexdigit))
        })
    })
}

/// Copies a file, a symlink or a whole dir, each file keeping its modification time.
fn copy_with_times(from: &Path, to: &Path) -> Result<()> {
    let meta = fs::symlink_metadata(from).with_context(|| format!("reading {}", from.display()))?;
    if meta.is_dir() {
        fs::create_dir_all(to).with_context(|| format!("creating {}", to.display()))?;
        for entry in fs::read_dir(from)? {
            let entry = entry?;
            copy_with_times(&entry.path(), &to.join(entry.file_name()))?;
        }
    } else if meta.file_type().is_symlink() {
        let _ = fs::remove_file(to);
        std::os::unix::fs::symlink(fs::read_link(from)?, to).with_context(|| format!("linking {}", to.display()))?;
    } else {
        fs::copy(from, to).with_context(|| format!("copying {} to {}", from.display(), to.display()))?;
        // Opened to read: a read-only file's owner may still set its time.
        let file = fs::File::open(to)?;
        file.set_modified(meta.modified()?).with_context(|| format!("setting the time of {}", to.display()))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::temp_dir::TempDir;
    use std::time::{Duration, SystemTime};

    #[test]
    fn the_workspaces_own_crates_are_told_from_dependencies_by_name_and_hash() {
        let ours = ["app".to_string(), "server".to_string()];
        for entry in ["libapp-0123456789abcdef.rlib", "app-0123456789abcdef.d", "app-0123456789abcdef", "server-fedcba9876543210"] {
            assert!(is_built_from(entry, &ours), "{entry}");
        }
        for entry in ["libapp_dirs-0123456789abcdef.rlib", "libc-0123456789abcdef", "liblibc-0123456789abcdef.rlib", "app-server", "app-xyz-0123456789abcdef"] {
            assert!(!is_built_from(entry, &ours), "{entry}");
        }
    }

    #[test]
    fn a_seed_is_a_copy_with_the_times_of_the_files_it_copies() {
        let dir = TempDir::new("prebuilt").unwrap();
        let (from, to) = (dir.path().join("from"), dir.path().join("to"));
        let deps = from.join("release/deps");
        fs::create_dir_all(deps.join("nested")).unwrap();
        fs::write(deps.join("libdep-0123456789abcdef.rlib"), "dep").unwrap();
        fs::write(deps.join("nested/file"), "nested").unwrap();
        fs::write(deps.join("libxtask-0123456789abcdef.rlib"), "ours").unwrap();
        let then = SystemTime::now() - Duration::from_secs(86_400);
        fs::File::options().write(true).open(deps.join("libdep-0123456789abcdef.rlib")).unwrap().set_modified(then).unwrap();

        seed_target_dir(&from, &to, &["release", "never-built"], &crate::workspace_root().unwrap()).unwrap();
        let copied = to.join("release/deps/libdep-0123456789abcdef.rlib");
        assert_eq!(fs::read_to_string(&copied).unwrap(), "dep");
        assert_eq!(fs::metadata(&copied).unwrap().modified().unwrap(), then, "the time is kept");
        assert_eq!(fs::read_to_string(to.join("release/deps/nested/file")).unwrap(), "nested");
        assert!(!to.join("release/deps/libxtask-0123456789abcdef.rlib").exists(), "the workspace's crates stay behind");
        fs::write(&copied, "rewritten").unwrap();
        assert_eq!(fs::read_to_string(deps.join("libdep-0123456789abcdef.rlib")).unwrap(), "dep", "a copy, not a link");
    }
}
