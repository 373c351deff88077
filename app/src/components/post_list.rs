use crate::post::{all_tags, PostSummary};
use leptos::prelude::*;

/// The post list as an island: on a server-rendered page, this is the part the
/// browser hydrates, from the posts serialized beside it. Everything else on
/// the page stays the server's HTML and costs the bundle nothing.
#[island]
pub fn PostListIsland(posts: Vec<PostSummary>) -> impl IntoView {
    view! { <PostList posts/> }
}

/// The post list every strategy renders, with tag filter buttons that filter it in place.
/// The filter is client-side state, so it is also how you see that a page is interactive.
#[component]
pub fn PostList(posts: Vec<PostSummary>) -> impl IntoView {
    let tags = all_tags(&posts);
    let selected = RwSignal::new(None::<String>);
    let posts = StoredValue::new(posts);

    let tag_buttons = tags
        .into_iter()
        .map(|tag| {
            let pressed = {
                let tag = tag.clone();
                move || selected.with(|selected| selected.as_deref() == Some(tag.as_str())).to_string()
            };
            let choose = {
                let tag = tag.clone();
                move |_| selected.set(Some(tag.clone()))
            };
            let label = format!("#{tag}");
            view! {
                <button type="button" data-tag-filter=tag aria-pressed=pressed on:click=choose>
                    {label}
                </button>
            }
        })
        .collect_view();

    let visible_posts = move || {
        selected.with(|selected| {
            posts.with_value(|posts| {
                posts
                    .iter()
                    .filter(|post| selected.as_ref().is_none_or(|tag| post.tags.contains(tag)))
                    .map(|post| view! { <PostCard post=post.clone()/> })
                    .collect_view()
            })
        })
    };

    view! {
        <section class="posts">
            <div class="tag-filter" role="group" aria-label="Filter posts by tag">
                <button
                    type="button"
                    data-tag-filter-clear=""
                    aria-pressed=move || selected.with(Option::is_none).to_string()
                    on:click=move |_| selected.set(None)
                >
                    "All"
                </button>
                {tag_buttons}
            </div>
            <ul class="post-list">{visible_posts}</ul>
        </section>
    }
}

#[component]
fn PostCard(post: PostSummary) -> impl IntoView {
    let href = format!("/posts/{}", post.slug);
    let tags = post.tags.iter().map(|tag| view! { <li>"#" {tag.clone()}</li> }).collect_view();
    view! {
        <li class="post-card" data-post-slug=post.slug.clone()>
            <h2>
                <a href=href rel="external">{post.title.clone()}</a>
            </h2>
            <p class="post-meta">
                <time datetime=post.date.clone()>{post.date.clone()}</time>
                " · " {post.author.clone()} " · " {post.reading_minutes} " min read"
            </p>
            <p class="excerpt">{post.excerpt.clone()}</p>
            <ul class="tags">{tags}</ul>
        </li>
    }
}
