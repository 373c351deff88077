//! wrk, the load generator: one run against one path, and its report read.
// @demo-file: measurement and operations tooling for the demo's routes

use super::{round, CONNECTIONS};
use anyhow::{bail, Context, Result};
use std::{net::SocketAddr, process::Command};

pub(crate) struct Load {
    pub(crate) requests_per_sec: f64,
    pub(crate) p50_ms: f64,
    pub(crate) p99_ms: f64,
    pub(crate) errors: u64,
    pub(crate) non_2xx: u64,
    /// The share of CPU time the hypervisor gave to other guests during the run:
    /// on a virtual machine, a stolen slice stalls every request in flight, and
    /// shows as a p99 of tens of ms on any route. `None` without `/proc/stat`.
    pub(crate) cpu_steal_percent: Option<f64>,
}

pub(crate) fn wrk(addr: SocketAddr, path: &str, seconds: u64) -> Result<Load> {
    let url = format!("http://{addr}{path}");
    eprintln!("bench: wrk {url} for {seconds} s");
    let cpu_before = cpu_times();
    let output = Command::new("wrk")
        .args(["--threads", "1", "--connections", &CONNECTIONS.to_string(), "--duration"])
        .arg(format!("{seconds}s"))
        .args(["--timeout", "10s", "--latency", &url])
        .output()
        .context("running wrk (make bench installs it)")?;
    let text = String::from_utf8_lossy(&output.stdout).into_owned();
    if !output.status.success() {
        bail!("wrk failed on {url}: {text}{}", String::from_utf8_lossy(&output.stderr));
    }
    let mut load = parse_wrk(&text).with_context(|| format!("reading wrk's report for {url}:\n{text}"))?;
    load.cpu_steal_percent = cpu_before.zip(cpu_times()).map(|(before, after)| steal_percent(&before, &after));
    Ok(load)
}

/// The machine's CPU times so far (`/proc/stat`'s `cpu` line, in ticks).
fn cpu_times() -> Option<Vec<u64>> {
    let stat = std::fs::read_to_string("/proc/stat").ok()?;
    let line = stat.lines().find(|line| line.starts_with("cpu "))?;
    line.split_whitespace().skip(1).map(|field| field.parse().ok()).collect()
}

/// Steal (the eighth field) as a share of all the time between two readings.
fn steal_percent(before: &[u64], after: &[u64]) -> f64 {
    let delta = |i: usize| after.get(i).zip(before.get(i)).map_or(0, |(a, b)| a.saturating_sub(*b));
    let total: u64 = (0..after.len()).map(delta).sum();
    if total == 0 {
        return 0.0;
    }
    round(delta(7) as f64 * 100.0 / total as f64, 1)
}

fn parse_wrk(text: &str) -> Result<Load> {
    let mut load = Load { requests_per_sec: 0.0, p50_ms: 0.0, p99_ms: 0.0, errors: 0, non_2xx: 0, cpu_steal_percent: None };
    for line in text.lines().map(str::trim) {
        let words: Vec<&str> = line.split_whitespace().collect();
        match words.as_slice() {
            ["Requests/sec:", value] => load.requests_per_sec = value.parse()?,
            ["50%", value] => load.p50_ms = millis(value)?,
            ["99%", value] => load.p99_ms = millis(value)?,
            ["Non-2xx", "or", "3xx", "responses:", value] => load.non_2xx = value.parse()?,
            ["Socket", "errors:", rest @ ..] => {
                load.errors = rest.iter().filter_map(|w| w.trim_end_matches(',').parse::<u64>().ok()).sum()
            }
            _ => {}
        }
    }
    if load.requests_per_sec == 0.0 {
        bail!("no Requests/sec line");
    }
    Ok(load)
}

/// wrk's `386.00us`, `1.23ms`, `2.00s` in milliseconds.
fn millis(value: &str) -> Result<f64> {
    let (number, factor) = if let Some(n) = value.strip_suffix("us") {
        (n, 0.001)
    } else if let Some(n) = value.strip_suffix("ms") {
        (n, 1.0)
    } else if let Some(n) = value.strip_suffix('s') {
        (n, 1000.0)
    } else {
        bail!("unknown unit in {value}");
    };
    Ok(round(number.parse::<f64>()? * factor, 3))
}

#[cfg(test)]
mod tests {
    use super::*;

    const WRK: &str = "Running 1s test @ http://127.0.0.1:1/ssg/\n  1 threads and 32 connections\n  Latency Distribution\n     50%  386.00us\n     75%  500.00us\n     90%    1.00ms\n     99%    1.23ms\n  1234 requests in 1.00s, 1.23MB read\n  Socket errors: connect 1, read 2, write 0, timeout 3\n  Non-2xx or 3xx responses: 5\nRequests/sec:   1234.50\nTransfer/sec:      1.23MB\n";

    #[test]
    fn wrk_reports_are_read_in_milliseconds() {
        let load = parse_wrk(WRK).unwrap();
        assert_eq!(load.requests_per_sec, 1234.5);
        assert_eq!((load.p50_ms, load.p99_ms), (0.386, 1.23));
        assert_eq!((load.errors, load.non_2xx), (6, 5));
        assert!(parse_wrk("nothing").is_err());
    }

    #[test]
    fn steal_is_a_share_of_all_the_cpu_time_between_two_readings() {
        // user nice system idle iowait irq softirq steal guest guest_nice
        let before = [100, 0, 50, 800, 0, 0, 0, 10, 0, 0];
        let after = [160, 0, 70, 900, 0, 0, 0, 30, 0, 0];
        assert_eq!(steal_percent(&before, &after), 10.0);
        assert_eq!(steal_percent(&before, &before), 0.0);
    }
}
