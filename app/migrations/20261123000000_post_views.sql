-- One row per view of a post page, recorded by the hydrated client.
-- Portable SQL: the same migration runs on SQLite and on PostgreSQL.
-- (`IF NOT EXISTS`: databases made by the first, SQLite-only version of this
-- migration already have the table, with an extra `id` column nothing reads.)
CREATE TABLE IF NOT EXISTS post_views (
    slug      TEXT   NOT NULL,
    viewed_at BIGINT NOT NULL -- unix seconds, UTC
);

-- Leaderboards read a time range and group by slug.
CREATE INDEX IF NOT EXISTS post_views_by_time ON post_views (viewed_at, slug);
