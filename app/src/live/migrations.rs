//! The database's migrations, compiled into the binary. Listed here rather than
//! found by `sqlx::migrate!`: that macro needs sqlx's `macros` feature, which
//! compiles sqlx, both its drivers and SQLite's C source a second time, for the
//! compiler, in every cold build. A test checks that this list and the
//! `migrations/` folder agree, so a new file there cannot be forgotten here.
// @demo-file: the view counts

use sqlx::{
    error::BoxDynError,
    migrate::{Migration, MigrationSource, MigrationType, Migrator},
};
use std::{borrow::Cow, future::Future, pin::Pin};

/// Each migration: its version and its description, as its file name spells
/// them (`<version>_<description>.sql`), and its SQL.
const MIGRATIONS: &[(i64, &str, &str)] = &[
    (20261123000000, "post_views", include_str!("../../migrations/20261123000000_post_views.sql")),
    (20261204000000, "view_counts", include_str!("../../migrations/20261204000000_view_counts.sql")),
];

/// The migrations, as sqlx runs them.
pub async fn migrator() -> Result<Migrator, sqlx::migrate::MigrateError> {
    Migrator::new(Embedded).await
}

#[derive(Debug)]
struct Embedded;

impl MigrationSource<'static> for Embedded {
    fn resolve(self) -> Pin<Box<dyn Future<Output = Result<Vec<Migration>, BoxDynError>> + Send>> {
        let migrations = MIGRATIONS
            .iter()
            .map(|&(version, description, sql)| {
                // As `sqlx::migrate!` would: the description with spaces, and
                // `-- no-transaction` at the top opting out of a transaction.
                let description = Cow::Owned(description.replace('_', " "));
                Migration::new(version, description, MigrationType::Simple, Cow::Borrowed(sql), sql.starts_with("-- no-transaction"))
            })
            .collect();
        Box::pin(async move { Ok(migrations) })
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn every_file_in_the_migrations_folder_is_listed_and_nothing_else() {
        let folder = concat!(env!("CARGO_MANIFEST_DIR"), "/migrations");
        let mut on_disk: Vec<String> = std::fs::read_dir(folder)
            .unwrap()
            .map(|entry| entry.unwrap().file_name().into_string().unwrap())
            .collect();
        on_disk.sort();
        let listed: Vec<String> =
            super::MIGRATIONS.iter().map(|(version, description, _)| format!("{version}_{description}.sql")).collect();
        assert_eq!(listed, on_disk, "app/src/live/migrations.rs must list every file of {folder}, in order");
    }
}
