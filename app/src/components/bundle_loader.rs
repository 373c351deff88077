use leptos::prelude::*;

/// Loads the WASM bundle and hands the page to it: the browser side of islands.
///
/// A module script runs once the document is parsed, so a streamed or PPR page
/// is taken over after its last hole has arrived, and every island is in the DOM.
/// `hydrate()` client-renders the CSR route; then each `<leptos-island>` is
/// hydrated by the function the bundle exports for it. The `client-takeover`
/// measure and `data-client-mode` are what devtools, the inspector and the tests read.
#[component]
pub fn BundleLoader(options: LeptosOptions) -> impl IntoView {
    let pkg = format!("/{}/{}", options.site_pkg_dir, options.output_name);
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
