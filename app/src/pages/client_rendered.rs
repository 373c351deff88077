// @demo-file: the /csr page
use crate::{
    api::list_posts_page,
    clock,
    post::{list_page_at, PostsPage},
    components::{Pagination, PostList, PostListPlaceholder, TagFilter},
    pages::StrategyIntro,
    strategy::Strategy,
};
use leptos::{either::EitherOf4, prelude::*};

/// `/csr` and its older pages (`/csr/page/2`, …): the server never renders
/// this page, it sends an empty shell (without `App`), and the CSR bundle
/// mounts this page alone, with no router. It reads which page it is from the
/// address, calls `GET /api/posts/page` and builds the same `PostList` itself.
/// Until the posts arrive, a placeholder of a full page's size holds their
/// place. (The shell already carries the title: there is no head for the
/// client to manage.)
#[component]
pub fn ClientRenderedPage() -> impl IntoView {
    let path = window().location().pathname().unwrap_or_default();
    let page = list_page_at(Strategy::Csr.path(), &path);
    // A local resource, read directly: nothing here is ever server-rendered,
    // so the page needs no `<Suspense>` and the bundle carries none.
    let posts = LocalResource::new(move || async move {
        let posts = match page {
            Some(number) => list_posts_page(number).await,
            None => Ok(None),
        };
        (posts, clock::now_rfc3339())
    });
    // `EitherOf4` rather than `into_any()`: an `AnyView` links in the code to
    // hydrate each of its views, which this page, never hydrated, can't use.
    let content = move || match posts.get() {
        None => EitherOf4::A(view! {
            <p class="loading">"Fetching the posts…"</p>
            <PostListPlaceholder/>
        }),
        Some((Ok(Some(PostsPage { posts, number, count })), arrived_at)) => {
            EitherOf4::B(view! {
                <p class="data-arrived" data-fetched-at=arrived_at.clone()>
                    "Data arrived in the browser at "
                    <time datetime=arrived_at.clone()>{clock::display(&arrived_at)}</time>
                </p>
                <TagFilter><PostList posts/></TagFilter>
                <Pagination base=Strategy::Csr.path() number count/>
            })
        }
        // The server answers 404 for a page past the last; this is a page that
        // the posts no longer fill since the shell was sent.
        Some((Ok(None), _)) => EitherOf4::C(view! { <p class="error">"There is no such page of posts."</p> }),
        Some((Err(error), _)) => EitherOf4::D(view! { <p class="error">"Posts are unavailable: " {error.to_string()}</p> }),
    };
    view! {
        <StrategyIntro strategy=Strategy::Csr/>
        {content}
    }
}
