//! `RedisPages`: ISR pages in Redis, shared by every instance behind the load
//! balancer (`ISR_CACHE_URL=redis://…`).
//!
//! - A page is one hash, `isr:page:<path>`: its bytes, generation time and tags,
//!   written by one `HSET` (in a script that keeps a newer page), so no
//!   instance reads half of a page, or an older one after a newer.
//! - The regeneration lock is `SET isr:lock:<path> <token> NX PX <ttl>`: one
//!   holder across all instances, and a crashed holder's lock expires by itself.
//!   Release deletes the key only if it still holds our token.
//! - Every page is also written to this instance's site root, and so is every
//!   newer page read from Redis (once per version). While Redis is
//!   unreachable the instance serves and regenerates from there, logs the outage
//!   once per `LOG_EVERY`, tries Redis again every `RETRY_EVERY`, and goes back
//!   to it by itself.
//! - A page Redis has never seen is read from the site root: the build's
//!   prerendered page, the same on every instance. So is a page this instance
//!   wrote during an outage, if it is newer than the one Redis kept.

use super::{DiskPages, IsrError, PageStore, RegenerationLock, StoredPage};
use bytes::Bytes;
use futures::future::BoxFuture;
use redis::{aio::ConnectionManager, aio::ConnectionManagerConfig, AsyncCommands, RedisError};
use std::{
    collections::HashMap,
    path::PathBuf,
    sync::{Arc, Mutex},
    time::{Duration, Instant, UNIX_EPOCH},
};

const RETRY_EVERY: Duration = Duration::from_secs(1);
const LOG_EVERY: Duration = Duration::from_secs(10);
/// Redis on the same network answers in well under a millisecond; a page must
/// not wait long for one that is gone.
const TIMEOUT: Duration = Duration::from_millis(500);

/// One `HSET` of the whole page, unless Redis holds a page as new or newer: a
/// slow render that finishes last loses to a later one, on every instance.
const WRITE_UNLESS_NEWER: &str = "local held = redis.call('HGET', KEYS[1], 'generated_at') \
if held and tonumber(held) >= tonumber(ARGV[1]) then return 0 end \
redis.call('HSET', KEYS[1], 'generated_at', ARGV[1], 'html', ARGV[2], 'tags', ARGV[3]) return 1";

const RELEASE: &str = "if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) else return 0 end";

pub struct RedisPages {
    client: redis::Client,
    /// Connected on first use, so a server can start while Redis is down.
    connection: tokio::sync::Mutex<Option<ConnectionManager>>,
    outage: Mutex<Option<Outage>>,
    local: Arc<DiskPages>,
}

struct Outage {
    since: Instant,
    logged_at: Instant,
    retry_at: Instant,
}

impl RedisPages {
    /// Checks the URL only; the connection is made on first use.
    pub fn new(url: &str, site_root: PathBuf) -> Result<RedisPages, RedisError> {
        Ok(RedisPages {
            client: redis::Client::open(url)?,
            connection: tokio::sync::Mutex::default(),
            outage: Mutex::default(),
            local: Arc::new(DiskPages::new(site_root)),
        })
    }

    /// A connection, unless Redis failed less than `RETRY_EVERY` ago.
    async fn connection(&self) -> Option<ConnectionManager> {
        if self.waiting_to_retry() {
            return None;
        }
        let mut connection = self.connection.lock().await;
        if let Some(connection) = connection.as_ref() {
            return Some(connection.clone());
        }
        // Requests queued behind a failed attempt must not each try again.
        if self.waiting_to_retry() {
            return None;
        }
        let config = ConnectionManagerConfig::new()
            .set_connection_timeout(TIMEOUT)
            .set_response_timeout(TIMEOUT)
            .set_number_of_retries(1);
        match ConnectionManager::new_with_config(self.client.clone(), config).await {
            Ok(connected) => Some(connection.insert(connected).clone()),
            Err(error) => {
                self.failed(&error);
                None
            }
        }
    }

    fn waiting_to_retry(&self) -> bool {
        self.outage.lock().unwrap_or_else(|p| p.into_inner()).as_ref().is_some_and(|o| Instant::now() < o.retry_at)
    }

    fn failed(&self, error: &RedisError) {
        let now = Instant::now();
        let mut outage = self.outage.lock().unwrap_or_else(|p| p.into_inner());
        match outage.as_mut() {
            None => {
                tracing::error!(%error, "Redis is unreachable: serving ISR pages from this instance's site root");
                *outage = Some(Outage { since: now, logged_at: now, retry_at: now + RETRY_EVERY });
            }
            Some(outage) => {
                if now.duration_since(outage.logged_at) >= LOG_EVERY {
                    tracing::error!(%error, down_for = ?now.duration_since(outage.since), "Redis is still unreachable");
                    outage.logged_at = now;
                }
                outage.retry_at = now + RETRY_EVERY;
            }
        }
    }

    fn answered(&self) {
        if let Some(outage) = self.outage.lock().unwrap_or_else(|p| p.into_inner()).take() {
            tracing::info!(down_for = ?outage.since.elapsed(), "Redis is back: ISR pages are shared again");
        }
    }

