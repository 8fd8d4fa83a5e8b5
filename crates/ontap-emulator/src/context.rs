//! What every handler shares: the emulator ([`App`]), one request as handlers see it ([`Ctx`]),
//! the successful answer ([`Reply`]) and the ONTAP-shaped HTTP responses. Its own module so the
//! handler files import it, not the router that imports them.

use std::ops::{Deref, DerefMut};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};

use axum::body::{Body, Bytes};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::Value;

use ontap_rest::Version;

use super::EmulatorConfig;
use super::collection::Query;
use super::error::{ApiError, ApiResult};
use super::rendered::Rendered;
use super::state::{Account, State};

pub const HAL_JSON: &str = "application/hal+json";

/// Shared by every request.
pub struct App {
    /// Reached only through [`App::lock`], which counts the changes.
    state: Mutex<State>,
    /// Bumped by every change of `state` ([`StateGuard`]): an answer rendered at one generation
    /// is the answer at that generation ([`super::rendered`]).
    generation: AtomicU64,
    /// GET answers already written as text, by request and generation.
    pub rendered: Rendered,
    pub config: EmulatorConfig,
    pub version: Version,
    /// Per-emulator secret for NDMP password derivation.
    pub ndmp_secret: String,
    /// `conditions.latency_ms`, mirrored so that every request need not take the state lock
    /// once more just to learn it is 0 (the lock showed up contended under load).
    pub latency_ms: AtomicU64,
    /// Which emulator of the process this is: what a thread's cache of verified credentials
    /// (`server::authenticate`) is kept for. Never reused, unlike an address.
    pub id: u64,
    /// The generation at which the state held no job (`u64::MAX`: not known), so that every
    /// request need not take the state lock to learn no job is due to expire: a job comes with a
    /// change of the state, which moves the generation on (`conventions::expire_jobs`).
    pub no_jobs_at: AtomicU64,
}

impl App {
    pub fn new(config: EmulatorConfig, version: Version) -> App {
        let secret = uuid::Uuid::new_v4().simple().to_string();
        App {
            state: Mutex::new(State::initial()),
            generation: AtomicU64::new(0),
            rendered: Rendered::default(),
            config,
            version,
            ndmp_secret: secret,
            latency_ms: AtomicU64::new(0),
            id: {
                static NEXT: AtomicU64 = AtomicU64::new(0);
                NEXT.fetch_add(1, Ordering::Relaxed)
            },
            no_jobs_at: AtomicU64::new(u64::MAX),
        }
    }
    /// Locks the state (a poisoned lock is recovered: handlers never leave it half-written).
    pub fn lock(&self) -> StateGuard<'_> {
        StateGuard {
            state: self.state.lock().unwrap_or_else(|e| e.into_inner()),
            generation: &self.generation,
            changed: false,
        }
    }
    /// The state's generation: changes with every change of the state, by a request, a job's
    /// task or the clock (job retention), whatever the lock was taken for.
    pub fn generation(&self) -> u64 {
        self.generation.load(Ordering::Acquire)
    }
}

/// The locked state. Reading it changes nothing; reaching it mutably (`DerefMut`, which every
/// change goes through) counts as a change, and the generation moves on when the lock is
/// released, before anyone else can see the state. Counting a mutable borrow that changed
/// nothing only costs a cached answer.
pub struct StateGuard<'a> {
    state: MutexGuard<'a, State>,
    generation: &'a AtomicU64,
    changed: bool,
}

impl Deref for StateGuard<'_> {
    type Target = State;
    fn deref(&self) -> &State {
        &self.state
    }
}

impl DerefMut for StateGuard<'_> {
    fn deref_mut(&mut self) -> &mut State {
        self.changed = true;
        &mut self.state
    }
}

impl Drop for StateGuard<'_> {
    fn drop(&mut self) {
        // Still under the lock: the fields (the MutexGuard) drop after this.
        if self.changed {
            self.generation.fetch_add(1, Ordering::AcqRel);
        }
    }
}

/// A successful answer.
pub struct Reply {
    pub status: StatusCode,
    pub body: ReplyBody,
    pub location: Option<String>,
}

