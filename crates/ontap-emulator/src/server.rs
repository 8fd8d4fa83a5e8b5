//! The router: one entry point that logs, limits bodies, authenticates, authorizes by role and
//! dispatches by method and path. Unknown paths get 404 code "4"; a wrong method on a known path
//! gets 405; every error is an ONTAP error body.

use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Instant;

use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::{Request, State as AxState};
use axum::http::{HeaderValue, Method, StatusCode, header};
use axum::response::{IntoResponse, Response};
use base64::Engine;
use percent_encoding::percent_decode_str;
use serde_json::Value;

use super::cluster::Version;
use super::collection::Query;
use super::error::{ApiError, ApiResult, BODY_TOO_LARGE, INVALID_JSON, METHOD_NOT_ALLOWED};
use super::state::{Account, State};
use super::{EmulatorConfig, accounts, cluster, control, iscsi, ndmp, password, security};

pub const HAL_JSON: &str = "application/hal+json";

/// Shared by every request.
pub struct App {
    pub state: Mutex<State>,
    pub config: EmulatorConfig,
    pub version: Version,
    /// Per-emulator secret for NDMP password derivation.
    pub ndmp_secret: String,
    /// `conditions.latency_ms`, mirrored so that every request need not take the state lock
    /// once more just to learn it is 0 (the lock showed up contended under load).
    pub latency_ms: std::sync::atomic::AtomicU64,
}

impl App {
    pub fn new(config: EmulatorConfig, version: Version) -> App {
        let secret = uuid::Uuid::new_v4().simple().to_string();
        App {
            state: Mutex::new(State::initial()),
            config,
            version,
            ndmp_secret: secret,
            latency_ms: std::sync::atomic::AtomicU64::new(0),
        }
    }
    /// Locks the state (a poisoned lock is recovered: handlers never leave it half-written).
    pub fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// A successful answer.
pub struct Reply {
    pub status: StatusCode,
    pub body: Value,
    pub location: Option<String>,
}

impl Reply {
    pub fn ok(body: Value) -> Reply {
        Reply {
            status: StatusCode::OK,
            body,
            location: None,
        }
    }
    pub fn with_status(status: StatusCode, body: Value) -> Reply {
        Reply {
            status,
            body,
            location: None,
        }
    }
}

/// One request, as handlers see it.
pub struct Ctx {
    pub app: Arc<App>,
    pub query: Query,
    pub body: Bytes,
    pub caller: Account,
}

impl Ctx {
    pub fn json_body(&self) -> ApiResult<Value> {
        super::body::parse_object(&self.body)
    }
}

fn json_response(status: StatusCode, body: &Value) -> Response {
    let bytes = serde_json::to_vec(body).unwrap_or_else(|_| b"{}".to_vec());
    let mut resp = Response::new(Body::from(bytes));
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

/// The methods a known path serves, for the `Allow` header RFC 9110 requires on a 405.
fn allowed_methods(path: &str) -> Option<&'static str> {
    let segs = segments(path);
    let segs: Vec<&str> = segs.iter().map(String::as_str).collect();
    Some(match segs.as_slice() {
        ["emulator", "conditions"] => "GET, PATCH",
        ["emulator", "reset"] => "POST",
        ["emulator", "state"] => "GET",
        ["api", "security"] => "GET, PATCH",
        ["api", "security", "accounts"] => "GET, POST",
        ["api", "security", "accounts", _, _] => "GET, DELETE",
        ["api", "security", "authentication", "password"] => "POST",
        ["api", "protocols", "san", "iscsi", "credentials"] => "GET, POST",
        ["api", "protocols", "san", "iscsi", "credentials", _, _] => "GET, PATCH, DELETE",
        ["api", rest @ ..] if route_known(rest) => "GET",
        _ => return None,
    })
}

pub fn router(app: Arc<App>) -> Router {
    Router::new().fallback(entry).with_state(app)
}

async fn entry(AxState(app): AxState<Arc<App>>, req: Request) -> Response {
    let started = Instant::now();
    let method = req.method().clone();
    let path = req.uri().path().to_string();
    // Handlers run in their own task so that even an unexpected panic costs one request, not the
    // server; the answer is then still an ONTAP error body.
    let mut resp = match tokio::spawn(handle(app, req)).await {
        Ok(r) => r,
        Err(_) => error_response(&ApiError::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "1",
            "Internal error in the emulator while handling the request.",
        )),
    };
    if resp.status() == StatusCode::METHOD_NOT_ALLOWED
        && let Some(allow) = allowed_methods(&path)
    {
        resp.headers_mut()
            .insert(header::ALLOW, HeaderValue::from_static(allow));
    }
    // One line per request: method, path (no query, no body, no Authorization), status, time.
    tracing::info!(
        "{} {} {} {} ms",
        method,
        path,
        resp.status().as_u16(),
        started.elapsed().as_millis()
    );
    resp
}

