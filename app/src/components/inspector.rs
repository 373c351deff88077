//! The in-page inspector: a collapsible panel in the corner of every page that
//! says how this HTML was made. The server fills in what it knows (strategy,
//! when the HTML was generated), so it reads the same with JavaScript off. The
//! browser adds what only it can measure, from the Navigation and Resource
//! Timing APIs: bytes received, time to first byte, the server's own
//! `Server-Timing` phases, the bundle, how and how fast it took over, and the
//! age of the page and of each hole, ticking.
// @demo-file: the inspector

use crate::{clock, strategy::Strategy};
use leptos::prelude::*;

#[component]
pub fn Inspector(strategy: Strategy, generated_at: String) -> impl IntoView {
    // For the island's server render (see `page_strategy`).
    provide_context(strategy);
    view! {
        <details class="inspector" data-inspector=strategy.as_str()>
            <summary>"Inspector " <span class="strategy-badge">{strategy.as_str()}</span></summary>
            <dl>
                <dt>"Strategy"</dt>
                <dd data-inspector-field="strategy">
                    <strong>{strategy.name()}</strong> ": " {strategy.summary()}
                </dd>
                <dt>"HTML generated at"</dt>
                <dd data-inspector-field="generated-at">{clock::display(&generated_at)}</dd>
            </dl>
            <BrowserFigures/>
        </details>
    }
}

const UNMEASURED: &str = "measured in the browser, with JavaScript";

/// What the browser measured, as text. Before the bundle runs (or without
/// JavaScript) every figure says so.
#[derive(Clone, Debug, PartialEq)]
struct Figures {
    age: String,
    html: String,
    ttfb: String,
    server_timing: String,
    isr_cache: String,
    bundle: String,
    client: String,
    /// Each hole's name and stamp; `None` until the browser has looked.
    holes: Option<Vec<(String, String)>>,
}

impl Default for Figures {
    fn default() -> Self {
        let unmeasured = || UNMEASURED.to_string();
        Figures {
            age: unmeasured(),
            html: unmeasured(),
            ttfb: unmeasured(),
            server_timing: unmeasured(),
            isr_cache: unmeasured(),
            bundle: unmeasured(),
            client: "not taken over: static HTML".to_string(),
            holes: None,
        }
    }
}

/// The browser's half of the inspector, an island: it re-measures every second,
/// so ages tick and the takeover shows once it has happened. It has no props:
/// what it needs, it reads from the page (so the bundle carries no JSON decoder).
#[island]
fn BrowserFigures() -> impl IntoView {
    let figures = RwSignal::new(Figures::default());
    #[cfg(feature = "hydrate")]
    Effect::new(move |_| {
        let measure = move || figures.set(measure::figures());
        measure();
        _ = set_interval_with_handle(measure, std::time::Duration::from_secs(1));
    });
    let strategy = page_strategy();

    let field = move |name: &'static str, read: fn(&Figures) -> String| {
        view! { <dd data-inspector-field=name>{move || figures.with(read)}</dd> }
    };
    let holes = move || {
        figures.with(|figures| match &figures.holes {
            None => UNMEASURED.into_any(),
            Some(holes) if holes.is_empty() => "none on this page".into_any(),
            Some(holes) => {
                let items = holes
                    .iter()
                    .map(|(hole, stamp)| view! { <li data-inspector-hole=hole.clone()>{hole.clone()} ": " {stamp.clone()}</li> })
                    .collect_view();
                view! { <ul>{items}</ul> }.into_any()
            }
        })
    };
    view! {
        <dl>
            <dt>"Age now"</dt>
            {field("age", |f| f.age.clone())}
            <dt>"HTML received"</dt>
            {field("html-bytes", |f| f.html.clone())}
            <dt>"Time to first byte"</dt>
            {field("ttfb", |f| f.ttfb.clone())}
            <dt>"Server-Timing"</dt>
            {field("server-timing", |f| f.server_timing.clone())}
            {(strategy == Some(Strategy::Isr)).then(|| view! {
                <dt>"ISR cache"</dt>
                {field("isr-cache", |f| f.isr_cache.clone())}
            })}
            <dt>"Bundle"</dt>
            {field("bundle", |f| f.bundle.clone())}
            <dt>"Client"</dt>
            {field("client", |f| f.client.clone())}
            <dt>"Holes"</dt>
            <dd data-inspector-field="holes">{holes}</dd>
        </dl>
    }
}

