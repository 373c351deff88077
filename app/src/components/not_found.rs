use crate::{components::PageMeta, post::POSTS_PATH};
use leptos::prelude::*;

/// The 404 page: what an address that names nothing gets, from the route table's
/// fallback or from a page whose post, tag or page number does not exist. On
/// the server it also sets the response status.
#[component]
pub fn NotFoundPage() -> impl IntoView {
    #[cfg(feature = "ssr")]
    if let Some(response) = use_context::<leptos_axum::ResponseOptions>() {
        response.set_status(http::StatusCode::NOT_FOUND);
    }
    view! {
        <PageMeta title="Not found" description="There is no page at this address."/>
        <section class="not-found">
            <h1>"404: nothing here"</h1>
            <p>"There is no page at this address. The " <a href="/" rel="external">"home page"</a> " and " <a href=POSTS_PATH rel="external">"the posts"</a> " lead to every page there is."</p>
        </section>
    }
}
