use crate::{
    api::{most_viewed_today, trending_this_week},
    components::GeneratedAt,
    post::Leaderboard,
};
use leptos::prelude::*;
use leptos::server_fn::error::ServerFnError;

/// The page's dynamic holes: request-time data, each in its own `<Suspense>`,
/// so each streams in as soon as its own data is ready. "Most viewed today" is
/// first on the page but the slower of the two: they arrive in completion order.
#[component]
pub fn LiveHoles() -> impl IntoView {
    let today = Resource::new(|| (), |_| most_viewed_today());
    let week = Resource::new(|| (), |_| trending_this_week());
    view! {
        <aside class="live-holes" aria-label="Live data">
            <Hole id="most-viewed-today" title="Most viewed today" board=today/>
            <Hole id="trending" title="Trending this week" board=week/>
        </aside>
    }
}

#[component]
fn Hole(
    id: &'static str,
    title: &'static str,
    board: Resource<Result<Leaderboard, ServerFnError>>,
) -> impl IntoView {
    view! {
        <section class="hole" data-hole=id>
            <h2>{title}</h2>
            <Suspense fallback=|| view! { <HoleSkeleton/> }>
                {move || Suspend::new(async move {
                    match board.await {
                        Ok(board) => view! { <LeaderboardList id board/> }.into_any(),
                        Err(error) => view! {
                            <p class="hole-error" data-hole-error=id>"Unavailable: " {error.to_string()}</p>
                        }.into_any(),
                    }
                })}
            </Suspense>
        </section>
    }
}

#[component]
fn HoleSkeleton() -> impl IntoView {
    view! {
        <div class="hole-skeleton" data-hole-skeleton="" aria-busy="true" aria-label="Loading">
            <span></span><span></span><span></span>
        </div>
    }
}

#[component]
fn LeaderboardList(id: &'static str, board: Leaderboard) -> impl IntoView {
    let entries = if board.entries.is_empty() {
        view! { <p class="hole-empty">"No views yet. Open a post, then reload."</p> }.into_any()
    } else {
        let items = board
            .entries
            .into_iter()
            .map(|entry| {
                view! {
                    <li data-leaderboard-slug=entry.slug.clone()>
                        <a href=format!("/posts/{}", entry.slug) rel="external">{entry.title}</a>
                        " " <span class="views">{entry.views} " views"</span>
                    </li>
                }
            })
            .collect_view();
        view! { <ol class="leaderboard">{items}</ol> }.into_any()
    };
    view! {
        <div class="hole-content" data-hole-ready=id>
            {entries}
            <GeneratedAt at=board.generated_at label="This hole's HTML generated at"/>
        </div>
    }
}
