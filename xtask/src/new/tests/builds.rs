//! The generated projects, built: each against this project's compiled
//! dependencies, one build at a time. `make test` runs these (they are
//! `#[ignore]`d for `make check`).

use super::{feature_pins, minimal, request};
use crate::{
    new::{generate, project_files},
    temp_dir::TempDir,
    workspace_root,
};
use std::{
    fs,
    path::{Path, PathBuf},
    process::Command,
};

/// Built as `make build` builds it: the server, and the browser bundle (with
/// `csr`, the larger of the two), against this project's compiled
/// dependencies; then its pages prerendered by its own server. Its own crates
/// are left unoptimised, which changes only their builds (as `make dev` does):
/// what is tested is that they compile and render, not how fast.
#[test]
#[ignore = "compiles the generated project's own crates (about 1.5 min): `make test` runs it"]
fn the_full_flavour_builds_for_the_server_and_the_browser_reusing_the_compiled_dependencies() {
    let _one_build = ONE_BUILD_AT_A_TIME.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
    let root = workspace_root().unwrap();
    let scratch = TempDir::new("new-full-build").unwrap();
    let dir = scratch.path().join("field-notes");
    generate(&root, &project_files(&root).unwrap(), &request(&dir, "field-notes")).unwrap();
    let target = seeded_target_dir(&root);

    // `ours` unoptimised in `profile`.
    let build = |args: &[&str], profile: &str, ours: &[&str]| {
        let output = compile_in(&dir, env!("CARGO"), &["build", "--locked", "--offline"])
            .args(args)
            .args(ours.iter().map(|krate| format!("--config=profile.{profile}.package.{krate}.opt-level=0")))
            .env("CARGO_TARGET_DIR", &target)
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
    crate::prebuilt::seed_target_dir(&root.join("target"), &seed, &SEEDED_PROFILES, root).unwrap();
    seed
}

/// `make build`, run in the generated minimal project as its user would run
/// it, against this project's compiled dependencies (copied into its
/// `target/`, and with their features pinned: see `feature_pins`); then its
/// server, serving what it built.
#[test]
#[ignore = "builds and tests the generated site (about 1 min): `make test` runs it"]
fn the_minimal_flavour_builds_with_make_build_and_serves_its_blog() {
    let _one_build = ONE_BUILD_AT_A_TIME.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
    let root = workspace_root().unwrap();
    let scratch = TempDir::new("new-minimal-build").unwrap();
    let dir = scratch.path().join("field-notes");
    generate(&root, &project_files(&root).unwrap(), &minimal(&dir, "field-notes")).unwrap();
    feature_pins::pin_features_of(&root, &dir, &scratch.path().join(feature_pins::PINS));
    crate::prebuilt::seed_target_dir(&root.join("target"), &dir.join("target"), &SEEDED_PROFILES, &root).unwrap();
    // Cargo reads `.cargo/config.toml` in every directory above the project
    // too: from there, the project's own crates are left unoptimised, without
    // a further edit to the project under test.
    let overrides: String = [("release", "app"), ("release", "server"), ("wasm-release", "app"), ("wasm-release", "frontend")]
        .iter()
        .map(|(profile, krate)| format!("[profile.{profile}.package.{krate}]\nopt-level = 0\n"))
        .collect();
    fs::create_dir_all(scratch.path().join(".cargo")).unwrap();
    fs::write(scratch.path().join(".cargo/config.toml"), overrides).unwrap();

    let run = |mut command: Command| {
        let output = command.output().unwrap();
        let log = format!("{}{}", String::from_utf8_lossy(&output.stdout), String::from_utf8_lossy(&output.stderr));
        assert!(output.status.success(), "{command:?} failed:\n{log}");
        log
    };
    let log = run(compile_in(&dir, "make", &["build"]));
    let compiled: Vec<&str> = log
        .lines()
        .filter_map(|line| line.trim().strip_prefix("Compiling ")?.split(' ').next())
        .filter(|krate| !["app", "server", "frontend", "xtask", feature_pins::PINS].contains(krate))
        .collect();
    assert!(compiled.is_empty(), "the seeded dependencies were compiled again, which costs every `make test` minutes: {compiled:?}");
    assert!(!log.contains("warning:"), "the minimal project compiles without a warning (dead code among them):\n{log}");
    let status = Command::new("git").args(["status", "--porcelain"]).current_dir(&dir).output().unwrap();
    assert_eq!(String::from_utf8_lossy(&status.stdout), "", "the build changed no file git tracks (Cargo.lock among them)");
    let site = dir.join("target/site");
    for file in ["field-notes.js", "field-notes.wasm", "field-notes.css", "field-notes-csr.js"] {
        assert!(site.join("pkg").join(file).is_file(), "pkg/{file}: the bundle carries the new name");
    }

    let server =
        crate::bench::Server::start(&dir.join("target/release/server"), &site, &dir.join("content"), &scratch.path().join("views.db"), &[])
            .unwrap();
    let mut connection = None;
    let mut get = |path: &str| crate::http::get(&mut connection, server.addr, path).unwrap();
    let home = get("/");
    assert_eq!(home.status, 200);
    let home = home.text();
    assert!(home.contains("<title>Field notes</title>") && home.contains("href=\"/posts/first-post\""), "{home}");
    assert!(home.contains("href=\"/pkg/field-notes.css\""));
    let post = get("/posts/first-post");
    assert_eq!(post.status, 200);
    assert!(post.text().contains("Hello from Field notes"));
    let feed = get("/feed.xml");
    assert_eq!(feed.status, 200);
    assert!(feed.text().contains("/posts/first-post"));
    assert_eq!(get("/pkg/field-notes.js").status, 200);
    for gone in ["/compare", "/stream", "/ssr", "/csr", "/isr", "/ppr", "/no-such-page"] {
        let response = get(gone);
        assert_eq!(response.status, 404, "{gone}");
        assert!(!response.text().to_lowercase().contains("inspector"), "{gone}: no inspector");
    }
    assert!(!home.to_lowercase().contains("inspector"), "no inspector");
    drop(server);

    // Its own tests pass, as `make check` runs them, on its own fixture posts;
    // a test that hangs fails this one after 5 minutes (`timeout` exits 124).
    for packages in [&["--package", "app", "--package", "server"][..], &["--package", "xtask"]] {
        let log = run(compile_in(&dir, "cargo", &[&["test", "--no-run", "--release"], packages].concat()));
        assert!(!log.contains("warning:"), "its tests compile without a warning:\n{log}");
        let log = run(command_in(&dir, "timeout", &[&["300", "cargo", "test", "--release"], packages].concat()));
        assert!(log.contains("test result: ok. ") && !log.contains("test result: FAILED"), "{log}");
    }
}

/// A build step of `command_in`, at a lower priority (the one `make test`
/// gives the dev loop's bundle build, which shares the idle CPU with it):
/// `make test` runs these tests beside the others, and their compiling takes
/// only the CPU that those leave idle. What the tests run, servers and test
/// binaries, runs at the usual priority.
fn compile_in(dir: &Path, program: &str, args: &[&str]) -> Command {
    command_in(dir, "nice", &[&["-n", "10", program], args].concat())
}

/// `program args` in the generated project at `dir`, as its user would run
/// it: with none of this project's settings, nor those of the make that runs
/// this test.
fn command_in(dir: &Path, program: &str, args: &[&str]) -> Command {
    let mut command = Command::new(program);
    command.args(args).current_dir(dir).env("CARGO_NET_OFFLINE", "true").env("NO_COLOR", "1");
    for setting in ["BUNDLE_NAME", "LEPTOS_SITE_ROOT", "CONTENT_DIR", "MAKEFLAGS", "MAKELEVEL", "MFLAGS"] {
        command.env_remove(setting);
    }
    command
}

/// The two builds take turns: side by side on two cores they take as long in
/// all, and run that way once, the generated project's own tests failed
/// (which one was not found; alone they have always passed).
static ONE_BUILD_AT_A_TIME: std::sync::Mutex<()> = std::sync::Mutex::new(());

const SEEDED_PROFILES: [&str; 3] = ["release", "wasm-release", "wasm32-unknown-unknown/wasm-release"];

/// `cargo generate` on this project (its last commit), as its users run it:
/// the hook in `cargo-generate.toml` makes the same project as `cargo xtask
/// new`, file for file, but for git: cargo-generate starts a repository of
/// its own, with nothing committed.
#[test]
#[ignore = "needs cargo-generate 0.23.5, 3 min to install: `make test-cargo-generate` installs it and runs this"]
fn cargo_generate_makes_the_same_project_as_cargo_xtask_new() {
    let _one_build = ONE_BUILD_AT_A_TIME.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
    let root = workspace_root().unwrap();
    let scratch = TempDir::new("cargo-generate").unwrap();
    let source = scratch.path().join("source");
    let clone = Command::new("git").arg("clone").arg("--quiet").arg(&root).arg(&source).status().unwrap();
    assert!(clone.success(), "git clone");
    // The hook's `cargo xtask` builds on this project's compiled dependencies.
    let target = seeded_target_dir(&root);

    let into = scratch.path().join("by-cargo-generate");
    fs::create_dir(&into).unwrap();
    // Its hook compiles xtask.
    let output = compile_in(&into, "cargo", &["generate", "--name", "field-notes", "--allow-commands", "--silent"])
        .args(["--define", "flavour=minimal", "--define", "tailwind=false", "--git"])
        .arg(&source)
        .env("CARGO_TARGET_DIR", &target)
        .output()
        .unwrap();
    let log = format!("{}{}", String::from_utf8_lossy(&output.stdout), String::from_utf8_lossy(&output.stderr));
    assert!(output.status.success(), "cargo generate failed:\n{log}");
    let by_cargo_generate = into.join("field-notes");

    let by_xtask = scratch.path().join("by-xtask/field-notes");
    generate(&source, &project_files(&source).unwrap(), &minimal(&by_xtask, "field-notes")).unwrap();
    let (generated, expected) = (tree(&by_cargo_generate), tree(&by_xtask));
    assert_eq!(generated.keys().collect::<Vec<_>>(), expected.keys().collect::<Vec<_>>(), "the same files");
    for (file, bytes) in &expected {
        assert!(&generated[file] == bytes, "{} differs", file.display());
    }
    assert!(!generated.contains_key(Path::new("cargo-generate.toml")), "the template's own files stay behind");
    assert!(by_cargo_generate.join(".git").is_dir(), "cargo-generate's repository");
    fs::remove_dir_all(&target).unwrap();
}

/// Every file under `dir` but git's and cargo's, by path, with its bytes.
fn tree(dir: &Path) -> std::collections::BTreeMap<PathBuf, Vec<u8>> {
    let mut files = std::collections::BTreeMap::new();
    let mut dirs = vec![dir.to_path_buf()];
    while let Some(at) = dirs.pop() {
        for entry in fs::read_dir(&at).unwrap() {
            let path = entry.unwrap().path();
            let relative = path.strip_prefix(dir).unwrap().to_path_buf();
            if relative == Path::new(".git") || relative == Path::new("target") {
                continue;
            }
            if path.is_dir() {
                dirs.push(path);
            } else {
                files.insert(relative, fs::read(&path).unwrap());
            }
        }
    }
    files
}
