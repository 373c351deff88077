//! `cargo xtask site`: builds the browser bundles and lays out the site root the
//! way cargo-leptos does (`pkg/blog.js`, `pkg/blog.wasm`, `pkg/blog.css` as
//! `stylesheet.rs` writes it, then the files of `public/`), without
//! cargo-leptos. The CSR route has a bundle of its own,
//! `pkg/blog-csr.{js,wasm}`, so that the island pages never download the code
//! that renders a whole page.
//!
//! wasm-bindgen runs as a library here, so `Cargo.lock` pins the same version
//! for the bindings generator as for the `wasm-bindgen` crate the bundle uses.

use crate::{project::Project, stylesheet, wasm_sections, OUTPUT_NAME};
use anyhow::{bail, Context, Result};
use std::{
    fs,
    path::{Path, PathBuf},
    process::Command,
    time::Instant,
};
use wasm_bindgen_cli_support::Bindgen;

const WASM_TARGET: &str = "wasm32-unknown-unknown";

/// How cargo builds the bundles' WASM: `make build`'s size-optimised release
/// profile, or `make dev`'s quick debug one (see `dev/`).
pub struct WasmBuild {
    /// The cargo profile, and the directory cargo writes it to.
    pub profile: (&'static str, &'static str),
    pub target_dir: PathBuf,
    /// Environment for cargo (`RUSTFLAGS`, …), which the server's build must share.
    pub env: &'static [(&'static str, &'static str)],
}

impl WasmBuild {
    pub fn release(workspace: &Path) -> WasmBuild {
        WasmBuild { profile: ("wasm-release", "wasm-release"), target_dir: workspace.join("target"), env: &[] }
    }

    /// The `cargo build` that writes `bundle`'s WASM to `self.output()`.
    pub fn command(&self, workspace: &Path, bundle: Bundle) -> Command {
        let mut command = crate::cargo();
        command
            .current_dir(workspace)
            .args(["build", "--package", "frontend", "--lib", "--target", WASM_TARGET, "--profile", self.profile.0])
            .args(bundle.features())
            .env("CARGO_TARGET_DIR", &self.target_dir)
            .envs(self.env.iter().copied());
        command
    }

    /// Where the build writes the WASM: both bundles to the same file, so each
    /// is bound before the next build.
    pub fn output(&self) -> PathBuf {
        self.target_dir.join(WASM_TARGET).join(self.profile.1).join("frontend.wasm")
    }
}

/// The two browser bundles, both built from the `frontend` crate.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Bundle {
    /// Every server-rendered page: hydrates the islands, nothing else.
    Islands,
    /// `/csr` alone: the islands, and the client-rendered page.
    Csr,
}

impl Bundle {
    pub const ALL: [Bundle; 2] = [Bundle::Islands, Bundle::Csr];

    /// The file stem under `pkg/`, as `app::components::BundleLoader` links it.
    pub fn name(self) -> String {
        match self {
            Bundle::Islands => OUTPUT_NAME.to_string(),
            Bundle::Csr => format!("{OUTPUT_NAME}-csr"),
        }
    }

    fn features(self) -> &'static [&'static str] {
        match self {
            Bundle::Islands => &[],
            Bundle::Csr => &["--features", "csr"],
        }
    }
}