    /// Runs `command` on Redis; `None` (and the outage noted) if it can't.
    async fn on_redis<T, F>(&self, command: impl FnOnce(ConnectionManager) -> F) -> Option<T>
    where
        F: std::future::Future<Output = Result<T, RedisError>>,
    {
        let connection = self.connection().await?;
        match command(connection).await {
            Ok(value) => {
                self.answered();
                Some(value)
            }
            Err(error) => {
                self.failed(&error);
                None
            }
        }
    }

    /// Copies a page another instance made into this site root, in the
    /// background, so that an outage serves it rather than an older one. Once
    /// copied, the file has the page's generation time, so it is copied once;
    /// copies that race are skipped by `write_page`, which keeps the newest.
    fn mirror(&self, key: &str, page: &StoredPage) {
        let (local, key, page) = (Arc::clone(&self.local), key.to_string(), page.clone());
        tokio::spawn(async move {
            if let Err(error) = local.write_page(&key, page).await {
                tracing::warn!(path = %key, %error, "could not copy the shared page into the site root");
            }
        });
    }
}

fn page_key(key: &str) -> String {
    format!("isr:page:{key}")
}

fn lock_key(key: &str) -> String {
    format!("isr:lock:{key}")
}

/// Redis keeps a page's generation time in milliseconds: times are matched at that precision.
fn unix_millis(time: std::time::SystemTime) -> u64 {
    time.duration_since(UNIX_EPOCH).unwrap_or_default().as_millis() as u64
}

/// A page from its hash's fields; `None` if the hash is missing or malformed.
fn page_from_fields(mut fields: HashMap<String, Vec<u8>>) -> Option<StoredPage> {
    let html = Bytes::from(fields.remove("html")?);
    let millis: u64 = std::str::from_utf8(&fields.remove("generated_at")?).ok()?.parse().ok()?;
    let tags = fields.remove("tags").and_then(|tags| serde_json::from_slice(&tags).ok());
    Some(StoredPage { html, generated_at: UNIX_EPOCH + Duration::from_millis(millis), tags })
}

impl PageStore for RedisPages {
    fn read<'a>(&'a self, key: &'a str) -> BoxFuture<'a, Result<Option<StoredPage>, IsrError>> {
        Box::pin(async move {
            let fields = self
                .on_redis(|mut redis| async move { redis.hgetall::<_, HashMap<String, Vec<u8>>>(page_key(key)).await })
                .await;
            let Some(page) = fields.and_then(page_from_fields) else {
                return self.local.read_page(key).await;
            };
            let (local_at, shared_at) = (self.local.generated_at(key).await.map(unix_millis), unix_millis(page.generated_at));
            // A page this instance wrote while Redis was down is newer than the
            // one Redis kept: serving Redis's would turn the page's clock back.
            if local_at.is_some_and(|local_at| local_at > shared_at) {
                return self.local.read_page(key).await;
            }
            if local_at != Some(shared_at) {
                self.mirror(key, &page);
            }
            Ok(Some(page))
        })
    }

    fn write<'a>(&'a self, key: &'a str, page: StoredPage) -> BoxFuture<'a, Result<(), IsrError>> {
        Box::pin(async move {
            self.local.write_page(key, page.clone()).await?;
            // Unknown tags are stored as `null`, which reads back as unknown.
            let tags = serde_json::to_vec(&page.tags).expect("strings serialize");
            self.on_redis(|mut redis| async move {
                redis::Script::new(WRITE_UNLESS_NEWER)
                    .key(page_key(key))
                    .arg(unix_millis(page.generated_at))
                    .arg(page.html.as_ref())
                    .arg(tags)
                    .invoke_async::<i64>(&mut redis)
                    .await
            })
            .await;
            Ok(())
        })
    }

    fn try_lock<'a>(&'a self, key: &'a str, ttl: Duration) -> BoxFuture<'a, Option<RegenerationLock>> {
        Box::pin(async move {
            let token = lock_token();
            let set = self
                .on_redis(|mut redis| {
                    let token = token.clone();
                    async move {
                        redis::cmd("SET")
                            .arg(lock_key(key))
                            .arg(token)
                            .arg("NX")
                            .arg("PX")
                            .arg(ttl.as_millis() as u64)
                            .query_async::<Option<String>>(&mut redis)
                            .await
                    }
                })
                .await;
            match set {
                Some(Some(_)) => Some(RegenerationLock { key: key.to_string(), token }),
                Some(None) => None, // another instance holds it
                // Redis is down: instances can't agree, so each regenerates for itself.
                // (If Redis still runs a `SET` it got late, that lock expires by itself.)
                None => self.local.try_lock_here(key, ttl),
            }
        })
    }

    fn unlock(&self, lock: RegenerationLock) -> BoxFuture<'_, ()> {
        Box::pin(async move {
            if lock.token.is_empty() {
                return self.local.unlock_here(&lock);
            }
            // If Redis is down now, the lock expires by itself.
            self.on_redis(|mut redis| async move {
                redis::Script::new(RELEASE).key(lock_key(&lock.key)).arg(&lock.token).invoke_async::<i64>(&mut redis).await
            })
            .await;
        })
    }
}

/// A lock's owner: 128 random bits, so that no other instance or render can
/// release a lock it does not hold.
fn lock_token() -> String {
    let mut bytes = [0u8; 16];
    getrandom::fill(&mut bytes).expect("the OS has a random source");
    bytes.iter().map(|byte| format!("{byte:02x}")).collect()
}
