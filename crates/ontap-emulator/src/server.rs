//! The entry point every request goes through: it logs, limits bodies, authenticates,
//! authorizes by role and dispatches through the route table ([`super::routes`]). Unknown paths
//! get 404 code "4"; a wrong method on a known path gets 405 with `Allow`; every error is an
//! ONTAP error body. HEAD runs the GET, OPTIONS answers the route's `Allow`, and the
//! conventions of [`super::conventions`] wrap the handlers.

use std::panic::AssertUnwindSafe;
use std::sync::Arc;
use std::task::Poll;
use std::time::Instant;

use axum::Router;
use axum::body::HttpBody;
use axum::extract::{Request, State as AxState};
use axum::http::{HeaderValue, Method, StatusCode, header};
use axum::response::Response;
use base64::Engine;

use super::collection::Query;
use super::context::{
    App, Caller, Ctx, HAL_JSON, Reply, ReplyBody, bytes_response, error_response, json_response,
};
use super::conventions;
use super::engine;
use super::error::{ApiError, ApiResult, BODY_TIMEOUT, BODY_TOO_LARGE, INTERNAL_ERROR};
use super::routes;

pub fn router(app: Arc<App>) -> Router {
    Router::new().fallback(entry).with_state(app)
}

async fn entry(AxState(app): AxState<Arc<App>>, req: Request) -> Response {
    serve(app, req).await
}

/// Every request's way in (see the module's doc), whether through the router (`--fault`) or
/// straight from the connection (`serve.rs`).
pub(crate) async fn serve(app: Arc<App>, req: Request) -> Response {
    let started = Instant::now();
    let method = req.method().clone();
    let path = req.uri().path().to_string();
    let mut resp = isolated(handle(app, req, &path)).await;
    // RFC 9110 requires `Allow` on a 405: the methods the table lists for the path.
    if resp.status() == StatusCode::METHOD_NOT_ALLOWED {
        let segs = routes::segments(&path);
        let segs: Vec<&str> = segs.iter().map(AsRef::as_ref).collect();
        if let Some((route, _)) = routes::find(&segs) {
            resp.headers_mut().insert(header::ALLOW, route.allow());
        } else if let Some(found) = engine::find(&segs) {
            resp.headers_mut()
                .insert(header::ALLOW, engine::allow(&found));
        }
    }
    super::log::request(
        method.as_str(),
        &path,
        resp.status().as_u16(),
        started.elapsed().as_millis(),
    );
    resp
}

/// Runs a request's handling so that even an unexpected panic costs one request, not the
/// connection or the server: the answer is then still an ONTAP error body (500, code
/// [`INTERNAL_ERROR`]).
///
/// The panic is caught where the future is polled, on the connection's own task. A task per
/// request (`tokio::spawn`) isolated panics as well, but its hop to another worker thread and
/// back was most of an in-process request's time (46 of 47 µs, `benches/emulator.rs`).
async fn isolated(handling: impl Future<Output = Response>) -> Response {
    let mut handling = std::pin::pin!(handling);
    let caught = std::future::poll_fn(|cx| {
        match std::panic::catch_unwind(AssertUnwindSafe(|| handling.as_mut().poll(cx))) {
            Ok(Poll::Ready(resp)) => Poll::Ready(Ok(resp)),
            Ok(Poll::Pending) => Poll::Pending,
            Err(panic) => Poll::Ready(Err(panic)),
        }
    })
    .await;
    caught.unwrap_or_else(|_| {
        error_response(&ApiError::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            INTERNAL_ERROR,
            "Internal error in the emulator while handling the request.",
        ))
    })
}

async fn handle(app: Arc<App>, req: Request, path: &str) -> Response {
    if req.uri().path().starts_with("/api") {
        let latency = app.latency_ms.load(std::sync::atomic::Ordering::Relaxed);
        if latency > 0 {
            tokio::time::sleep(std::time::Duration::from_millis(latency.min(600_000))).await;
        }
    }
    let plain = conventions::wants_plain_json(req.headers());
    let mut resp = match handle_inner(app, req, plain, path).await {
        Ok(Answer::Reply(reply)) => {
            let mut resp = match reply.body {
                ReplyBody::Tree(mut body) => {
                    if plain {
                        conventions::drop_links(&mut body);
                    }
                    json_response(reply.status, &body)
                }
                ReplyBody::Json(bytes) => bytes_response(reply.status, bytes),
                ReplyBody::Text(bytes, content_type) => {
                    let mut resp = bytes_response(reply.status, bytes);
                    resp.headers_mut()
                        .insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
                    resp
                }
            };
            if let Some(loc) = reply.location
                && let Ok(v) = HeaderValue::from_str(&loc)
            {
                resp.headers_mut().insert(header::LOCATION, v);
            }
            resp
        }
        Ok(Answer::Options(allow)) => {
            let mut resp = Response::new(axum::body::Body::empty());
            resp.headers_mut().insert(header::ALLOW, allow);
            resp
        }
        Err(e) => error_response(&e),
    };
    if plain
        && resp.headers().get(header::CONTENT_TYPE) == Some(&HeaderValue::from_static(HAL_JSON))
    {
        resp.headers_mut().insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        );
    }
    resp
}

