//! The accept loop: `axum::serve`'s job, with the limits that a server facing
//! the open internet needs and that `axum::serve` does not set.
//! - A connection has `header_read_timeout` to send a request's headers,
//!   counted from when it opens or from the end of its last response (hyper
//!   starts the timer whenever it waits for a request), so this is also how
//!   long an idle keep-alive connection is kept.
//! - At most `max_connections` are open. At the cap, a new connection takes
//!   the place of the one that has waited longest for a request (a slow
//!   client, or an idle one), so a slowloris never locks readers out. Only
//!   when every open connection is busy answering is a new one refused, with 503.
//! - `accept` never stops: an error (no file descriptor left) is logged, and
//!   accepting goes on after a short pause. It waits only while more than
//!   `LEAVING_AT_ONCE` clients over the cap are still closing, which takes
//!   microseconds, so that the descriptors they hold stay within the limit.
//!
//! Each request carries its peer's address (`ConnectInfo`), for `client_address`.

use axum::{body::Body, extract::ConnectInfo, Router};
use bytes::Bytes;
use hyper::{
    body::{Frame, Incoming, SizeHint},
    server::conn::http1,
    service::service_fn,
};
use hyper_util::rt::{TokioIo, TokioTimer};
use std::{
    collections::HashMap,
    convert::Infallible,
    future::Future,
    net::SocketAddr,
    pin::{pin, Pin},
    sync::{
        atomic::{AtomicU64, AtomicUsize, Ordering},
        Arc, Mutex, PoisonError,
    },
    task::{Context, Poll},
    time::{Duration, Instant},
};
use tokio::{
    io::{AsyncReadExt, AsyncWriteExt},
    net::{TcpListener, TcpStream},
    sync::{watch, Notify},
};
use tower::ServiceExt;

/// After a failed `accept`, wait this long before the next: the usual cause,
/// no file descriptor left, passes only as connections close.
const ACCEPT_ERROR_PAUSE: Duration = Duration::from_millis(50);
/// Clients over the cap that may hold a descriptor at once: those told to
/// give way and not closed yet, and refused ones getting their 503.
const LEAVING_AT_ONCE: usize = 32;
/// How long a refused client gets to take its 503 and close.
const REFUSAL_TIME: Duration = Duration::from_secs(1);
const REFUSAL: &[u8] = b"HTTP/1.1 503 Service Unavailable\r\nContent-Type: text/plain; charset=utf-8\r\n\
X-Content-Type-Options: nosniff\r\nRetry-After: 1\r\nConnection: close\r\nContent-Length: 33\r\n\r\n\
every connection is busy: retry\r\n";

/// Descriptors kept for what is not a connection: the site's files, the
/// database's, the log, and the `LEAVING_AT_ONCE` clients on their way out.
const DESCRIPTORS_KEPT: usize = 128;

/// `wanted`, or fewer if the open-file limit would run out first: every
/// connection is a file descriptor, and when none is left, `accept` fails for everyone.
pub fn within_open_file_limit(wanted: usize) -> usize {
    let mut limit = libc::rlimit { rlim_cur: 0, rlim_max: 0 };
    // SAFETY: getrlimit on this process, with a valid pointer.
    if unsafe { libc::getrlimit(libc::RLIMIT_NOFILE, &mut limit) } != 0 || limit.rlim_cur == libc::RLIM_INFINITY {
        return wanted;
    }
    let allowed = usize::try_from(limit.rlim_cur).unwrap_or(usize::MAX).saturating_sub(DESCRIPTORS_KEPT);
    wanted.min(allowed.max(1))
}

#[derive(Clone, Copy, Debug)]
pub struct Limits {
    pub header_read_timeout: Duration,
    pub max_connections: usize,
}

