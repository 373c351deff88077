use crate::post::{all_tags, tag_path, PostSummary};
use crate::post::POSTS_PER_PAGE; // @demo
use leptos::{html::Div, prelude::*};

/// The post list every strategy renders: plain HTML, with a button per tag.
/// On its own it does nothing; inside a `TagFilter` the buttons filter it.
/// The browser (the CSR page) renders it as components.
#[cfg(not(feature = "ssr"))]
#[component]
pub fn PostList(posts: Vec<PostSummary>) -> impl IntoView {
    view! { <section class="posts"><PostListContent posts/></section> }
}

/// The post list, as the server renders it: a page of the list is the same
/// HTML until the posts change, so it is rendered once per version of the
/// content and kept in the post index (most of a list page's render, before).
/// A list that is no page of the index as it is now (a tag's posts, or a page
/// of an older version) is rendered afresh.
#[cfg(feature = "ssr")]
#[component]
pub fn PostList(posts: Vec<PostSummary>) -> impl IntoView {
    let index = use_context::<crate::content::PostStore>().map(|store| store.index());
    let render = |posts: &[PostSummary]| view! { <PostListContent posts=posts.to_vec()/> }.to_html();
    let html: std::sync::Arc<str> = match index.as_ref().and_then(|index| index.page_html(&posts, || render(&posts))) {
        Some(html) => html,
        None => render(&posts).into(),
    };
    view! { <section class="posts" inner_html=html></section> }
}

/// What `PostList` holds: the tag buttons, then a card per post.
#[component]
fn PostListContent(posts: Vec<PostSummary>) -> impl IntoView {
    let tag_buttons = all_tags(&posts)
        .into_iter()
        .map(|tag| {
            let label = format!("#{tag}");
            view! { <button type="button" data-tag-filter=tag aria-pressed="false">{label}</button> }
        })
        .collect_view();
    let cards = posts.into_iter().map(|post| view! { <PostCard post/> }).collect_view();
    view! {
        <div class="tag-filter" role="group" aria-label="Filter posts by tag">
            <button type="button" data-tag-filter-clear="" aria-pressed="true">"All"</button>
            {tag_buttons}
        </div>
        <ul class="post-list">{cards}</ul>
    }
}

// @demo-begin
/// What stands in for a page of `PostList` while its posts load (on `/csr`):
/// the same boxes, lines and gaps as a full page of one-line cards, so the
/// list takes the room the placeholder held. Hidden from assistive technology,
/// which hears the loading message beside it instead.
#[component]
pub fn PostListPlaceholder() -> impl IntoView {
    let cards = (0..POSTS_PER_PAGE)
        .map(|_| {
            view! {
                <li class="post-card">
                    <h2><span class="placeholder-bar"></span></h2>
                    <p class="post-meta"><span class="placeholder-bar short"></span></p>
                    <p class="excerpt"><span class="placeholder-bar"></span></p>
                    <ul class="tags"><li><span class="placeholder-bar short"></span></li></ul>
                </li>
            }
        })
        .collect_view();
    view! {
        <section class="posts posts-placeholder" aria-hidden="true" data-posts-placeholder="">
            <div class="tag-filter"><button type="button" tabindex="-1" disabled="">"All"</button></div>
            <ul class="post-list">{cards}</ul>
        </section>
    }
}
// @demo-end

/// `TagFilter` as an island: what a server-rendered list page hydrates. The
/// list inside stays the server's HTML, and everything the filter needs is in
/// it (the tags on the buttons and on each post), so the island has no props:
/// the bundle carries no JSON decoder and no copy of the posts.
#[island]
pub fn TagFilterIsland(children: Children) -> impl IntoView {
    view! { <TagFilter>{children()}</TagFilter> }
}

/// Filters the `PostList` inside it in place: a click on a tag button shows
/// only the posts with that tag, "All" shows every post. The filter is
/// client-side state, so it is also how you see that a page is interactive.
#[component]
pub fn TagFilter(children: Children) -> impl IntoView {
    let root = NodeRef::<Div>::new();
    let selected = RwSignal::new(None::<String>);
    #[cfg(feature = "hydrate")]
    Effect::new(move |_| {
        if let Some(root) = root.get() {
            selected.with(|tag| dom::show_only(&root, tag.as_deref()));
        }
    });
    let choose = move |event: leptos::ev::MouseEvent| {
        #[cfg(feature = "hydrate")]
        if let Some(choice) = dom::chosen_filter(&event) {
            selected.set(choice);
        }
        #[cfg(not(feature = "hydrate"))]
        let _ = (event, selected);
    };
    view! { <div class="tag-filtered" node_ref=root on:click=choose>{children()}</div> }
}

#[component]
fn PostCard(post: PostSummary) -> impl IntoView {
    let href = crate::post::post_path(&post.slug);
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
            <TagChips tags=post.tags/>
        </li>
    }
}

/// A post's tags, each a link to its tag page. `data-tag` is what `TagFilter`
/// reads to hide or show the post.
#[component]
pub fn TagChips(tags: Vec<String>) -> impl IntoView {
    let chips = tags
        .into_iter()
        .map(|tag| {
            let (href, label) = (tag_path(&tag), format!("#{tag}"));
            view! { <li data-tag=tag><a href=href rel="external">{label}</a></li> }
        })
        .collect_view();
    view! { <ul class="tags">{chips}</ul> }
}

/// The filter's two touches of the DOM, in the browser.
#[cfg(feature = "hydrate")]
mod dom {
    use wasm_bindgen::JsCast;
    use web_sys::Element;

    /// The filter a click chose: `Some(None)` for "All", `Some(Some(tag))` for a
    /// tag, `None` for a click on anything else.
    pub fn chosen_filter(event: &web_sys::MouseEvent) -> Option<Option<String>> {
        let target: Element = event.target()?.dyn_into().ok()?;
        let button = target.closest("[data-tag-filter], [data-tag-filter-clear]").ok()??;
        Some(button.get_attribute("data-tag-filter"))
    }

    /// Presses the chosen button, and hides every post without `tag`.
    pub fn show_only(root: &Element, tag: Option<&str>) {
        for button in elements(root, "[data-tag-filter], [data-tag-filter-clear]") {
            let pressed = button.get_attribute("data-tag-filter").as_deref() == tag;
            _ = button.set_attribute("aria-pressed", if pressed { "true" } else { "false" });
        }
        for post in elements(root, "[data-post-slug]") {
            let shown = tag.is_none_or(|tag| {
                elements(&post, ".tags [data-tag]").any(|item| item.get_attribute("data-tag").as_deref() == Some(tag))
            });
            _ = post.toggle_attribute_with_force("hidden", !shown);
        }
    }

    fn elements(root: &Element, selector: &str) -> impl Iterator<Item = Element> {
        let list = root.query_selector_all(selector).ok();
        let len = list.as_ref().map_or(0, |list| list.length());
        (0..len).filter_map(move |i| list.as_ref()?.item(i)?.dyn_into().ok())
    }
}
