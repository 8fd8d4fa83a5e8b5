//! How connections reach the handlers: each worker thread runs a single-threaded runtime that
//! accepts connections from the one listening socket and serves each to its end, as nginx's
//! worker processes do; with no workers asked for, the runtime the emulator was started on
//! accepts and serves (the tests, and `run`'s embedded emulator, which share their process with
//! the harness).
//!
//! Why not a server crate's loop on one work-stealing runtime: a connection's requests then hop
//! between worker threads, and those wake-ups and the crate's per-connection bookkeeping cost
//! about a tenth of a request under `wrk` (`scripts/bench/load.sh`); a connection that stays on
//! the thread that accepted it does not pay them. Why each worker accepts rather than one
//! acceptor dealing connections round robin: a worker that is free takes the next connection,
//! as in nginx, so with the load generator on the same two cores the emulator leaves a core to
//! it as nginx does (dealt evenly, the emulator had 0.85 of nginx's rate with 2 workers each;
//! accepting as nginx does, 1.07), and a busy worker does not get connections an idle one could
//! serve.
//!
//! What a connection is held to is what it was held to before:
//! - its first request (and, over TLS, its handshake) within the configured time, or it is
//!   closed: a client that connects and says nothing does not hold a task forever; and after
//!   that, closed when no request has begun or been in flight for that time (an idle kept-alive
//!   connection, or one sending a head slowly);
//! - on shutdown, no new connection is accepted, each connection finishes the request it is in
//!   and then closes, and after the grace period whatever is left is dropped.

use std::convert::Infallible;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use axum::body::{Body, HttpBody};
use axum::extract::Request;
use axum::http::{HeaderValue, Method, header};
use axum::response::Response;
use hyper::body::Incoming;
use hyper_util::rt::{TokioExecutor, TokioIo};
use hyper_util::server::conn::auto;
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{Notify, watch};
use tower::ServiceExt;

use super::context::App;

/// Where the requests go: straight to the emulator's entry point, or through the router the
/// fault layer wraps (`--fault`: a measuring run, where a router's cost does not matter).
#[derive(Clone)]
pub(crate) enum Handler {
    Direct(Arc<App>),
    Router(axum::Router),
}

/// Where serving stands. Connections and workers watch it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Stop {
    Running,
    /// No new connections; each open one ends after the request it is in.
    Graceful,
    /// Whatever is left is dropped, and the workers end.
    Now,
}

struct Shared {
    handler: Handler,
    tls: Option<tokio_rustls::TlsAcceptor>,
    first_request_timeout: Duration,
    stop: watch::Sender<Stop>,
    /// Open connections, and accepting loops, each with a wake-up when the last one ends.
    live: Count,
    accepting: Count,
}

/// How many of something are running, and a wake-up when none is.
#[derive(Default)]
struct Count {
    n: AtomicUsize,
    none: Notify,
}

impl Count {
    /// Counts one in until the guard drops.
    fn enter(&self) -> Entered<'_> {
        self.n.fetch_add(1, Ordering::AcqRel);
        Entered(self)
    }

    /// Counts one out, waking whoever waits for none.
    fn leave(&self) {
        if self.n.fetch_sub(1, Ordering::AcqRel) == 1 {
            self.none.notify_waiters();
        }
    }

    async fn none(&self) {
        loop {
            let notified = self.none.notified();
            if self.n.load(Ordering::Acquire) == 0 {
                return;
            }
            notified.await;
        }
    }
}

struct Entered<'a>(&'a Count);

impl Drop for Entered<'_> {
    fn drop(&mut self) {
        self.0.leave();
    }
}

/// Serving in progress (see the module's doc).
pub(crate) struct Serving {
    shared: Arc<Shared>,
    /// The accepting task on the starting runtime, when there are no workers.
    acceptor: Option<tokio::task::JoinHandle<()>>,
}

/// Stops a [`Serving`] from elsewhere.
#[derive(Clone)]
pub(crate) struct Stopper(Arc<Shared>);

impl Stopper {
    /// Starts a graceful stop; [`Serving::wait`] carries it out.
    pub(crate) fn trigger(&self) {
        self.0.stop.send_replace(Stop::Graceful);
    }
}

