//! `ViewStore`: view counts in SQLite (the default: one file, no server) or in
//! PostgreSQL (shared by several instances), chosen by the URL's scheme. The
//! same queries and migrations run on both, through sqlx's `Any` driver.

use sqlx::{
    any::AnyPoolOptions,
    AnyPool,
    migrate::Migrator,
    Executor,
};
use std::{
    os::unix::fs::MetadataExt,
    path::PathBuf,
    sync::{Arc, Mutex, RwLock},
    time::Duration,
};

/// Waiting this long for a lock is better than failing a hole at once; waiting
/// longer would hold the whole response.
const BUSY_TIMEOUT: Duration = Duration::from_millis(500);
/// How long a query may wait for a pool connection (all busy, or the database unreachable).
const ACQUIRE_TIMEOUT: Duration = Duration::from_secs(2);

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
    pool: Arc<RwLock<AnyPool>>,
    /// The SQLite file, when that is the store.
    file: Option<Arc<DatabaseFile>>,
}

/// A SQLite file, and which file it was when the pool opened it. Deleted or
/// replaced while the server runs, the pool would go on writing to the old,
/// unlinked file, and every view since would be lost at the next start.
struct DatabaseFile {
    url: String,
    path: PathBuf,
    opened: Mutex<Option<FileIdentity>>,
    reopening: tokio::sync::Mutex<()>,
}

/// Device and inode: what stays the same for one file whatever its path.
type FileIdentity = (u64, u64);

impl DatabaseFile {
    fn identity(&self) -> Option<FileIdentity> {
        std::fs::metadata(&self.path).ok().map(|metadata| (metadata.dev(), metadata.ino()))
    }

    fn moved(&self) -> bool {
        *self.opened.lock().unwrap_or_else(|poisoned| poisoned.into_inner()) != self.identity()
    }
}

impl ViewStore {
    /// Opens the database at `url`, runs the migrations, and proves it can
    /// write, so a read-only file fails at start, naming it, instead of at the
    /// first view. `sqlite://path` is created if missing; `postgres://…` must exist.
    pub async fn open(url: &str) -> Result<ViewStore, StoreError> {
        let pool = connect(url).await?;
        let file = url.strip_prefix("sqlite://").map(|file| {
            let path = PathBuf::from(file.split_once('?').map_or(file, |(path, _)| path));
            let file = DatabaseFile { url: url.to_string(), path, opened: Mutex::new(None), reopening: Default::default() };
            *file.opened.lock().unwrap_or_else(|poisoned| poisoned.into_inner()) = file.identity();
            Arc::new(file)
        });
        Ok(ViewStore { pool: Arc::new(RwLock::new(pool)), file })
    }

    /// The pool, on the file that is at the database's path now: if that file
    /// was deleted or replaced since it was opened, it is opened again first
    /// (created and migrated if missing), and the change is logged.
    async fn pool(&self) -> Result<AnyPool, StoreError> {
        if let Some(file) = self.file.as_ref().filter(|file| file.moved()) {
            let _one_at_a_time = file.reopening.lock().await;
            if file.moved() {
                tracing::warn!(path = %file.path.display(), "the database file was deleted or replaced while the server ran: opening the one there now");
                let pool = connect(&file.url).await?;
                *file.opened.lock().unwrap_or_else(|poisoned| poisoned.into_inner()) = file.identity();
                *self.pool.write().unwrap_or_else(|poisoned| poisoned.into_inner()) = pool;
            }
        }
        Ok(self.pool.read().unwrap_or_else(|poisoned| poisoned.into_inner()).clone())
    }

    pub async fn record_view(&self, slug: &str, at_unix: i64) -> Result<(), StoreError> {
        sqlx::query("INSERT INTO post_views (slug, viewed_at) VALUES ($1, $2)")
            .bind(slug)
            .bind(at_unix)
            .execute(&self.pool().await?)
            .await?;
        Ok(())
    }

    /// The most viewed slugs since `since_unix`, most views first, ties by slug.
    pub async fn most_viewed(&self, since_unix: i64, limit: u32) -> Result<Vec<(String, u64)>, StoreError> {
        let rows: Vec<(String, i64)> = sqlx::query_as(
            "SELECT slug, COUNT(*) AS views FROM post_views WHERE viewed_at >= $1 \
             GROUP BY slug ORDER BY views DESC, slug LIMIT $2",
        )
        .bind(since_unix)
        .bind(i64::from(limit))
        .fetch_all(&self.pool().await?)
        .await?;
        Ok(rows.into_iter().map(|(slug, views)| (slug, views as u64)).collect())
    }
}

