//! `Config::from_env`: the only place that reads the environment.
//!
//! | variable | default | meaning |
//! |---|---|---|
//! | `LEPTOS_SITE_ADDR` | `127.0.0.1:3000` | address to bind (port 0 picks a free one) |
//! | `LEPTOS_SITE_ROOT` | `target/site` | the built site: `pkg/`, public assets, prerendered pages |
//! | `CONTENT_DIR` | `content` | the Markdown posts, in `$CONTENT_DIR/posts/*.md` |
//! | `ISR_REVALIDATE_SECS` | `10` | the ISR window |
//! | `ISR_CACHE_URL` | unset | `redis://…`: ISR pages and their regeneration lock in Redis, shared by every instance; unset keeps them in the site root |
//! | `PPR_HOLE_TIMEOUT_MS` | `2000` | how long a PPR hole may take before it resolves to its error state |
//! | `REQUEST_TIMEOUT_SECS` | `10` | how long a page that is not streamed, or a server function, may take to answer before it gets 503 |
//! | `HEADER_READ_TIMEOUT_SECS` | `30` | how long a connection may take to send a request's headers, from when it opens or its last response ends: so also how long an idle keep-alive connection is kept |
//! | `MAX_CONNECTIONS` | `1024` | open connections at most (fewer if the open-file limit allows fewer); at the cap, the one idle longest gives way, and if every one is busy, a new one gets 503 |
//! | `REVALIDATE_TOKEN` | unset | bearer token for `POST /api/revalidate`; unset refuses it |
//! | `SITE_URL` | `http://127.0.0.1:3000` | the public origin, for absolute URLs in the feed, the sitemap, canonical and OpenGraph tags |
//! | `SHOW_DRAFTS` | unset | `1` builds and serves posts whose front matter says `draft: true` |
//! | `LEPTOS_WATCH` | unset | set by `make dev`: pages load Leptos's reload script, which the policy then allows |
//! | `LEPTOS_RELOAD_PORT` | `3001` | `make dev`'s reload socket, read only with `LEPTOS_WATCH` |
// @demo-begin
//! | `DATABASE_URL` | `sqlite://data/blog.db` | the live-data store (view counts): `sqlite://path`, created on first start, or `postgres://…` |
//! | `DEMO_LATENCY_MS` | `300` | latency added to the holes' data so streaming can be seen; `0` turns it off |
//! | `TRUSTED_PROXIES` | unset | comma-separated addresses of proxies whose `X-Forwarded-For` names the client (the cluster's nginx: `127.0.0.1`); unset believes no such header |
//! | `VIEW_RATE_LIMIT` | `60` | views a client address may send per minute before it gets 429; `0` turns the limit off |
// @demo-end

use app::content::Drafts;
use leptos::config::{Env, LeptosOptions};
use std::{
    net::{IpAddr, SocketAddr}, // @demo
    // @minimal: net::SocketAddr,
    path::PathBuf,
    time::Duration,
};

/// The file stem under `pkg/` (`blog` here): `blog.css`, the islands bundle
/// `blog.js` and `blog.wasm`, and the CSR route's `blog-csr.js` and
/// `blog-csr.wasm`. Set once, as `BUNDLE_NAME` in `.cargo/config.toml`; Leptos
/// gets it from `Config::leptos_options`.
pub const OUTPUT_NAME: &str = env!("BUNDLE_NAME");

#[derive(Clone, Debug)]
pub struct Config {
    pub site_addr: SocketAddr,
    pub site_root: PathBuf,
    pub content_dir: PathBuf,
    pub database_url: String, // @demo
    pub demo_latency: Duration, // @demo
    pub isr_window: Duration,
    pub isr_cache_url: Option<String>,
    pub ppr_hole_timeout: Duration,
    pub request_timeout: Duration,
    pub header_read_timeout: Duration,
    pub max_connections: usize,
    pub trusted_proxies: Vec<IpAddr>, // @demo
    pub views_per_minute: u32, // @demo
    pub revalidate_token: Option<String>,
    /// The public origin, without a trailing slash: `https://blog.example.org`.
    pub site_url: String,
    pub drafts: Drafts,
    /// `make dev`'s reload socket port, when `LEPTOS_WATCH` is set: pages then
    /// load `<AutoReload/>`'s script, and may connect to it. `None` in production.
    pub reload_port: Option<u16>,
}

#[derive(Debug, thiserror::Error)]
#[error("{variable}={value:?} is not valid: {reason}")]
pub struct ConfigError {
    variable: &'static str,
    value: String,
    reason: String,
}

impl Config {
    pub fn from_env() -> Result<Config, ConfigError> {
        Ok(Config {
            site_addr: parse_var("LEPTOS_SITE_ADDR", "127.0.0.1:3000")?,
            site_root: var("LEPTOS_SITE_ROOT", "target/site").into(),
            content_dir: var("CONTENT_DIR", "content").into(),
            database_url: var("DATABASE_URL", "sqlite://data/blog.db"), // @demo
            demo_latency: Duration::from_millis(parse_var("DEMO_LATENCY_MS", "300")?), // @demo
            isr_window: Duration::from_secs(parse_var("ISR_REVALIDATE_SECS", "10")?),
            isr_cache_url: std::env::var("ISR_CACHE_URL").ok().filter(|url| !url.is_empty()),
            ppr_hole_timeout: Duration::from_millis(parse_var("PPR_HOLE_TIMEOUT_MS", "2000")?),
            request_timeout: Duration::from_secs(parse_var("REQUEST_TIMEOUT_SECS", "10")?),
            header_read_timeout: Duration::from_secs(parse_var("HEADER_READ_TIMEOUT_SECS", "30")?),
            max_connections: parse_var("MAX_CONNECTIONS", "1024")?,
            trusted_proxies: addresses("TRUSTED_PROXIES")?, // @demo
            views_per_minute: parse_var("VIEW_RATE_LIMIT", "60")?, // @demo
            revalidate_token: std::env::var("REVALIDATE_TOKEN").ok().filter(|token| !token.is_empty()),
            site_url: site_url(var("SITE_URL", DEFAULT_SITE_URL))?,
            drafts: drafts(var("SHOW_DRAFTS", ""))?,
            // Leptos's `<AutoReload/>` checks LEPTOS_WATCH the same way: set, whatever its value.
            reload_port: match std::env::var_os("LEPTOS_WATCH") {
                Some(_) => Some(parse_var("LEPTOS_RELOAD_PORT", "3001")?),
                None => None,
            },
        })
    }