impl Serving {
    /// Serves `listener` with `handler` until stopped: on `workers` threads of their own, or on
    /// the calling runtime when `workers` is 0.
    pub(crate) fn start(
        listener: TcpListener,
        handler: Handler,
        tls: Option<Arc<rustls::ServerConfig>>,
        first_request_timeout: Duration,
        workers: usize,
    ) -> std::io::Result<Serving> {
        let shared = Arc::new(Shared {
            handler,
            tls: tls.map(tokio_rustls::TlsAcceptor::from),
            first_request_timeout,
            stop: watch::Sender::new(Stop::Running),
            live: Count::default(),
            accepting: Count::default(),
        });
        let acceptor = if workers == 0 {
            Some(tokio::spawn(accept(listener, Accepting::new(&shared))))
        } else {
            let listener = listener.into_std()?;
            for i in 0..workers {
                worker(i, listener.try_clone()?, Accepting::new(&shared))?;
            }
            None
        };
        Ok(Serving { shared, acceptor })
    }

    pub(crate) fn stopper(&self) -> Stopper {
        Stopper(self.shared.clone())
    }

    /// Waits for a stop to be triggered, then carries it out: the listener closes at once, open
    /// connections get up to `grace` to finish the request they are in.
    pub(crate) async fn wait(self, grace: Duration) {
        let mut stop = self.shared.stop.subscribe();
        let _ = stop.wait_for(|s| *s != Stop::Running).await;
        if let Some(acceptor) = self.acceptor {
            let _ = acceptor.await;
        }
        // The workers' loops end on their threads: the socket is closed once they have.
        self.shared.accepting.none().await;
        let _ = tokio::time::timeout(grace, self.shared.live.none()).await;
        self.shared.stop.send_replace(Stop::Now);
        // Dropped connections end at their next poll; a moment for them to go.
        let _ = tokio::time::timeout(Duration::from_millis(500), self.shared.live.none()).await;
    }
}

/// A worker thread: a single-threaded runtime that accepts from its copy of the listening socket
/// and serves what it accepts, until [`Stop::Now`].
fn worker(i: usize, listener: std::net::TcpListener, accepting: Accepting) -> std::io::Result<()> {
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::Builder::new()
        .name(format!("ontap-emulator-{i}"))
        .spawn(move || {
            let rt = match tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
            {
                Ok(rt) => rt,
                Err(e) => {
                    let _ = tx.send(Err(e));
                    return;
                }
            };
            rt.block_on(async move {
                // A socket is registered with the runtime that polls it: here, this one.
                let listener = match TcpListener::from_std(listener) {
                    Ok(l) => l,
                    Err(e) => {
                        let _ = tx.send(Err(e));
                        return;
                    }
                };
                let _ = tx.send(Ok(()));
                let mut stop = accepting.0.stop.subscribe();
                tokio::spawn(accept(listener, accepting));
                let _ = stop.wait_for(|s| *s == Stop::Now).await;
            });
        })?;
    rx.recv()
        .unwrap_or_else(|_| Err(std::io::Error::other("a worker thread ended at its start")))
}

/// An accepting loop, counted from before it starts (a stop right after the start still waits
/// for it to close its socket) until it ends.
struct Accepting(Arc<Shared>);

impl Accepting {
    fn new(shared: &Arc<Shared>) -> Accepting {
        shared.accepting.n.fetch_add(1, Ordering::AcqRel);
        Accepting(shared.clone())
    }
}

impl Drop for Accepting {
    fn drop(&mut self) {
        self.0.accepting.leave();
    }
}

/// Accepts until a stop, each connection served on this runtime.
async fn accept(listener: TcpListener, accepting: Accepting) {
    let shared = accepting.0.clone();
    let mut stop = shared.stop.subscribe();
    loop {
        let accepted = tokio::select! {
            biased;
            _ = stop.wait_for(|s| *s != Stop::Running) => break,
            accepted = listener.accept() => accepted,
        };
        match accepted {
            Ok((stream, _)) => {
                tokio::spawn(connection(stream, shared.clone()));
            }
            // Out of file descriptors, say: not a hot loop while it lasts.
            Err(_) => tokio::time::sleep(Duration::from_millis(50)).await,
        }
    }
    // The socket first, then the count a stop waits on.
    drop(listener);
    drop(accepting);
}

async fn connection(stream: TcpStream, shared: Arc<Shared>) {
    let _live = shared.live.enter();
    // Requests and answers are small and each answer is one write: nothing to gain by waiting
    // to fill a segment.
    let _ = stream.set_nodelay(true);
    let mut stop = shared.stop.subscribe();
    if *stop.borrow_and_update() != Stop::Running {
        return;
    }
    let deadline = tokio::time::Instant::now() + shared.first_request_timeout;
    match &shared.tls {
        None => serve(stream, &shared, stop, deadline).await,
        Some(acceptor) => {
            let accepted = tokio::select! {
                biased;
                _ = stop.changed() => return,
                _ = tokio::time::sleep_until(deadline) => return,
                accepted = acceptor.accept(stream) => accepted,
            };
            if let Ok(tls) = accepted {
                serve(tls, &shared, stop, deadline).await;
            }
        }
    }
}

