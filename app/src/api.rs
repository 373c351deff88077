//! The server functions: the only way the component tree reaches data.
//! During SSR they run in-process; in the browser they are plain HTTP calls,
//! so `list_posts` *is* the public JSON API at `GET /api/posts`.

use crate::post::{Post, PostSummary};
use leptos::prelude::*;
use leptos::server_fn::codec::GetUrl;

/// Every post, newest first, without bodies.
#[server(prefix = "/api", endpoint = "posts", input = GetUrl)]
pub async fn list_posts() -> Result<Vec<PostSummary>, ServerFnError> {
    Ok(posts()?.summaries())
}

/// One whole post, or `None` for an unknown slug.
#[server(prefix = "/api", endpoint = "post", input = GetUrl)]
pub async fn get_post(slug: String) -> Result<Option<Post>, ServerFnError> {
    Ok(posts()?.get(&slug).cloned())
}

#[cfg(feature = "ssr")]
fn posts() -> Result<std::sync::Arc<crate::content::PostIndex>, ServerFnError> {
    use_context::<crate::content::PostStore>()
        .map(|store| store.index())
        .ok_or_else(|| ServerFnError::new("the post store was not provided to the render"))
}
