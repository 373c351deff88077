//! The browser bundle. One entry point for every page: the loader script
//! (`app::components::BundleLoader`) calls `hydrate`, then hydrates each island
//! of a server-rendered page through the function the bundle exports for it.
//! The CSR route has no islands: its shell is empty, and `hydrate` renders it.

use app::{pages::ClientRenderedPage, SiteLayout, Strategy};
use leptos::prelude::*;
use wasm_bindgen::prelude::*;

/// Sets up the reactive runtime for the islands, client-renders the CSR
/// route, and says which of the two this page got, for `data-client-mode`.
#[wasm_bindgen]
pub fn hydrate() -> String {
    console_error_panic_hook::set_once();
    leptos::mount::hydrate_islands();
    let document = document();
    let strategy = document
        .document_element()
        .and_then(|html| html.get_attribute("data-render-strategy"))
        .and_then(|strategy| Strategy::parse(&strategy));
    if strategy != Some(Strategy::Csr) {
        return "hydrated".into();
    }
    let root = document
        .get_element_by_id("app")
        .expect("the shell has an #app element")
        .unchecked_into::<web_sys::HtmlElement>();
    leptos::mount::mount_to(root, || view! { <SiteLayout><ClientRenderedPage/></SiteLayout> }).forget();
    "client-rendered".into()
}
