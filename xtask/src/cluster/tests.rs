//! The scale-out promises, each on its own three-instance cluster. They run
//! one at a time: each puts the whole machine under load.
// @demo-file: measurement and operations tooling for the demo's routes

use super::{process::identity, *};
use crate::{http, soak};
use std::{
    io::{Read, Write},
    net::TcpStream,
    sync::{
        atomic::{AtomicU64, Ordering},
        Mutex,
    },
    time::{Duration, Instant},
};

static ONE_AT_A_TIME: Mutex<()> = Mutex::new(());
const LATENCY: Duration = Duration::from_millis(300);

/// A cluster of three. These tests are `#[ignore]`d, so a plain `cargo
/// test` lists them as ignored; `make test` opts in, having installed Redis,
/// PostgreSQL and nginx (`make cluster-tools`): without them, each fails.
fn three_instances(isr_window_secs: u64) -> Cluster {
    let env = [("ISR_REVALIDATE_SECS", isr_window_secs.to_string()), ("DEMO_LATENCY_MS", LATENCY.as_millis().to_string())];
    let settings = Settings {
        instances: 3,
        addr: loopback(bench::free_port().unwrap()),
        env: env.into_iter().map(|(k, v)| (k.to_string(), v)).collect(),
    };
    Cluster::start(&settings).expect("a cluster of three starts")
}

/// One request on a new connection: status and body.
fn request(addr: SocketAddr, method: &str, path: &str, headers: &[&str], body: &str) -> (u16, String) {
    let response = http::send(&mut None, addr, method, path, headers, body.as_bytes()).unwrap();
    (response.status, response.text())
}

fn get(addr: SocketAddr, path: &str) -> String {
    let (status, body) = request(addr, "GET", path, &[], "");
    assert_eq!(status, 200, "GET {path} from {addr}: {body}");
    body
}

fn stamp(html: &str) -> String {
    html.split("data-generated-at=\"").nth(1).and_then(|rest| rest.split('"').next()).unwrap().to_string()
}

fn log_lines(cluster: &Cluster, needle: &str) -> usize {
    let logs = cluster.instances.iter().map(|i| fs::read_to_string(&i.log).unwrap());
    logs.map(|log| log.lines().filter(|line| line.contains(needle)).count()).sum()
}

fn every_log_has(cluster: &Cluster, needle: &str) -> bool {
    cluster.instances.iter().all(|i| fs::read_to_string(&i.log).unwrap().contains(needle))
}

fn eventually(what: &str, mut done: impl FnMut() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(10);
    while !done() {
        assert!(Instant::now() < deadline, "never happened: {what}");
        std::thread::sleep(Duration::from_millis(50));
    }
}

fn revalidate_on(cluster: &Cluster, instance: usize, json: &str) -> (u16, String) {
    let bearer = format!("Authorization: Bearer {}", cluster.revalidate_token);
    request(cluster.instances[instance].addr, "POST", "/api/revalidate", &[&bearer], json)
}

fn revalidate(cluster: &Cluster, instance: usize, json: &str) {
    let (status, body) = revalidate_on(cluster, instance, json);
    assert_eq!(status, 200, "{body}");
}

/// Keep-alive clients sending GET `path` through nginx until `stop`; counts
/// requests, and everything that isn't a whole 200.
fn load(addr: SocketAddr, path: &str, clients: usize, stop: &std::sync::atomic::AtomicBool) -> (u64, u64, Option<String>) {
    let (requests, failed) = (AtomicU64::new(0), AtomicU64::new(0));
    let first_failure = Mutex::new(None);
    std::thread::scope(|scope| {
        for _ in 0..clients {
            scope.spawn(|| {
                let mut connection = None;
                while !stop.load(Ordering::Relaxed) {
                    requests.fetch_add(1, Ordering::Relaxed);
                    let outcome = http::get(&mut connection, addr, path);
                    let problem = match outcome {
                        Ok(response) if response.status != 200 => format!("status {}", response.status),
                        Ok(response) => match soak::whole_body_problem(path, &response, 0) {
                            Some(problem) => problem,
                            None => continue,
                        },
                        Err(error) => {
                            connection = None;
                            format!("{error:#}")
                        }
                    };
                    failed.fetch_add(1, Ordering::Relaxed);
                    first_failure.lock().unwrap().get_or_insert(problem);
                }
            });
        }
    });
    (requests.into_inner(), failed.into_inner(), first_failure.into_inner().unwrap())
}

