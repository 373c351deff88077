//! Live data: post views, recorded by the hydrated client and ranked at request
//! time. It feeds the holes of `/stream` (and of `/ppr`): the data a page can't
//! know at build time. Server-only.

mod store;

pub use store::{StoreError, ViewStore};
use std::time::Duration;

/// What the holes' server functions read: the store, and the latency the demo
/// adds so that streaming can be seen (`DEMO_LATENCY_MS`).
#[derive(Clone)]
pub struct LiveData {
    pub views: ViewStore,
    pub latency: Duration,
}
