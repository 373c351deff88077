//! The one task that writes views. Each request used to write its own view
//! through the pool, and the pool's eight connections then waited on each
//! other for SQLite's write lock: at 200 concurrent writers, 5 views in 10,000
//! were refused with "database is locked" though nothing else used the
//! database. Here every view waiting when a write starts goes into it: one
//! transaction that adds each (hour, post) count once. Under load, batches
//! grow instead of writers queueing for the lock.
// @demo-file: the view counts

use super::store::{Database, StoreError};
use std::{collections::BTreeMap, sync::Arc};
use tokio::sync::{mpsc, oneshot};

/// Views waiting to be written, at most; past it, a request waits for room.
const QUEUE: usize = 4096;
/// Views in one transaction, at most.
const BATCH: usize = 1024;

const ADD_VIEWS: &str = "INSERT INTO post_view_counts (hour, slug, views) VALUES ($1, $2, $3) \
    ON CONFLICT (hour, slug) DO UPDATE SET views = post_view_counts.views + excluded.views";

pub(super) struct PendingView {
    pub slug: String,
    pub hour: i64,
    /// Told once the view is committed, or why it could not be.
    pub done: oneshot::Sender<Result<(), StoreError>>,
}

/// Starts the writer; it stops once every sender is dropped.
pub(super) fn start(database: Arc<Database>) -> mpsc::Sender<PendingView> {
    let (sender, pending) = mpsc::channel(QUEUE);
    tokio::spawn(write_views(database, pending));
    sender
}

async fn write_views(database: Arc<Database>, mut pending: mpsc::Receiver<PendingView>) {
    let mut batch = Vec::with_capacity(BATCH);
    while pending.recv_many(&mut batch, BATCH).await > 0 {
        let written = write(&database, &batch).await.map_err(Arc::new);
        for view in batch.drain(..) {
            _ = view.done.send(written.clone().map_err(StoreError::Batch));
        }
    }
}

async fn write(database: &Database, batch: &[PendingView]) -> Result<(), StoreError> {
    let mut counts: BTreeMap<(i64, &str), i64> = BTreeMap::new();
    for view in batch {
        *counts.entry((view.hour, &view.slug)).or_default() += 1;
    }
    let pool = database.pool().await?;
    let mut transaction = pool.begin().await?;
    for ((hour, slug), views) in counts {
        sqlx::query(ADD_VIEWS).bind(hour).bind(slug).bind(views).execute(&mut *transaction).await?;
    }
    transaction.commit().await?;
    Ok(())
}
