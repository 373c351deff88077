//! What one "view" is: one client address reading one post, counted at most
//! once per `VIEW_WINDOW`; and what a flood of them costs: past a per-address
//! rate, nothing but a 429. Both are kept in memory, per server process.
//!
//! An IPv6 client is known by its /64, which is what one subscriber gets: an
//! address per request from that prefix is still one client.
// @demo-file: the view counts

use std::{
    collections::HashMap,
    net::IpAddr,
    sync::{Mutex, PoisonError},
    time::{Duration, Instant},
};

/// One reader of one post counts once in this long.
pub const VIEW_WINDOW: Duration = Duration::from_secs(30 * 60);
/// Entries kept, at most, in each of the gate's two tables (about 100 bytes
/// each). Past that, after dropping every stale one, a new view is not counted.
const MAX_REMEMBERED: usize = 100_000;

/// What the gate says of a view.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Admission {
    /// The first from this client for this post in the window: count it.
    Count,
    /// Counted already in the window, or the gate's memory is full.
    Repeat,
    /// Over the client's rate: refuse it, and say when to retry.
    TooMany { retry_after: Duration },
}

pub struct ViewGate {
    /// Views per minute per client; 0 turns the limit off.
    per_minute: u32,
    tables: Mutex<Tables>,
}

#[derive(Default)]
struct Tables {
    /// When each client last had each post counted.
    counted: HashMap<(Client, String), Instant>,
    /// Each client's allowance: tokens left, as of when.
    allowance: HashMap<Client, (f64, Instant)>,
    /// When the tables grow past these, stale entries are dropped.
    prune_counted_at: usize,
    prune_allowance_at: usize,
}

/// An IPv4 address, or an IPv6 address's first 64 bits.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
struct Client(u128);

impl From<IpAddr> for Client {
    fn from(address: IpAddr) -> Client {
        match address {
            IpAddr::V4(v4) => Client(u128::from(u32::from(v4))),
            IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
                Some(v4) => Client(u128::from(u32::from(v4))),
                None => Client(u128::from(v6) & !u128::from(u64::MAX) | 1 << 32),
            },
        }
    }
}

impl ViewGate {
    pub fn new(per_minute: u32) -> ViewGate {
        ViewGate { per_minute, tables: Mutex::default() }
    }

    /// Whether a view of `slug` from `address` at `now` counts.
    pub fn admit(&self, address: IpAddr, slug: &str, now: Instant) -> Admission {
        let client = Client::from(address);
        let mut tables = self.tables.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(retry_after) = self.take_allowance(&mut tables, client, now) {
            return Admission::TooMany { retry_after };
        }
        if tables.counted.len() >= tables.prune_counted_at {
            tables.counted.retain(|_, counted| now.duration_since(*counted) < VIEW_WINDOW);
            tables.prune_counted_at = (tables.counted.len() * 2).max(1024);
        }
        let key = (client, slug.to_string());
        match tables.counted.get(&key) {
            Some(counted) if now.duration_since(*counted) < VIEW_WINDOW => Admission::Repeat,
            None if tables.counted.len() >= MAX_REMEMBERED => Admission::Repeat,
            _ => {
                tables.counted.insert(key, now);
                Admission::Count
            }
        }
    }

    /// Forgets a counted view that could not be written, so that a retry counts.
    pub fn forget(&self, address: IpAddr, slug: &str) {
        let mut tables = self.tables.lock().unwrap_or_else(PoisonError::into_inner);
        tables.counted.remove(&(Client::from(address), slug.to_string()));
    }

