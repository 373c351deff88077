// @demo-file: the stamp in the footer and in the live holes
use crate::clock;
use leptos::prelude::*;

/// "HTML generated at …": the visible, machine-readable stamp every page and every hole carries.
#[component]
pub fn GeneratedAt(
    /// RFC 3339, UTC.
    #[prop(into)]
    at: String,
    #[prop(default = "HTML generated at")] label: &'static str,
) -> impl IntoView {
    let shown = clock::display(&at);
    let datetime = at.clone();
    view! {
        <p class="generated-at" data-generated-at=at>
            {label} " " <time datetime=datetime>{shown}</time>
        </p>
    }
}