async fn serve<I>(
    io: I,
    shared: &Shared,
    mut stop: watch::Receiver<Stop>,
    deadline: tokio::time::Instant,
) where
    I: AsyncRead + AsyncWrite + Unpin + Send + 'static,
{
    let activity = Arc::new(Activity::default());
    let service = Service {
        handler: shared.handler.clone(),
        activity: activity.clone(),
    };
    let builder = auto::Builder::new(TokioExecutor::new());
    let conn = builder.serve_connection(TokioIo::new(io), service);
    tokio::pin!(conn);
    // Until the first request: bounded (this also bounds hyper's look at the first bytes, which
    // has no time limit of its own).
    let graceful = tokio::select! {
        biased;
        _ = conn.as_mut() => return,
        _ = stop.wait_for(|s| *s != Stop::Running) => true,
        _ = tokio::time::sleep_until(deadline) => {
            if activity.started.load(Ordering::Acquire) == 0 {
                return;
            }
            false
        }
        _ = activity.first.notified() => false,
    };
    // Then: closed when no request has been in flight or begun for the time, whether the
    // client is idle or sending a head slowly. A watchdog looks every half of it, rather than
    // hyper's header timer, which is set again for every request and cost a twentieth of a GET
    // under `wrk`; a connection is so closed between one and one and a half times the time
    // after its last request.
    if !graceful {
        let timeout = shared.first_request_timeout;
        let period = (timeout / 2).max(Duration::from_millis(10));
        let mut watch = tokio::time::interval_at(tokio::time::Instant::now() + period, period);
        watch.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        let mut last = activity.started.load(Ordering::Acquire);
        let mut quiet_since = tokio::time::Instant::now();
        loop {
            tokio::select! {
                biased;
                _ = conn.as_mut() => return,
                _ = stop.wait_for(|s| *s != Stop::Running) => break,
                _ = watch.tick() => {
                    let started = activity.started.load(Ordering::Acquire);
                    if started != last || activity.open.load(Ordering::Acquire) > 0 {
                        last = started;
                        quiet_since = tokio::time::Instant::now();
                    } else if quiet_since.elapsed() >= timeout {
                        return;
                    }
                }
            }
        }
    }
    conn.as_mut().graceful_shutdown();
    tokio::select! {
        _ = conn.as_mut() => {}
        _ = stop.wait_for(|s| *s == Stop::Now) => {}
    }
}

/// What a connection's requests tell the connection: each one's start, and how many are being
/// answered.
#[derive(Default)]
struct Activity {
    started: AtomicUsize,
    open: AtomicUsize,
    /// Woken by the first request.
    first: Notify,
}

/// A request being answered, counted while it is.
struct Open(Arc<Activity>);

impl Drop for Open {
    fn drop(&mut self) {
        self.0.open.fetch_sub(1, Ordering::AcqRel);
    }
}

/// A connection's service: the handler, and what it tells the connection.
#[derive(Clone)]
struct Service {
    handler: Handler,
    activity: Arc<Activity>,
}

type Answer = Pin<Box<dyn Future<Output = Result<Response, Infallible>> + Send>>;

impl hyper::service::Service<hyper::Request<Incoming>> for Service {
    type Response = Response;
    type Error = Infallible;
    type Future = Answer;

    fn call(&self, req: hyper::Request<Incoming>) -> Answer {
        if self.activity.started.fetch_add(1, Ordering::AcqRel) == 0 {
            self.activity.first.notify_one();
        }
        self.activity.open.fetch_add(1, Ordering::AcqRel);
        let open = Open(self.activity.clone());
        let req: Request = req.map(Body::new);
        match &self.handler {
            Handler::Direct(app) => {
                let app = app.clone();
                Box::pin(async move {
                    let _open = open;
                    let head = req.method() == Method::HEAD;
                    Ok(finish(super::server::serve(app, req).await, head))
                })
            }
            Handler::Router(router) => {
                let router = router.clone();
                Box::pin(async move {
                    let _open = open;
                    let resp = router.oneshot(req).await;
                    Ok(resp.unwrap_or_else(|never| match never {}))
                })
            }
        }
    }
}

/// What axum's router does to every answer, for the direct path: `Content-Length` from a body
/// whose size is known, and no body for a HEAD (its length stays: the GET's).
fn finish(mut resp: Response, head: bool) -> Response {
    if !resp.headers().contains_key(header::CONTENT_LENGTH)
        && let Some(n) = resp.body().size_hint().exact()
    {
        resp.headers_mut()
            .insert(header::CONTENT_LENGTH, HeaderValue::from(n));
    }
    if head {
        resp = resp.map(|_| Body::empty());
    }
    resp
}
