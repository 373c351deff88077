//! The server functions: the only way the component tree reaches data.
//! During SSR they run in-process; in the browser they are plain HTTP calls,
//! so `list_posts` *is* the public JSON API at `GET /api/posts`.

use crate::post::{Post, PostSummary, PostsPage};
use crate::post::Leaderboard; // @demo
use leptos::prelude::*;
use leptos::server_fn::codec::GetUrl;

/// Every post, newest first, without bodies.
#[server(prefix = "/api", endpoint = "posts", input = GetUrl)]
pub async fn list_posts() -> Result<Vec<PostSummary>, ServerFnError> {
    DataTime::measure(async { Ok(posts()?.summaries()) }).await
}

/// One page of the list (`POSTS_PER_PAGE` posts, newest first), or `None`
/// past the last page: what the list pages render.
#[server(prefix = "/api", endpoint = "posts/page", input = GetUrl)]
pub async fn list_posts_page(number: usize) -> Result<Option<PostsPage>, ServerFnError> {
    DataTime::measure(async { Ok(posts()?.page(number)) }).await
}

/// One whole post, or `None` for an unknown slug.
#[server(prefix = "/api", endpoint = "post", input = GetUrl)]
pub async fn get_post(slug: String) -> Result<Option<Post>, ServerFnError> {
    DataTime::measure(async { Ok(posts()?.get(&slug).cloned()) }).await
}

// @demo-begin
/// Records one view of a post page; the hydrated page calls it once, so
/// prerendered pages count too. `true` if it counted: one client address
/// counts once per post per `VIEW_WINDOW`. Past its rate, a client gets 429.
#[server(prefix = "/api", endpoint = "views")]
pub async fn record_view(slug: String) -> Result<bool, ServerFnError> {
    use crate::live::{Admission, ClientAddress};
    let response = use_context::<leptos_axum::ResponseOptions>();
    if posts()?.get(&slug).is_none() {
        if let Some(response) = response {
            response.set_status(http::StatusCode::NOT_FOUND);
        }
        return Err(ServerFnError::new(format!("no post has the slug {slug:?}")));
    }
    let client = use_context::<http::request::Parts>()
        .and_then(|parts| parts.extensions.get::<ClientAddress>().copied())
        .ok_or_else(|| ServerFnError::new("the client's address was not provided to the server function"))?;
    let admission = live()?.record_view(&slug, client).await.map_err(|error| {
        crate::repeated_errors::log_error("view not recorded", |held_back| {
            tracing::error!(%error, %slug, held_back, "view not recorded");
        });
        ServerFnError::new("the view could not be recorded")
    })?;
    match admission {
        Admission::Count => Ok(true),
        Admission::Repeat => Ok(false),
        Admission::TooMany { retry_after } => {
            let seconds = retry_after.as_secs_f64().ceil().max(1.0) as u64;
            if let Some(response) = response {
                response.set_status(http::StatusCode::TOO_MANY_REQUESTS);
                response.insert_header(http::header::RETRY_AFTER, http::HeaderValue::from(seconds));
            }
            Err(ServerFnError::new(format!("too many views from this address: retry in {seconds} s")))
        }
    }
}

/// The posts most viewed in the last 7 days. Slow on purpose: `DEMO_LATENCY_MS`.
#[server(prefix = "/api", endpoint = "trending", input = GetUrl)]
pub async fn trending_this_week() -> Result<Leaderboard, ServerFnError> {
    DataTime::measure(leaderboard(time::Duration::days(7), 1)).await
}

/// The posts most viewed in the last 24 hours. Twice as slow as trending, so the
/// two holes finish at different times.
#[server(prefix = "/api", endpoint = "most-viewed-today", input = GetUrl)]
pub async fn most_viewed_today() -> Result<Leaderboard, ServerFnError> {
    DataTime::measure(leaderboard(time::Duration::days(1), 2)).await
}
// @demo-end

/// The time a render spent waiting for data, summed over its loads: the
/// `data` phase of `Server-Timing`. The server provides one per render.
#[cfg(feature = "ssr")]
#[derive(Clone, Debug, Default)]
pub struct DataTime(std::sync::Arc<std::sync::atomic::AtomicU64>);

#[cfg(feature = "ssr")]
impl DataTime {
    /// Runs `load`, adding its duration to the render's `DataTime` if there is one.
    async fn measure<T>(load: impl std::future::Future<Output = T>) -> T {
        let data_time = use_context::<DataTime>();
        let started = std::time::Instant::now();
        let value = load.await;
        if let Some(DataTime(total)) = data_time {
            let micros = u64::try_from(started.elapsed().as_micros()).unwrap_or(u64::MAX);
            total.fetch_add(micros, std::sync::atomic::Ordering::Relaxed);
        }
        value
    }

    pub fn total(&self) -> std::time::Duration {
        std::time::Duration::from_micros(self.0.load(std::sync::atomic::Ordering::Relaxed))
    }
}

// @demo-begin
#[cfg(feature = "ssr")]
const LEADERBOARD_SIZE: u32 = 5;

#[cfg(feature = "ssr")]
async fn leaderboard(period: time::Duration, latency_factor: u32) -> Result<Leaderboard, ServerFnError> {
    let live = live()?;
    if !live.latency.is_zero() {
        tokio::time::sleep(live.latency * latency_factor).await;
    }
    let ranking = live.most_viewed(period, LEADERBOARD_SIZE).await.map_err(|error| {
        crate::repeated_errors::log_error("leaderboard unavailable", |held_back| {
            tracing::error!(%error, held_back, "leaderboard unavailable");
        });
        ServerFnError::new("view counts are unavailable right now")
    })?;
    let index = posts()?;
    let entries = ranking
        .ranked
        .iter()
        .filter_map(|(slug, views)| {
            let title = index.get(slug)?.summary.title.clone();
            Some(crate::post::LeaderboardEntry { slug: slug.clone(), title, views: *views })
        })
        .collect();
    Ok(Leaderboard { generated_at: crate::clock::now_rfc3339(), read_at: ranking.read_at, entries })
}

#[cfg(feature = "ssr")]
fn live() -> Result<crate::live::LiveData, ServerFnError> {
    use_context::<crate::live::LiveData>().ok_or_else(|| ServerFnError::new("live data was not provided to the render"))
}
// @demo-end

#[cfg(feature = "ssr")]
fn posts() -> Result<std::sync::Arc<crate::content::PostIndex>, ServerFnError> {
    use_context::<crate::content::PostStore>()
        .map(|store| store.index())
        .ok_or_else(|| ServerFnError::new("the post store was not provided to the render"))
}
