//! The browser bundles, both built from this crate by `cargo xtask site`:
//! - the islands bundle (`pkg/blog.*`), for every server-rendered page: it
//!   sets up the reactive runtime, and the loader script
//!   (`app::components::BundleLoader`) then hydrates each island through the
//!   function the bundle exports for it;
//! - with the `csr` feature, the CSR bundle (`pkg/blog-csr.*`), for the pages
//!   that `PAGES` serves as `Strategy::Csr`: the same, and it also renders the
//!   whole page into the empty `#app`.

use wasm_bindgen::prelude::*;

// Each `#[island]` in `app` exports its own hydrate function, which nothing
// here calls: naming the crate is what links it, and so those exports, in.
use app as _;

/// Sets up the reactive runtime for the islands (and, in the CSR bundle,
/// client-renders the page), and says which of the two this page got, for
/// `data-client-mode`.
#[wasm_bindgen]
pub fn hydrate() -> String {
    // Panic messages are for developers: the release bundle aborts without one
    // and leaves out the code that forwards them to the console.
    #[cfg(debug_assertions)]
    console_error_panic_hook::set_once();
    leptos::mount::hydrate_islands();
    #[cfg(feature = "csr")]
    {
        client_render();
        return "client-rendered".into();
    }
    #[allow(unreachable_code)]
    "hydrated".into()
}

#[cfg(feature = "csr")]
fn client_render() {
    use app::{pages::ClientRenderedPage, SiteLayout}; // @demo
    // @minimal: use app::App;
    use leptos::prelude::*;
    let root = document()
        .get_element_by_id("app")
        .expect("the shell has an #app element")
        .unchecked_into::<web_sys::HtmlElement>();
    // The demo's one CSR page, alone: the bundle carries no other page. // @demo
    leptos::mount::mount_to(root, || view! { <SiteLayout><ClientRenderedPage/></SiteLayout> }).forget(); // @demo
    // @minimal: leptos::mount::mount_to(root, App).forget();
}
