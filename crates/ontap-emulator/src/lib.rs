//! An embedded ONTAP REST emulator: serves the spec'd endpoints over real sockets (HTTP or HTTPS
//! with a self-signed certificate made at start), with ONTAP's authentication, roles, error bodies
//! and collection conventions, plus an emulator-only control surface under `/emulator/`.
//!
//! Starting state (also in the README):
//! - cluster `cluster1` ([`state::CLUSTER_UUID`]), version from [`EmulatorConfig::ontap_version`];
//! - accounts `admin`/`Netapp1!` (cluster, admin), `monitor`/`Monitor1!` (cluster, readonly),
//!   `vsadmin`/`Vsadmin1!` (svm1, vsadmin), `ndmpsso`/`Ndmpsso1!` (svm1, vsadmin-backup, NDMP
//!   authentication type `plaintext_sso`);
//! - SVMs `svm1` (`19d04b8e-94d7-11e8-8370-005056b48fd2`) and `svm2`
//!   (`25f617cf-94d7-11e8-8370-005056b48fd2`), each with the iSCSI service and its `default`
//!   credential (authentication type `none`);
//! - NDMP in SVM-aware mode; FIPS off; no software encryption conversion.
//!
//! Where things are: `routes` is the map (every path, its methods and their handlers; [`routes()`]
//! lists it so a test can compare it with the spec); `server` is what every request goes through
//! (logging, credentials, roles, body limits, panics); `log` writes the log lines off the
//! requests' threads; `context` is what handlers share (`App`, `Ctx`, `Caller`, `Reply`, the
//! state's lock that counts changes); `rendered` keeps GET answers until the state changes; then one module per resource (`cluster`, `accounts`, `password`, `security`,
//! `iscsi`, `ndmp`, `control`) over `state`, `collection` (ONTAP's query conventions), `body`
//! and `error` (ONTAP's error bodies and codes); `conventions` holds what ONTAP does on every
//! path around the handlers (SVM tunnelling, instance matchers, collection PATCH/DELETE, plain
//! JSON, job retention).

mod accounts;
mod body;
mod cli;
mod cluster;
mod collection;
mod context;
mod control;
mod conventions;
mod docs;
mod engine;
/// `--state FILE`: a fresh cluster's records from a file (see the engine's `fresh` module).
pub use engine::load_state;
pub mod error;
pub mod faults;
mod iscsi;
mod jobs;
mod log;
mod ndmp;
mod ndmp_svms;
mod password;
mod rendered;
mod routes;
mod security;
mod security_settings;
mod serve;
mod server;
pub mod state;
#[cfg(test)]
mod testing;
mod tls;

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

pub use log::{LogTime, LogWriter};
pub use routes::{RouteInfo, routes};

/// Every operation the spec-driven engine serves (the imported layer's operations on paths no
/// hand-written route serves), in the spec's form, for comparing with the spec
/// (`tests/routes.rs` in the harness).
pub fn engine_routes() -> Vec<RouteInfo> {
    engine::operations()
        .into_iter()
        .map(|(method, path)| RouteInfo {
            method,
            path,
            beyond_spec: engine::later_path(path),
        })
        .collect()
}

/// The starting cluster administrator.
pub const ADMIN_USER: &str = "admin";
/// The starting cluster administrator's password.
pub const ADMIN_PASSWORD: &str = "Netapp1!";
/// The starting read-only cluster account (role `readonly`), as (name, password).
pub const MONITOR: (&str, &str) = ("monitor", "Monitor1!");
/// The starting administrator of svm1 (role `vsadmin`), as (name, password).
pub const VSADMIN: (&str, &str) = ("vsadmin", "Vsadmin1!");
/// The starting svm1 backup account (role `vsadmin-backup`) whose NDMP authentication is
/// plaintext SSO, as (name, password).
pub const NDMPSSO: (&str, &str) = ("ndmpsso", "Ndmpsso1!");