/// The page's strategy, which decides the island's rows. The server has it
/// from the shell's context; the browser reads the `data-render-strategy` that
/// the shell wrote on `<html>`, so both render the same rows.
fn page_strategy() -> Option<Strategy> {
    #[cfg(feature = "hydrate")]
    {
        let html = leptos::prelude::document().document_element()?;
        Strategy::parse(&html.get_attribute("data-render-strategy")?)
    }
    #[cfg(not(feature = "hydrate"))]
    {
        use_context::<Strategy>()
    }
}

#[cfg(feature = "hydrate")]
mod measure {
    use super::Figures;
    use crate::{browser::fixed, clock};
    use wasm_bindgen::JsCast;
    use web_sys::{Element, PerformanceNavigationTiming, PerformanceResourceTiming, PerformanceServerTiming};

    pub fn figures() -> Figures {
        let document = leptos::prelude::document();
        let generated_at = document
            .query_selector(".page-stamp [data-generated-at]")
            .ok()
            .flatten()
            .and_then(|stamp| stamp.get_attribute("data-generated-at"))
            .unwrap_or_default();
        let mut figures = Figures { age: age_of(&generated_at), ..Figures::default() };
        let Some(performance) = leptos::prelude::window().performance() else {
            return figures;
        };
        if let Ok(navigation) = performance.get_entries_by_type("navigation").get(0).dyn_into::<PerformanceNavigationTiming>() {
            figures.html = format!(
                "{} decoded, {} over the wire",
                kib(navigation.decoded_body_size()),
                kib(navigation.transfer_size())
            );
            figures.ttfb = format!("{} ms", fixed(navigation.response_start(), 1));
            let entries: Vec<PerformanceServerTiming> =
                navigation.server_timing().iter().filter_map(|entry| entry.dyn_into().ok()).collect();
            figures.server_timing = if entries.is_empty() {
                "none (a plain file server sends no Server-Timing)".into()
            } else {
                entries
                    .iter()
                    .filter(|entry| entry.description().is_empty())
                    .map(|entry| format!("{} {} ms", entry.name(), fixed(entry.duration(), 2)))
                    .collect::<Vec<_>>()
                    .join(", ")
            };
            figures.isr_cache = entries
                .iter()
                .find(|entry| entry.name() == "cache")
                .map(|entry| entry.description())
                .unwrap_or_else(|| "unknown (no cache entry in Server-Timing)".into());
        }
        let resources: Vec<PerformanceResourceTiming> =
            performance.get_entries_by_type("resource").iter().filter_map(|entry| entry.dyn_into().ok()).collect();
        // The bundle files this page loaded, by name: the island pages and `/csr`
        // load different ones.
        let bundle: Vec<String> = resources
            .iter()
            .filter_map(|entry| {
                let name = entry.name();
                let file = name.split_once("/pkg/")?.1.split(['?', '#']).next()?.to_string();
                (file.ends_with(".wasm") || file.ends_with(".js"))
                    .then(|| format!("{file} {}", kib(entry.encoded_body_size())))
            })
            .collect();
        figures.bundle =
            if bundle.is_empty() { "not loaded".into() } else { format!("{}, as sent", bundle.join(" + ")) };
        let mode = document.document_element().and_then(|html| html.get_attribute("data-client-mode"));
        let took = performance.get_entries_by_name("client-takeover").get(0).dyn_into::<web_sys::PerformanceEntry>().ok();
        figures.client = match (mode, took) {
            (Some(mode), Some(took)) => format!("{mode} in {} ms", fixed(took.duration(), 1)),
            _ => "taking over…".into(),
        };
        if let Ok(stamps) = document.query_selector_all("[data-hole] [data-generated-at]") {
            figures.holes = Some((0..stamps.length())
                .filter_map(|i| stamps.item(i)?.dyn_into::<Element>().ok())
                .filter_map(|stamp| {
                    let hole = stamp.closest("[data-hole]").ok()??.get_attribute("data-hole")?;
                    let at = stamp.get_attribute("data-generated-at")?;
                    Some((hole, format!("{}, {} old", clock::display(&at), age_of(&at))))
                })
                .collect());
        }
        figures
    }

    fn age_of(rfc3339: &str) -> String {
        let millis = js_sys::Date::now() - js_sys::Date::parse(rfc3339);
        if millis.is_nan() {
            return "unknown".into();
        }
        let seconds = (millis / 1000.0).max(0.0);
        match seconds {
            s if s < 60.0 => format!("{} s", fixed(s, 1)),
            s if s < 3600.0 => format!("{} min {} s", fixed((s / 60.0).floor(), 0), fixed(s % 60.0, 0)),
            s => format!("{} h", fixed(s / 3600.0, 1)),
        }
    }

    fn kib(bytes: f64) -> String {
        format!("{} KiB", fixed(bytes / 1024.0, 1))
    }
}
