mod bundle_loader;
mod generated_at;
mod hole;
mod inspector;
mod live_holes;
mod nav;
mod page_meta;
mod pagination;
mod post_list;

pub use bundle_loader::BundleLoader;
pub use generated_at::GeneratedAt;
pub use inspector::Inspector;
pub use hole::{hole, hole_error, Hole, HoleFilling, Holes, HOLES};
pub use live_holes::LiveHoles;
pub use nav::Nav;
pub use page_meta::{PageKind, PageMeta};
pub use pagination::Pagination;
pub use post_list::{PostList, PostListPlaceholder, TagChips, TagFilter, TagFilterIsland};
