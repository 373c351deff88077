//! `cargo xtask dev` (`make dev`): the edit loop. It builds the server against
//! `make build`'s compiled dependencies with the workspace's crates unoptimised
//! (`SERVER_BUILD`), and the WASM bundles in debug (`WASM_BUILD`), into
//! `target/dev/`: it never writes into the release build of `make build` and
//! `make test` (but once, where `make build` never ran: it builds what
//! `make build` would build first, to copy from). It serves the site from
//! `target/dev/site` with `LEPTOS_WATCH` set, watches the sources, and after
//! each change does the least that shows it:
//!
//! | edit | what is done | the open page |
//! |---|---|---|
//! | `style/` | the stylesheet is written again (`stylesheet.rs`) | swaps it in place |
//! | a post | the pages are prerendered, the server re-reads the posts | reloads |
//! | `public/` | the files are copied | reloads |
//! | `server/` | the server is rebuilt, the pages prerendered, the server restarted | reloads once the new server answers |
//! | `app/`, the manifests | the same, the bundles rebuilt beside the server, the stylesheet written again (Tailwind finds its classes in the pages) | the same |
//! | `frontend/` | the bundles are rebuilt | reloads |
//!
//! A failed round keeps the last good server serving, prints why (cargo's own
//! errors are above it), and is done again with the next change. Changes that
//! arrive during a round make exactly one more round.

mod changes;
mod processes;
mod reload;
mod watch;

use crate::{
    http, prebuilt, random_token,
    site::{self, Bundle, WasmBuild},
    stylesheet, workspace_root, OUTPUT_NAME,
};
use anyhow::{bail, Context, Result};
use changes::Work;
use processes::{interrupted, Group, Interrupted};
use reload::ReloadSocket;
use std::{
    env, fs,
    net::{Ipv4Addr, SocketAddr},
    path::{Path, PathBuf},
    process::Command,
    thread,
    time::{Duration, Instant},
};
use watch::Watch;

/// The server's build: the release profile, so that its dependencies are the
/// ones `make build` compiled (copied into the dev target dir before the first
/// build, see `prebuilt`), with the crates you edit unoptimised, incremental,
/// and with debug assertions and line tables, which are all a backtrace needs.
/// Measured here after `make build`: the first build 27 s (the debug build of
/// every dependency took 3 min 11 s), a one-string edit in a page 5.1 s.
const SERVER_BUILD: &[&str] = &[
    "--release",
    "--config=profile.release.incremental=true",
    "--config=profile.release.package.app.opt-level=0",
    "--config=profile.release.package.app.debug-assertions=true",
    "--config=profile.release.package.app.debug=\"line-tables-only\"",
    "--config=profile.release.package.server.opt-level=0",
    "--config=profile.release.package.server.debug-assertions=true",
    "--config=profile.release.package.server.debug=\"line-tables-only\"",
];

/// The bundles' build: debug, with line tables. Neither half sets
/// `--cfg erase_components`: the two must agree on it, or hydration fails.
const WASM_BUILD: &[(&str, &str)] = &[("CARGO_PROFILE_DEV_DEBUG", "line-tables-only")];

/// How long a new server may take to answer before the round gives up on it.
const SERVER_START: Duration = Duration::from_secs(60);

pub struct Settings {
    pub site_addr: SocketAddr,
    pub reload_port: u16,
    pub content_dir: PathBuf,
}

impl Settings {
    pub fn from_env() -> Result<Settings> {
        let var = |name: &str, default: &str| env::var(name).unwrap_or_else(|_| default.to_string());
        Ok(Settings {
            site_addr: var("LEPTOS_SITE_ADDR", "127.0.0.1:3000").parse().context("LEPTOS_SITE_ADDR is host:port")?,
            reload_port: var("LEPTOS_RELOAD_PORT", "3001").parse().context("LEPTOS_RELOAD_PORT is a port number")?,
            content_dir: var("CONTENT_DIR", "content").into(),
        })
    }
}

