mod bundle_loader;
mod generated_at;
mod inspector;
mod live_holes;
mod nav;
mod page_meta;
mod pagination;
mod post_list;

pub use bundle_loader::BundleLoader;
pub use generated_at::GeneratedAt;
pub use inspector::Inspector;
pub use live_holes::{HoleFilling, HoleKind, LiveHoles};
#[cfg(feature = "ssr")]
pub use live_holes::{render_hole, render_hole_error};
pub use nav::Nav;
pub use page_meta::{PageKind, PageMeta};
pub use pagination::Pagination;
pub use post_list::{PostList, PostListPlaceholder, TagChips, TagFilter, TagFilterIsland};