/// A pool on the database at `url`, migrated, and proven writable.
async fn connect(url: &str) -> Result<AnyPool, StoreError> {
    sqlx::any::install_default_drivers();
    let sqlite_path = url.strip_prefix("sqlite://");
    let path = sqlite_path.map_or_else(|| without_password(url), str::to_string);
    let open_error = |source| StoreError::Open { path: path.clone(), source };
    let url = match sqlite_path {
        Some(file) => {
            let (file, options) = file.split_once('?').unwrap_or((file, ""));
            if let Some(dir) = PathBuf::from(file).parent().filter(|dir| !dir.as_os_str().is_empty()) {
                std::fs::create_dir_all(dir)
                    .map_err(|source| StoreError::CreateDir { path: dir.to_path_buf(), source })?;
            }
            with_create_mode(url, options)
        }
        None => url.to_string(),
    };
    let pool = AnyPoolOptions::new()
        .max_connections(8)
        // A hole shows its error state rather than hold the page: without
        // this, a broken database made a hole wait 30 s for a connection.
        .acquire_timeout(ACQUIRE_TIMEOUT)
        // A local file needs no liveness ping before each query; a server does.
        .test_before_acquire(sqlite_path.is_none())
        .after_connect(|connection, _| {
            Box::pin(async move {
                if connection.backend_name() == "SQLite" {
                    connection.execute("PRAGMA journal_mode = WAL").await?;
                    connection.execute(format!("PRAGMA busy_timeout = {}", BUSY_TIMEOUT.as_millis()).as_str()).await?;
                }
                Ok(())
            })
        })
        .connect(&url)
        .await
        .map_err(open_error)?;
    let mut migrations: Migrator = sqlx::migrate!("./migrations");
    // A database made before the migration became portable lists the old
    // one's version; the new one (`IF NOT EXISTS`) accepts its table.
    migrations.set_ignore_missing(true);
    migrations.run(&pool).await.map_err(|source| StoreError::Migrate { path: path.clone(), source })?;
    sqlx::query("DELETE FROM post_views WHERE viewed_at = -1")
        .execute(&pool)
        .await
        .map_err(|source| StoreError::NotWritable { path: path.clone(), source })?;
    Ok(pool)
}

/// A SQLite URL that creates its file if missing, unless it sets its own mode.
fn with_create_mode(url: &str, options: &str) -> String {
    if options.split('&').any(|option| option.starts_with("mode=")) {
        url.to_string()
    } else if options.is_empty() {
        format!("{}?mode=rwc", url.trim_end_matches('?'))
    } else {
        format!("{url}&mode=rwc")
    }
}

/// `postgres://user:secret@host/db` as `postgres://user@host/db`, for messages.
fn without_password(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme_end), Some(at)) if at > scheme_end => {
            let user = &url[scheme_end + 3..at];
            let user = user.split_once(':').map_or(user, |(name, _)| name);
            format!("{}{user}{}", &url[..scheme_end + 3], &url[at..])
        }
        _ => url.to_string(),
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
    async fn a_database_file_deleted_while_running_is_made_again_and_keeps_the_views_since() {
        let (url, dir) = temp_db();
        let store = ViewStore::open(&url).await.unwrap();
        store.record_view("before", 100).await.unwrap();
        let file = dir.join("nested/views.db");
        for suffix in ["", "-wal", "-shm"] {
            let _ = std::fs::remove_file(format!("{}{suffix}", file.display()));
        }
        store.record_view("after", 100).await.unwrap();
        assert!(file.is_file(), "the file is there again");
        assert_eq!(store.most_viewed(0, 5).await.unwrap(), [("after".to_string(), 1)]);
        drop(store);
        let restarted = ViewStore::open(&url).await.unwrap();
        assert_eq!(restarted.most_viewed(0, 5).await.unwrap(), [("after".to_string(), 1)], "kept across a restart");
        std::fs::remove_dir_all(dir).unwrap();
    }

    #[test]
    fn messages_never_show_a_database_password() {
        assert_eq!(without_password("postgres://blog:s3cret@127.0.0.1:5432/blog"), "postgres://blog@127.0.0.1:5432/blog");
        assert_eq!(without_password("postgres://127.0.0.1/blog"), "postgres://127.0.0.1/blog");
    }

    #[test]
    fn a_sqlite_file_is_created_unless_the_url_sets_its_own_mode() {
        assert_eq!(with_create_mode("sqlite://views.db", ""), "sqlite://views.db?mode=rwc");
        assert_eq!(with_create_mode("sqlite://views.db?cache=shared", "cache=shared"), "sqlite://views.db?cache=shared&mode=rwc");
        assert_eq!(with_create_mode("sqlite://views.db?mode=ro", "mode=ro"), "sqlite://views.db?mode=ro");
    }

    #[tokio::test]
    async fn an_unusable_path_is_an_error_naming_it() {
        let error = ViewStore::open("sqlite:///dev/null/blog.db").await.err().expect("cannot open").to_string();
        assert!(error.contains("/dev/null"), "{error}");
    }
}