/// Serves `app` on `listener` until `shutdown` completes; then stops
/// accepting, lets each connection finish the request it is answering, and
/// returns once all are closed.
pub async fn serve(listener: TcpListener, app: Router, limits: Limits, shutdown: impl Future<Output = ()>) {
    let open = OpenConnections::new(limits.max_connections);
    let (closing, closing_seen) = watch::channel(false);
    let mut shutdown = pin!(shutdown);
    loop {
        open.room_for_one_more().await;
        let (tcp, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(error) => {
                    app::repeated_errors::log_error("accept failed", |held_back| {
                        tracing::error!(%error, held_back, "accept failed");
                    });
                    tokio::time::sleep(ACCEPT_ERROR_PAUSE).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        // Streamed pages are written in several small pieces: without NODELAY,
        // Nagle's algorithm holds each piece until the client's delayed ACK
        // (40 ms) on keep-alive connections.
        if let Err(error) = tcp.set_nodelay(true) {
            tracing::warn!(%error, "cannot set TCP_NODELAY");
        }
        match open.admit() {
            Admission::Serve(slot) => {
                let connection = serve_connection(tcp, peer, app.clone(), slot, limits.header_read_timeout, closing_seen.clone());
                tokio::spawn(connection)
            }
            Admission::Refuse(slot) => tokio::spawn(refuse(tcp, slot)),
        };
    }
    drop(listener);
    closing.send_replace(true);
    open.all_closed().await;
}

async fn serve_connection(
    tcp: TcpStream,
    peer: SocketAddr,
    app: Router,
    slot: Slot,
    header_read_timeout: Duration,
    mut closing: watch::Receiver<bool>,
) {
    let state = slot.state.clone();
    let service = service_fn(move |mut request: hyper::Request<Incoming>| {
        request.extensions_mut().insert(ConnectInfo(peer));
        let busy = Busy::new(state.clone());
        let response = app.clone().oneshot(request.map(Body::new));
        async move {
            let response = response.await?;
            Ok::<_, Infallible>(response.map(|body| WhileBusy { body, _busy: busy }))
        }
    });
    let mut builder = http1::Builder::new();
    builder.timer(TokioTimer::new()).header_read_timeout(header_read_timeout);
    let mut connection = pin!(builder.serve_connection(TokioIo::new(tcp), service));
    loop {
        tokio::select! {
            _ = connection.as_mut() => return,
            // Waiting for a request, it is closed at once: nothing is lost.
            () = slot.state.evicted.notified() => if slot.state.busy.load(Ordering::Acquire) == 0 {
                return;
            },
            _ = closing.wait_for(|closing| *closing) => break,
        }
    }
    connection.as_mut().graceful_shutdown();
    _ = connection.await;
}

/// Answers 503 on a connection over the cap, then closes it once the client
/// has: closed with the request unread, the socket would be reset, and the
/// client could lose the 503 (and see only "broken pipe").
async fn refuse(mut tcp: TcpStream, _slot: Slot) {
    _ = tokio::time::timeout(REFUSAL_TIME, async {
        tcp.write_all(REFUSAL).await?;
        tcp.shutdown().await?;
        let mut unread = [0u8; 1024];
        while tcp.read(&mut unread).await? > 0 {}
        Ok::<_, std::io::Error>(())
    })
    .await;
}

/// The open connections, as many as the cap allows.
struct OpenConnections {
    max: usize,
    started: Instant,
    table: Arc<Mutex<Table>>,
    /// Told whenever a client's descriptor is closed.
    closed: Arc<Notify>,
}

#[derive(Default)]
struct Table {
    next_id: u64,
    /// The connections being served that may still give way.
    evictable: HashMap<u64, Arc<ConnectionState>>,
    /// Every client that holds a descriptor: served, giving way, or refused.
    open: usize,
}

enum Admission {
    Serve(Slot),
    Refuse(Slot),
}

struct ConnectionState {
    /// Requests being answered, until their response's last byte is written.
    busy: AtomicUsize,
    /// When it last started to wait for a request, in ms since `OpenConnections::started`.
    waiting_since_ms: AtomicU64,
    started: Instant,
    evicted: Notify,
}

impl ConnectionState {
    fn now_ms(&self) -> u64 {
        u64::try_from(self.started.elapsed().as_millis()).unwrap_or(u64::MAX)
    }
}

impl OpenConnections {
    fn new(max: usize) -> OpenConnections {
        OpenConnections { max: max.max(1), started: Instant::now(), table: Arc::default(), closed: Arc::default() }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Table> {
        self.table.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// A place for a new connection: a free one, or the one of the connection
    /// that has waited longest for a request, which is told to close. `None`
    /// when every connection is busy answering: the client is refused.
    fn admit(&self) -> Admission {
        let mut table = self.lock();
        let mut serve = true;
        if table.evictable.len() >= self.max {
            let longest_waiting = table
                .evictable
                .iter()
                .filter(|(_, state)| state.busy.load(Ordering::Acquire) == 0)
                .min_by_key(|(_, state)| state.waiting_since_ms.load(Ordering::Relaxed))
                .map(|(&id, _)| id);
            match longest_waiting.and_then(|id| table.evictable.remove(&id)) {
                Some(state) => state.evicted.notify_one(),
                None => serve = false,
            }
        }
        let state = Arc::new(ConnectionState {
            busy: AtomicUsize::new(0),
            started: self.started,
            waiting_since_ms: AtomicU64::new(0),
            evicted: Notify::new(),
        });
        state.waiting_since_ms.store(state.now_ms(), Ordering::Relaxed);
        let id = table.next_id;
        table.next_id += 1;
        if serve {
            table.evictable.insert(id, state.clone());
        }
        table.open += 1;
        let slot = Slot { id, state, table: self.table.clone(), closed: self.closed.clone() };
        if serve { Admission::Serve(slot) } else { Admission::Refuse(slot) }
    }

    async fn room_for_one_more(&self) {
        self.wait_until(|table| table.open < self.max + LEAVING_AT_ONCE).await;
    }

    async fn all_closed(&self) {
        self.wait_until(|table| table.open == 0).await;
    }

    async fn wait_until(&self, done: impl Fn(&Table) -> bool) {
        loop {
            let mut closed = pin!(self.closed.notified());
            closed.as_mut().enable();
            if done(&self.lock()) {
                return;
            }
            closed.await;
        }
    }
}

/// One connection's place in `OpenConnections`, given up when it closes.
struct Slot {
    id: u64,
    state: Arc<ConnectionState>,
    table: Arc<Mutex<Table>>,
    closed: Arc<Notify>,
}

impl Drop for Slot {
    fn drop(&mut self) {
        let mut table = self.table.lock().unwrap_or_else(PoisonError::into_inner);
        table.evictable.remove(&self.id);
        table.open -= 1;
        drop(table);
        self.closed.notify_waiters();
    }
}

/// Marks its connection busy from a request's headers to its response's last byte.
struct Busy(Arc<ConnectionState>);

impl Busy {
    fn new(state: Arc<ConnectionState>) -> Busy {
        state.busy.fetch_add(1, Ordering::AcqRel);
        Busy(state)
    }
}

impl Drop for Busy {
    fn drop(&mut self) {
        self.0.waiting_since_ms.store(self.0.now_ms(), Ordering::Relaxed);
        self.0.busy.fetch_sub(1, Ordering::AcqRel);
    }
}

/// A response body that keeps its connection marked busy until it is sent.
struct WhileBusy {
    body: Body,
    _busy: Busy,
}

impl hyper::body::Body for WhileBusy {
    type Data = Bytes;
    type Error = axum::Error;

    fn poll_frame(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Result<Frame<Bytes>, axum::Error>>> {
        Pin::new(&mut self.body).poll_frame(cx)
    }

    fn is_end_stream(&self) -> bool {
        self.body.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.body.size_hint()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    impl Admission {
        fn served(self) -> Option<Slot> {
            match self {
                Admission::Serve(slot) => Some(slot),
                Admission::Refuse(_) => None,
            }
        }
    }

    fn wait_then_busy(open: &OpenConnections, ms: u64) -> Slot {
        let slot = open.admit().served().unwrap();
        slot.state.waiting_since_ms.store(ms, Ordering::Relaxed);
        slot
    }

    #[test]
    fn at_the_cap_the_connection_that_waited_longest_for_a_request_gives_way() {
        let open = OpenConnections::new(3);
        let newer = wait_then_busy(&open, 20);
        let oldest = wait_then_busy(&open, 10);
        let busy = wait_then_busy(&open, 0);
        let _answering = Busy::new(busy.state.clone());
        let _admitted = open.admit().served().expect("a place, taken from the one waiting longest");
        assert_eq!(open.lock().evictable.len(), 3);
        assert!(!open.lock().evictable.contains_key(&oldest.id), "the oldest waiter was told to go");
        assert!(open.lock().evictable.contains_key(&newer.id) && open.lock().evictable.contains_key(&busy.id));
        assert_eq!(open.lock().open, 4, "until it has closed, it still counts as open");
    }

    #[test]
    fn when_every_connection_is_answering_a_new_one_is_refused() {
        let open = OpenConnections::new(2);
        let slots: Vec<Slot> = (0..2).map(|_| open.admit().served().unwrap()).collect();
        let answering: Vec<Busy> = slots.iter().map(|slot| Busy::new(slot.state.clone())).collect();
        let refused = open.admit().served();
        assert!(refused.is_none());
        assert_eq!(open.lock().open, 2, "a refused client holds no place once it has its answer");
        drop(answering);
        assert!(open.admit().served().is_some(), "a connection done answering waits again, and may give way");
    }

    #[tokio::test]
    async fn shutdown_waits_for_the_last_connection_to_close() {
        let open = OpenConnections::new(2);
        let slot = open.admit().served().unwrap();
        let mut all_closed = pin!(open.all_closed());
        assert!(futures::poll!(all_closed.as_mut()).is_pending(), "one is still open");
        drop(slot);
        tokio::time::timeout(Duration::from_secs(5), all_closed).await.expect("all closed");
    }

    #[tokio::test]
    async fn accepting_waits_while_too_many_clients_over_the_cap_are_still_closing() {
        let open = OpenConnections::new(1);
        let leaving: Vec<Slot> = (0..=LEAVING_AT_ONCE).map(|_| open.admit().served().unwrap()).collect();
        let mut room = pin!(open.room_for_one_more());
        assert!(futures::poll!(room.as_mut()).is_pending(), "{} clients hold descriptors", LEAVING_AT_ONCE + 1);
        drop(leaving.into_iter().next());
        tokio::time::timeout(Duration::from_secs(5), room).await.expect("room once one has closed");
    }
}
