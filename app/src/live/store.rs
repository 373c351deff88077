//! `ViewStore`: view counts in SQLite (the default: one file, no server) or in
//! PostgreSQL (shared by several instances), chosen by the URL's scheme. The
//! same queries and migrations run on both, through sqlx's `Any` driver.
// @demo-file: the view counts

use super::{
    migrations,
    writer::{self, PendingView},
};
use sqlx::{
    any::AnyPoolOptions,
    AnyPool,
    Executor,
};
use std::{
    os::unix::fs::MetadataExt,
    path::PathBuf,
    sync::{Arc, Mutex, PoisonError, RwLock},
    time::Duration,
};
use tokio::sync::{mpsc, oneshot};

/// Waiting this long for a lock is better than failing a hole at once; waiting
/// longer would hold the whole response.
const BUSY_TIMEOUT: Duration = Duration::from_millis(500);
/// How long a query may wait for a pool connection (all busy, or the database unreachable).
const ACQUIRE_TIMEOUT: Duration = Duration::from_secs(2);
/// Views are counted per post per hour: `hour` is unix seconds / this.
pub const SECONDS_PER_COUNT: i64 = 3600;

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
    /// The write of a batch of views, this one among them, failed.
    #[error("{0}")]
    Batch(Arc<StoreError>),
    #[error("the view writer has stopped")]
    WriterGone,
}

/// View counts, read by the holes and written by one task (`writer`), so the
/// server's own writes never wait on each other for the database's lock.
#[derive(Clone)]
pub struct ViewStore {
    database: Arc<Database>,
    writes: mpsc::Sender<PendingView>,
}

/// The pool, and the SQLite file under it when that is the store.
pub(super) struct Database {
    pool: RwLock<AnyPool>,
    file: Option<DatabaseFile>,
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

    fn opened(&self) -> std::sync::MutexGuard<'_, Option<FileIdentity>> {
        self.opened.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn moved(&self) -> bool {
        *self.opened() != self.identity()
    }
}

impl ViewStore {
    /// Opens the database at `url`, runs the migrations, and proves it can
    /// write, so a read-only file fails at start, naming it, instead of at the
    /// first view. `sqlite://path` is created if missing; `postgres://…` must
    /// exist. Starts the task that writes the views.
    pub async fn open(url: &str) -> Result<ViewStore, StoreError> {
        let pool = connect(url).await?;
        let file = sqlite_path(url).map(|path| {
            let file = DatabaseFile { url: url.to_string(), path: path.into(), opened: Mutex::new(None), reopening: Default::default() };
            *file.opened() = file.identity();
            file
        });
        let database = Arc::new(Database { pool: RwLock::new(pool), file });
        let writes = writer::start(database.clone());
        Ok(ViewStore { database, writes })
    }

    /// Counts one view of `slug` in the hour of `at_unix`, once the writer
    /// has committed it.
    pub async fn record_view(&self, slug: &str, at_unix: i64) -> Result<(), StoreError> {
        let (done, written) = oneshot::channel();
        let view = PendingView { slug: slug.to_string(), hour: at_unix.div_euclid(SECONDS_PER_COUNT), done };
        self.writes.send(view).await.map_err(|_| StoreError::WriterGone)?;
        written.await.map_err(|_| StoreError::WriterGone)?
    }

    /// The most viewed slugs since the hour of `since_unix`, most views first,
    /// ties by slug. It reads one row per post per hour, whatever the history holds.
    pub async fn most_viewed(&self, since_unix: i64, limit: u32) -> Result<Vec<(String, u64)>, StoreError> {
        // PostgreSQL's SUM of a BIGINT is a NUMERIC, which sqlx's `Any` cannot read.
        let rows: Vec<(String, i64)> = sqlx::query_as(
            "SELECT slug, CAST(SUM(views) AS BIGINT) AS total FROM post_view_counts WHERE hour >= $1 \
             GROUP BY slug ORDER BY total DESC, slug LIMIT $2",
        )
        .bind(since_unix.div_euclid(SECONDS_PER_COUNT))
        .bind(i64::from(limit))
        .fetch_all(&self.database.pool().await?)
        .await?;
        Ok(rows.into_iter().map(|(slug, views)| (slug, views as u64)).collect())
    }
}

impl Database {
    /// The pool, on the file that is at the database's path now: if that file
    /// was deleted or replaced since it was opened, it is opened again first
    /// (created and migrated if missing), and the change is logged.
    pub(super) async fn pool(&self) -> Result<AnyPool, StoreError> {
        if let Some(file) = self.file.as_ref().filter(|file| file.moved()) {
            let _one_at_a_time = file.reopening.lock().await;
            if file.moved() {
                tracing::warn!(path = %file.path.display(), "the database file was deleted or replaced while the server ran: opening the one there now");
                let pool = connect(&file.url).await?;
                *file.opened() = file.identity();
                *self.pool.write().unwrap_or_else(PoisonError::into_inner) = pool;
            }
        }
        Ok(self.pool.read().unwrap_or_else(PoisonError::into_inner).clone())
    }
}

/// The file of a `sqlite://path?options` URL.
fn sqlite_path(url: &str) -> Option<&str> {
    url.strip_prefix("sqlite://").map(|file| file.split_once('?').map_or(file, |(path, _)| path))
}

