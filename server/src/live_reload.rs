//! What `make dev` (`LEPTOS_WATCH`) changes in the server's answers; a
//! production server, which never has `Config::reload_port`, gets none of it:
//! - every page's policy also allows the reload socket (`connect-src`), which
//!   the script of Leptos's `<AutoReload/>` opens;
//! - the site's files are revalidated (`no-cache`), so the reload after a
//!   rebuild never runs the bundle that the browser cached before it.

use axum::{
    http::{header, HeaderValue},
    response::Response,
};
use std::net::{IpAddr, SocketAddr};
use tower::util::MapResponseLayer;

/// The layer `router` adds when `Config::reload_port` is set.
pub fn layer(site_addr: SocketAddr, reload_port: u16) -> MapResponseLayer<impl Fn(Response) -> Response + Clone> {
    let connect_src = format!("; connect-src 'self' {}", reload_socket_origins(site_addr.ip(), reload_port));
    MapResponseLayer::new(move |mut response: Response| {
        let headers = response.headers_mut();
        if let Some(policy) = headers.get(header::CONTENT_SECURITY_POLICY).and_then(|p| p.to_str().ok()) {
            let policy = format!("{policy}{connect_src}");
            headers.insert(header::CONTENT_SECURITY_POLICY, HeaderValue::from_str(&policy).expect("header text"));
        }
        // The pages say how they may be cached; the site's files (the bundles,
        // the CSS, `public/`) say nothing, which lets a browser reuse them unchecked.
        if !headers.contains_key(header::CACHE_CONTROL) {
            headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
        }
        response
    })
}

/// The script connects to `ws://<the page's host>:<port>`: the host the
/// browser used, which for a loopback address may be a name too.
fn reload_socket_origins(ip: IpAddr, port: u16) -> String {
    match ip {
        ip if ip.is_unspecified() => format!("ws://*:{port}"),
        IpAddr::V4(ip) if ip.is_loopback() => format!("ws://{ip}:{port} ws://localhost:{port}"),
        IpAddr::V6(ip) if ip.is_loopback() => format!("ws://[{ip}]:{port} ws://localhost:{port}"),
        IpAddr::V4(ip) => format!("ws://{ip}:{port}"),
        IpAddr::V6(ip) => format!("ws://[{ip}]:{port}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_socket_is_allowed_on_the_host_the_browser_can_use() {
        assert_eq!(reload_socket_origins([127, 0, 0, 1].into(), 3001), "ws://127.0.0.1:3001 ws://localhost:3001");
        assert_eq!(reload_socket_origins([0, 0, 0, 0].into(), 3001), "ws://*:3001");
        assert_eq!(reload_socket_origins([10, 0, 0, 7].into(), 4001), "ws://10.0.0.7:4001");
    }
}
