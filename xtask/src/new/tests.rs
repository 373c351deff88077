use super::{generate, name, project_files, Flavour, Request};
use crate::{temp_dir::TempDir, workspace_root, OUTPUT_NAME};
use std::{
    fs,
    path::{Path, PathBuf},
    process::Command,
};

fn request(dir: &Path, name: &str) -> Request {
    Request { dir: dir.to_path_buf(), name: name.into(), flavour: Flavour::Full, tailwind: false }
}

fn minimal(dir: &Path, name: &str) -> Request {
    Request { dir: dir.to_path_buf(), name: name.into(), flavour: Flavour::Minimal, tailwind: false }
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
    assert_eq!(error_of(&["--full"]), "usage: cargo xtask new DIR [--name NAME] [--minimal | --full] [--tailwind]");
    assert_eq!(Request::parse(&["../x"]).unwrap().flavour, Flavour::Minimal, "a clean start is the default");
    assert_eq!(Request::parse(&["../x", "--full"]).unwrap().flavour, Flavour::Full);
    assert_eq!(Request::parse(&["--minimal", "../x"]).unwrap().flavour, Flavour::Minimal);
    assert!(!Request::parse(&["../x"]).unwrap().tailwind, "plain CSS is the default");
    assert!(Request::parse(&["../x", "--tailwind", "--full"]).unwrap().tailwind);
    assert_eq!(
        error_of(&["../x", "--full", "--sass"]),
        "unknown option `--sass`: expected --name NAME, --minimal, --full or --tailwind"
    );
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
    let _one_build = ONE_BUILD_AT_A_TIME.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
    let root = workspace_root().unwrap();
    let scratch = TempDir::new("new-full-build").unwrap();
    let dir = scratch.path().join("field-notes");
    generate(&root, &project_files(&root).unwrap(), &request(&dir, "field-notes")).unwrap();
    let target = seeded_target_dir(&root);

    // `ours` unoptimised in `profile`.
    let build = |args: &[&str], profile: &str, ours: &[&str]| {
        let output = command_in(&dir, env!("CARGO"), &["build", "--locked", "--offline"])
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

/// The demo's names, which the minimal flavour must not hold: a hit means a
/// part of the demo was left unmarked (see `markers.rs`).
const DEMO_NAMES: [&str; 8] =
    ["Inspector", "inspector", "live_holes", "DEMO_LATENCY", "/compare", "ComparePage", "ViewStore", "record_view"];

#[test]
fn the_minimal_flavour_is_a_blog_without_the_demo() {
    let root = workspace_root().unwrap();
    let scratch = TempDir::new("new-minimal").unwrap();
    let dir = scratch.path().join("field-notes");
    generate(&root, &project_files(&root).unwrap(), &minimal(&dir, "field-notes")).unwrap();

    let files = project_files(&dir).unwrap();
    for file in &files {
        let Ok(text) = fs::read_to_string(dir.join(file)) else { continue };
        for (number, line) in text.lines().enumerate() {
            let at = format!("{}:{}", file.display(), number + 1);
            assert!(!line.contains("@demo") && !line.contains("@minimal"), "{at} keeps a marker: {line}");
            for name in DEMO_NAMES {
                assert!(!line.contains(name), "{at} names the demo's `{name}`: {line}");
            }
        }
    }
    for gone in ["app/src/live", "app/src/components/inspector.rs", "app/src/pages/compare.rs", "app/migrations", "xtask/src/new", "xtask/src/bench"] {
        assert!(!dir.join(gone).exists(), "{gone} is the demo's");
    }
    let posts: Vec<_> = fs::read_dir(dir.join("content/posts")).unwrap().map(|entry| entry.unwrap().file_name()).collect();
    assert_eq!(posts, ["first-post.md"], "one sample post");
    let post = fs::read_to_string(dir.join("content/posts/first-post.md")).unwrap();
    assert!(post.starts_with("---\ntitle: Hello from Field notes\nslug: first-post\ndate: 20"), "{post}");
    let readme = fs::read_to_string(dir.join("README.md")).unwrap();
    assert!(readme.contains("content/posts/first-post.md") && !readme.contains("/compare"), "the minimal README");
    let lib = fs::read_to_string(dir.join("app/src/lib.rs")).unwrap();
    assert!(lib.contains("<noscript>\"This page works without JavaScript, except the tag filter.\"</noscript>"));
    assert!(
        fs::read_to_string(dir.join("app/src/components/mod.rs")).unwrap().contains("pub const HOLES: &[&Hole] = &[];"),
        "a minimal-only line becomes code"
    );
    let output = Command::new("git").args(["rev-list", "--count", "HEAD"]).current_dir(&dir).output().unwrap();
    assert_eq!(String::from_utf8_lossy(&output.stdout).trim(), "1");
}

/// `make build`, run in the generated minimal project as its user would run
/// it, against this project's compiled dependencies (copied into its
/// `target/`); then its server, serving what it built.
#[test]
#[ignore = "builds and tests the generated site (about 2.5 min): `make test` runs it"]
fn the_minimal_flavour_builds_with_make_build_and_serves_its_blog() {
    let _one_build = ONE_BUILD_AT_A_TIME.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
    let root = workspace_root().unwrap();
    let scratch = TempDir::new("new-minimal-build").unwrap();
    let dir = scratch.path().join("field-notes");
    generate(&root, &project_files(&root).unwrap(), &minimal(&dir, "field-notes")).unwrap();
    crate::prebuilt::seed_target_dir(&root.join("target"), &dir.join("target"), &SEEDED_PROFILES, &root).unwrap();
    // Cargo reads `.cargo/config.toml` in every directory above the project
    // too: from there, the project's own crates are left unoptimised, without
    // an edit to the project under test.
    let overrides: String = [("release", "app"), ("release", "server"), ("release", "xtask"), ("wasm-release", "app"), ("wasm-release", "frontend")]
        .iter()
        .map(|(profile, krate)| format!("[profile.{profile}.package.{krate}]\nopt-level = 0\n"))
        .collect();
    fs::create_dir_all(scratch.path().join(".cargo")).unwrap();
    fs::write(scratch.path().join(".cargo/config.toml"), overrides).unwrap();

    let run = |program: &str, args: &[&str]| {
        let output = command_in(&dir, program, args).output().unwrap();
        let log = format!("{}{}", String::from_utf8_lossy(&output.stdout), String::from_utf8_lossy(&output.stderr));
        assert!(output.status.success(), "{program} {args:?} failed:\n{log}");
        log
    };
    let log = run("make", &["build"]);
    // Without sqlx, a few crates (serde, futures-io, either, …) resolve with
    // fewer features than this project's build has them: those and the crates
    // above them compile again. The rest, the bundles' and xtask's among
    // them, are reused.
    let compiled: Vec<&str> = log
        .lines()
        .filter_map(|line| line.trim().strip_prefix("Compiling ")?.split(' ').next())
        .filter(|krate| !["app", "server", "frontend", "xtask"].contains(krate))
        .collect();
    eprintln!("the minimal project's make build compiled {} dependencies again: {compiled:?}", compiled.len());
    assert!(compiled.len() < 100, "the seeded dependencies were not reused: {compiled:?}");
    assert!(!compiled.contains(&"wasm-bindgen-cli-support") && !compiled.contains(&"libsqlite3-sys"), "{compiled:?}");
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
    let log = run("timeout", &["300", "cargo", "test", "--release", "--package", "app", "--package", "server"]);
    assert!(!log.contains("warning:"), "its tests compile without a warning:\n{log}");
    assert!(log.contains("test result: ok. ") && !log.contains("test result: FAILED"), "{log}");
    run("timeout", &["300", "cargo", "test", "--release", "--package", "xtask"]);
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

/// `--tailwind`, as `make build` and `make dev` then write the stylesheet:
/// the generated project's `xtask/src/stylesheet.rs` is this one's.
#[test]
#[ignore = "installs Tailwind's CLI from npm: `make test` runs it"]
fn the_tailwind_option_compiles_the_utility_classes_the_pages_use_into_the_stylesheet() {
    let root = workspace_root().unwrap();
    let scratch = TempDir::new("new-tailwind").unwrap();
    let dir = scratch.path().join("field-notes");
    let request = Request { tailwind: true, ..minimal(&dir, "field-notes") };
    generate(&root, &project_files(&root).unwrap(), &request).unwrap();

    let read = |file: &str| fs::read_to_string(dir.join(file)).unwrap();
    assert!(read("package.json").contains("\"@tailwindcss/cli\": \"4."), "the CLI, pinned");
    assert!(read("package-lock.json").contains("\"node_modules/@tailwindcss/cli\""));
    assert!(read("README.md").contains("## Styles: Tailwind CSS"));
    let home = read("app/src/pages/home.rs");
    assert!(home.contains("<h1 class=\"text-5xl font-extrabold tracking-tight\">"), "{home}");
    let output = Command::new("git").args(["status", "--porcelain"]).current_dir(&dir).output().unwrap();
    assert_eq!(String::from_utf8_lossy(&output.stdout), "", "all of it in the first commit");

    let css = dir.join("compiled.css");
    crate::stylesheet::write(&dir, &css).unwrap();
    assert!(dir.join("node_modules/.bin/tailwindcss").exists(), "installed on first use");
    let css = fs::read_to_string(css).unwrap();
    for rule in [".text-5xl{", ".font-extrabold{", ".tracking-widest{", ".uppercase{"] {
        assert!(css.contains(rule), "{rule} is used on the home page, so it is compiled in");
    }
    assert!(!css.contains(".text-9xl{"), "and a class no page uses is not");
    let base = css.find("@layer base{").expect("the site's own styles, in the base layer");
    assert!(css[base..].contains(".site-header{"), "they are kept");
    assert!(css.find("@layer utilities{").expect("the utilities' layer") > base, "utilities come after them and win");
}

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
    let output = command_in(&into, "cargo", &["generate", "--name", "field-notes", "--allow-commands", "--silent"])
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
