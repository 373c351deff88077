use super::{generate, name, project_files, Flavour, Request};
use crate::{temp_dir::TempDir, workspace_root, OUTPUT_NAME};
use std::{
    fs,
    path::{Path, PathBuf},
    process::Command,
};

fn request(dir: &Path, name: &str) -> Request {
    Request { dir: dir.to_path_buf(), name: name.into(), flavour: Flavour::Full }
}

fn error_of(args: &[&str]) -> String {
    Request::parse(args).err().expect("refused").to_string()
}

#[test]
fn a_name_is_a_crate_name_or_refused_with_the_rule_it_breaks() {
    for good in ["my-site", "blog2", "a_b", "x"] {
        assert_eq!(name::check(good), Ok(()), "{good}");
    }
    let long = "a".repeat(65);
    for (bad, rule) in [
        ("", "it is empty"),
        ("My-Site", "`M` is not a lowercase ASCII letter, a digit, `-` or `_`"),
        ("my site", "` ` is not a lowercase ASCII letter, a digit, `-` or `_`"),
        ("café", "`é` is not a lowercase ASCII letter, a digit, `-` or `_`"),
        ("2fast", "it must start with a letter"),
        ("-x", "it must start with a letter"),
        ("self", "`self` is a Rust keyword or a name Cargo reserves"),
        ("std", "`std` is a Rust keyword or a name Cargo reserves"),
        (long.as_str(), "it is longer than 64 characters"),
    ] {
        assert_eq!(name::check(bad), Err(rule.to_string()), "{bad:?}");
    }
    assert_eq!(
        error_of(&["../x", "--name", "My-Site", "--full"]),
        "--name `My-Site` cannot be a crate name: `M` is not a lowercase ASCII letter, a digit, `-` or `_`"
    );
}

#[test]
fn the_default_name_is_made_of_dirs_last_component() {
    assert_eq!(name::from_dir(Path::new("../My Site!")).unwrap(), "my-site");
    assert_eq!(name::from_dir(Path::new("/tmp/rust_blog")).unwrap(), "rust_blog");
    assert_eq!(Request::parse(&["../sites/Field Notes", "--full"]).unwrap().name, "field-notes");
    assert_eq!(
        name::from_dir(Path::new("../2026")).unwrap_err().to_string(),
        "`2026` makes no crate name (`2026`: it must start with a letter): give one with --name"
    );
    assert_eq!(name::title("field-notes"), "Field notes");
}

#[test]
fn the_arguments_say_a_dir_and_a_flavour() {
    assert_eq!(error_of(&["--full"]), "usage: cargo xtask new DIR [--name NAME] --full");
    assert!(error_of(&["../x"]).starts_with("say which flavour: `--full`"));
    assert!(error_of(&["../x", "--minimal"]).starts_with("the minimal flavour is not built yet"));
    assert_eq!(error_of(&["../x", "--full", "--tailwind"]), "unknown option `--tailwind`: expected --name NAME or --full");
    assert_eq!(error_of(&["../x", "../y", "--full"]), "one DIR only, but `../y` follows it");
    assert_eq!(error_of(&["../x", "--full", "--name"]), "--name needs a value: --name my-site");
}

#[test]
fn a_dir_that_is_not_empty_is_refused_and_keeps_what_it_held() {
    let scratch = TempDir::new("new-not-empty").unwrap();
    fs::write(scratch.path().join("notes.txt"), "mine").unwrap();
    let root = workspace_root().unwrap();
    let error = generate(&root, &project_files(&root).unwrap(), &request(scratch.path(), "x")).unwrap_err();
    assert!(error.to_string().ends_with("exists and is not empty: nothing was written"), "{error}");
    let left: Vec<_> = fs::read_dir(scratch.path()).unwrap().map(|entry| entry.unwrap().file_name()).collect();
    assert_eq!(left, ["notes.txt"]);
    assert_eq!(fs::read_to_string(scratch.path().join("notes.txt")).unwrap(), "mine");
}

#[test]
fn a_dir_inside_this_project_is_refused() {
    let root = workspace_root().unwrap();
    for inside in [root.join("target/new-site"), root.join("app/../target/../new-site")] {
        let error = generate(&root, &[], &request(&inside, "x")).unwrap_err().to_string();
        assert!(error.contains("is inside this project"), "{error}");
        assert!(!inside.exists(), "{} was not created", inside.display());
    }
}

#[test]
fn a_failure_halfway_removes_what_was_written_and_names_the_file() {
    let (source, scratch) = (TempDir::new("new-source").unwrap(), TempDir::new("new-halfway").unwrap());
    fs::write(source.path().join("a"), "a file").unwrap();
    let dir = scratch.path().join("site");
    // `a` is copied as a file, so `a/b` can't be written: its directory can't be made.
    let files = [PathBuf::from("a"), PathBuf::from("a/b")];
    let error = format!("{:#}", generate(source.path(), &files, &request(&dir, "x")).unwrap_err());
    assert!(error.starts_with(&format!("writing {}", dir.join("a/b").display())), "{error}");
    assert!(!dir.exists(), "the DIR it made is gone");

    // Given an empty DIR, it leaves DIR empty.
    fs::create_dir(&dir).unwrap();
    generate(source.path(), &files, &request(&dir, "x")).unwrap_err();
    assert_eq!(fs::read_dir(&dir).unwrap().count(), 0);
}

