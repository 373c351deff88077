use crate::{api::list_posts, clock, components::PostList, pages::post_index::StrategyIntro, strategy::Strategy};
use leptos::prelude::*;
use leptos_meta::Title;

/// `/csr`: the server never renders this page, it sends an empty shell. The
/// browser calls `GET /api/posts` and builds the same `PostList` itself.
#[component]
pub fn ClientRenderedPage() -> impl IntoView {
    let posts = LocalResource::new(|| async { (list_posts().await, clock::now_rfc3339()) });
    view! {
        <Title text=format!("{} · The blog", Strategy::Csr.name())/>
        <StrategyIntro strategy=Strategy::Csr/>
        <Suspense fallback=|| view! { <p class="loading">"Fetching /api/posts…"</p> }>
            {move || Suspend::new(async move {
                match posts.await {
                    (Ok(posts), arrived_at) => view! {
                        <p class="data-arrived" data-fetched-at=arrived_at.clone()>
                            "Data arrived in the browser at "
                            <time datetime=arrived_at.clone()>{clock::display(&arrived_at)}</time>
                        </p>
                        <PostList posts/>
                    }.into_any(),
                    (Err(error), _) => view! { <p class="error">"Posts are unavailable: " {error.to_string()}</p> }.into_any(),
                }
            })}
        </Suspense>
    }
}
