use crate::post::list_page_path;
use leptos::prelude::*;

/// The links under a list page to the newer and the older posts, as
/// `rel="prev"` and `rel="next"`; nothing when the list fits on one page.
#[component]
pub fn Pagination(base: &'static str, number: usize, count: usize) -> impl IntoView {
    let newer = (number > 1).then(|| list_page_path(base, number - 1));
    let older = (number < count).then(|| list_page_path(base, number + 1));
    (count > 1).then(|| {
        view! {
            <nav class="pagination" aria-label="Pages of posts">
                {newer.map(|href| view! { <a href=href rel="prev">"← Newer posts"</a> })}
                <span class="pagination-position">"Page " {number} " of " {count}</span>
                {older.map(|href| view! { <a href=href rel="next">"Older posts →"</a> })}
            </nav>
        }
    })
}