async fn handle(app: Arc<App>, req: Request) -> Response {
    if req.uri().path().starts_with("/api") {
        let latency = app.latency_ms.load(std::sync::atomic::Ordering::Relaxed);
        if latency > 0 {
            tokio::time::sleep(std::time::Duration::from_millis(latency.min(600_000))).await;
        }
    }
    match handle_inner(app, req).await {
        Ok(reply) => {
            let mut resp = json_response(reply.status, &reply.body);
            if let Some(loc) = reply.location
                && let Ok(v) = HeaderValue::from_str(&loc)
            {
                resp.headers_mut().insert(header::LOCATION, v);
            }
            resp
        }
        Err(e) => error_response(&e),
    }
}

/// Splits and percent-decodes the path into segments.
fn segments(path: &str) -> Vec<String> {
    let trimmed = path.strip_prefix('/').unwrap_or(path);
    let trimmed = if trimmed.len() > 1 {
        trimmed.strip_suffix('/').unwrap_or(trimmed)
    } else {
        trimmed
    };
    trimmed
        .split('/')
        .map(|s| percent_decode_str(s).decode_utf8_lossy().into_owned())
        .collect()
}

/// HTTP Basic: the account whose name and password match.
fn authenticate(app: &App, req: &Request) -> ApiResult<Account> {
    let header = req
        .headers()
        .get(header::AUTHORIZATION)
        .ok_or_else(ApiError::unauthorized)?;
    let value = header.to_str().map_err(|_| ApiError::unauthorized())?;
    let (scheme, encoded) = value
        .trim()
        .split_once(' ')
        .ok_or_else(ApiError::unauthorized)?;
    if !scheme.eq_ignore_ascii_case("basic") {
        return Err(ApiError::unauthorized());
    }
    let decoded = base64::engine::general_purpose::STANDARD
        .decode(encoded.trim())
        .map_err(|_| ApiError::unauthorized())?;
    let text = String::from_utf8(decoded).map_err(|_| ApiError::unauthorized())?;
    let (user, pass) = text.split_once(':').ok_or_else(ApiError::unauthorized)?;
    // "svm1\user" names an SVM-scoped account explicitly.
    let (svm, user) = match user.split_once('\\') {
        Some((s, u)) => (Some(s), u),
        None => (None, user),
    };
    let state = app.lock();
    let found = state.accounts.iter().find(|a| {
        a.name == user
            && a.password.as_deref() == Some(pass)
            && !a.locked
            && a.applications.iter().any(|ap| ap.application == "http")
            && match svm {
                None => true,
                Some(s) => a
                    .owner
                    .as_deref()
                    .and_then(|o| state.svm_by_uuid(o))
                    .is_some_and(|o| o.name == s),
            }
    });
    found.cloned().ok_or_else(ApiError::unauthorized)
}

fn method_not_allowed(method: &Method) -> ApiError {
    ApiError::new(
        StatusCode::METHOD_NOT_ALLOWED,
        METHOD_NOT_ALLOWED,
        format!("The method \"{method}\" is not allowed on this resource."),
    )
}