pub fn run(settings: Settings) -> Result<()> {
    processes::catch_interrupts();
    let root = workspace_root()?;
    let content = root.join(&settings.content_dir);
    let reload = ReloadSocket::bind(SocketAddr::new(settings.site_addr.ip(), settings.reload_port))?;
    let watch = Watch::start(&root, &content)?;
    let revalidate_token = match env::var("REVALIDATE_TOKEN") {
        Ok(token) if !token.is_empty() => token,
        _ => random_token()?,
    };
    let target = target_dir(&root);
    let mut dev = Dev {
        wasm: wasm_build(&target),
        server_target: target.join("dev/server"),
        target,
        site_root: root.join("target/dev/site"),
        root,
        settings,
        reload,
        revalidate_token,
        server: None,
    };
    let mut work = Work::EVERYTHING;
    loop {
        let unfinished = dev.round(work);
        work = loop {
            if interrupted() {
                drop(dev); // stops the server
                eprintln!("dev: stopped");
                return Ok(());
            }
            if let Some(exit) = dev.server.as_mut().and_then(Group::exited) {
                eprintln!("dev: the server stopped ({exit}); the next change starts it again");
                dev.server = None;
            }
            if let Some(changed) = watch.next(Duration::from_millis(100))? {
                break changed.union(unfinished);
            }
        };
    }
}

/// `cargo xtask dev-prebuild`: compiles the islands bundle's debug build,
/// the part of the first round that `make build` leaves undone (2 min of CPU
/// on a fresh machine), where the first round will find it; then exits.
/// `make test` runs it at a lower priority beside its build and its other
/// tests, so that it takes only CPU they leave idle, and the dev-loop test finds it built
/// (cargo's lock on the build dir makes the test wait if it has not finished).
pub fn prebuild() -> Result<()> {
    processes::catch_interrupts();
    let root = workspace_root()?;
    let command = wasm_build(&target_dir(&root)).command(&root, Bundle::Islands);
    Group::spawn(command, "the bundles' debug build")?.succeed()
}

/// Where cargo builds the project: `CARGO_TARGET_DIR`, else `target/`. The
/// dev builds go under its `dev/`, one dir per half, so that the two build at
/// once and neither touches `make build`'s files.
fn target_dir(root: &Path) -> PathBuf {
    env::var_os("CARGO_TARGET_DIR").map_or_else(|| root.join("target"), |dir| root.join(dir))
}

fn wasm_build(target: &Path) -> WasmBuild {
    WasmBuild { profile: ("dev", "debug"), target_dir: target.join("dev/wasm"), env: WASM_BUILD }
}

struct Dev {
    root: PathBuf,
    settings: Settings,
    wasm: WasmBuild,
    server_target: PathBuf,
    /// Where cargo builds the project (`make build`'s server among it).
    target: PathBuf,
    site_root: PathBuf,
    reload: ReloadSocket,
    revalidate_token: String,
    /// The last good server, serving until a new one answers.
    server: Option<Group>,
}

impl Dev {
    /// Does `work`, and says how long it took or why it failed. Returns the
    /// work left undone, which the next round does again.
    fn round(&mut self, work: Work) -> Work {
        let started = Instant::now();
        let mut steps = Steps::default();
        match self.try_round(work, &mut steps) {
            Ok(()) => {
                let (took, addr) = (started.elapsed(), self.settings.site_addr);
                eprintln!("dev: {} in {took:.1?}{steps}; serving http://{addr}", work.describe());
                Work::default()
            }
            Err(error) if error.is::<Interrupted>() => Work::default(),
            Err(error) => {
                eprintln!("dev: {error:#}\ndev: still serving the last good build; fix it and save");
                work
            }
        }
    }

