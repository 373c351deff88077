use crate::{
    api::{most_viewed_today, trending_this_week},
    components::GeneratedAt,
    post::Leaderboard,
};
use leptos::prelude::*;
use leptos::server_fn::error::ServerFnError;

/// One of the page's dynamic holes: request-time data the build can't know.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum HoleKind {
    MostViewedToday,
    Trending,
}

impl HoleKind {
    /// In page order. "Most viewed today" comes first but is the slower one,
    /// so completion order differs from page order.
    pub const ALL: [HoleKind; 2] = [HoleKind::MostViewedToday, HoleKind::Trending];

    pub fn id(self) -> &'static str {
        match self {
            HoleKind::MostViewedToday => "most-viewed-today",
            HoleKind::Trending => "trending",
        }
    }

    fn title(self) -> &'static str {
        match self {
            HoleKind::MostViewedToday => "Most viewed today",
            HoleKind::Trending => "Trending this week",
        }
    }

    async fn load(self) -> Result<Leaderboard, ServerFnError> {
        match self {
            HoleKind::MostViewedToday => most_viewed_today().await,
            HoleKind::Trending => trending_this_week().await,
        }
    }
}

/// How the holes get their content.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum HoleFilling {
    /// Each hole is a `<Suspense>` of this render: out-of-order streaming sends
    /// its content when its data is ready.
    Streamed,
    /// The render writes skeletons only; the server fills each hole after the
    /// prerendered shell, in the same response (PPR).
    AfterShell,
}

/// The page's live holes, each with its own skeleton and its own stamp.
#[component]
pub fn LiveHoles(filling: HoleFilling) -> impl IntoView {
    let holes = HoleKind::ALL
        .into_iter()
        .map(|kind| {
            let slot = match filling {
                HoleFilling::Streamed => view! { <StreamedHole kind/> }.into_any(),
                HoleFilling::AfterShell => view! { <HoleSlot kind/> }.into_any(),
            };
            view! {
                <section class="hole" data-hole=kind.id()>
                    <h2>{kind.title()}</h2>
                    {slot}
                </section>
            }
        })
        .collect_view();
    view! { <aside class="live-holes" aria-label="Live data">{holes}</aside> }
}

/// Its data is loaded by the render's own future, not by a `Resource`: a hole
/// is server HTML that never hydrates, so there is nothing to serialise, and a
/// resource's loader would be a task of its own, woken across threads.
#[component]
fn StreamedHole(kind: HoleKind) -> impl IntoView {
    view! {
        <div class="hole-body">
            <Suspense fallback=|| view! { <HoleSkeleton/> }>
                {move || Suspend::new(async move { hole_content(kind, kind.load().await) })}
            </Suspense>
        </div>
    }
}

/// PPR's hole container: a skeleton until the server's fill script replaces
/// its contents. Holes are server HTML, never hydrated, so nothing in the
/// browser ever puts the skeleton back.
#[component]
fn HoleSlot(kind: HoleKind) -> impl IntoView {
    view! {
        <div class="hole-slot hole-body" data-ppr-hole=kind.id()>
            <HoleSkeleton/>
        </div>
    }
}

/// The HTML of one hole's content, rendered on its own: what PPR sends after the shell.
#[cfg(feature = "ssr")]
pub async fn render_hole(kind: HoleKind) -> String {
    hole_content(kind, kind.load().await).to_html()
}

/// The HTML of a hole that failed or ran out of time.
#[cfg(feature = "ssr")]
pub fn render_hole_error(kind: HoleKind, message: &str) -> String {
    hole_content(kind, Err(ServerFnError::new(message))).to_html()
}

fn hole_content(kind: HoleKind, board: Result<Leaderboard, ServerFnError>) -> AnyView {
    match board {
        Ok(board) => view! { <LeaderboardList id=kind.id() board/> }.into_any(),
        Err(error) => view! {
            <p class="hole-error" data-hole-error=kind.id()>"Unavailable: " {error.to_string()}</p>
        }
        .into_any(),
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
