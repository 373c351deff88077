//! The holes' rankings, each read from the database at most once per
//! `SNAPSHOT_AGE`. Under load, every request in that window shares one query per
//! ranking instead of making its own: a query is a round trip to sqlx's SQLite
//! worker thread, and two of them cost `/ppr` most of its time. Each ranking keeps
//! the time it was read, which its hole states, so the data stays honest about
//! its age.
// @demo-file: the view counts

use super::{StoreError, ViewStore};
use std::{
    collections::HashMap,
    sync::{Arc, Mutex, PoisonError},
    time::{Duration, Instant},
};

/// Long enough to share a query among the requests of a busy moment, short
/// enough that a reload always shows fresh counts.
pub const SNAPSHOT_AGE: Duration = Duration::from_millis(250);

/// One ranking, as read at `read_at`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Ranking {
    /// RFC 3339, UTC.
    pub read_at: String,
    /// Slugs and their views, most viewed first.
    pub ranked: Arc<Vec<(String, u64)>>,
}

#[derive(Clone)]
pub struct Snapshots {
    age: Duration,
    /// Keyed by the period's length in seconds and the ranking's size.
    taken: Arc<Mutex<HashMap<(i64, u32), (Instant, Ranking)>>>,
}

impl Snapshots {
    pub fn new(age: Duration) -> Snapshots {
        Snapshots { age, taken: Arc::default() }
    }

    pub async fn most_viewed(&self, views: &ViewStore, period: time::Duration, limit: u32) -> Result<Ranking, StoreError> {
        let key = (period.whole_seconds(), limit);
        if let Some((taken, ranking)) = self.lock().get(&key) {
            if taken.elapsed() < self.age {
                return Ok(ranking.clone());
            }
        }
        let now = time::OffsetDateTime::now_utc();
        let ranked = views.most_viewed((now - period).unix_timestamp(), limit).await?;
        let ranking = Ranking { read_at: crate::clock::rfc3339(now), ranked: Arc::new(ranked) };
        if !self.age.is_zero() {
            self.lock().insert(key, (Instant::now(), ranking.clone()));
        }
        Ok(ranking)
    }

    /// Forgets every ranking: the next read of each goes to the database.
    pub fn clear(&self) {
        self.lock().clear();
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<(i64, u32), (Instant, Ranking)>> {
        self.taken.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::live::{Admission, ClientAddress, LiveData};

    async fn store(name: &str) -> (ViewStore, std::path::PathBuf) {
        let dir = std::env::temp_dir().join(format!("snapshots-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        (ViewStore::open(&format!("sqlite://{}/views.db", dir.display())).await.unwrap(), dir)
    }

    fn now() -> i64 {
        time::OffsetDateTime::now_utc().unix_timestamp()
    }

    #[tokio::test]
    async fn reads_within_the_window_share_one_ranking_and_a_recorded_view_ends_it() {
        let (views, dir) = store("window").await;
        let live = LiveData { rankings: Snapshots::new(Duration::from_secs(3600)), ..LiveData::new(views.clone(), Duration::ZERO, 0) };
        let day = time::Duration::days(1);
        let first = live.most_viewed(day, 5).await.unwrap();
        assert!(first.ranked.is_empty());

        // Another instance (or process) records a view: within the window, this one
        // still serves what it read, with the time it read it.
        views.record_view("a", now()).await.unwrap();
        assert_eq!(live.most_viewed(day, 5).await.unwrap(), first, "the snapshot, read_at and all");
        assert!(live.most_viewed(time::Duration::days(7), 5).await.unwrap().ranked.len() == 1, "each period has its own");

        // A view recorded through this process is counted at once.
        let reader = ClientAddress("203.0.113.7".parse().unwrap());
        assert_eq!(live.record_view("b", reader).await.unwrap(), Admission::Count);
        let after = live.most_viewed(day, 5).await.unwrap();
        assert_eq!(*after.ranked, [("a".to_string(), 1), ("b".to_string(), 1)]);
        std::fs::remove_dir_all(dir).unwrap();
    }

    #[tokio::test]
    async fn with_no_window_every_read_goes_to_the_database() {
        let (views, dir) = store("none").await;
        let rankings = Snapshots::new(Duration::ZERO);
        let day = time::Duration::days(1);
        assert!(rankings.most_viewed(&views, day, 5).await.unwrap().ranked.is_empty());
        views.record_view("a", now()).await.unwrap();
        assert_eq!(rankings.most_viewed(&views, day, 5).await.unwrap().ranked.len(), 1);
        std::fs::remove_dir_all(dir).unwrap();
    }
}
