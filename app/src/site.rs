//! The site's identity, in one place: renaming the site is an edit here (and
//! the bundle's file names are `BUNDLE_NAME` in `.cargo/config.toml`).

/// The site's name: the header's brand, and the end of every page's title.
pub const SITE_TITLE: &str = "Rendering strategies";

/// What the site is, for pages without a description of their own.
// @demo-begin
pub const SITE_DESCRIPTION: &str =
    "One Leptos component tree served as SSG, SSR, streaming, CSR, ISR and PPR, each page showing how it was made.";
// @demo-end
// @minimal: pub const SITE_DESCRIPTION: &str = "Notes, written in Markdown, prerendered by Leptos.";

/// The absolute URL of the page being rendered (`SITE_URL` and its path), for
/// its canonical link and OpenGraph tags. The server provides it while it renders.
#[derive(Clone, Debug)]
pub struct PageUrl(pub String);
