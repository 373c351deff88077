mod awaited;
mod bundle_loader;
mod generated_at; // @demo
mod hole;
mod inspector; // @demo
mod live_holes; // @demo
mod nav;
mod not_found;
mod page_meta;
mod pagination;
mod post_list;
mod post_listing;
mod strategy_map; // @demo

pub use awaited::awaited;
pub use bundle_loader::BundleLoader;
pub use generated_at::GeneratedAt; // @demo
pub use inspector::Inspector; // @demo
pub use hole::{hole_error, is_hole_id, Hole, HoleFilling, Holes};
pub use live_holes::LiveHoles; // @demo
pub use nav::Nav;
pub use not_found::NotFoundPage;
pub use page_meta::{PageKind, PageMeta};
pub use pagination::Pagination;
pub use post_list::{PostList, TagChips, TagFilter, TagFilterIsland};
pub use post_list::PostListPlaceholder; // @demo
pub use post_listing::{list_page_number, PostListing};
pub use strategy_map::StrategyMap; // @demo

/// Every hole that a PPR shell may have a slot for: the server fills a slot
/// with the hole of its id from here. A page's new hole is a line here.
pub const HOLES: &[&Hole] = live_holes::LIVE_HOLES; // @demo
// @minimal: pub const HOLES: &[&Hole] = &[];

/// The hole whose slot says `id`.
pub fn hole(id: &str) -> Option<&'static Hole> {
    HOLES.iter().copied().find(|hole| hole.id == id)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_hole_has_a_slug_of_its_own_for_an_id() {
        for (at, hole) in HOLES.iter().enumerate() {
            assert!(is_hole_id(hole.id.as_bytes()), "{:?} is no slug: the server would not find its slot", hole.id);
            assert!(HOLES[..at].iter().all(|other| other.id != hole.id), "two holes are {:?}", hole.id);
            assert_eq!(super::hole(hole.id).map(|found| found.id), Some(hole.id));
        }
        assert!(super::hole("no-such-hole").is_none());
    }
}