    fn try_round(&mut self, work: Work, steps: &mut Steps) -> Result<()> {
        if work.server || work.wasm {
            self.build(work, steps)?;
        }
        let pkg = self.site_root.join("pkg");
        let css = format!("{OUTPUT_NAME}.css");
        if work.wasm {
            // With the new bundles, before they move in: a failure keeps the last good `pkg/`.
            stylesheet::write(&self.root, &self.bundles_dir().join(&css))?;
            let _ = fs::remove_dir_all(&pkg);
            fs::rename(self.bundles_dir(), &pkg).context("moving the new bundles into place")?;
        } else if work.stylesheet {
            fs::create_dir_all(&pkg)?;
            stylesheet::write(&self.root, &pkg.join(&css))?;
        }
        if work.public {
            site::copy_dir(&self.root.join("public"), &self.site_root)?;
        }
        if work.server || work.content {
            let prerender = self.server_command().arg("prerender").status().context("running the prerender")?;
            if !prerender.success() {
                bail!("the prerender failed ({prerender}): see its log above");
            }
            steps.done("prerender");
        }
        if work.server || self.server.is_none() {
            self.restart_server()?;
            steps.done("restart");
        } else if work.content {
            self.revalidate()?;
            steps.done("re-read");
        }
        if work.reloads_page() {
            self.reload.reload_pages();
        } else if work.stylesheet {
            self.reload.swap_stylesheet(&format!("pkg/{OUTPUT_NAME}.css"));
        }
        Ok(())
    }

    /// The server and the bundles, at once when both are needed. The bundles
    /// go to a directory beside `pkg/`, which a successful round moves in.
    fn build(&self, work: Work, steps: &mut Steps) -> Result<()> {
        let timed = |build: &dyn Fn() -> Result<()>| {
            let started = Instant::now();
            build().map(|()| started.elapsed())
        };
        let (server, bundles) = thread::scope(|scope| {
            let bundles = work.wasm.then(|| scope.spawn(|| timed(&|| self.build_bundles())));
            let server = work.server.then(|| timed(&|| self.build_server())).transpose();
            (server, bundles.map(|thread| thread.join().expect("the bundle build does not panic")).transpose())
        });
        for result in [&server, &bundles] {
            if let Err(error) = result {
                if error.is::<Interrupted>() {
                    bail!(Interrupted);
                }
            }
        }
        let (server, bundles) = (server?, bundles?);
        // The two ran side by side: each one's own time, then the round goes on.
        steps.took.extend(server.map(|took| ("server build", took)));
        steps.took.extend(bundles.map(|took| ("bundles build", took)));
        steps.last = Instant::now();
        Ok(())
    }

    fn build_server(&self) -> Result<()> {
        let cargo_build = |target: &Path, flags: &[&str]| {
            let mut command = crate::cargo();
            command.current_dir(&self.root).args(["build", "--package", "server"]).args(flags).env("CARGO_TARGET_DIR", target);
            command
        };
        // Once: later rounds, and a later `make dev`, find them there.
        if !self.server_target.join("release").exists() {
            if !self.target.join("release/server").exists() {
                // `make build` never ran here: build what it builds, where it will find it.
                Group::spawn(cargo_build(&self.target, &["--release"]), "building the release server's dependencies")?.succeed()?;
            }
            // Copied beside, then moved in: a copy cut short is made again next
            // time, never taken for a whole one.
            let partial = self.server_target.join("seeding");
            let _ = fs::remove_dir_all(&partial);
            prebuilt::seed_target_dir(&self.target, &partial, &["release"], &self.root)
                .context("copying make build's compiled dependencies")?;
            fs::create_dir_all(partial.join("release"))?;
            fs::rename(partial.join("release"), self.server_target.join("release")).context("moving the copied dependencies in")?;
            let _ = fs::remove_dir_all(&partial);
        }
        Group::spawn(cargo_build(&self.server_target, SERVER_BUILD), "building the server")?.succeed()
    }

