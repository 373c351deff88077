//! Live data: post views, recorded by the hydrated client and ranked at request
//! time. It feeds the holes of `/stream` (and of `/ppr`): the data a page can't
//! know at build time. Server-only.
// @demo-file: the view counts

mod gate;
mod migrations;
mod snapshots;
mod store;
mod writer;

use gate::ViewGate;
pub use gate::Admission;
use snapshots::Snapshots;
pub use snapshots::{Ranking, SNAPSHOT_AGE};
pub use store::{StoreError, ViewStore};
use std::{net::IpAddr, sync::Arc, time::Duration};

/// The address of the client that sent a request: its peer's, or, behind a
/// trusted proxy, the one that proxy forwarded. The server puts it in each
/// server function's request.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ClientAddress(pub IpAddr);

/// What the holes' server functions read: the store, the rankings read from it
/// lately, and the latency the demo adds so that streaming can be seen
/// (`DEMO_LATENCY_MS`). The store is reached only through the methods below,
/// so every view recorded here clears the rankings, and passes the gate.
#[derive(Clone)]
pub struct LiveData {
    views: ViewStore,
    pub latency: Duration,
    rankings: Snapshots,
    gate: Arc<ViewGate>,
}

impl LiveData {
    /// `views_per_minute` per client address, at most; 0 for no limit.
    pub fn new(views: ViewStore, latency: Duration, views_per_minute: u32) -> LiveData {
        LiveData { views, latency, rankings: Snapshots::new(SNAPSHOT_AGE), gate: Arc::new(ViewGate::new(views_per_minute)) }
    }

    /// The most viewed slugs of the last `period`, as read at most `SNAPSHOT_AGE` ago.
    pub async fn most_viewed(&self, period: time::Duration, limit: u32) -> Result<Ranking, StoreError> {
        self.rankings.most_viewed(&self.views, period, limit).await
    }

    /// Records a view from `client` if the gate counts it; the next ranking
    /// this process serves is then read anew, so it counts.
    pub async fn record_view(&self, slug: &str, client: ClientAddress) -> Result<Admission, StoreError> {
        let admission = self.gate.admit(client.0, slug, std::time::Instant::now());
        if admission == Admission::Count {
            let now = time::OffsetDateTime::now_utc().unix_timestamp();
            if let Err(error) = self.views.record_view(slug, now).await {
                self.gate.forget(client.0, slug);
                return Err(error);
            }
            self.rankings.clear();
        }
        Ok(admission)
    }
}
