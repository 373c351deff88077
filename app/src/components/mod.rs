mod generated_at;
mod live_holes;
mod nav;
mod post_list;

pub use generated_at::GeneratedAt;
pub use live_holes::LiveHoles;
pub use nav::Nav;
pub use post_list::PostList;