    fn build_bundles(&self) -> Result<()> {
        let out = self.bundles_dir();
        let _ = fs::remove_dir_all(&out);
        for bundle in Bundle::ALL {
            let what = format!("building the {bundle:?} bundle");
            Group::spawn(self.wasm.command(&self.root, bundle), what)?.succeed()?;
            site::bindgen(&self.wasm.output(), &out, &bundle.name())?;
        }
        Ok(())
    }

    fn bundles_dir(&self) -> PathBuf {
        self.site_root.join("pkg.next")
    }

    /// The dev server binary, with the dev site root and the reload socket.
    fn server_command(&self) -> Command {
        let mut command = Command::new(self.server_target.join("release/server"));
        command
            .current_dir(&self.root)
            .env("LEPTOS_SITE_ROOT", &self.site_root)
            .env("LEPTOS_SITE_ADDR", self.settings.site_addr.to_string())
            .env("LEPTOS_WATCH", "1")
            .env("LEPTOS_RELOAD_PORT", self.settings.reload_port.to_string())
            .env("CONTENT_DIR", &self.settings.content_dir)
            .env("REVALIDATE_TOKEN", &self.revalidate_token);
        command
    }

    /// Stops the old server, starts the new one, and returns once it answers.
    fn restart_server(&mut self) -> Result<()> {
        self.server = None; // stops the old one: the address is free again
        let mut server = Group::spawn(self.server_command(), "the server")?;
        let addr = self.reachable_addr();
        let deadline = Instant::now() + SERVER_START;
        while http::get(&mut None, addr, "/").is_err() {
            if let Some(exit) = server.exited() {
                bail!("the server stopped at its start ({exit}): see its log above");
            }
            if interrupted() {
                bail!(Interrupted);
            }
            if Instant::now() > deadline {
                bail!("the server did not answer on {addr} within {SERVER_START:?}");
            }
            thread::sleep(Duration::from_millis(20));
        }
        self.server = Some(server);
        Ok(())
    }

    /// Has the running server re-read the posts now: it would see the edit by
    /// itself, but not at once. A revalidation re-reads them before anything
    /// else. It names no page, since the site may have no ISR page at all, but
    /// the empty tag, which no post has. The server then regenerates only the
    /// ISR pages whose tags it does not know yet: in `make dev`, whose server
    /// has not rendered them since it started, that is each of them, which
    /// the prerender has just rewritten anyway.
    fn revalidate(&self) -> Result<()> {
        let bearer = format!("Authorization: Bearer {}", self.revalidate_token);
        let response = http::send(&mut None, self.reachable_addr(), "POST", "/api/revalidate", &[&bearer], br#"{"tag":""}"#)?;
        if response.status != 200 {
            bail!("the server refused to re-read the posts ({}): {}", response.status, response.text());
        }
        Ok(())
    }

    /// Where this machine reaches the server: a wildcard bind is reached on loopback.
    fn reachable_addr(&self) -> SocketAddr {
        let addr = self.settings.site_addr;
        if addr.ip().is_unspecified() {
            SocketAddr::new(Ipv4Addr::LOCALHOST.into(), addr.port())
        } else {
            addr
        }
    }
}

/// Where a round's time went, for the terminal: " (server build 8.1s, …)".
struct Steps {
    took: Vec<(&'static str, Duration)>,
    last: Instant,
}

impl Default for Steps {
    fn default() -> Steps {
        Steps { took: Vec::new(), last: Instant::now() }
    }
}

impl Steps {
    /// `step` ended now; it began when the one before it ended.
    fn done(&mut self, step: &'static str) {
        self.took.push((step, self.last.elapsed()));
        self.last = Instant::now();
    }
}

impl std::fmt::Display for Steps {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.took.len() > 1 {
            let steps: Vec<String> = self.took.iter().map(|(step, took)| format!("{step} {took:.1?}")).collect();
            write!(f, " ({})", steps.join(", "))?;
        }
        Ok(())
    }
}
