//! Clients that hold connections: slow ones that never finish their headers,
//! idle ones, and more of them than the server has file descriptors for. The
//! real binary, under a lowered open-file limit, so the limits are the process's.

use crate::common::{
    binary::{server_command, start_binary_from, OpenFiles},
    KillOnDrop, TestDirs,
};
use std::{
    io::{ErrorKind, Read, Write},
    net::TcpStream,
    time::{Duration, Instant},
};

/// 256 descriptors in all: the server keeps 128 for itself and takes 128 clients.
const OPEN_FILES: OpenFiles = OpenFiles { soft: 256, hard: Some(256) };
const SLOW_CLIENTS: usize = 300;
const SLOW_HEAD: &[u8] = b"GET /api/posts HTTP/1.1\r\nHost: 127.0.0.1\r\nUser-Agent: slow";

fn get(addr: &str, path: &str) -> String {
    let mut stream = TcpStream::connect(addr).unwrap();
    stream.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    write!(stream, "GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n").unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).expect("the whole response within 10 s");
    response
}

fn status_of(response: &str) -> &str {
    response.split(' ').nth(1).unwrap_or("none")
}

fn resident_kib(child: &KillOnDrop) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{}/status", child.0.id())).unwrap();
    let line = status.lines().find(|line| line.starts_with("VmRSS:")).unwrap();
    line.split_whitespace().nth(1).unwrap().parse().unwrap()
}

/// Whether the server has closed `stream`: it reads end of file, or a reset.
fn closed_by_server(stream: &mut TcpStream) -> bool {
    stream.set_nonblocking(true).unwrap();
    let mut byte = [0u8; 1];
    let closed = match stream.read(&mut byte) {
        Ok(0) => true,
        Ok(_) => false,
        Err(error) => error.kind() != ErrorKind::WouldBlock,
    };
    stream.set_nonblocking(false).unwrap();
    closed
}

#[test]
fn slow_clients_beyond_the_descriptors_give_way_and_readers_get_their_pages() {
    let dirs = TestDirs::new();
    let (child, addr, logged) = start_binary_from(server_command(OPEN_FILES), &dirs.config(), &[]);
    assert!(status_of(&get(&addr, "/api/posts")) == "200");
    let before = resident_kib(&child);

    let mut slow: Vec<TcpStream> = (0..SLOW_CLIENTS)
        .map(|_| {
            let mut stream = TcpStream::connect(&addr).unwrap();
            stream.write_all(SLOW_HEAD).unwrap();
            stream
        })
        .collect();
    let response = get(&addr, "/api/posts");
    assert_eq!(status_of(&response), "200", "a reader gets the page past {SLOW_CLIENTS} slow clients");
    let during = resident_kib(&child);
    let given_way = slow.iter_mut().map(closed_by_server).filter(|closed| *closed).count();
    assert!(given_way >= SLOW_CLIENTS - 128, "the oldest slow clients were closed: {given_way}");
    assert!(!closed_by_server(slow.last_mut().unwrap()), "the newest still waits for its timeout");
    assert!(during < before + 16 * 1024, "RSS {before} KiB before, {during} KiB with {SLOW_CLIENTS} slow clients");

    drop(slow);
    assert_eq!(status_of(&get(&addr, "/api/posts")), "200");
    drop(child);
    let logged = logged.join().unwrap();
    assert!(!logged.iter().any(|line| line.contains("Too many open files")), "{logged:#?}");
}

#[test]
fn headers_not_finished_in_time_and_idle_keep_alive_connections_are_closed() {
    let dirs = TestDirs::new();
    let env = [("HEADER_READ_TIMEOUT_SECS", "1")];
    let (_child, addr, _) = start_binary_from(server_command(OPEN_FILES), &dirs.config(), &env);

    let mut slow = TcpStream::connect(&addr).unwrap();
    slow.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    let started = Instant::now();
    slow.write_all(SLOW_HEAD).unwrap();
    let mut rest = Vec::new();
    _ = slow.read_to_end(&mut rest);
    let took = started.elapsed();
    assert!(took >= Duration::from_millis(900) && took < Duration::from_secs(5), "closed after {took:?}");

    let mut idle = TcpStream::connect(&addr).unwrap();
    idle.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    let started = Instant::now();
    idle.write_all(b"GET /api/posts HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n").unwrap();
    let mut response = Vec::new();
    idle.read_to_end(&mut response).expect("closed by the server, not by the read timeout");
    let took = started.elapsed();
    assert_eq!(status_of(&String::from_utf8_lossy(&response)), "200");
    assert!(took >= Duration::from_millis(900) && took < Duration::from_secs(5), "the idle connection closed after {took:?}");
}

// @demo-begin
#[test]
fn when_every_connection_is_answering_a_new_one_gets_503() {
    let dirs = TestDirs::new();
    let env = [("DEMO_LATENCY_MS", "1500"), ("MAX_CONNECTIONS", "2")];
    let (_child, addr, _) = start_binary_from(server_command(OPEN_FILES), &dirs.config(), &env);
    let streams: Vec<TcpStream> = (0..2)
        .map(|_| {
            let mut stream = TcpStream::connect(&addr).unwrap();
            stream.write_all(b"GET /stream HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n").unwrap();
            let mut first = [0u8; 64];
            assert!(stream.read(&mut first).unwrap() > 0, "the shell is on its way: the connection is answering");
            stream
        })
        .collect();
    let refused = get(&addr, "/ssr");
    assert_eq!(status_of(&refused), "503", "{refused}");
    assert!(refused.contains("Retry-After: 1"), "{refused}");
    for mut stream in streams {
        let mut rest = Vec::new();
        stream.read_to_end(&mut rest).unwrap();
        assert!(String::from_utf8_lossy(&rest).contains("</html>"), "the streams in flight were not cut");
    }
    assert_eq!(status_of(&get(&addr, "/ssr")), "200", "served again once a connection is free");
}
// @demo-end
