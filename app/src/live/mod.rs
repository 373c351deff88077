//! Live data: post views, recorded by the hydrated client and ranked at request
//! time. It feeds the holes of `/stream` (and of `/ppr`): the data a page can't
//! know at build time. Server-only.

mod snapshots;
mod store;

use snapshots::Snapshots;
pub use snapshots::{Ranking, SNAPSHOT_AGE};
pub use store::{StoreError, ViewStore};
use std::time::Duration;

/// What the holes' server functions read: the store, the rankings read from it
/// lately, and the latency the demo adds so that streaming can be seen
/// (`DEMO_LATENCY_MS`). The store is reached only through the methods below,
/// so every view recorded here clears the rankings.
#[derive(Clone)]
pub struct LiveData {
    views: ViewStore,
    pub latency: Duration,
    rankings: Snapshots,
}

impl LiveData {
    pub fn new(views: ViewStore, latency: Duration) -> LiveData {
        LiveData { views, latency, rankings: Snapshots::new(SNAPSHOT_AGE) }
    }

    /// The most viewed slugs of the last `period`, as read at most `SNAPSHOT_AGE` ago.
    pub async fn most_viewed(&self, period: time::Duration, limit: u32) -> Result<Ranking, StoreError> {
        self.rankings.most_viewed(&self.views, period, limit).await
    }

    /// Records a view; the next ranking this process serves is read anew, so it counts.
    pub async fn record_view(&self, slug: &str, at_unix: i64) -> Result<(), StoreError> {
        self.views.record_view(slug, at_unix).await?;
        self.rankings.clear();
        Ok(())
    }
}
