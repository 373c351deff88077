//! Who sent a request: its peer, unless the peer is a proxy this server trusts
//! (`TRUSTED_PROXIES`), which names the client in `X-Forwarded-For`. A client
//! may send that header itself, so only the entries that trusted proxies
//! appended are believed: read from the right, the first address that is not a
//! trusted proxy is the client.
// @demo-file: the view counter counts per client address

use app::live::ClientAddress;
use axum::http::HeaderMap;
use std::net::{IpAddr, SocketAddr};

pub fn client_address(peer: SocketAddr, headers: &HeaderMap, trusted_proxies: &[IpAddr]) -> ClientAddress {
    let peer = peer.ip().to_canonical();
    if !trusted_proxies.contains(&peer) {
        return ClientAddress(peer);
    }
    let mut nearest = peer;
    let forwarded = headers.get_all("x-forwarded-for").iter().filter_map(|value| value.to_str().ok());
    let hops: Vec<&str> = forwarded.flat_map(|value| value.split(',')).collect();
    for hop in hops.iter().rev() {
        match hop.trim().parse::<IpAddr>() {
            Ok(address) if trusted_proxies.contains(&address.to_canonical()) => nearest = address.to_canonical(),
            Ok(address) => return ClientAddress(address.to_canonical()),
            // Not an address: whatever sent it is not to be believed further.
            Err(_) => break,
        }
    }
    ClientAddress(nearest)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn from(peer: &str, forwarded: &[&str], trusted: &[&str]) -> String {
        let mut headers = HeaderMap::new();
        for value in forwarded {
            headers.append("x-forwarded-for", value.parse().unwrap());
        }
        let trusted: Vec<IpAddr> = trusted.iter().map(|address| address.parse().unwrap()).collect();
        client_address(format!("{peer}:4000").parse().unwrap(), &headers, &trusted).0.to_string()
    }

    #[test]
    fn a_direct_client_is_its_peer_whatever_it_claims() {
        assert_eq!(from("198.51.100.9", &["203.0.113.7"], &[]), "198.51.100.9");
        assert_eq!(from("198.51.100.9", &["203.0.113.7"], &["127.0.0.1"]), "198.51.100.9");
    }

    #[test]
    fn behind_a_trusted_proxy_it_is_the_address_the_proxy_appended() {
        assert_eq!(from("127.0.0.1", &["203.0.113.7"], &["127.0.0.1"]), "203.0.113.7");
        // The client claimed 10.0.0.1 itself; nginx appended what it saw.
        assert_eq!(from("127.0.0.1", &["10.0.0.1, 203.0.113.7"], &["127.0.0.1"]), "203.0.113.7");
        assert_eq!(from("127.0.0.1", &["10.0.0.1", "203.0.113.7"], &["127.0.0.1"]), "203.0.113.7", "in two headers");
        // Two proxies, both trusted.
        assert_eq!(from("127.0.0.1", &["203.0.113.7, 10.1.1.1"], &["127.0.0.1", "10.1.1.1"]), "203.0.113.7");
    }

    #[test]
    fn a_proxy_that_forwards_nothing_usable_is_the_client() {
        assert_eq!(from("127.0.0.1", &[], &["127.0.0.1"]), "127.0.0.1");
        assert_eq!(from("127.0.0.1", &["not-an-address"], &["127.0.0.1"]), "127.0.0.1");
        assert_eq!(from("127.0.0.1", &["203.0.113.7, junk"], &["127.0.0.1"]), "127.0.0.1");
    }
}