/// The accounts the emulator starts with, as (name, password, owning SVM or `None` for the
/// cluster, role). They are fixed test credentials, published in the README and printed by the
/// start-up banner ([`accounts_banner`]): a newcomer must be able to log in without reading code.
pub const STARTING_ACCOUNTS: [(&str, &str, Option<&str>, &str); 4] = [
    (ADMIN_USER, ADMIN_PASSWORD, None, "admin"),
    (MONITOR.0, MONITOR.1, None, "readonly"),
    (VSADMIN.0, VSADMIN.1, Some("svm1"), "vsadmin"),
    (NDMPSSO.0, NDMPSSO.1, Some("svm1"), "vsadmin-backup"),
];

/// The start-up banner's account lines: every account the emulator starts with, its password,
/// owner and role, and the SVMs. Printed once on stdout by `emulate` and `ontap-emulator`, never
/// by the request log.
pub fn accounts_banner() -> String {
    let mut out =
        String::from("accounts (fixed test credentials; POST /emulator/reset restores them):\n");
    for (name, password, svm, role) in STARTING_ACCOUNTS {
        let owner = svm.map_or("cluster".to_string(), |s| format!("SVM {s}"));
        out.push_str(&format!(
            "  {name:<8} {password:<10} {owner}, role {role}\n"
        ));
    }
    out.push_str(&format!(
        "SVMs: svm1 {}, svm2 {}\n",
        state::SVM1_UUID,
        state::SVM2_UUID
    ));
    out
}

/// How the emulator is started.
#[derive(Clone, Debug)]
pub struct EmulatorConfig {
    /// Serve HTTPS with a self-signed certificate made at start.
    pub tls: bool,
    /// The ONTAP version `GET /api/cluster` answers, e.g. "9.14.1".
    pub ontap_version: String,
    /// Largest request body accepted; larger gets 413.
    pub max_body_bytes: usize,
    /// How long a client may take to send a request's headers (then its connection is
    /// closed), and then its body (then it gets 408). Without it a client that sends half a
    /// request holds its connection and a task forever; 30 s is hyper's own default for
    /// headers, which axum-server turns off.
    pub request_read_timeout: Duration,
    /// Faults injected in front of the router, to measure a checker ([`faults`]); none by
    /// default.
    pub faults: Vec<faults::Fault>,
    /// Threads of its own the emulator serves connections on, each a single-threaded runtime
    /// (`serve.rs` says why); 0, the default, serves on the runtime that starts it, as a test or
    /// the harness's embedded emulator does. `emulate` gives [`default_workers`].
    pub workers: usize,
}

impl Default for EmulatorConfig {
    fn default() -> Self {
        EmulatorConfig {
            tls: false,
            ontap_version: "9.14.1".to_string(),
            max_body_bytes: 1024 * 1024,
            request_read_timeout: Duration::from_secs(30),
            faults: Vec::new(),
            workers: 0,
        }
    }
}

/// Why the emulator could not start.
#[derive(Debug, thiserror::Error)]
pub enum EmulatorError {
    #[error("cannot bind {addr}: {source}")]
    Bind {
        addr: SocketAddr,
        source: std::io::Error,
    },
    #[error("TLS setup failed: {0}")]
    Tls(String),
    #[error("invalid ONTAP version {0:?}: expected GENERATION.MAJOR[.MINOR], e.g. 9.14.1")]
    Version(String),
    #[error("server I/O error: {0}")]
    Io(#[from] std::io::Error),
}

/// The emulator's router over a fresh cluster, without a socket.
///
/// Exists so benchmarks can call the handlers as a tower `Service` (`oneshot`) and tell their cost
/// apart from the socket's; anything that talks HTTP to the emulator should use
/// [`Emulator::start`]. The router needs a tokio runtime (timers for body reads and `latency_ms`).
#[doc(hidden)]
pub fn router(config: EmulatorConfig) -> Result<axum::Router, EmulatorError> {
    let version = ontap_rest::Version::parse_release(&config.ontap_version)
        .ok_or_else(|| EmulatorError::Version(config.ontap_version.clone()))?;
    Ok(server::router(Arc::new(context::App::new(config, version))))
}

/// Stops a running emulator from elsewhere (e.g. a Ctrl-C handler).
#[derive(Clone)]
pub struct ShutdownHandle {
    stopper: serve::Stopper,
}

impl ShutdownHandle {
    /// Starts a graceful shutdown (in-flight requests get up to [`GRACE`]).
    pub fn trigger(&self) {
        self.stopper.trigger();
    }
}

/// How long open connections get to finish the request they are in when the emulator stops.
pub const GRACE: Duration = Duration::from_secs(5);

/// The worker threads `emulate` serves on: `TOKIO_WORKER_THREADS` where it is set (tokio's own
/// setting, so a benchmark that gives a peer N workers gives the emulator the same), else one per
/// core.
pub fn default_workers() -> usize {
    std::env::var("TOKIO_WORKER_THREADS")
        .ok()
        .and_then(|v| v.trim().parse().ok())
        .filter(|n| *n > 0)
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()))
}

