// @demo-file: /compare
use crate::strategy::{IsrWindow, Strategy};
use crate::components::PageMeta;
use leptos::prelude::*;

/// `/compare`: every strategy's page side by side, each in its own frame, with
/// the figures that tell them apart, and the two devtools experiments that
/// make the difference visible.
#[component]
pub fn ComparePage() -> impl IntoView {
    view! {
        <PageMeta title="Every strategy side by side" description="The same page rendered six ways, side by side, with their timestamps and timings."/>
        <section class="compare">
            <h1>"Six strategies, side by side"</h1>
            <p>
                "Each frame is the same post list, made by a different strategy. Under each: when its HTML was "
                "generated, how often that changed while you watched, how the browser took it over, and its holes' own stamps. "
                "Press " <strong>"Reload all"</strong> " a few times and watch which stamps move."
            </p>
            <CompareFrames/>
            <Experiments/>
        </section>
    }
}

/// The frames and their live figures: an island, because only the browser can
/// look inside the frames and reload them.
#[island]
fn CompareFrames() -> impl IntoView {
    let seen = RwSignal::new(Vec::<frames::FrameFigures>::new());
    #[cfg(feature = "hydrate")]
    Effect::new(move |_| {
        let measure = move || seen.update(|seen| frames::measure(seen));
        measure();
        _ = set_interval_with_handle(measure, std::time::Duration::from_millis(500));
    });
    let reload_all = move |_| {
        #[cfg(feature = "hydrate")]
        frames::reload_all();
    };
    let cards = Strategy::ALL
        .into_iter()
        .map(|strategy| {
            let figures = move || seen.with(|seen| seen.iter().find(|f| f.strategy == strategy).cloned().unwrap_or_default());
            view! {
                <figure class="compare-frame" data-compare-frame=strategy.as_str()>
                    <figcaption>
                        <span class="strategy-badge">{strategy.as_str()}</span> " "
                        <a href=strategy.path() rel="external">{strategy.name()}</a>
                    </figcaption>
                    <div class="viewport">
                        <iframe src=strategy.path() title=strategy.name()></iframe>
                    </div>
                    <dl>
                        <dt>"HTML generated at"</dt>
                        <dd data-compare-field="generated-at">{move || figures().generated_at}</dd>
                        <dt>"Stamps seen"</dt>
                        <dd data-compare-field="stamps-seen">{move || figures().stamps_seen()}</dd>
                        <dt>"Client"</dt>
                        <dd data-compare-field="client">{move || figures().client}</dd>
                        <dt>"Time to first byte"</dt>
                        <dd data-compare-field="ttfb">{move || figures().ttfb}</dd>
                        <dt>"Holes"</dt>
                        <dd data-compare-field="holes">{move || figures().holes}</dd>
                    </dl>
                </figure>
            }
        })
        .collect_view();
    view! {
        <p class="compare-actions">
            <button type="button" data-compare-reload="" on:click=reload_all>"Reload all"</button>
        </p>
        <div class="compare-grid">{cards}</div>
    }
}

mod frames {
    use crate::strategy::Strategy;

    /// One frame's figures, and every page stamp seen in it since this page opened.
    #[derive(Clone, Debug, PartialEq)]
    pub struct FrameFigures {
        pub strategy: Strategy,
        pub generated_at: String,
        pub stamps: Vec<String>,
        pub client: String,
        pub ttfb: String,
        pub holes: String,
    }

    impl Default for FrameFigures {
        fn default() -> Self {
            FrameFigures {
                strategy: Strategy::Ssg,
                generated_at: "loading…".into(),
                stamps: Vec::new(),
                client: "—".into(),
                ttfb: "—".into(),
                holes: "—".into(),
            }
        }
    }

    impl FrameFigures {
        pub fn stamps_seen(&self) -> String {
            match self.stamps.len() {
                0 => "—".into(),
                1 => "1: unchanged so far".into(),
                n => format!("{n} different"),
            }
        }
    }

    #[cfg(feature = "hydrate")]
    pub use browser::{measure, reload_all};

    #[cfg(feature = "hydrate")]
    mod browser {
        use super::FrameFigures;
        use crate::{browser::fixed, clock, strategy::Strategy};
        use wasm_bindgen::JsCast;
        use web_sys::{Document, HtmlIFrameElement, PerformanceNavigationTiming};

        fn frame(strategy: Strategy) -> Option<HtmlIFrameElement> {
            let selector = format!("[data-compare-frame=\"{}\"] iframe", strategy.as_str());
            leptos::prelude::document().query_selector(&selector).ok()??.dyn_into().ok()
        }

        /// Reads every frame's document; remembers each new page stamp.
        pub fn measure(seen: &mut Vec<FrameFigures>) {
            for strategy in Strategy::ALL {
                let Some(document) = frame(strategy).and_then(|frame| frame.content_document()) else { continue };
                let index = match seen.iter().position(|f| f.strategy == strategy) {
                    Some(index) => index,
                    None => {
                        seen.push(FrameFigures { strategy, ..FrameFigures::default() });
                        seen.len() - 1
                    }
                };
                read(&document, strategy, &mut seen[index]);
            }
        }