/// What a request that got through is answered with.
enum Answer {
    Reply(Reply),
    /// OPTIONS: 200, no body, the route's `Allow`.
    Options(HeaderValue),
}

/// HTTP Basic: the account whose name and password match, checked on every request (an
/// account's password, lock or deletion takes effect on the next one).
fn authenticate(app: &App, req: &Request) -> ApiResult<Caller> {
    let header = req
        .headers()
        .get(header::AUTHORIZATION)
        .ok_or_else(ApiError::unauthorized)?;
    // The credentials this thread verified last, while the state has not changed since: a
    // client sends the same `Authorization` with every request, and decoding it and looking the
    // account up under the state's lock, which every worker thread takes, was a twentieth of a
    // GET's cost under `wrk`. Any change of the state (an account's, a password's, a lock-out)
    // moves the generation on and the entry is not used again.
    let generation = app.generation();
    let hit = VERIFIED.with_borrow(|v| {
        v.as_ref()
            .filter(|v| v.app == app.id && v.generation == generation && v.header == header)
            .map(|v| v.caller.clone())
    });
    if let Some(caller) = hit {
        return Ok(caller);
    }
    let caller = verify(app, header)?;
    VERIFIED.set(Some(Verified {
        app: app.id,
        generation,
        header: header.clone(),
        caller: caller.clone(),
    }));
    Ok(caller)
}

thread_local! {
    static VERIFIED: std::cell::RefCell<Option<Verified>> = const { std::cell::RefCell::new(None) };
}

/// Credentials verified: by which emulator, at which generation of its state, as whom.
struct Verified {
    app: u64,
    generation: u64,
    header: HeaderValue,
    caller: Caller,
}

/// The account `header` (HTTP Basic) names, with its password, unlocked and allowed over HTTP.
fn verify(app: &App, header: &HeaderValue) -> ApiResult<Caller> {
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
    found.map(Caller::of).ok_or_else(ApiError::unauthorized)
}

fn method_not_allowed(method: &Method) -> ApiError {
    ApiError::method_not_allowed(method.as_str())
}

/// Reads the body, limited in size, fully before dispatch.
async fn read_body(app: &App, req: Request) -> ApiResult<axum::body::Bytes> {
    // A GET has no body: no timer to set up for it.
    if req.body().is_end_stream() {
        return Ok(axum::body::Bytes::new());
    }
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
    let wait = app.config.request_read_timeout;
    tokio::time::timeout(wait, axum::body::to_bytes(req.into_body(), max))
        .await
        .map_err(|_| {
            ApiError::new(
                StatusCode::REQUEST_TIMEOUT,
                BODY_TIMEOUT,
                format!(
                    "The request body did not arrive within {} seconds.",
                    wait.as_secs()
                ),
            )
        })?
        .map_err(|_| too_large())
}

