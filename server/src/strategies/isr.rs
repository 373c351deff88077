//! ISR: SSG with a staleness clock. The page lives in the site root like an SSG
//! page; `IsrCache` decides whether to serve it as is, or serve it and
//! regenerate it in the background (see `crate::isr_cache` for the rules).
//! `POST /api/revalidate` regenerates a page now, by path or by tag.

use crate::{
    error::AppError,
    isr_cache::{CacheStatus, Render, RenderedPage},
    render,
    response::{finish, html, Caching, ServerTiming},
    routes::{every_page, serves},
    security::InlineScripts,
    state::AppState,
    strategies::ssg,
};
use app::{
    post::{all_tags, page_number},
    Strategy,
};
use axum::{
    body::{Body, Bytes},
    extract::State,
    http::{header, HeaderMap, HeaderValue, StatusCode, Uri},
    response::Response,
    Json,
};
use serde::Deserialize;
use std::{sync::Arc, time::Instant};

pub static X_ISR_CACHE: header::HeaderName = header::HeaderName::from_static("x-isr-cache");

pub async fn page(State(state): State<AppState>, uri: Uri, request: HeaderMap) -> Result<Response<Body>, AppError> {
    let started = Instant::now();
    let key = uri.path();
    // Only the pages the table names are rendered and kept: `/isr/page/999`
    // must not fill the cache.
    if !serves(&state.posts.index(), Strategy::Isr, key) {
        return Ok(ssg::not_found_page(&state, &request).await);
    }
    let (page, status) = state
        .isr
        .get(key, renderer(&state, key))
        .await
        .map_err(|error| AppError::Internal(error.to_string()))?;
    // A miss rendered the page now; any other answer read it from disk.
    let phase = if status == CacheStatus::Miss { "render" } else { "file" };
    let timing = ServerTiming::default().with(phase, started.elapsed()).with_description("cache", status.as_str());
    let policy = InlineScripts::of_page(&page).content_security_policy();
    let mut response = finish(html(page), Strategy::Isr, timing, Caching::Isr(state.isr.window()), policy);
    response.headers_mut().insert(X_ISR_CACHE.clone(), HeaderValue::from_static(status.as_str()));
    Ok(response)
}

/// Renders the page at `key` through the shared render path. Its tags are those
/// of the posts it lists, the ones on its page of the list.
fn renderer(state: &AppState, key: &str) -> Render {
    let state = state.clone();
    let key = key.to_string();
    Arc::new(move || {
        let (state, key) = (state.clone(), key.clone());
        Box::pin(async move {
            let uri: Uri = key.parse().map_err(|e| format!("{key} is not a URI: {e}"))?;
            let number = key.rsplit_once("/page/").and_then(|(_, number)| page_number(number)).unwrap_or(1);
            let tags = state.posts.index().page(number).map(|page| all_tags(&page.posts)).unwrap_or_default();
            let html = render::document_bytes(&state, Strategy::Isr, &uri, StatusCode::OK).await?;
            Ok(RenderedPage { html, tags })
        })
    })
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RevalidateRequest {
    path: Option<String>,
    tag: Option<String>,
}

/// `POST /api/revalidate` with `Authorization: Bearer $REVALIDATE_TOKEN` and
/// `{"path": "/isr"}` or `{"tag": "rust"}`: regenerates now, and answers once the
/// new pages are on disk. The route's body limit answers 413 above 4 KiB.
pub async fn revalidate(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Json<serde_json::Value>, AppError> {
    let Some(token) = state.config.revalidate_token.as_deref() else {
        return Err(AppError::Forbidden("on-demand revalidation is off: REVALIDATE_TOKEN is not set"));
    };
    if !bearer_matches(&headers, token) {
        return Err(AppError::Unauthorized);
    }
    let request: RevalidateRequest = serde_json::from_slice(&body)
        .map_err(|e| AppError::BadRequest(format!("expected {{\"path\": \"/isr\"}} or {{\"tag\": \"rust\"}}: {e}")))?;
    // What a revalidation renders is never older than the files are now: the
    // refresher may not have seen an edit made a moment before this request.
    let posts = state.posts.clone();
    tokio::task::spawn_blocking(move || posts.refresh()).await.map_err(|error| AppError::Internal(error.to_string()))?;
    let index = state.posts.index();
    let keys = match (request.path, request.tag) {
        (Some(path), None) if serves(&index, Strategy::Isr, &path) => vec![path],
        (Some(_), None) => return Err(AppError::NotFound),
        (None, Some(tag)) => {
            let pages: Vec<String> =
                every_page(index.posts()).into_iter().filter(|(_, strategy, _)| *strategy == Strategy::Isr).map(|(path, ..)| path).collect();
            let pages: Vec<&str> = pages.iter().map(String::as_str).collect();
            state.isr.keys_tagged(&tag, &pages).await.map_err(|error| AppError::Internal(error.to_string()))?
        }
        _ => return Err(AppError::BadRequest("give exactly one of `path` and `tag`".into())),
    };
    for key in &keys {
        state
            .isr
            .regenerate(key, &renderer(&state, key))
            .await
            .map_err(|error| AppError::Internal(format!("revalidating {key}: {error}")))?;
        tracing::info!(path = %key, "revalidated on demand");
    }
    Ok(Json(serde_json::json!({ "regenerated": keys })))
}

/// Compares the bearer token in constant time, so its bytes can't be guessed by timing.
fn bearer_matches(headers: &HeaderMap, token: &str) -> bool {
    let Some(given) = headers
        .get(header::AUTHORIZATION)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.strip_prefix("Bearer "))
    else {
        return false;
    };
    let (given, token) = (given.as_bytes(), token.as_bytes());
    given.len() == token.len() && given.iter().zip(token).fold(0u8, |diff, (a, b)| diff | (a ^ b)) == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(value: &str) -> HeaderMap {
        let mut headers = HeaderMap::new();
        headers.insert(header::AUTHORIZATION, value.parse().unwrap());
        headers
    }

    #[test]
    fn only_the_exact_bearer_token_matches() {
        assert!(bearer_matches(&headers("Bearer s3cret"), "s3cret"));
        assert!(!bearer_matches(&headers("Bearer s3cre"), "s3cret"));
        assert!(!bearer_matches(&headers("Bearer s3cretX"), "s3cret"));
        assert!(!bearer_matches(&headers("Basic s3cret"), "s3cret"));
        assert!(!bearer_matches(&HeaderMap::new(), "s3cret"));
    }
}
