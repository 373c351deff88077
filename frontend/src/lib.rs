//! The browser bundle. One entry point for every page: it hydrates what the
//! server rendered, or client-renders the CSR route, whose shell is empty.

use app::{App, Strategy};
use wasm_bindgen::prelude::*;

/// Called by the loader script that `HydrationScripts` puts in every page.
#[wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    let document = leptos::prelude::document();
    let html = document.document_element().expect("a document has an <html> element");
    let root = document
        .get_element_by_id("app")
        .expect("the shell has an #app element")
        .unchecked_into::<web_sys::HtmlElement>();
    let strategy = html.get_attribute("data-render-strategy").and_then(|s| Strategy::parse(&s));
    let performance = leptos::prelude::window().performance();

    mark(&performance, "client-takeover-start");
    let mode = if strategy == Some(Strategy::Csr) {
        leptos::mount::mount_to(root, App).forget();
        "client-rendered"
    } else {
        leptos::mount::hydrate_from(root, App).forget();
        "hydrated"
    };
    mark(&performance, "client-takeover-end");
    if let Some(performance) = &performance {
        _ = performance.measure_with_start_mark_and_end_mark(
            "client-takeover",
            "client-takeover-start",
            "client-takeover-end",
        );
    }
    _ = html.set_attribute("data-client-mode", mode);
}

fn mark(performance: &Option<web_sys::Performance>, name: &str) {
    if let Some(performance) = performance {
        _ = performance.mark(name);
    }
}