    /// Takes one view from the client's allowance (a token bucket that holds a
    /// minute's worth and refills continuously), or says how long until it can.
    fn take_allowance(&self, tables: &mut Tables, client: Client, now: Instant) -> Option<Duration> {
        if self.per_minute == 0 {
            return None;
        }
        let full = f64::from(self.per_minute);
        let per_second = full / 60.0;
        let refilled = |(tokens, at): (f64, Instant)| (tokens + now.duration_since(at).as_secs_f64() * per_second).min(full);
        if tables.allowance.len() >= tables.prune_allowance_at {
            tables.allowance.retain(|_, entry| refilled(*entry) < full);
            tables.prune_allowance_at = (tables.allowance.len() * 2).max(1024);
        }
        let tokens = match tables.allowance.get(&client) {
            Some(entry) => refilled(*entry),
            None if tables.allowance.len() >= MAX_REMEMBERED => return Some(Duration::from_secs(60)),
            None => full,
        };
        if tokens < 1.0 {
            return Some(Duration::from_secs_f64((1.0 - tokens) / per_second));
        }
        tables.allowance.insert(client, (tokens - 1.0, now));
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const READER: IpAddr = IpAddr::V4(std::net::Ipv4Addr::new(203, 0, 113, 7));

    #[test]
    fn a_reader_counts_once_per_post_per_window() {
        let gate = ViewGate::new(0);
        let start = Instant::now();
        assert_eq!(gate.admit(READER, "a", start), Admission::Count);
        assert_eq!(gate.admit(READER, "a", start + Duration::from_secs(60)), Admission::Repeat);
        assert_eq!(gate.admit(READER, "b", start + Duration::from_secs(60)), Admission::Count, "another post");
        assert_eq!(gate.admit("198.51.100.1".parse().unwrap(), "a", start), Admission::Count, "another reader");
        assert_eq!(gate.admit(READER, "a", start + VIEW_WINDOW), Admission::Count, "the next window");
    }

    #[test]
    fn a_view_that_could_not_be_written_counts_when_retried() {
        let gate = ViewGate::new(0);
        let now = Instant::now();
        assert_eq!(gate.admit(READER, "a", now), Admission::Count);
        gate.forget(READER, "a");
        assert_eq!(gate.admit(READER, "a", now), Admission::Count);
    }

    #[test]
    fn past_its_rate_a_client_is_told_when_to_retry() {
        let gate = ViewGate::new(60);
        let now = Instant::now();
        let admitted: Vec<Admission> = (0..61).map(|n| gate.admit(READER, &format!("post-{n}"), now)).collect();
        assert!(admitted[..60].iter().all(|admission| *admission == Admission::Count));
        let Admission::TooMany { retry_after } = admitted[60] else { panic!("{:?}", admitted[60]) };
        assert_eq!(retry_after, Duration::from_secs(1), "one view a second refills at 60 a minute");
        assert_eq!(gate.admit(READER, "post-60", now + retry_after), Admission::Count);
        assert_eq!(gate.admit("198.51.100.1".parse().unwrap(), "a", now), Admission::Count, "others are not limited");
    }

    #[test]
    fn repeats_use_up_the_allowance_too() {
        let gate = ViewGate::new(2);
        let now = Instant::now();
        assert_eq!(gate.admit(READER, "a", now), Admission::Count);
        assert_eq!(gate.admit(READER, "a", now), Admission::Repeat);
        assert!(matches!(gate.admit(READER, "a", now), Admission::TooMany { .. }));
    }

    #[test]
    fn an_ipv6_client_is_its_64_bit_prefix() {
        let gate = ViewGate::new(0);
        let now = Instant::now();
        assert_eq!(gate.admit("2001:db8:1:2::1".parse().unwrap(), "a", now), Admission::Count);
        assert_eq!(gate.admit("2001:db8:1:2:ffff::9".parse().unwrap(), "a", now), Admission::Repeat, "the same /64");
        assert_eq!(gate.admit("2001:db8:1:3::1".parse().unwrap(), "a", now), Admission::Count, "another /64");
        assert_eq!(gate.admit("::ffff:203.0.113.7".parse().unwrap(), "b", now), Admission::Count);
        assert_eq!(gate.admit(READER, "b", now), Admission::Repeat, "an IPv4-mapped address is its IPv4 one");
    }

    #[test]
    fn stale_entries_are_dropped_as_the_tables_grow() {
        let gate = ViewGate::new(60);
        let start = Instant::now();
        let client = |n: u32| IpAddr::V4(n.into());
        for n in 0..2000 {
            gate.admit(client(n), "a", start);
        }
        // Tables are pruned when they have doubled since the last time (at
        // 1024 here, when nothing was stale): at 2048 entries.
        for n in 2000..2100 {
            gate.admit(client(n), "a", start + VIEW_WINDOW);
        }
        let tables = gate.tables.lock().unwrap();
        assert!(tables.counted.len() <= 100, "{} views remembered", tables.counted.len());
        assert!(tables.allowance.len() <= 100, "{} allowances remembered", tables.allowance.len());
    }
}
