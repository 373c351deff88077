use crate::{
    api::{get_post, record_view},
    components::DocumentTitle,
    pages::NotFoundPage,
    post::Post,
};
use leptos::prelude::*;
use leptos_meta::Meta;
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
    let post = Resource::new(slug, |slug| async move {
        match slug {
            Some(slug) => get_post(slug).await,
            None => Ok(None),
        }
    });
    view! {
        <Suspense fallback=|| view! { <p class="loading">"Loading the post…"</p> }>
            {move || Suspend::new(async move {
                match post.await {
                    Ok(Some(post)) => view! { <PostArticle post/> }.into_any(),
                    Ok(None) => view! { <NotFoundPage/> }.into_any(),
                    Err(error) => view! { <p class="error">"This post is unavailable: " {error.to_string()}</p> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn PostArticle(post: Post) -> impl IntoView {
    let Post { summary, body_html } = post;
    let tags = summary.tags.iter().map(|tag| view! { <li>"#" {tag.clone()}</li> }).collect_view();
    view! {
        <DocumentTitle text=summary.title.clone()/>
        <Meta name="description" content=summary.excerpt.clone()/>
        <article class="post" data-post-slug=summary.slug.clone()>
            <header>
                <h1>{summary.title.clone()}</h1>
                <p class="post-meta">
                    <time datetime=summary.date.clone()>{summary.date.clone()}</time>
                    " · " {summary.author.clone()} " · " {summary.reading_minutes} " min read"
                </p>
                <ul class="tags">{tags}</ul>
            </header>
            // The body is HTML rendered once from Markdown at load time, with raw
            // HTML and script URLs neutralised there (see content::parse).
            <div class="post-body" inner_html=body_html></div>
            <ViewRecorder slug=summary.slug.clone()/>
        </article>
    }
}

/// Counts one view per page load. An island, because effects run only in the
/// browser once the page is live: so prerendered pages count too.
#[island]
fn ViewRecorder(slug: String) -> impl IntoView {
    Effect::new(move |_| {
        let slug = slug.clone();
        leptos::task::spawn_local(async move {
            if let Err(error) = record_view(slug).await {
                leptos::logging::debug_warn!("view not recorded: {error}");
            }
        });
    });
}