pub fn site() -> Result<()> {
    let Project { root: workspace, site_root, .. } = Project::from_env()?;
    let pkg = site_root.join("pkg");
    let build = WasmBuild::release(&workspace);

    let started = Instant::now();
    // Both bundles go to a scratch directory first, and replace `pkg/` in one rename.
    let scratch = pkg.with_file_name("pkg.bindgen");
    let _ = fs::remove_dir_all(&scratch);
    for bundle in Bundle::ALL {
        let status = build.command(&workspace, bundle).status().context("running cargo build for the frontend")?;
        if !status.success() {
            bail!("building the {bundle:?} bundle for {WASM_TARGET} failed");
        }
        bindgen(&build.output(), &scratch, &bundle.name())?;
        // The names are for debuggers (and `make bench`'s "where the bytes go"): // @demo
        // @minimal: // The names are for debuggers:
        // kept in a copy under target/, dropped from what the site serves.
        let served = scratch.join(format!("{}.wasm", bundle.name()));
        let named = fs::read(&served)?;
        fs::create_dir_all(named_bundles_dir(&workspace))?;
        fs::write(named_bundle(&workspace, bundle), &named)?;
        fs::write(&served, wasm_sections::without_names(&named)?)?;
    }
    // The stylesheet goes with them: a failure (Tailwind's, say) leaves `pkg/` as it was.
    stylesheet::write(&workspace, &scratch.join(format!("{OUTPUT_NAME}.css")))?;
    let _ = fs::remove_dir_all(&pkg);
    fs::create_dir_all(&site_root)?;
    fs::rename(&scratch, &pkg).with_context(|| format!("moving the bundles into {}", pkg.display()))?;
    copy_dir(&workspace.join("public"), &site_root)?;

    // Each file also as `.br` and `.gz`, compressed once here at the best
    // levels: the server (and any CDN that honours precompressed files) sends
    // them to browsers that accept brotli or gzip, at no per-request cost.
    let files = Bundle::ALL
        .into_iter()
        .flat_map(|bundle| [format!("{}.js", bundle.name()), format!("{}.wasm", bundle.name())])
        .chain([format!("{OUTPUT_NAME}.css")]);
    for file in files {
        let path = pkg.join(&file);
        let bytes = fs::read(&path).with_context(|| format!("{} was not written", path.display()))?;
        let (gzipped, brotli) = (gzip(&bytes), brotli(&bytes));
        fs::write(pkg.join(format!("{file}.gz")), &gzipped)?;
        fs::write(pkg.join(format!("{file}.br")), &brotli)?;
        eprintln!(
            "xtask: {} ({:.1} KiB, {:.1} KiB gzip, {:.1} KiB brotli)",
            path.display(),
            bytes.len() as f64 / 1024.0,
            gzipped.len() as f64 / 1024.0,
            brotli.len() as f64 / 1024.0
        );
    }
    eprintln!("xtask: site written to {} in {:.1?}", site_root.display(), started.elapsed());
    Ok(())
}

/// Where `site` keeps each bundle's WASM with its names.
fn named_bundles_dir(workspace: &Path) -> PathBuf {
    workspace.join("target").join("bundles")
}

/// `bundle`'s WASM as the site serves it, but with its name section.
pub fn named_bundle(workspace: &Path, bundle: Bundle) -> PathBuf {
    named_bundles_dir(workspace).join(format!("{}.wasm", bundle.name()))
}

/// Writes `{name}.js` and `{name}.wasm` into `out`.
pub fn bindgen(wasm: &Path, out: &Path, name: &str) -> Result<()> {
    Bindgen::new()
        .input_path(wasm)
        .out_name(name)
        .web(true)?
        .typescript(false)
        // The loader always passes the .wasm URL, so the glue needs no default path.
        .omit_default_module_path(true)
        // `site` drops the name section itself, once it has kept a named copy.
        .remove_name_section(false)
        .remove_producers_section(true)
        .keep_debug(false)
        .generate(out)
        .with_context(|| format!("wasm-bindgen on {}", wasm.display()))?;
    // cargo-leptos's layout: `blog.wasm`, not wasm-bindgen's `blog_bg.wasm`.
    fs::rename(out.join(format!("{name}_bg.wasm")), out.join(format!("{name}.wasm")))?;
    Ok(())
}

/// `bytes` gzip-compressed at the best level.
fn gzip(bytes: &[u8]) -> Vec<u8> {
    use std::io::Write;
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    encoder.write_all(bytes).expect("writing to memory cannot fail");
    encoder.finish().expect("writing to memory cannot fail")
}

/// `bytes` brotli-compressed at the best level (quality 11, the largest window).
fn brotli(bytes: &[u8]) -> Vec<u8> {
    let params = brotli::enc::BrotliEncoderParams { quality: 11, lgwin: 24, ..Default::default() };
    let mut out = Vec::new();
    brotli::BrotliCompress(&mut &bytes[..], &mut out, &params).expect("compressing into memory cannot fail");
    out
}

pub(crate) fn copy_dir(from: &Path, to: &Path) -> Result<()> {
    fs::create_dir_all(to)?;
    for entry in fs::read_dir(from).with_context(|| format!("reading {}", from.display()))? {
        let entry = entry?;
        let target = to.join(entry.file_name());
        if entry.file_type()?.is_dir() {
            copy_dir(&entry.path(), &target)?;
        } else {
            fs::copy(entry.path(), &target).with_context(|| format!("copying {}", entry.path().display()))?;
            // A page's mtime is its generation time (ISR ages pages by it): keep it.
            fs::File::options().write(true).open(&target)?.set_modified(entry.metadata()?.modified()?)?;
        }
    }
    Ok(())
}