/// An answer's body: a JSON tree, or one already written as JSON text.
///
/// The text form is for the hot GETs: building a `Value` per record (maps of owned strings)
/// and then serializing it was, with the allocations it made, a sixth of the emulator's CPU
/// under `wrk` (`benches/README.md`). A handler writes it for the request's own answer only
/// ([`Ctx::plain`] already applied): the server sends it unchanged.
pub enum ReplyBody {
    Tree(Value),
    Json(Bytes),
    /// Not JSON: text with its own media type (NetApp's definition, `text/yaml`), sent as it
    /// is whatever the request's `Accept` says.
    Text(Bytes, &'static str),
}

impl From<Value> for ReplyBody {
    fn from(v: Value) -> ReplyBody {
        ReplyBody::Tree(v)
    }
}

impl ReplyBody {
    /// The body as a tree, for a handler run on another's behalf (matchers, collection
    /// PATCH/DELETE), which reads fields of it.
    pub fn into_value(self) -> Value {
        match self {
            ReplyBody::Tree(v) => v,
            // Written by serde_json a moment ago: it parses.
            ReplyBody::Json(bytes) => serde_json::from_slice(&bytes).unwrap_or(Value::Null),
            ReplyBody::Text(bytes, _) => Value::String(String::from_utf8_lossy(&bytes).into()),
        }
    }
}

impl Reply {
    pub fn ok(body: Value) -> Reply {
        Reply::with_status(StatusCode::OK, body)
    }
    pub fn with_status(status: StatusCode, body: Value) -> Reply {
        Reply {
            status,
            body: ReplyBody::Tree(body),
            location: None,
        }
    }
    /// 200 with a body that is not JSON, of media type `content_type`.
    pub fn text(bytes: Bytes, content_type: &'static str) -> Reply {
        Reply {
            status: StatusCode::OK,
            body: ReplyBody::Text(bytes, content_type),
            location: None,
        }
    }
    /// 200 with a body already written as JSON.
    pub fn json(bytes: Bytes) -> Reply {
        Reply {
            status: StatusCode::OK,
            body: ReplyBody::Json(bytes),
            location: None,
        }
    }
}

/// Who a request runs as: the account's key and role, all that handlers read of it.
///
/// Not the whole [`Account`]: cloning that (password history, applications, comment) for every
/// request was a tenth of a small GET's allocations.
#[derive(Clone, Debug)]
pub struct Caller {
    /// `None` = cluster-scoped; `Some(svm uuid)` = SVM-scoped (or tunnelled into that SVM).
    pub owner: Option<String>,
    pub name: String,
    pub role: String,
}

impl Caller {
    pub fn of(account: &Account) -> Caller {
        Caller {
            owner: account.owner.clone(),
            name: account.name.clone(),
            role: account.role.clone(),
        }
    }
    pub fn is_cluster_admin(&self) -> bool {
        self.owner.is_none() && self.role == "admin"
    }
    /// Roles that may only read.
    pub fn is_readonly(&self) -> bool {
        !(self.role == "admin"
            || (self.role.starts_with("vsadmin") && self.role != "vsadmin-readonly"))
    }
}

/// One request, as handlers see it.
pub struct Ctx {
    pub app: Arc<App>,
    pub query: Query,
    pub body: Bytes,
    pub caller: Caller,
    /// The request's `Accept` asks for plain JSON: no HAL `_links` but a collection's `next`
    /// ([`super::conventions::wants_plain_json`]). Read by handlers that write their answer as
    /// text ([`ReplyBody::Json`]); the server strips a tree's links itself.
    pub plain: bool,
}

impl Ctx {
    pub fn json_body(&self) -> ApiResult<Value> {
        super::body::parse_object(&self.body)
    }
}

pub fn json_response(status: StatusCode, body: &Value) -> Response {
    // Most answers are a few hundred bytes: one allocation instead of a doubling series.
    let mut bytes = Vec::with_capacity(1024);
    if serde_json::to_writer(&mut bytes, body).is_err() {
        bytes = b"{}".to_vec();
    }
    bytes_response(status, bytes)
}

/// A response whose body is JSON text already written.
pub fn bytes_response(status: StatusCode, bytes: impl Into<Body>) -> Response {
    let mut resp = Response::new(bytes.into());
    *resp.status_mut() = status;
    resp.headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static(HAL_JSON));
    resp
}

pub fn error_response(e: &ApiError) -> Response {
    let mut resp = json_response(e.status, &e.body());
    if e.status == StatusCode::UNAUTHORIZED {
        resp.headers_mut().insert(
            header::WWW_AUTHENTICATE,
            HeaderValue::from_static("Basic realm=\"ontap\""),
        );
    }
    resp
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        error_response(&self)
    }
}