async fn handle_inner(app: Arc<App>, req: Request) -> ApiResult<Reply> {
    let path = req.uri().path().to_string();
    let segs = segments(&path);
    let segs: Vec<&str> = segs.iter().map(String::as_str).collect();
    let (area, rest) = match segs.split_first() {
        Some((a, r)) if *a == "api" || *a == "emulator" => (*a, r.to_vec()),
        _ => return Err(ApiError::entry_missing("path")),
    };
    let caller = authenticate(&app, &req)?;
    // Body: limited in size, read fully before dispatch.
    let max = app.config.max_body_bytes;
    let declared = req
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<usize>().ok());
    let too_large = || {
        ApiError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            BODY_TOO_LARGE,
            format!("The request body exceeds the maximum of {max} bytes."),
        )
    };
    if declared.is_some_and(|n| n > max) {
        return Err(too_large());
    }
    let method = req.method().clone();
    let query = Query::parse(req.uri().query());
    let wait = app.config.request_read_timeout;
    let body = tokio::time::timeout(wait, axum::body::to_bytes(req.into_body(), max))
        .await
        .map_err(|_| {
            ApiError::new(
                StatusCode::REQUEST_TIMEOUT,
                INVALID_JSON,
                format!(
                    "The request body did not arrive within {} seconds.",
                    wait.as_secs()
                ),
            )
        })?
        .map_err(|_| too_large())?;
    let ctx = Ctx {
        app: app.clone(),
        query,
        body,
        caller,
    };

    if area == "emulator" {
        if !ctx.caller.is_cluster_admin() {
            return Err(ApiError::forbidden());
        }
        return match (rest.as_slice(), &method) {
            (["conditions"], &Method::GET) => control::get_conditions(&ctx),
            (["conditions"], &Method::PATCH) => control::patch_conditions(&ctx),
            (["conditions"], m) => Err(method_not_allowed(m)),
            (["reset"], &Method::POST) => control::reset(&ctx),
            (["reset"], m) => Err(method_not_allowed(m)),
            (["state"], &Method::GET) => control::state(&ctx),
            (["state"], m) => Err(method_not_allowed(m)),
            _ => Err(ApiError::entry_missing("path")),
        };
    }

    // Known path, then role, then the operation.
    let is_password_post = matches!(rest.as_slice(), ["security", "authentication", "password"]);
    let known = route_known(&rest);
    if !known {
        return Err(ApiError::entry_missing("path"));
    }
    if ctx.caller.is_readonly()
        && method != Method::GET
        && method != Method::HEAD
        && !is_password_post
    {
        return Err(ApiError::forbidden());
    }
    let m = &method;
    match rest.as_slice() {
        ["cluster"] => match *m {
            Method::GET => cluster::get_cluster(&ctx),
            _ => Err(method_not_allowed(m)),
        },
        ["cluster", "jobs"] => match *m {
            Method::GET => security::list_jobs(&ctx),
            _ => Err(method_not_allowed(m)),
        },
        ["cluster", "jobs", uuid] => match *m {
            Method::GET => security::get_job(&ctx, uuid),
            _ => Err(method_not_allowed(m)),
        },
        ["svm", "svms"] => match *m {
            Method::GET => cluster::list_svms(&ctx),
            _ => Err(method_not_allowed(m)),
        },
        ["svm", "svms", uuid] => match *m {
            Method::GET => cluster::get_svm(&ctx, uuid),
            _ => Err(method_not_allowed(m)),
        },
        ["security"] => match *m {
            Method::GET => security::get_security(&ctx),
            Method::PATCH => security::patch_security(&ctx).await,
            _ => Err(method_not_allowed(m)),
        },
        ["security", "accounts"] => match *m {
            Method::GET => accounts::list(&ctx),
            Method::POST => accounts::create(&ctx),
            _ => Err(method_not_allowed(m)),
        },
        ["security", "accounts", owner, name] => match *m {
            Method::GET => accounts::get_one(&ctx, owner, name),
            Method::DELETE => accounts::delete(&ctx, owner, name),
            _ => Err(method_not_allowed(m)),
        },
        ["security", "authentication", "password"] => match *m {
            Method::POST => password::change(&ctx),
            _ => Err(method_not_allowed(m)),
        },
        ["protocols", "san", "iscsi", "credentials"] => match *m {
            Method::GET => iscsi::list(&ctx),
            Method::POST => iscsi::create(&ctx),
            _ => Err(method_not_allowed(m)),
        },
        ["protocols", "san", "iscsi", "credentials", svm, initiator] => match *m {
            Method::GET => iscsi::get_one(&ctx, svm, initiator),
            Method::PATCH => iscsi::patch(&ctx, svm, initiator),
            Method::DELETE => iscsi::delete(&ctx, svm, initiator),
            _ => Err(method_not_allowed(m)),
        },
        ["protocols", "ndmp", "svms", svm, "passwords", user] => match *m {
            Method::GET => ndmp::get_password(&ctx, svm, user),
            _ => Err(method_not_allowed(m)),
        },
        _ => Err(ApiError::entry_missing("path")),
    }
}

fn route_known(rest: &[&str]) -> bool {
    matches!(
        rest,
        ["cluster"]
            | ["cluster", "jobs"]
            | ["cluster", "jobs", _]
            | ["svm", "svms"]
            | ["svm", "svms", _]
            | ["security"]
            | ["security", "accounts"]
            | ["security", "accounts", _, _]
            | ["security", "authentication", "password"]
            | ["protocols", "san", "iscsi", "credentials"]
            | ["protocols", "san", "iscsi", "credentials", _, _]
            | ["protocols", "ndmp", "svms", _, "passwords", _]
    )
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        error_response(&self)
    }
}
