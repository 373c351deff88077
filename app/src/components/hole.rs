//! Holes: the parts of a page whose data is read per request, each with its own
//! skeleton and its own stamp. Streaming SSR streams a hole as a `<Suspense>`
//! of the page's render would (`AwaitedView`); PPR writes only its slot
//! into the prerendered shell, and the server fills the slot after the shell,
//! by the hole's id, from `components::HOLES`. A hole is server HTML: it never
//! hydrates.

use super::awaited::AwaitedView;
use leptos::prelude::*;
use std::{future::Future, pin::Pin};

/// One hole: its id, its heading, and how to render its content now.
pub struct Hole {
    /// Its slot's `data-ppr-hole` and its section's `data-hole` (see `is_hole_id`).
    pub id: &'static str,
    pub title: &'static str,
    /// Reads the hole's data and renders it; a failure renders the failure.
    pub content: fn() -> Pin<Box<dyn Future<Output = AnyView> + Send>>,
}

/// Whether `id` can be a hole's id: a slug (letters, digits, `-` and `_`),
/// which the server can find in a shell's `data-ppr-hole="…"` without taking
/// any other text for a slot.
pub fn is_hole_id(id: &[u8]) -> bool {
    !id.is_empty() && id.iter().all(|&byte| byte.is_ascii_alphanumeric() || byte == b'-' || byte == b'_')
}

/// How the holes get their content.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum HoleFilling {
    /// Each hole streams as a `<Suspense>` of this render would: out-of-order
    /// streaming sends its content when its data is ready.
    Streamed,
    /// The render writes skeletons only; the server fills each hole after the
    /// prerendered shell, in the same response (PPR).
    AfterShell,
}

/// `holes`, each in its own section with its heading and its skeleton.
#[component]
pub fn Holes(holes: &'static [&'static Hole], filling: HoleFilling, label: &'static str) -> impl IntoView {
    let sections = holes
        .iter()
        .map(|&hole| {
            let body = match filling {
                HoleFilling::Streamed => view! { <StreamedHole hole/> }.into_any(),
                HoleFilling::AfterShell => view! { <HoleSlot id=hole.id/> }.into_any(),
            };
            view! {
                <section class="hole" data-hole=hole.id>
                    <h2>{hole.title}</h2>
                    {body}
                </section>
            }
        })
        .collect_view();
    view! { <aside class="holes" aria-label=label>{sections}</aside> }
}

/// Its data is loaded by the render's own future, not by a `Resource`: a hole
/// is server HTML that never hydrates, so there is nothing to serialise, and a
/// resource's loader would be a task of its own, woken across threads. For the
/// same reason it is not a `<Suspense>`, though it streams as one does: see
/// `AwaitedView`.
#[component]
fn StreamedHole(hole: &'static Hole) -> impl IntoView {
    let skeleton = view! { <HoleSkeleton/> }.into_any();
    view! { <div class="hole-body">{AwaitedView { fallback: skeleton, content: (hole.content)() }}</div> }
}

/// PPR's hole container: a skeleton until the server's fill script replaces
/// its contents. Nothing in the browser ever puts the skeleton back.
#[component]
fn HoleSlot(id: &'static str) -> impl IntoView {
    view! {
        <div class="hole-slot hole-body" data-ppr-hole=id>
            <HoleSkeleton/>
        </div>
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

/// What a hole shows when its data failed or did not come in time.
pub fn hole_error(id: &'static str, message: String) -> AnyView {
    view! { <p class="hole-error" data-hole-error=id>"Unavailable: " {message}</p> }.into_any()
}
