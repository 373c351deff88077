mod generated_at;
mod nav;
mod post_list;

pub use generated_at::GeneratedAt;
pub use nav::Nav;
pub use post_list::PostList;
