use crate::strategy::Strategy;
use leptos::prelude::*;

/// Loads the WASM bundle and hands the page to it: the browser side of islands.
///
/// There are two bundles (built by `cargo xtask site`): `pkg/blog.*` only
/// hydrates islands, and `pkg/blog-csr.*`, for the CSR route alone, also
/// client-renders the page. So the island pages never download the router,
/// the layout or the API client.
///
/// A module script runs once the document is parsed, so a streamed or PPR page
/// is taken over after its last hole has arrived, and every island is in the DOM.
/// `hydrate()` client-renders the CSR route; then each `<leptos-island>` is
/// hydrated by the function the bundle exports for it. The `client-takeover`
/// measure and `data-client-mode` are what devtools and the tests read.
#[component]
pub fn BundleLoader(options: LeptosOptions, strategy: Strategy) -> impl IntoView {
    let pkg = format!("/{}/{}", options.site_pkg_dir, bundle_name(&options.output_name, strategy));
    let loader = format!(
        r#"import init, * as bundle from "{pkg}.js";
await init({{ module_or_path: "{pkg}.wasm" }});
performance.mark("client-takeover-start");
const mode = bundle.hydrate();
for (const island of document.querySelectorAll("leptos-island")) {{
  if (island.parentElement.closest("leptos-island")) continue;
  const hydrateIsland = bundle[island.dataset.component];
  if (hydrateIsland) hydrateIsland(island);
  else console.error("the bundle has no island " + island.dataset.component);
}}
performance.mark("client-takeover-end");
performance.measure("client-takeover", "client-takeover-start", "client-takeover-end");
document.documentElement.dataset.clientMode = mode;"#
    );
    view! {
        <link rel="modulepreload" href=format!("{pkg}.js")/>
        <link rel="preload" href=format!("{pkg}.wasm") r#as="fetch" r#type="application/wasm" crossorigin=""/>
        <script type="module" nonce=leptos::nonce::use_nonce()>{loader}</script>
    }
}

/// The file stem of the bundle that `strategy`'s pages load, under `pkg/`
/// (the names `cargo xtask site` writes).
fn bundle_name(output_name: &str, strategy: Strategy) -> String {
    match strategy {
        Strategy::Csr => format!("{output_name}-csr"),
        _ => output_name.to_string(),
    }
}
