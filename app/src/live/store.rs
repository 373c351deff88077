//! `ViewStore`: view counts in SQLite (sqlx), created by migrations on first start.

use sqlx::{
    sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions},
    SqlitePool,
};
use std::{path::PathBuf, str::FromStr, time::Duration};

/// Waiting this long for a lock is better than failing a hole at once; waiting
/// longer would hold the whole response.
const BUSY_TIMEOUT: Duration = Duration::from_millis(500);

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("cannot open the database {path}: {source}")]
    Open { path: String, source: sqlx::Error },
    #[error("cannot create the database directory {}: {source}", .path.display())]
    CreateDir { path: PathBuf, source: std::io::Error },
    #[error("cannot migrate the database {path}: {source}")]
    Migrate { path: String, source: sqlx::migrate::MigrateError },
    #[error("the database {path} is not writable: {source}")]
    NotWritable { path: String, source: sqlx::Error },
    #[error("database query failed: {0}")]
    Query(#[from] sqlx::Error),
}

#[derive(Clone)]
pub struct ViewStore {
    pool: SqlitePool,
}

impl ViewStore {
    /// Opens (creating if needed) the database at `url` (`sqlite://path`), runs
    /// the migrations, and proves it can write, so a read-only file fails at
    /// start, naming its path, instead of at the first view.
    pub async fn open(url: &str) -> Result<ViewStore, StoreError> {
        let path = url.strip_prefix("sqlite://").unwrap_or(url).to_string();
        let open_error = |source| StoreError::Open { path: path.clone(), source };
        if let Some(dir) = PathBuf::from(&path).parent().filter(|dir| !dir.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(|source| StoreError::CreateDir { path: dir.to_path_buf(), source })?;
        }
        let options = SqliteConnectOptions::from_str(url)
            .map_err(open_error)?
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .busy_timeout(BUSY_TIMEOUT);
        let pool = SqlitePoolOptions::new()
            .max_connections(8)
            // A local file needs no liveness ping before each query.
            .test_before_acquire(false)
            .connect_with(options)
            .await
            .map_err(open_error)?;
        sqlx::migrate!("./migrations")
            .run(&pool)
            .await
            .map_err(|source| StoreError::Migrate { path: path.clone(), source })?;
        sqlx::query("DELETE FROM post_views WHERE id = -1")
            .execute(&pool)
            .await
            .map_err(|source| StoreError::NotWritable { path: path.clone(), source })?;
        Ok(ViewStore { pool })
    }

    pub async fn record_view(&self, slug: &str, at_unix: i64) -> Result<(), StoreError> {
        sqlx::query("INSERT INTO post_views (slug, viewed_at) VALUES (?, ?)")
            .bind(slug)
            .bind(at_unix)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// The most viewed slugs since `since_unix`, most views first, ties by slug.
    pub async fn most_viewed(&self, since_unix: i64, limit: u32) -> Result<Vec<(String, u64)>, StoreError> {
        let rows: Vec<(String, i64)> = sqlx::query_as(
            "SELECT slug, COUNT(*) AS views FROM post_views WHERE viewed_at >= ? \
             GROUP BY slug ORDER BY views DESC, slug LIMIT ?",
        )
        .bind(since_unix)
        .bind(limit)
        .fetch_all(&self.pool)
        .await?;
        Ok(rows.into_iter().map(|(slug, views)| (slug, views as u64)).collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn temp_db() -> (String, PathBuf) {
        let dir = std::env::temp_dir().join(format!("view-store-{}-{:?}", std::process::id(), std::thread::current().id()));
        let _ = std::fs::remove_dir_all(&dir);
        (format!("sqlite://{}/nested/views.db", dir.display()), dir)
    }

    #[tokio::test]
    async fn views_are_counted_ranked_and_kept_across_reopen() {
        let (url, dir) = temp_db();
        let store = ViewStore::open(&url).await.unwrap();
        for (slug, at) in [("a", 100), ("b", 100), ("b", 101), ("c", 10)] {
            store.record_view(slug, at).await.unwrap();
        }
        assert_eq!(store.most_viewed(50, 5).await.unwrap(), [("b".to_string(), 2), ("a".to_string(), 1)]);
        drop(store);
        let reopened = ViewStore::open(&url).await.unwrap();
        assert_eq!(reopened.most_viewed(0, 1).await.unwrap(), [("b".to_string(), 2)]);
        std::fs::remove_dir_all(dir).unwrap();
    }

    #[tokio::test]
    async fn an_unusable_path_is_an_error_naming_it() {
        let error = ViewStore::open("sqlite:///dev/null/blog.db").await.err().expect("cannot open").to_string();
        assert!(error.contains("/dev/null"), "{error}");
    }
}
