//! `--tailwind`: Tailwind CSS v4 in a new project. The stylesheet imports
//! Tailwind's theme and utilities, which `make build` and `make dev` compile
//! with its CLI (see `xtask/src/stylesheet.rs`); the CLI comes from npm, at
//! the versions `package-lock.json` pins, also in the container's build; and
//! the home page uses a few utility classes, to show that it works. Like the
//! renaming, each edit must find what it replaces.
//!
//! Tailwind's reset (preflight) is left out, and the site's own styles go in
//! the `base` layer: the pages look as they did, and a utility class on an
//! element wins over them.

use super::edit;
use anyhow::{Context, Result};
use std::{fs, path::Path};

const PACKAGE_JSON: &str = include_str!("tailwind/package.json");
const PACKAGE_LOCK: &str = include_str!("tailwind/package-lock.json");

/// The first line of `style/main.css`, which Tailwind's imports replace.
const PLAIN_CSS_LINE: &str =
    "/* Plain CSS: no preprocessor, so the build needs nothing from outside the registries. */\n";

const TAILWIND_IMPORTS: &str = "\
/* Tailwind's theme and utility classes, compiled by its CLI (xtask/src/stylesheet.rs);
   its reset is left out: the site's own styles below are the base. */
@layer theme, base, components, utilities;
@import \"tailwindcss/theme.css\" layer(theme);
@import \"tailwindcss/utilities.css\" layer(utilities);

/* The site's own styles, in the base layer: a utility class on an element wins over them. */
@layer base {
";

/// The container's build stage gets Node.js for Tailwind's CLI, which needs
/// Node 20 or later (Debian bookworm, the Rust image's base, has 18): node and
/// npm from Node's own image. Not tried here: this machine has no Docker daemon.
const DOCKERFILE_EDITS: [(&str, &str); 2] = [
    (
        "The build needs only the\n# crates registry and rustup's wasm32 target: no cargo-leptos, no binary\n# downloads.",
        "The build needs the\n# crates registry, rustup's wasm32 target, and Node.js with the npm registry for\n# Tailwind's CLI: no cargo-leptos.",
    ),
    (
        "RUN rustup target add wasm32-unknown-unknown\n",
        "RUN rustup target add wasm32-unknown-unknown\n\
# Tailwind's CLI runs on Node.js 20 or later; Debian bookworm has 18.\n\
COPY --from=node:22-bookworm-slim /usr/local/bin/node /usr/local/bin/node\n\
COPY --from=node:22-bookworm-slim /usr/local/lib/node_modules/npm /usr/local/lib/node_modules/npm\n\
RUN ln -s ../lib/node_modules/npm/bin/npm-cli.js /usr/local/bin/npm\n",
    ),
];

/// The home page's heading, with utility classes.
const HOME_EDITS: [(&str, &str); 2] = [
    ("<h1>{SITE_TITLE}</h1>", "<h1 class=\"text-5xl font-extrabold tracking-tight\">{SITE_TITLE}</h1>"),
    ("<h2>\"Latest posts\"</h2>", "<h2 class=\"mt-12 text-sm font-semibold uppercase tracking-widest\">\"Latest posts\"</h2>"),
];

/// What the new project's README says of it, before its "Deploy" section.
const README_SECTION: &str = "\
## Styles: Tailwind CSS

`style/main.css` imports Tailwind's theme and utility classes: use them in any
component (`class=\"text-5xl font-extrabold\"`, as on the home page) and the
build writes the ones in use into the site's stylesheet under `pkg/`.
`make build` and `make dev` run Tailwind's CLI, which `npm ci` installs into
`node_modules/` on first use, at the versions `package-lock.json` pins; so both
need Node.js 20 or later and npm (the `Dockerfile` copies them from Node's image
into its build). The site's own styles stay below, in the `base` layer, so a
utility class wins over them. Tailwind's reset (preflight) is left out; to have
it, add `@import \"tailwindcss/preflight.css\" layer(base);` after the other
imports.

## Deploy
";

/// Wires Tailwind into the project at `dir`, whose README is written.
pub fn apply(dir: &Path) -> Result<()> {
    edit(dir, "README.md", "## Deploy\n", README_SECTION)?;
    super::write(&dir.join("package.json"), PACKAGE_JSON)?;
    super::write(&dir.join("package-lock.json"), PACKAGE_LOCK)?;
    edit(dir, "style/main.css", PLAIN_CSS_LINE, TAILWIND_IMPORTS)?;
    let stylesheet = dir.join("style/main.css");
    let css = fs::read_to_string(&stylesheet).with_context(|| format!("reading {}", stylesheet.display()))?;
    super::write(&stylesheet, &format!("{css}}}\n"))?;
    for (from, to) in HOME_EDITS {
        edit(dir, "app/src/pages/home.rs", from, to)?;
    }
    for (from, to) in DOCKERFILE_EDITS {
        edit(dir, "Dockerfile", from, to)?;
    }
    edit(dir, ".dockerignore", "end2end/node_modules\n", "node_modules\nend2end/node_modules\n")?;
    edit(dir, ".gitignore", "end2end/node_modules\n", "/node_modules\nend2end/node_modules\n")?;
    Ok(())
}