/// A pool on the database at `url`, migrated, and proven writable.
async fn connect(url: &str) -> Result<AnyPool, StoreError> {
    sqlx::any::install_default_drivers();
    let sqlite_file = sqlite_path(url);
    let path = sqlite_file.map_or_else(|| without_password(url), str::to_string);
    let open_error = |source| StoreError::Open { path: path.clone(), source };
    let url = match sqlite_file {
        Some(file) => {
            if let Some(dir) = PathBuf::from(file).parent().filter(|dir| !dir.as_os_str().is_empty()) {
                std::fs::create_dir_all(dir)
                    .map_err(|source| StoreError::CreateDir { path: dir.to_path_buf(), source })?;
            }
            with_create_mode(url)
        }
        None => url.to_string(),
    };
    let pool = AnyPoolOptions::new()
        .max_connections(8)
        // A hole shows its error state rather than hold the page: without
        // this, a broken database made a hole wait 30 s for a connection.
        .acquire_timeout(ACQUIRE_TIMEOUT)
        // A local file needs no liveness ping before each query; a server does.
        .test_before_acquire(sqlite_file.is_none())
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
    let mut migrations = migrations::migrator().await.map_err(|source| StoreError::Migrate { path: path.clone(), source })?;
    // A database made before the migration became portable lists the old
    // one's version; the new one (`IF NOT EXISTS`) accepts its table.
    migrations.set_ignore_missing(true);
    migrations.run(&pool).await.map_err(|source| StoreError::Migrate { path: path.clone(), source })?;
    sqlx::query("DELETE FROM post_view_counts WHERE hour = -1")
        .execute(&pool)
        .await
        .map_err(|source| StoreError::NotWritable { path: path.clone(), source })?;
    Ok(pool)
}

/// A SQLite URL that creates its file if missing, unless it sets its own mode.
fn with_create_mode(url: &str) -> String {
    let options = url.split_once('?').map_or("", |(_, options)| options);
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
        for (slug, at) in [("a", 3700), ("b", 3700), ("b", 7000), ("c", 10)] {
            store.record_view(slug, at).await.unwrap();
        }
        let since_the_second_hour = store.most_viewed(3650, 5).await.unwrap();
        assert_eq!(since_the_second_hour, [("b".to_string(), 2), ("a".to_string(), 1)], "counted from the hour's start");
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

    #[tokio::test]
    async fn views_are_kept_as_one_count_per_post_per_hour_however_many_there_are() {
        let (url, dir) = temp_db();
        let store = ViewStore::open(&url).await.unwrap();
        let mut writes = tokio::task::JoinSet::new();
        for n in 0..3000 {
            let store = store.clone();
            writes.spawn(async move { store.record_view(["a", "b", "c"][n % 3], 7200 + (n as i64 % 3600)).await });
        }
        let written = writes.join_all().await;
        assert!(written.iter().all(Result::is_ok), "no view refused, 3000 at once");
        let pool = store.database.pool().await.unwrap();
        let (rows,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM post_view_counts").fetch_one(&pool).await.unwrap();
        assert_eq!(rows, 3, "one row per post for the hour");
        let ranked = store.most_viewed(7200, 5).await.unwrap();
        assert_eq!(ranked, [("a".to_string(), 1000), ("b".to_string(), 1000), ("c".to_string(), 1000)]);
        assert!(store.most_viewed(10_800, 5).await.unwrap().is_empty(), "none in the next hour");
        std::fs::remove_dir_all(dir).unwrap();
    }

    #[tokio::test]
    async fn a_database_with_one_row_per_view_keeps_its_views_as_counts() {
        use sqlx::Connection;
        let (url, dir) = temp_db();
        std::fs::create_dir_all(dir.join("nested")).unwrap();
        // The table of the first version, before any migration ran.
        let mut old = sqlx::SqliteConnection::connect(&with_create_mode(&url)).await.unwrap();
        sqlx::raw_sql(
            "CREATE TABLE post_views (slug TEXT NOT NULL, viewed_at BIGINT NOT NULL); \
             INSERT INTO post_views VALUES ('a', 3600), ('a', 3700), ('b', 3601), ('a', 7200);",
        )
        .execute(&mut old)
        .await
        .unwrap();
        old.close().await.unwrap();
        let store = ViewStore::open(&url).await.unwrap();
        assert_eq!(store.most_viewed(0, 5).await.unwrap(), [("a".to_string(), 3), ("b".to_string(), 1)]);
        assert_eq!(store.most_viewed(7200, 5).await.unwrap(), [("a".to_string(), 1)], "each in its own hour");
        std::fs::remove_dir_all(dir).unwrap();
    }

    #[test]
    fn messages_never_show_a_database_password() {
        assert_eq!(without_password("postgres://blog:s3cret@127.0.0.1:5432/blog"), "postgres://blog@127.0.0.1:5432/blog");
        assert_eq!(without_password("postgres://127.0.0.1/blog"), "postgres://127.0.0.1/blog");
    }

    #[test]
    fn a_sqlite_file_is_created_unless_the_url_sets_its_own_mode() {
        assert_eq!(with_create_mode("sqlite://views.db"), "sqlite://views.db?mode=rwc");
        assert_eq!(with_create_mode("sqlite://views.db?cache=shared"), "sqlite://views.db?cache=shared&mode=rwc");
        assert_eq!(with_create_mode("sqlite://views.db?mode=ro"), "sqlite://views.db?mode=ro");
    }

    #[tokio::test]
    async fn an_unusable_path_is_an_error_naming_it() {
        let error = ViewStore::open("sqlite:///dev/null/blog.db").await.err().expect("cannot open").to_string();
        assert!(error.contains("/dev/null"), "{error}");
    }
}
