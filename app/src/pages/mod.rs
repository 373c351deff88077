//! One page per file. Pages don't know how they are served: the route decides
//! the strategy, the server decides when the render runs.

mod client_rendered;
mod compare;
mod home;
mod not_found;
mod post;
mod post_index;
mod strategy_list;
mod strategy_map;
mod tag;

pub use client_rendered::ClientRenderedPage;
pub use compare::ComparePage;
pub use home::HomePage;
pub use not_found::NotFoundPage;
pub use post::PostPage;
pub use post_index::{PostIndexPage, PostListing};
pub use strategy_list::{StrategyIntro, StrategyListPage};
pub use strategy_map::StrategyMap;
pub use tag::TagPage;