    // @demo-begin
    /// A config for tests: an ephemeral loopback port, the given dirs, the
    /// database inside the site root, and no added latency.
    // @demo-end
    // @minimal: /// A config for tests: an ephemeral loopback port and the given dirs.
    pub fn for_test(site_root: PathBuf, content_dir: PathBuf) -> Config {
        Config {
            site_addr: SocketAddr::from(([127, 0, 0, 1], 0)),
            database_url: format!("sqlite://{}", site_root.join("test-data/blog.db").display()), // @demo
            demo_latency: Duration::ZERO, // @demo
            site_root,
            content_dir,
            isr_window: Duration::from_secs(10),
            isr_cache_url: None,
            ppr_hole_timeout: Duration::from_secs(2),
            request_timeout: Duration::from_secs(10),
            header_read_timeout: Duration::from_secs(30),
            max_connections: 1024,
            trusted_proxies: Vec::new(), // @demo
            views_per_minute: 60, // @demo
            revalidate_token: None,
            site_url: DEFAULT_SITE_URL.to_string(),
            drafts: Drafts::Hidden,
            reload_port: None,
        }
    }

    pub fn leptos_options(&self) -> LeptosOptions {
        LeptosOptions::builder()
            .output_name(OUTPUT_NAME)
            .site_root(self.site_root.to_string_lossy().as_ref())
            .site_pkg_dir("pkg")
            .site_addr(self.site_addr)
            .env(Env::PROD)
            .reload_port(self.reload_port.unwrap_or(3001).into())
            .build()
    }
}

const DEFAULT_SITE_URL: &str = "http://127.0.0.1:3000";

/// An `http(s)://host[:port][/path]` origin, kept without its trailing slash.
fn site_url(value: String) -> Result<String, ConfigError> {
    let rest = value.strip_prefix("https://").or_else(|| value.strip_prefix("http://"));
    match rest {
        Some(host) if !host.is_empty() && !host.starts_with('/') && !value.contains(['?', '#', ' ']) => {
            Ok(value.trim_end_matches('/').to_string())
        }
        _ => Err(ConfigError {
            variable: "SITE_URL",
            reason: "expected an absolute http:// or https:// URL, like https://blog.example.org".into(),
            value,
        }),
    }
}

fn drafts(value: String) -> Result<Drafts, ConfigError> {
    match value.as_str() {
        "1" => Ok(Drafts::Shown),
        "" | "0" => Ok(Drafts::Hidden),
        _ => Err(ConfigError { variable: "SHOW_DRAFTS", reason: "expected 1 (show drafts) or 0".into(), value }),
    }
}

// @demo-begin
/// A comma-separated list of IP addresses; empty if unset.
fn addresses(variable: &'static str) -> Result<Vec<IpAddr>, ConfigError> {
    let value = var(variable, "");
    value
        .split(',')
        .map(str::trim)
        .filter(|address| !address.is_empty())
        .map(|address| {
            address.parse().map_err(|_| ConfigError {
                variable,
                reason: format!("{address:?} is not an IP address (a list looks like 127.0.0.1,10.0.0.2)"),
                value: value.clone(),
            })
        })
        .collect()
}
// @demo-end

fn var(variable: &'static str, default: &str) -> String {
    std::env::var(variable).unwrap_or_else(|_| default.to_string())
}

fn parse_var<T: std::str::FromStr>(variable: &'static str, default: &str) -> Result<T, ConfigError>
where
    T::Err: std::fmt::Display,
{
    let value = var(variable, default);
    value.parse().map_err(|error: T::Err| ConfigError { variable, reason: error.to_string(), value })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn site_url_is_an_absolute_origin_kept_without_its_trailing_slash() {
        assert_eq!(site_url("https://blog.example.org/".into()).unwrap(), "https://blog.example.org");
        assert_eq!(site_url("http://127.0.0.1:3000".into()).unwrap(), "http://127.0.0.1:3000");
        for bad in ["blog.example.org", "https://", "ftp://x", "https:///path", "https://x/?q"] {
            let error = site_url(bad.into()).unwrap_err().to_string();
            assert!(error.starts_with(&format!("SITE_URL={bad:?} is not valid: expected an absolute")), "{error}");
        }
    }

    #[test]
    fn show_drafts_takes_1_or_0() {
        assert_eq!(drafts("1".into()).unwrap(), Drafts::Shown);
        assert_eq!(drafts("".into()).unwrap(), Drafts::Hidden);
        assert_eq!(drafts("0".into()).unwrap(), Drafts::Hidden);
        assert!(drafts("yes".into()).unwrap_err().to_string().contains("expected 1 (show drafts) or 0"));
    }
}
