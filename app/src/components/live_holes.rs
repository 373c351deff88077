//! The demo's two holes: the posts most viewed today and this week, read per
//! request from the view counts (`crate::live`). Streaming SSR and PPR show
//! them on their post lists.
// @demo-file: the live holes

use super::{hole_error, GeneratedAt, Hole, HoleFilling, Holes};
use crate::{
    api::{most_viewed_today, trending_this_week},
    post::Leaderboard,
};
use leptos::prelude::*;
use leptos::server_fn::error::ServerFnError;

/// "Most viewed today" comes first on the page but is the slower one, so the
/// holes finish in another order than the page's.
pub const MOST_VIEWED_TODAY: Hole = Hole {
    id: "most-viewed-today",
    title: "Most viewed today",
    content: || Box::pin(async { leaderboard("most-viewed-today", most_viewed_today().await) }),
};

pub const TRENDING: Hole = Hole {
    id: "trending",
    title: "Trending this week",
    content: || Box::pin(async { leaderboard("trending", trending_this_week().await) }),
};

/// Both holes, in page order.
pub const LIVE_HOLES: &[&Hole] = &[&MOST_VIEWED_TODAY, &TRENDING];

#[component]
pub fn LiveHoles(filling: HoleFilling) -> impl IntoView {
    view! { <Holes holes=LIVE_HOLES filling label="Live data"/> }
}

fn leaderboard(id: &'static str, board: Result<Leaderboard, ServerFnError>) -> AnyView {
    match board {
        Ok(board) => view! { <LeaderboardList id board/> }.into_any(),
        Err(error) => hole_error(id, error.to_string()),
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
                        <a href=crate::post::post_path(&entry.slug) rel="external">{entry.title}</a>
                        " " <span class="views">{entry.views} " views"</span>
                    </li>
                }
            })
            .collect_view();
        view! { <ol class="leaderboard">{items}</ol> }.into_any()
    };
    let read_at = format!("Views counted at {}", crate::clock::display(&board.read_at));
    view! {
        <div class="hole-content" data-hole-ready=id data-read-at=board.read_at title=read_at>
            {entries}
            <GeneratedAt at=board.generated_at label="This hole's HTML generated at"/>
        </div>
    }
}
