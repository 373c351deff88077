//! One word per strategy. Its string is the `x-render-strategy` header, the
//! `data-render-strategy` attribute, and the name of the server module that serves it.

use serde::{Deserialize, Serialize};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Strategy {
    Ssg,
    Ssr,
    Stream,
    Csr,
    Isr,
    Ppr,
}

impl Strategy {
    pub const ALL: [Strategy; 6] = [
        Strategy::Ssg,
        Strategy::Ssr,
        Strategy::Stream,
        Strategy::Csr,
        Strategy::Isr,
        Strategy::Ppr,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Strategy::Ssg => "ssg",
            Strategy::Ssr => "ssr",
            Strategy::Stream => "stream",
            Strategy::Csr => "csr",
            Strategy::Isr => "isr",
            Strategy::Ppr => "ppr",
        }
    }

    pub fn parse(s: &str) -> Option<Strategy> {
        Strategy::ALL.into_iter().find(|strategy| strategy.as_str() == s)
    }

    // @demo-begin
    /// The route that demonstrates this strategy.
    pub fn path(self) -> &'static str {
        match self {
            Strategy::Ssg => "/ssg",
            Strategy::Ssr => "/ssr",
            Strategy::Stream => "/stream",
            Strategy::Csr => "/csr",
            Strategy::Isr => "/isr",
            Strategy::Ppr => "/ppr",
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Strategy::Ssg => "Static site generation",
            Strategy::Ssr => "Server-side rendering",
            Strategy::Stream => "Streaming SSR",
            Strategy::Csr => "Client-side rendering",
            Strategy::Isr => "Incremental static regeneration",
            Strategy::Ppr => "Partial prerendering",
        }
    }

    /// The title of page `number` of this strategy's post list.
    pub fn list_title(self, number: usize) -> String {
        crate::post::list_title(self.name(), number)
    }

    /// What the strategy means, in one line.
    pub fn summary(self) -> &'static str {
        match self {
            Strategy::Ssg => "The HTML was written to disk by the build; serving it is a file read.",
            Strategy::Ssr => "The server rendered this HTML for this request; it is never cached.",
            Strategy::Stream => "The shell arrived at once; slow parts streamed in later on the same response.",
            Strategy::Csr => "The server sent an empty shell; the WASM bundle fetched JSON and built this page.",
            Strategy::Isr => "A prerendered file, regenerated in the background once it is older than its window.",
            Strategy::Ppr => "A shell prerendered at build time, with dynamic holes filled per request.",
        }
    }
    // @demo-end

    /// Whether the page has request-time holes with their own stamps.
    pub fn has_holes(self) -> bool {
        matches!(self, Strategy::Stream | Strategy::Ppr)
    }

    // @demo-begin
    /// Who generates the HTML.
    pub fn renders_where(self) -> &'static str {
        match self {
            Strategy::Csr => "browser",
            _ => "server",
        }
    }

    /// When the HTML is generated.
    pub fn renders_when(self) -> &'static str {
        match self {
            Strategy::Ssg => "at build time",
            Strategy::Ssr | Strategy::Stream => "on every request",
            Strategy::Csr => "after the bundle loads",
            Strategy::Isr => "at build time, then in the background after the window",
            Strategy::Ppr => "shell at build time, holes on every request",
        }
    }

    /// How fresh the data on the page is.
    pub fn freshness(self) -> &'static str {
        match self {
            Strategy::Ssg => "as of the last build",
            Strategy::Ssr | Strategy::Stream | Strategy::Csr => "live",
            Strategy::Isr => "at most one window old, plus one regeneration",
            Strategy::Ppr => "shell as of the build, holes live",
        }
    }
    // @demo-end
}

// @demo-begin
/// The ISR window this server uses (`ISR_REVALIDATE_SECS`), for pages that
/// explain it. The server provides it while it renders.
#[derive(Clone, Copy, Debug)]
pub struct IsrWindow(pub std::time::Duration);
// @demo-end

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_strategy_round_trips_through_its_word() {
        for strategy in Strategy::ALL {
            assert_eq!(Strategy::parse(strategy.as_str()), Some(strategy));
            assert_eq!(strategy.path(), format!("/{}", strategy.as_str())); // @demo
        }
        assert_eq!(Strategy::parse("nope"), None);
    }
}
