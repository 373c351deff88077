//! One page per file. Pages don't know how they are served: the route decides
//! the strategy, the server decides when the render runs.

mod client_rendered; // @demo
mod compare; // @demo
mod home;
mod post;
mod post_index;
mod strategy_list; // @demo
mod tag;

pub use client_rendered::ClientRenderedPage; // @demo
pub use compare::ComparePage; // @demo
pub use home::HomePage;
pub use post::PostPage;
pub use post_index::PostIndexPage;
pub use strategy_list::{StrategyIntro, StrategyListPage}; // @demo
pub use tag::TagPage;
