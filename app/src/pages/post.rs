// @demo-begin
#[cfg(feature = "hydrate")]
use {crate::api::RecordView, leptos::server_fn::ServerFn};
// @demo-end
use crate::{
    api::get_post,
    components::{awaited, NotFoundPage, PageKind, PageMeta, TagChips},
    post::Post,
};
use leptos::prelude::*;
use leptos_router::{hooks::use_params, params::Params};

#[derive(Params, Clone, Debug, PartialEq, Eq)]
struct PostParams {
    slug: Option<String>,
}

/// `/posts/{slug}`: one post. An unknown slug renders the 404 page.
#[component]
pub fn PostPage() -> impl IntoView {
    let params = use_params::<PostParams>();
    let slug = move || params.with(|params| params.as_ref().ok().and_then(|p| p.slug.clone()));
    awaited(
        || view! { <p class="loading">"Loading the post…"</p> }.into_any(),
        slug,
        |slug| async move {
            match slug {
                Some(slug) => get_post(slug).await,
                None => Ok(None),
            }
        },
        |post| match post {
            Ok(Some(post)) => view! { <PostArticle post/> }.into_any(),
            Ok(None) => view! { <NotFoundPage/> }.into_any(),
            Err(error) => view! { <p class="error">"This post is unavailable: " {error.to_string()}</p> }.into_any(),
        },
    )
}

#[component]
fn PostArticle(post: Post) -> impl IntoView {
    let Post { summary, body_html } = post;
    view! {
        <PageMeta title=summary.title.clone() description=summary.description().to_string() kind=PageKind::Article/>
        <article class="post" data-post-slug=summary.slug.clone()>
            <header>
                <h1>{summary.title.clone()}</h1>
                <p class="post-meta">
                    <time datetime=summary.date.clone()>{summary.date.clone()}</time>
                    " · " {summary.author.clone()} " · " {summary.reading_minutes} " min read"
                </p>
                <TagChips tags=summary.tags.clone()/>
            </header>
            // The body is HTML rendered once from Markdown at load time, with raw
            // HTML and script URLs neutralised there (see content::parse).
            <div class="post-body" inner_html=body_html></div>
            <ViewRecorder/> // @demo
        </article>
    }
}

// @demo-begin
/// Counts one view per page load. An island, because effects run only in the
/// browser once the page is live: so prerendered pages count too. It posts to
/// `record_view`'s endpoint with `navigator.sendBeacon`, which needs no
/// response, and takes the slug from the article it sits in: so it has no
/// props, and the bundle carries neither a server-function client nor a JSON
/// decoder.
#[island]
fn ViewRecorder() -> impl IntoView {
    #[cfg(feature = "hydrate")]
    Effect::new(move |_| {
        let slug = document().query_selector("article[data-post-slug]").ok().flatten().and_then(|article| article.get_attribute("data-post-slug"));
        let Some(slug) = slug else { return };
        let sent = web_sys::UrlSearchParams::new().and_then(|form| {
            form.append("slug", &slug);
            window().navigator().send_beacon_with_opt_url_search_params(RecordView::url(), Some(&form))
        });
        if !matches!(sent, Ok(true)) {
            leptos::logging::debug_warn!("the view could not be sent");
        }
    });
}
// @demo-end