        fn read(document: &Document, strategy: Strategy, figures: &mut FrameFigures) {
            let page_stamp = document
                .query_selector(".page-stamp [data-generated-at]")
                .ok()
                .flatten()
                .and_then(|stamp| stamp.get_attribute("data-generated-at"));
            let Some(stamp) = page_stamp else { return };
            figures.generated_at = format!("{} UTC", clock::time_of_day(&stamp));
            if !figures.stamps.contains(&stamp) {
                figures.stamps.push(stamp);
            }
            figures.client = document
                .document_element()
                .and_then(|html| html.get_attribute("data-client-mode"))
                .unwrap_or_else(|| "taking over…".into());
            // The frame's objects come from its own realm, where `instanceof`
            // against this page's classes fails: so the casts are unchecked.
            let navigation = frame(strategy)
                .and_then(|frame| frame.content_window())
                .and_then(|window| window.performance())
                .map(|performance| performance.get_entries_by_type("navigation").get(0))
                .filter(|entry| !entry.is_undefined())
                .map(|entry| entry.unchecked_into::<PerformanceNavigationTiming>());
            if let Some(navigation) = navigation {
                figures.ttfb = format!("{} ms", fixed(navigation.response_start(), 1));
            }
            let holes = document.query_selector_all("[data-hole] [data-generated-at]").ok();
            figures.holes = match holes {
                Some(holes) if holes.length() > 0 => (0..holes.length())
                    .filter_map(|i| holes.item(i)?.unchecked_into::<web_sys::Element>().get_attribute("data-generated-at"))
                    .map(|at| clock::time_of_day(&at).to_string())
                    .collect::<Vec<_>>()
                    .join(", "),
                _ if strategy.has_holes() => "waiting…".into(),
                _ => "none".into(),
            };
        }

        pub fn reload_all() {
            for strategy in Strategy::ALL {
                if let Some(window) = frame(strategy).and_then(|frame| frame.content_window()) {
                    _ = window.location().reload();
                }
            }
        }
    }
}

/// The two devtools experiments that show the strategies apart.
#[component]
fn Experiments() -> impl IntoView {
    let window = use_context::<IsrWindow>().map(|IsrWindow(window)| format!(", {} s here", window.as_secs()));
    view! {
        <section class="experiments">
            <h2>"Two experiments in devtools"</h2>
            <h3>"1. View Source against Inspect"</h3>
            <ol>
                <li>"Open " <a href="/ssr" rel="external">"/ssr"</a> " and press Ctrl+U (View Source): every post title is in the HTML the server sent."</li>
                <li>"Open " <a href="/csr" rel="external">"/csr"</a> " and press Ctrl+U: " <code>"<div id=\"app\"></div>"</code> " is empty. No post is in the HTML."</li>
                <li>"Now right-click a post title on " <code>"/csr"</code> " and choose Inspect: the Elements panel shows the list. The browser built it, from "
                    <code>"GET /api/posts"</code> " (see the Network panel), after the WASM bundle loaded."</li>
                <li>"On both, " <code>"<html>"</code> " now carries " <code>"data-client-mode"</code> ": " <code>"hydrated"</code>
                    " on /ssr (the server's DOM was kept, only the post list island was made live) and " <code>"client-rendered"</code> " on /csr."</li>
            </ol>
            <h3>"2. Timestamps under refresh"</h3>
            <ul>
                <li><strong>"SSG"</strong> ": the stamp never moves. It was written by " <code>"make build"</code> " and stays until the next build."</li>
                <li><strong>"SSR"</strong> ": a new stamp on every reload; " <code>"Cache-Control: no-store"</code> "."</li>
                <li><strong>"Streaming"</strong> ": a new page stamp at once, and each hole's stamp a little later, when its data arrived."</li>
                <li><strong>"CSR"</strong> ": the shell's stamp moves on every reload, and so does the time the data arrived in the browser."</li>
                <li><strong>"ISR"</strong> ": the same stamp until the window (" <code>"ISR_REVALIDATE_SECS"</code> {window} ") has passed. The first reload after it "
                    "still shows the old page (" <code>"x-isr-cache: stale"</code> ") and starts one regeneration; the next shows the new stamp."</li>
                <li><strong>"PPR"</strong> ": the shell's stamp is frozen like SSG's, while both holes' stamps change on every reload."</li>
            </ul>
            <p>"In the Network panel, select a document and open its Timing tab: the " <code>"Server-Timing"</code>
               " section shows the server's own phases (" <code>"file"</code> ", " <code>"data"</code> ", " <code>"render"</code>
               ", " <code>"shell"</code> ")."</p>
        </section>
    }
}