/// The order of the checks is ONTAP's: the area (404), credentials (401), the body (413, 408);
/// then under `/emulator` the role (403) before the path (404); under `/api` the path (404),
/// then the role (403: a read-only account may only read), then the method (405).
async fn handle_inner(app: Arc<App>, req: Request, plain: bool, path: &str) -> ApiResult<Answer> {
    // Most paths have nothing escaped: their segments are slices of the path as it came.
    let decoded;
    let segs: Vec<&str> = if path.contains('%') {
        decoded = routes::segments(path);
        decoded.iter().map(AsRef::as_ref).collect()
    } else {
        path.split('/').filter(|s| !s.is_empty()).collect()
    };
    // `/docs` is where ONTAP serves its own definition (`/docs/api/swagger.yaml`).
    let area = match segs.first() {
        Some(a) if *a == "api" || *a == "emulator" || *a == "docs" => *a,
        _ => return Err(ApiError::entry_missing("path")),
    };
    let caller = authenticate(&app, &req)?;
    // Tunnelling is ONTAP's; the control surface is the emulator's own and ignores it.
    let caller = if area == "api" {
        conventions::tunnel(&app, caller, req.headers())?
    } else {
        caller
    };
    let method = req.method().clone();
    let mut query = Query::parse(req.uri().query());
    query.reading = method == Method::GET || method == Method::HEAD;
    let body = read_body(&app, req).await?;
    if area == "api" {
        conventions::expire_jobs(&app);
    }
    let mut ctx = Ctx {
        app: app.clone(),
        query,
        body,
        caller,
        plain,
    };

    if area == "emulator" && !ctx.caller.is_cluster_admin() {
        return Err(ApiError::forbidden());
    }
    let Some((route, params)) = routes::find(&segs) else {
        return engine_answer(&ctx, &segs, &method, area).await;
    };
    if area != "emulator"
        && ctx.caller.is_readonly()
        && method != Method::GET
        && method != Method::HEAD
        && method != Method::OPTIONS
        && !route.open_to_readonly
    {
        return Err(ApiError::forbidden());
    }
    if method == Method::OPTIONS {
        return Ok(Answer::Options(route.allow()));
    }
    // HEAD is the GET without its body (hyper sends no body for a HEAD).
    let run = if method == Method::HEAD {
        Method::GET
    } else {
        method.clone()
    };
    if let Some(handler) = route.handler(&run) {
        // One record's path: an instance, or a singleton such as /api/cluster (a path with no
        // instances below it).
        if area == "api" && (route.is_instance() || route.instance(&Method::GET).is_none()) {
            conventions::apply_matchers(&mut ctx, route, &params).await?;
        }
        return handler.call(&ctx, &params).await.map(Answer::Reply);
    }
    if (run == Method::PATCH || run == Method::DELETE) && route.instance_handler(&run).is_some() {
        return conventions::on_collection(&ctx, route, &run)
            .await
            .map(Answer::Reply);
    }
    Err(method_not_allowed(&method))
}

/// A path the route table does not know, for the engine ([`engine`]): a GET or HEAD answered
/// from its records, OPTIONS with its `Allow`, a write carried out by it (a read-only
/// account's 403 before anything else, as on the table's paths). Anything the engine does not
/// serve is 404 code 4, as before it.
async fn engine_answer(ctx: &Ctx, segs: &[&str], method: &Method, area: &str) -> ApiResult<Answer> {
    let found = if area == "api" {
        engine::find(segs)
    } else {
        None
    };
    let found = found
        .filter(|f| !engine::too_new(f, &ctx.app.version))
        .ok_or_else(|| ApiError::entry_missing("path"))?;
    let reads = *method == Method::GET || *method == Method::HEAD;
    if ctx.caller.is_readonly() && !reads && *method != Method::OPTIONS {
        return Err(ApiError::forbidden());
    }
    if *method == Method::OPTIONS {
        return Ok(Answer::Options(engine::allow(&found)));
    }
    if reads && found.target != engine::Target::Action {
        return engine::get(ctx, &found, segs).map(Answer::Reply);
    }
    if reads {
        return Err(method_not_allowed(method));
    }
    engine::write(ctx, &found, method).await.map(Answer::Reply)
}

#[cfg(test)]
mod tests {
    use super::*;

    async fn body_of(resp: Response) -> serde_json::Value {
        let bytes = axum::body::to_bytes(resp.into_body(), usize::MAX)
            .await
            .expect("a body");
        serde_json::from_slice(&bytes).expect("JSON")
    }

    #[tokio::test]
    async fn a_panic_while_handling_is_one_500_answer() {
        let resp = isolated(async {
            tokio::task::yield_now().await;
            if std::hint::black_box(true) {
                panic!("a handler's bug");
            }
            Response::new(axum::body::Body::empty())
        })
        .await;
        assert_eq!(resp.status(), StatusCode::INTERNAL_SERVER_ERROR);
        assert_eq!(body_of(resp).await["error"]["code"], INTERNAL_ERROR);
    }

    #[tokio::test]
    async fn a_handling_that_waits_is_answered_unchanged() {
        let resp = isolated(async {
            tokio::task::yield_now().await;
            json_response(StatusCode::ACCEPTED, &serde_json::json!({"ok": true}))
        })
        .await;
        assert_eq!(resp.status(), StatusCode::ACCEPTED);
        assert_eq!(body_of(resp).await, serde_json::json!({"ok": true}));
    }
}