/// A running emulator.
pub struct Emulator {
    addr: SocketAddr,
    tls: bool,
    cert_pem: Option<String>,
    serving: serve::Serving,
}

impl Emulator {
    /// Binds `listen` (port 0 = a free port) and serves until shutdown.
    pub async fn start(
        listen: SocketAddr,
        config: EmulatorConfig,
    ) -> Result<Emulator, EmulatorError> {
        let version = ontap_rest::Version::parse_release(&config.ontap_version)
            .ok_or_else(|| EmulatorError::Version(config.ontap_version.clone()))?;
        let bind_error = |source| EmulatorError::Bind {
            addr: listen,
            source,
        };
        let listener = std::net::TcpListener::bind(listen).map_err(bind_error)?;
        let addr = listener.local_addr().map_err(bind_error)?;
        listener.set_nonblocking(true).map_err(bind_error)?;
        let listener = tokio::net::TcpListener::from_std(listener).map_err(bind_error)?;
        let app = Arc::new(context::App::new(config.clone(), version));
        let handler = if config.faults.is_empty() {
            serve::Handler::Direct(app)
        } else {
            serve::Handler::Router(faults::wrap(server::router(app), &config.faults))
        };
        let (tls, cert_pem) = match config.tls {
            true => {
                let (tls, pem) = tls::make_config(addr)?;
                (Some(tls), Some(pem))
            }
            false => (None, None),
        };
        let serving = serve::Serving::start(
            listener,
            handler,
            tls,
            config.request_read_timeout,
            config.workers,
        )?;
        tracing::info!(%addr, tls = config.tls, version = %config.ontap_version, "ONTAP emulator listening");
        Ok(Emulator {
            addr,
            tls: config.tls,
            cert_pem,
            serving,
        })
    }

    /// The bound address (with the real port when 0 was asked for).
    pub fn local_addr(&self) -> SocketAddr {
        self.addr
    }

    /// `http://127.0.0.1:PORT` or `https://127.0.0.1:PORT` (the certificate covers `127.0.0.1`,
    /// `localhost` and the bound address).
    pub fn base_url(&self) -> String {
        let scheme = if self.tls { "https" } else { "http" };
        let host = if self.addr.ip().is_unspecified() {
            match self.addr {
                SocketAddr::V4(_) => "127.0.0.1".to_string(),
                SocketAddr::V6(_) => "[::1]".to_string(),
            }
        } else {
            match self.addr {
                SocketAddr::V4(a) => a.ip().to_string(),
                SocketAddr::V6(a) => format!("[{}]", a.ip()),
            }
        };
        format!("{scheme}://{host}:{}", self.addr.port())
    }

    /// The self-signed certificate (PEM) when serving HTTPS.
    pub fn certificate_pem(&self) -> Option<String> {
        self.cert_pem.clone()
    }

    /// A handle that can stop the server from another task.
    pub fn shutdown_handle(&self) -> ShutdownHandle {
        ShutdownHandle {
            stopper: self.serving.stopper(),
        }
    }

    /// Graceful shutdown: stops accepting, lets in-flight requests finish, then returns.
    pub async fn shutdown(self) {
        self.serving.stopper().trigger();
        self.serving.wait(GRACE).await;
    }

    /// Waits until the server stops (after [`ShutdownHandle::trigger`]).
    pub async fn serve_forever(self) {
        self.serving.wait(GRACE).await;
    }
}
