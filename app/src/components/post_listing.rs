use crate::{
    api::list_posts_page,
    components::{awaited, NotFoundPage, Pagination, PostList, TagFilterIsland},
    post::{page_number, PostsPage},
};
use leptos::prelude::*;
use leptos_router::{hooks::use_params, params::Params};

#[derive(Params, Clone, Debug, PartialEq, Eq)]
struct ListParams {
    page: Option<String>,
}

/// Which page of its list this address names: 1 for the list's own path,
/// `None` for a `page` segment that is no page number.
pub fn list_page_number() -> Option<usize> {
    let segment = use_params::<ListParams>().with_untracked(|params| params.as_ref().ok().and_then(|p| p.page.clone()));
    match segment {
        None => Some(1),
        Some(segment) => page_number(&segment),
    }
}

/// Page `number` of the post list whose first page is at `base`: its posts,
/// with the tag filter, and the links to the newer and older pages. A page
/// past the last is the 404 page, with its status.
#[component]
pub fn PostListing(base: &'static str, number: usize) -> impl IntoView {
    awaited(
        || view! { <p class="loading">"Loading posts…"</p> }.into_any(),
        move || number,
        list_posts_page,
        move |page| match page {
            Ok(Some(PostsPage { posts, number, count })) => view! {
                <TagFilterIsland><PostList posts/></TagFilterIsland>
                <Pagination base number count/>
            }
            .into_any(),
            // Past the last page: a 404, with the status to match.
            Ok(None) => view! { <NotFoundPage/> }.into_any(),
            Err(error) => view! { <p class="error">"Posts are unavailable: " {error.to_string()}</p> }.into_any(),
        },
    )
}
