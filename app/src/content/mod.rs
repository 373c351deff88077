//! The blog's Markdown posts: parsed once, kept in memory, refreshed when files change.
//! Server-only: the browser receives posts through the API, never from disk.

mod highlight;
mod parse;
mod store;

pub use parse::{parse, ContentError};
pub use store::{Drafts, PostIndex, PostStore};
