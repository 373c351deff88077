//! The one HTTP/1.1 client of xtask's commands and tests: a request on a
//! kept-alive connection (opened when there is none), read to the end of its
//! body, by `Content-Length` or chunk by chunk.

use anyhow::{Context, Result};
use std::{
    io::{BufRead, BufReader, Read, Write},
    net::{SocketAddr, TcpStream},
    time::Duration,
};

pub type Connection = Option<BufReader<TcpStream>>;

pub struct Response {
    pub status: u16,
    /// Each header's name, lowercased, and its value.
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Response {
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    /// The first value of the header `name` (lowercase).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(header, _)| header == name).map(|(_, value)| value.as_str())
    }
}

pub fn get(connection: &mut Connection, addr: SocketAddr, path: &str) -> Result<Response> {
    send(connection, addr, "GET", path, &[], b"")
}

/// `method path` with these extra header lines (`"Name: value"`) and body.
pub fn send(
    connection: &mut Connection,
    addr: SocketAddr,
    method: &str,
    path: &str,
    headers: &[&str],
    body: &[u8],
) -> Result<Response> {
    if connection.is_none() {
        let stream = TcpStream::connect(addr).with_context(|| format!("connecting to {addr}"))?;
        stream.set_read_timeout(Some(Duration::from_secs(10)))?;
        *connection = Some(BufReader::new(stream));
    }
    let reader = connection.as_mut().expect("connected above");
    let mut request = format!("{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n");
    if !body.is_empty() {
        request.push_str(&format!("Content-Length: {}\r\n", body.len()));
    }
    headers.iter().for_each(|header| request.push_str(&format!("{header}\r\n")));
    request.push_str("\r\n");
    let stream = reader.get_mut();
    stream.write_all(request.as_bytes())?;
    stream.write_all(body)?;
    let mut line = String::new();
    reader.read_line(&mut line).context("reading the status line")?;
    let status: u16 = line.split(' ').nth(1).context("a status line")?.parse()?;
    let mut headers = Vec::new();
    loop {
        line.clear();
        reader.read_line(&mut line).context("reading the headers")?;
        let header = line.trim_end();
        if header.is_empty() {
            break;
        }
        let (name, value) = header.split_once(':').context("a header line")?;
        headers.push((name.trim().to_ascii_lowercase(), value.trim().to_string()));
    }
    let mut response = Response { status, headers, body: Vec::new() };
    let length = response.header("content-length").map(str::parse::<usize>).transpose()?;
    let chunked = response.header("transfer-encoding").is_some_and(|value| value.contains("chunked"));
    let close = response.header("connection").is_some_and(|value| value.eq_ignore_ascii_case("close"));
    let body = &mut response.body;
    if chunked {
        loop {
            line.clear();
            reader.read_line(&mut line).with_context(|| format!("reading a chunk size after {} body bytes", body.len()))?;
            let size = usize::from_str_radix(line.trim().split(';').next().unwrap_or(""), 16).context("a chunk size")?;
            let mut chunk = vec![0; size + 2];
            reader.read_exact(&mut chunk).context("reading a chunk")?;
            if size == 0 {
                break;
            }
            body.extend_from_slice(&chunk[..size]);
        }
    } else {
        let length = length.context("neither Content-Length nor chunked")?;
        body.resize(length, 0);
        reader.read_exact(body).with_context(|| format!("reading a {length}-byte body"))?;
    }
    if close {
        *connection = None;
    }
    Ok(response)
}
