use crate::{
    api::list_posts,
    components::{awaited, NotFoundPage, PageMeta, PostList},
    post::tag_slug,
};
use leptos::prelude::*;
use leptos_router::{hooks::use_params, params::Params};

#[derive(Params, Clone, Debug, PartialEq, Eq)]
struct TagParams {
    tag: Option<String>,
}

/// `/tags/{tag}`: every post with one tag. The build writes one page per tag
/// (SSG with params); a tag no post has renders the 404 page.
#[component]
pub fn TagPage() -> impl IntoView {
    let params = use_params::<TagParams>();
    let slug = params.with_untracked(|params| params.as_ref().ok().and_then(|p| p.tag.clone())).unwrap_or_default();
    awaited(
        || view! { <p class="loading">"Loading posts…"</p> }.into_any(),
        || (),
        |()| list_posts(),
        move |posts| {
            let posts = match posts {
                Ok(posts) => posts,
                Err(error) => return view! { <p class="error">"Posts are unavailable: " {error.to_string()}</p> }.into_any(),
            };
            let tagged: Vec<_> = posts.into_iter().filter(|post| post.tags.iter().any(|tag| tag_slug(tag) == slug)).collect();
            // The tag as its posts spell it, which the slug may not.
            let Some(name) = tagged.first().and_then(|post| post.tags.iter().find(|tag| tag_slug(tag) == slug)).cloned() else {
                return view! { <NotFoundPage/> }.into_any();
            };
            let count = tagged.len();
            view! {
                <PageMeta title=format!("#{name}") description=format!("{count} posts tagged #{name}.")/>
                <section class="tag-intro">
                    <h1>"#" {name}</h1>
                    <p>{count} {if count == 1 { " post" } else { " posts" }} " with this tag."</p>
                </section>
                <PostList posts=tagged/>
            }
            .into_any()
        },
    )
}