#[test]
fn a_process_is_known_by_its_start_time_until_it_exits() {
    let mut first = Command::new("sleep").arg("10").spawn().unwrap();
    std::thread::sleep(Duration::from_millis(50)); // start times count 10 ms ticks
    let mut second = Command::new("sleep").arg("10").spawn().unwrap();
    let known = identity(first.id()).expect("a running process has an identity");
    assert_eq!(identity(first.id()).as_ref(), Some(&known), "the same process, the same identity");
    assert_ne!(identity(second.id()), Some(known), "a later process, another identity");

    first.kill().unwrap();
    eventually("the killed process to count as exited before it is reaped", || identity(first.id()).is_none());
    first.wait().unwrap();
    second.kill().unwrap();
    second.wait().unwrap();
}

#[test]
#[ignore = "starts Redis, PostgreSQL and nginx (`make cluster-tools` installs them): `make test` runs it"]
fn a_burst_over_three_instances_just_after_expiry_regenerates_the_page_once() {
    let _one = ONE_AT_A_TIME.lock().unwrap_or_else(|p| p.into_inner());
    let cluster = three_instances(2);
    // The build's page is old, so this first request may start a regeneration
    // of its own; the burst's are counted from after it.
    let before = stamp(&get(cluster.instances[0].addr, "/isr"));
    std::thread::sleep(Duration::from_millis(2500)); // every instance's page is now stale
    let earlier = log_lines(&cluster, " regenerated");

    std::thread::scope(|scope| {
        for client in 0..30 {
            let addr = cluster.instances[client % 3].addr;
            scope.spawn(move || {
                let mut connection = None;
                for _ in 0..10 {
                    let response = http::get(&mut connection, addr, "/isr").unwrap();
                    assert_eq!(response.status, 200);
                }
            });
        }
    });
    eventually("a regeneration", || log_lines(&cluster, " regenerated") > earlier);
    std::thread::sleep(Duration::from_secs(1)); // time for any second one to show
    let regenerations = log_lines(&cluster, " regenerated") - earlier;
    assert_eq!(regenerations, 1, "300 stale hits on 3 instances: one regeneration in all");

    let stamps: Vec<String> = cluster.instances.iter().map(|i| stamp(&get(i.addr, "/isr"))).collect();
    assert_ne!(stamps[0], before);
    assert!(stamps.iter().all(|s| *s == stamps[0]), "every instance serves the one new page: {stamps:?}");
}

