//! The features that this project's server build enables on a dependency and
//! a generated project's does not, pinned in the generated project. Without
//! sqlx, a few crates (serde, futures-io, either, digest, …) resolve there with
//! fewer features; each of them and every crate above it (tachys, axum, the
//! whole of Leptos: 56 crates) would compile again rather than be found in the
//! seeded target dir, 2 min of CPU in every `make test`.
//!
//! A pin on a crate that the project's own code uses could hide that code's
//! need for a feature it does not ask for, which its users' builds would lack:
//! so such a pin fails the test, unless its features are in `UNOBSERVABLE`.
//! Pins on crates further down can only hide a bug of the crates above them.

use std::{
    collections::{BTreeMap, BTreeSet},
    fs,
    path::Path,
    process::Command,
};

type Features = BTreeSet<String>;

/// The crate of pins, as cargo names it in its log.
pub const PINS: &str = "pinned-features";

/// Features of the generated project's direct dependencies that its code
/// cannot tell from features it already has: serde's `alloc` adds nothing to
/// `std`, which the project's serde has.
const UNOBSERVABLE: &[(&str, &str)] = &[("serde", "alloc")];

/// Makes `generated`'s server crate depend on a crate of pins, written into
/// `pins` (outside the project): dependencies on the features that the server
/// build of the project at `this` has and `generated`'s lacks. Then commits
/// the change with the `Cargo.lock` it resolves to, so that what the project's
/// own build changes still shows in `git status`.
pub fn pin_features_of(this: &Path, generated: &Path, pins: &Path) {
    // `--locked`: a lockfile that the generator left stale fails here rather
    // than being committed with the pins.
    let (ours, theirs) = (server_features(this, true), server_features(generated, true));
    let direct = direct_dependencies(generated);
    let mut dependencies = String::new();
    for (package, their_features) in &theirs {
        let Some(our_features) = ours.get(package) else { continue };
        let missing: Vec<&String> = our_features.difference(their_features).collect();
        if missing.is_empty() {
            continue;
        }
        let (name, version) = package;
        if direct.contains(name) {
            let observable: Vec<_> = missing.iter().filter(|feature| !UNOBSERVABLE.contains(&(name, feature))).collect();
            assert!(
                observable.is_empty(),
                "the generated project's own code uses {name}, which this project builds with {observable:?} and it \
                 without: pinning them could hide its need for them. If it has none, add them to UNOBSERVABLE"
            );
        }
        let default = missing.iter().any(|feature| *feature == "default");
        let features: Vec<String> = missing.iter().filter(|feature| **feature != "default").map(|feature| format!("'{feature}'")).collect();
        // Keyed by version too (the graph may hold two versions of a crate),
        // spelled as a bare TOML key: no `.` or `+`.
        let key: String = format!("{name}-{version}").chars().map(|c| if c.is_ascii_alphanumeric() || c == '_' { c } else { '-' }).collect();
        dependencies += &format!(
            "{key} = {{ package = '{name}', version = '={version}', default-features = {default}, features = [{}] }}\n",
            features.join(", ")
        );
    }
    fs::create_dir_all(pins).unwrap();
    fs::write(pins.join("lib.rs"), "").unwrap();
    let manifest = format!(
        "[package]\nname = '{PINS}'\nversion = '0.0.0'\nedition = '2021'\n\n[lib]\npath = 'lib.rs'\n\n[dependencies]\n{dependencies}"
    );
    fs::write(pins.join("Cargo.toml"), manifest).unwrap();
    let server = generated.join("server/Cargo.toml");
    let text = fs::read_to_string(&server).unwrap();
    assert!(text.contains("\n[dependencies]\n"), "{}: no [dependencies] table", server.display());
    let dependency = format!("\n[dependencies]\n{PINS} = {{ path = '{}' }}\n", pins.display());
    fs::write(&server, text.replacen("\n[dependencies]\n", &dependency, 1)).unwrap();

    let pinned = server_features(generated, false); // resolves, and so writes Cargo.lock
    for (package, features) in &pinned {
        if let Some(our_features) = ours.get(package) {
            assert!(features.is_superset(our_features), "{package:?}: pinned {features:?}, wanted {our_features:?}");
        }
    }
    let commit = Command::new("git")
        .args(["-c", "user.name=test", "-c", "user.email=test@example.invalid", "-c", "commit.gpgsign=false"])
        .args(["commit", "--quiet", "--no-verify", "--message", "Pin this project's dependency features", "--"])
        .args(["Cargo.lock", "server/Cargo.toml"])
        .current_dir(generated)
        .status()
        .unwrap();
    assert!(commit.success(), "git commit");
}

/// Each dependency of the server's code in the project at `dir`, by name and
/// version, with the features cargo resolves for it. What proc-macros use is
/// left out: cargo resolves their dependencies apart, and a pin cannot reach
/// them. So is a crate the code uses with two sets of features.
fn server_features(dir: &Path, locked: bool) -> BTreeMap<(String, String), Features> {
    let output = crate::cargo()
        .args(["tree", "--offline", "--package", "server", "--edges", "normal", "--prefix", "depth", "--format", "{p}|{f}"])
        .args(locked.then_some("--locked"))
        .current_dir(dir)
        .output()
        .unwrap();
    assert!(output.status.success(), "cargo tree in {}: {}", dir.display(), String::from_utf8_lossy(&output.stderr));
    let mut sets: BTreeMap<(String, String), BTreeSet<Features>> = BTreeMap::new();
    let mut in_proc_macro_at: Option<usize> = None;
    for line in String::from_utf8(output.stdout).unwrap().lines() {
        let digits = line.find(|c: char| !c.is_ascii_digit()).unwrap_or(0);
        let depth: usize = line[..digits].parse().unwrap_or_else(|_| panic!("cargo tree printed a line without its depth: {line:?}"));
        match in_proc_macro_at {
            Some(at) if depth > at => continue,
            _ => in_proc_macro_at = None,
        }
        let (package, features) = line[digits..].trim_end_matches(" (*)").split_once('|').unwrap_or_else(|| panic!("{line:?}"));
        if package.contains(" (proc-macro)") {
            in_proc_macro_at = Some(depth);
            continue;
        }
        // The workspace's own crates name their path: those are not pinned.
        let [name, version] = package.split(' ').collect::<Vec<_>>()[..] else { continue };
        let features = features.split(',').filter(|feature| !feature.is_empty()).map(String::from).collect();
        sets.entry((name.to_string(), version.trim_start_matches('v').to_string())).or_default().insert(features);
    }
    sets.into_iter().filter(|(_, sets)| sets.len() == 1).map(|(package, sets)| (package, sets.into_iter().next().unwrap())).collect()
}

/// The packages that the project at `dir`'s own crates depend on by name.
fn direct_dependencies(dir: &Path) -> BTreeSet<String> {
    let metadata = crate::workspace_metadata(dir).unwrap();
    metadata["packages"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|package| package["dependencies"].as_array().unwrap())
        .filter_map(|dependency| Some(dependency["name"].as_str()?.to_string()))
        .collect()
}