#[test]
fn the_full_flavour_is_this_project_renamed_with_its_own_readme_and_one_commit() {
    let root = workspace_root().unwrap();
    let files = project_files(&root).unwrap();
    assert!(files.contains(&PathBuf::from("Cargo.lock")) && files.contains(&PathBuf::from("app/src/lib.rs")));
    assert!(!files.iter().any(|file| file.starts_with("target") || file.starts_with("docs") || file.starts_with("end2end/node_modules")));

    let scratch = TempDir::new("new-full").unwrap();
    let dir = scratch.path().join("field-notes");
    generate(&root, &files, &request(&dir, "field-notes")).unwrap();

    for file in &files {
        assert!(dir.join(file).is_file(), "{} copied", file.display());
    }
    let read = |file: &str| fs::read_to_string(dir.join(file)).unwrap();
    assert_eq!(read("Cargo.lock"), fs::read_to_string(root.join("Cargo.lock")).unwrap(), "the same pinned versions");
    assert!(read(".cargo/config.toml").contains("BUNDLE_NAME = \"field-notes\""));
    assert!(read("Cargo.toml").contains("[[workspace.metadata.leptos]]\nname = \"field-notes\""));
    assert!(read("app/src/site.rs").contains("pub const SITE_TITLE: &str = \"Field notes\";"));
    assert!(read("Dockerfile").contains("docker build -t field-notes ."));
    let readme = read("README.md");
    assert!(readme.starts_with("# Field notes\n") && readme.contains("pkg/field-notes.js"));
    assert!(!readme.contains("{name}") && !readme.contains("{title}"), "every placeholder filled");
    assert!(!dir.join("docs").exists(), "no screenshot or benchmark of this repository");
    assert!(!read(".cargo/config.toml").contains(&format!("\"{OUTPUT_NAME}\"")));

    let git = |args: &[&str]| {
        let output = Command::new("git").args(args).current_dir(&dir).output().unwrap();
        assert!(output.status.success(), "git {args:?}");
        String::from_utf8(output.stdout).unwrap()
    };
    assert_eq!(git(&["rev-list", "--count", "HEAD"]).trim(), "1");
    assert_eq!(git(&["status", "--porcelain"]), "", "everything is in the commit");
    // The manifests and the copied lockfile agree, without a download.
    let metadata = Command::new("cargo")
        .args(["metadata", "--locked", "--offline", "--format-version=1", "--no-deps"])
        .current_dir(&dir)
        .output()
        .unwrap();
    assert!(metadata.status.success(), "{}", String::from_utf8_lossy(&metadata.stderr));
}

/// Built as `make build` builds it: the server, and the browser bundle (with
/// `csr`, the larger of the two), against this project's compiled
/// dependencies; then its pages prerendered by its own server. Its own crates
/// are left unoptimised, which changes only their builds (as `make dev` does):
/// what is tested is that they compile and render, not how fast.
#[test]
#[ignore = "compiles the generated project's own crates (about 1.5 min): `make test` runs it"]
fn the_full_flavour_builds_for_the_server_and_the_browser_reusing_the_compiled_dependencies() {
    let root = workspace_root().unwrap();
    let scratch = TempDir::new("new-full-build").unwrap();
    let dir = scratch.path().join("field-notes");
    generate(&root, &project_files(&root).unwrap(), &request(&dir, "field-notes")).unwrap();
    let target = seeded_target_dir(&root);

    // `ours` unoptimised in `profile`.
    let build = |args: &[&str], profile: &str, ours: &[&str]| {
        let output = Command::new(env!("CARGO"))
            .args(["build", "--locked", "--offline"])
            .args(args)
            .args(ours.iter().map(|krate| format!("--config=profile.{profile}.package.{krate}.opt-level=0")))
            .current_dir(&dir)
            .env("CARGO_TARGET_DIR", &target)
            .env_remove("BUNDLE_NAME")
            .output()
            .unwrap();
        let log = String::from_utf8_lossy(&output.stderr).into_owned();
        assert!(output.status.success(), "cargo build {args:?} failed:\n{log}");
        let compiled: Vec<String> =
            log.lines().filter_map(|line| line.trim().strip_prefix("Compiling ")?.split(' ').next()).map(String::from).collect();
        for krate in &compiled {
            assert!(["app", "server", "frontend"].contains(&krate.as_str()), "{krate} compiled again: {compiled:?}");
        }
    };
    build(&["--release", "--package", "server"], "release", &["app", "server"]);
    let bundle = ["--profile", "wasm-release", "--target", "wasm32-unknown-unknown", "--package", "frontend", "--lib", "--features", "csr"];
    build(&bundle, "wasm-release", &["app", "frontend"]);

    // The build step of `make build` writes the home page, with the new names in it.
    let site = scratch.path().join("site");
    let prerender = Command::new(target.join("release/server"))
        .arg("prerender")
        .current_dir(&dir)
        .env("LEPTOS_SITE_ROOT", &site)
        .env_remove("BUNDLE_NAME")
        .output()
        .unwrap();
    assert!(prerender.status.success(), "{}", String::from_utf8_lossy(&prerender.stderr));
    let home = fs::read_to_string(site.join("index.html")).unwrap();
    assert!(home.contains("href=\"/pkg/field-notes.css\""), "the stylesheet has the new name");
    assert!(home.contains("<title>Field notes</title>"), "so does the title");
    fs::remove_dir_all(&target).unwrap();
}

/// `target/generated`: this project's compiled dependencies for the release
/// server and the WASM bundle, without this project's own crates. Those share
/// their names and, with them, their file names with the generated project's:
/// sharing `target/` itself would let each project's build overwrite the
/// other's, and find it fresh.
fn seeded_target_dir(root: &Path) -> PathBuf {
    let seed = root.join("target/generated");
    let _ = fs::remove_dir_all(&seed);
    let profiles = ["release", "wasm-release", "wasm32-unknown-unknown/wasm-release"];
    crate::prebuilt::seed_target_dir(&root.join("target"), &seed, &profiles, root).unwrap();
    seed
}
