use crate::{
    components::{list_page_number, NotFoundPage, PageMeta, PostListing},
    post::{list_title, POSTS_PATH},
};
use leptos::prelude::*;

/// `/posts`: every post, newest first, one page of posts at a time (older ones
/// at `/posts/page/2` and on). Prerendered by the build.
#[component]
pub fn PostIndexPage() -> impl IntoView {
    let Some(number) = list_page_number() else {
        return view! { <NotFoundPage/> }.into_any();
    };
    view! {
        <PageMeta title=list_title("Posts", number) description="Every post, newest first."/>
        <h1>"Posts"</h1>
        <PostListing base=POSTS_PATH number/>
    }
    .into_any()
}
