//! Headers every HTML response carries, set in one place.

use app::Strategy;
use axum::{
    body::Body,
    http::{header, HeaderName, HeaderValue, Response},
};
use bytes::Bytes;
use std::{fmt::Write, time::Duration};

pub static X_RENDER_STRATEGY: HeaderName = HeaderName::from_static("x-render-strategy");
pub static SERVER_TIMING: HeaderName = HeaderName::from_static("server-timing");

/// The server's measured phases, as devtools' Network > Timing panel shows them,
/// and facts with no duration (ISR's cache state) as descriptions.
#[derive(Debug, Default)]
pub struct ServerTiming(Vec<(&'static str, Option<Duration>, Option<&'static str>)>);

impl ServerTiming {
    pub fn with(mut self, phase: &'static str, took: Duration) -> Self {
        self.0.push((phase, Some(took), None));
        self
    }

    /// A named fact: `cache;desc=stale`. Devtools show it, and a page's own
    /// script can read it back through the Navigation Timing API, which has no
    /// other view of the headers.
    pub fn with_description(mut self, name: &'static str, description: &'static str) -> Self {
        self.0.push((name, None, Some(description)));
        self
    }

    fn header_value(&self) -> HeaderValue {
        let mut value = String::new();
        for (i, (name, took, description)) in self.0.iter().enumerate() {
            let separator = if i == 0 { "" } else { ", " };
            let _ = write!(value, "{separator}{name}");
            if let Some(description) = description {
                let _ = write!(value, ";desc={description}");
            }
            if let Some(took) = took {
                let _ = write!(value, ";dur={:.3}", took.as_secs_f64() * 1000.0);
            }
        }
        HeaderValue::from_str(&value).expect("phase names and numbers are valid header text")
    }
}

/// How long a browser or CDN may keep the page.
pub enum Caching {
    /// Rendered for this request alone.
    NoStore,
    /// A file from the last build: keep it, but ask again before reuse.
    Revalidate,
    /// An ISR page: a CDN may serve it for the window, then stale while it refetches.
    Isr(Duration),
}

/// An HTML response with `bytes` as its body.
pub fn html(bytes: Bytes) -> Response<Body> {
    let mut response = Response::new(Body::from(bytes));
    response
        .headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static("text/html; charset=utf-8"));
    response
}

pub fn finish(
    mut response: Response<Body>,
    strategy: Strategy,
    timing: ServerTiming,
    caching: Caching,
    policy: HeaderValue,
) -> Response<Body> {
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_SECURITY_POLICY, policy);
    headers.insert(X_RENDER_STRATEGY.clone(), HeaderValue::from_static(strategy.as_str()));
    headers.insert(SERVER_TIMING.clone(), timing.header_value());
    let cache_control = match caching {
        Caching::NoStore => HeaderValue::from_static("no-store"),
        Caching::Revalidate => HeaderValue::from_static("public, max-age=0, must-revalidate"),
        Caching::Isr(window) => HeaderValue::from_str(&format!("s-maxage={}, stale-while-revalidate", window.as_secs()))
            .expect("digits are a valid header value"),
    };
    headers.insert(header::CACHE_CONTROL, cache_control);
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn server_timing_lists_phases_in_milliseconds() {
        let timing = ServerTiming::default()
            .with("data", Duration::from_micros(1500))
            .with("render", Duration::from_millis(2));
        assert_eq!(timing.header_value(), "data;dur=1.500, render;dur=2.000");
        let timing = ServerTiming::default().with("file", Duration::from_micros(20)).with_description("cache", "stale");
        assert_eq!(timing.header_value(), "file;dur=0.020, cache;desc=stale");
    }
}