#[test]
#[ignore = "starts Redis, PostgreSQL and nginx (`make cluster-tools` installs them): `make test` runs it"]
fn a_revalidation_sent_to_one_instance_changes_what_another_serves() {
    let _one = ONE_AT_A_TIME.lock().unwrap_or_else(|p| p.into_inner());
    let cluster = three_instances(3600);
    let (a, c) = (0, 2);
    let before = stamp(&get(cluster.instances[c].addr, "/isr"));
    std::thread::sleep(Duration::from_millis(1100)); // stamps are to the second

    revalidate(&cluster, a, r#"{"path":"/isr"}"#);
    let by_path = stamp(&get(cluster.instances[c].addr, "/isr"));
    assert_ne!(by_path, before, "instance C serves the page instance A regenerated");
    assert_eq!(by_path, stamp(&get(cluster.instances[a].addr, "/isr")));

    // By tag, sent to B, which has never rendered the page: it knows the
    // page's tags from Redis, so a tag the page doesn't list leaves it alone.
    let b = 1;
    std::thread::sleep(Duration::from_millis(1100));
    let (status, body) = revalidate_on(&cluster, b, r#"{"tag":"no-post-has-this-tag"}"#);
    assert_eq!(status, 200, "{body}");
    // A list page that Redis has never held (`/isr/page/2`) has no known
    // tags, so any tag regenerates it; `/isr`'s tags are known.
    let regenerated: Value = serde_json::from_str(&body).unwrap();
    assert!(!regenerated["regenerated"].as_array().unwrap().contains(&json!("/isr")), "{body}");
    assert_eq!(stamp(&get(cluster.instances[c].addr, "/isr")), by_path, "an unlisted tag regenerates nothing");

    let posts: Value = serde_json::from_str(&get(cluster.instances[b].addr, "/api/posts")).unwrap();
    let tag = posts[0]["tags"][0].as_str().unwrap().to_string();
    revalidate(&cluster, b, &format!(r#"{{"tag":"{tag}"}}"#));
    assert_ne!(stamp(&get(cluster.instances[c].addr, "/isr")), by_path, "a revalidation by tag reaches instance C too");
}

#[test]
#[ignore = "starts Redis, PostgreSQL and nginx (`make cluster-tools` installs them): `make test` runs it"]
fn a_view_recorded_through_one_instance_shows_in_the_trending_hole_of_another() {
    let _one = ONE_AT_A_TIME.lock().unwrap_or_else(|p| p.into_inner());
    let cluster = three_instances(3600);
    let posts: Value = serde_json::from_str(&get(cluster.addr, "/api/posts")).unwrap();
    let slug = posts[1]["slug"].as_str().unwrap();
    let form = "Content-Type: application/x-www-form-urlencoded";
    let (status, body) = request(cluster.instances[1].addr, "POST", "/api/views", &[form], &format!("slug={slug}"));
    assert_eq!(status, 200, "{body}");

    let html = get(cluster.instances[2].addr, "/stream");
    let trending = html.split("data-hole-ready=\"trending\"").nth(1).expect("the trending hole is filled");
    assert!(trending.contains(&format!("data-leaderboard-slug=\"{slug}\"")), "the view from B ranks in C's hole");
}

#[test]
#[ignore = "starts Redis, PostgreSQL and nginx (`make cluster-tools` installs them): `make test` runs it"]
fn an_instance_killed_during_load_costs_no_client_request() {
    let _one = ONE_AT_A_TIME.lock().unwrap_or_else(|p| p.into_inner());
    let mut cluster = three_instances(3600);
    let addr = cluster.addr;
    let loaded = std::thread::scope(|scope| {
        let wrk = scope.spawn(move || bench::wrk(addr, "/ssr", 10));
        std::thread::sleep(Duration::from_secs(3));
        cluster.kill_instance(1);
        wrk.join().unwrap()
    })
    .unwrap();
    println!("{:.0} req/s through nginx while one instance of three was killed: {} errors, {} non-2xx", loaded.requests_per_sec, loaded.errors, loaded.non_2xx);
    assert!(loaded.requests_per_sec > 0.0);
    assert_eq!((loaded.errors, loaded.non_2xx), (0, 0), "SIGKILL of one instance in three: no failed request");
}

#[test]
#[ignore = "starts Redis, PostgreSQL and nginx (`make cluster-tools` installs them): `make test` runs it"]
fn with_redis_stopped_pages_come_from_each_instances_disk_and_sharing_resumes_when_it_returns() {
    let _one = ONE_AT_A_TIME.lock().unwrap_or_else(|p| p.into_inner());
    let mut cluster = three_instances(1);
    let stop = std::sync::atomic::AtomicBool::new(false);
    let addr = cluster.addr;
    let (requests, failed, first_failure) = std::thread::scope(|scope| {
        let clients = scope.spawn(|| load(addr, "/isr", 8, &stop));
        std::thread::sleep(Duration::from_secs(2));
        cluster.stop_redis();
        std::thread::sleep(Duration::from_secs(3));
        cluster.restart_redis().unwrap();
        std::thread::sleep(Duration::from_secs(3));
        stop.store(true, Ordering::Relaxed);
        clients.join().unwrap()
    });
    println!("{requests} requests while Redis was stopped and restarted: {failed} failed");
    assert!(requests > 100, "{requests} requests");
    assert_eq!(failed, 0, "{failed} of {requests} failed while Redis was away; first: {first_failure:?}");
    assert!(log_lines(&cluster, "Redis is unreachable") >= 1);
    eventually("every instance back on Redis", || every_log_has(&cluster, "Redis is back"));

    // Shared again: a revalidation on A is what C serves.
    std::thread::sleep(Duration::from_millis(1100));
    revalidate(&cluster, 0, r#"{"path":"/isr"}"#);
    assert_eq!(stamp(&get(cluster.instances[2].addr, "/isr")), stamp(&get(cluster.instances[0].addr, "/isr")));
}

#[test]
#[ignore = "starts Redis, PostgreSQL and nginx (`make cluster-tools` installs them): `make test` runs it"]
fn when_redis_returns_with_older_pages_no_instance_serves_an_older_page_than_before() {
    let _one = ONE_AT_A_TIME.lock().unwrap_or_else(|p| p.into_inner());
    let mut cluster = three_instances(1);
    let newest_seen = |cluster: &Cluster, newest: &mut Vec<String>, phase: &str| {
        for (n, instance) in cluster.instances.iter().enumerate() {
            let now = stamp(&get(instance.addr, "/isr"));
            assert!(now >= newest[n], "instance {n} went back from {} to {now} {phase}", newest[n]);
            newest[n] = now;
        }
    };
    let poll = |cluster: &Cluster, newest: &mut Vec<String>, phase: &str| {
        let started = Instant::now();
        while started.elapsed() < Duration::from_secs(4) {
            newest_seen(cluster, newest, phase);
            std::thread::sleep(Duration::from_millis(100));
        }
    };
    let mut newest: Vec<String> = cluster.instances.iter().map(|i| stamp(&get(i.addr, "/isr"))).collect();
    poll(&cluster, &mut newest, "with Redis up"); // Redis now holds a page

    cluster.stop_redis_after_a_snapshot().unwrap();
    poll(&cluster, &mut newest, "while Redis was away"); // each instance regenerates for itself
    let before_return = newest.clone();
    cluster.restart_redis().unwrap(); // holding the page from before it went
    poll(&cluster, &mut newest, "after Redis returned with its older page");
    eventually("every instance back on Redis", || every_log_has(&cluster, "Redis is back"));
    for (n, (then, now)) in before_return.iter().zip(&newest).enumerate() {
        assert!(now > then, "instance {n} regenerates again after Redis returned (still {then})");
    }
}

#[test]
#[ignore = "starts Redis, PostgreSQL and nginx (`make cluster-tools` installs them): `make test` runs it"]
fn the_stream_still_streams_through_nginx() {
    let _one = ONE_AT_A_TIME.lock().unwrap_or_else(|p| p.into_inner());
    let cluster = three_instances(3600);
    for _ in 0..3 {
        let mut stream = TcpStream::connect(cluster.addr).unwrap();
        let sent = Instant::now();
        write!(stream, "GET /stream HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n").unwrap();
        let mut first = [0u8; 1];
        stream.read_exact(&mut first).unwrap();
        let first_byte = sent.elapsed();
        let mut rest = Vec::new();
        stream.read_to_end(&mut rest).unwrap();
        let whole = sent.elapsed();
        assert!(first_byte < LATENCY, "the shell arrived after {first_byte:?}, before the holes' {LATENCY:?}");
        assert!(whole >= LATENCY, "the holes came later on the same response ({whole:?})");
        assert!(String::from_utf8_lossy(&rest).contains("data-hole-ready=\"trending\""));
    }
}
