-- One row per view of a post page, recorded by the hydrated client.
CREATE TABLE post_views (
    id        INTEGER PRIMARY KEY,
    slug      TEXT    NOT NULL,
    viewed_at INTEGER NOT NULL -- unix seconds, UTC
);

-- Leaderboards read a time range and group by slug.
CREATE INDEX post_views_by_time ON post_views (viewed_at, slug);
