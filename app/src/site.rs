//! The site's identity, in one place: renaming the site is an edit here (and
//! the bundle's file names are `LEPTOS_OUTPUT_NAME` in `.cargo/config.toml`).

/// The site's name: the header's brand, and the end of every page's title.
pub const SITE_TITLE: &str = "Rendering strategies";
