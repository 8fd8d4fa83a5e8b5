//! The documented error codes, as the case files reach them. Which request answers which code is
//! the case files' business (`cases/`, proven by the runner in `tests/conformance.rs`); this
//! module keeps only what a case cannot see. A recording proxy sits in front of an in-process
//! emulator and the runner runs every case whose main step expects an ONTAP error code through
//! it. For each `/api` exchange the proxy records the content type, and for each error answer the
//! emulator's state just before and just after (requests pass the proxy one at a time, so nothing
//! interleaves). Then: every case passes, every error answer is `application/hal+json` and left
//! the state as it found it, and every (operation, code) pair of the spec was answered at least
//! once: the list comes from `spec/openapi.yaml`, so a code added there without an emulator path
//! fails here.
//!
//! A code counts as answered in either of ONTAP's two deliveries: an error answer with the code
//! and the spec's status, or a 2xx that links a job which then failed with the code (`error.code`):
//! NetApp documents that a valid asynchronous request answers 202 and reports its outcome in the
//! job, and that is how the emulator reports the `/api/security` preconditions. The cases for
//! those expect `job_state: failure` on their main step, so they are run here too, and after the
//! run every linked job is read back from the emulator (it keeps its jobs) for its code.

use std::sync::Arc;
use std::time::Duration;

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use ontap_conform::case;
use ontap_conform::emulator::{Emulator, EmulatorConfig};
use ontap_conform::report::model::Outcome;
use ontap_conform::run::{self, RunOptions, http::ClientOptions};
use ontap_conform::secret::Secret;
use ontap_conform::spec::{OntapError, Operation, Spec};
use serde_json::{Value, json};
use tokio::sync::Mutex;

use crate::common::{ADMIN, CREDS};

/// What every ONTAP error answer is sent as.
const HAL_JSON: &str = "application/hal+json";

/// One `/api` request and its answer, as the proxy saw them.
#[derive(Clone, Debug)]
struct Exchange {
    method: String,
    /// The path without the query.
    path: String,
    status: u16,
    content_type: Option<String>,
    /// `error.code` of the body, when it has one.
    code: Option<String>,
    /// The emulator's state just before and just after, for error answers only.
    states: Option<(Value, Value)>,
    /// The job a 2xx answer links (`job._links.self.href`).
    job: Option<String>,
    /// `error.code` of that job, read after the run, when it ended in `failure`.
    job_code: Option<String>,
}

/// Whether `x` delivered `code` from `op` in one of the two ways (see the module doc).
fn delivers(x: &Exchange, op: &Operation, e: &OntapError) -> bool {
    let same_op = x.method.eq_ignore_ascii_case(&op.method) && path_matches(&op.path, &x.path);
    let in_answer = x.code.as_deref() == Some(e.code.as_str()) && x.status == e.status;
    let in_job = (200..300).contains(&x.status) && x.job_code.as_deref() == Some(e.code.as_str());
    same_op && (in_answer || in_job)
}

/// Everything the checks found wrong, one line each (empty: all good). A pure function of the
/// records and the spec, so a test can show that each check fails when it should.
fn problems(exchanges: &[Exchange], spec: &Spec) -> Vec<String> {
    let mut out = Vec::new();
    for x in exchanges.iter().filter(|x| x.status >= 400) {
        let at = format!("{} {} → {}", x.method, x.path, x.status);
        if x.content_type.as_deref() != Some(HAL_JSON) {
            out.push(format!(
                "{at}: content type {:?}, not {HAL_JSON}",
                x.content_type
            ));
        }
        match &x.states {
            Some((before, after)) if before != after => {
                out.push(format!(
                    "{at}: an error answer changed the state from {before} to {after}"
                ));
            }
            Some(_) => {}
            None => out.push(format!("{at}: no state recorded around the error")),
        }
    }
    for op in &spec.operations {
        for e in &op.errors {
            let answered = exchanges.iter().any(|x| delivers(x, op, e));
            if !answered {
                out.push(format!(
                    "{} {}: the spec's {} ({}) was never answered",
                    op.method, op.path, e.code, e.status
                ));
            }
        }
    }
    out
}

/// Whether a request path fits a spec path template: same segment count, literal segments equal,
/// each `{parameter}` any one segment.
fn path_matches(template: &str, path: &str) -> bool {
    let (t, p): (Vec<&str>, Vec<&str>) = (template.split('/').collect(), path.split('/').collect());
    t.len() == p.len()
        && t.iter()
            .zip(&p)
            .all(|(t, p)| (t.starts_with('{') && t.ends_with('}')) || t == p)
}

/// The proxy: the emulator behind it, a client to reach it, the turn every request waits for,
/// and what it saw.
struct Proxy {
    upstream: String,
    client: reqwest::Client,
    turn: Mutex<()>,
    seen: std::sync::Mutex<Vec<Exchange>>,
}

impl Proxy {
    /// What an error must leave as it was: the emulator's own summary (without the job count:
    /// jobs are history, not state) and the records of the resources the error cases touch.
    async fn state(&self) -> Value {
        let mut state = serde_json::Map::new();
        for path in [
            "/emulator/state",
            "/api/security",
            "/api/security/accounts?fields=*",
            &format!("{CREDS}?fields=*"),
        ] {
            let r = self
                .client
                .get(format!("{}{path}", self.upstream))
                .basic_auth(ADMIN.0, Some(ADMIN.1))
                .send()
                .await
                .expect("the emulator answers its state");
            assert_eq!(r.status().as_u16(), 200, "{path}");
            let mut v: Value = r.json().await.expect("state is JSON");
            if let Some(o) = v.as_object_mut() {
                o.remove("jobs");
            }
            state.insert(path.to_string(), v);
        }
        Value::Object(state)
    }
}

/// Forwards one request to the emulator, recording it when it is an `/api` request.
async fn forward(State(p): State<Arc<Proxy>>, req: Request) -> Response {
    let _turn = p.turn.lock().await;
    let (parts, body) = req.into_parts();
    let Ok(body) = axum::body::to_bytes(body, usize::MAX).await else {
        return StatusCode::BAD_REQUEST.into_response();
    };
    let path_and_query = parts.uri.path_and_query().map_or("/", |pq| pq.as_str());
    let api = parts.uri.path().starts_with("/api");
    let before = if api { Some(p.state().await) } else { None };
    let mut headers = parts.headers.clone();
    headers.remove(header::HOST);
    let answer = p
        .client
        .request(
            parts.method.clone(),
            format!("{}{path_and_query}", p.upstream),
        )
        .headers(headers)
        .body(body)
        .send()
        .await;
    let answer = match answer {
        Ok(a) => a,
        Err(e) => return (StatusCode::BAD_GATEWAY, e.to_string()).into_response(),
    };
    let status = answer.status();
    let mut headers = HeaderMap::new();
    for (k, v) in answer.headers() {
        if k != header::TRANSFER_ENCODING && k != header::CONNECTION && k != header::CONTENT_LENGTH
        {
            headers.append(k.clone(), v.clone());
        }
    }
    let bytes = answer.bytes().await.unwrap_or_default();
    if let Some(before) = before {
        let states = if status.as_u16() >= 400 {
            Some((before, p.state().await))
        } else {
            None
        };
        let parsed = serde_json::from_slice::<Value>(&bytes).ok();
        let code = parsed
            .as_ref()
            .and_then(|b| b["error"]["code"].as_str().map(str::to_string));
        let job = parsed
            .as_ref()
            .filter(|_| status.is_success())
            .and_then(|b| {
                b["job"]["_links"]["self"]["href"]
                    .as_str()
                    .map(str::to_string)
            });
        let exchange = Exchange {
            method: parts.method.to_string(),
            path: parts.uri.path().to_string(),
            status: status.as_u16(),
            content_type: headers
                .get(header::CONTENT_TYPE)
                .and_then(|v| v.to_str().ok())
                .map(str::to_string),
            code,
            states,
            job,
            job_code: None,
        };
        p.seen
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push(exchange);
    }
    let mut response = Response::new(Body::from(bytes));
    *response.status_mut() = status;
    *response.headers_mut() = headers;
    response
}

/// Whether the case's main step expects the job it starts to fail (a code delivered in a job).
fn expects_failed_job(c: &case::Case) -> bool {
    c.steps[c.main_step]
        .expect
        .as_ref()
        .and_then(|e| e.job_state.as_ref())
        .is_some_and(|s| s.value == "failure")
}

/// Fills `job_code` of every exchange that linked a job: the job's `error.code` when it failed.
async fn read_job_codes(p: &Proxy, seen: &mut [Exchange]) {
    for x in seen.iter_mut() {
        let Some(href) = &x.job else { continue };
        let job: Value = p
            .client
            .get(format!("{}{href}", p.upstream))
            .basic_auth(ADMIN.0, Some(ADMIN.1))
            .send()
            .await
            .expect("the emulator answers a job it linked")
            .json()
            .await
            .expect("a job is JSON");
        if job["state"] == "failure" {
            x.job_code = job["error"]["code"].as_str().map(str::to_string);
        }
    }
}

/// Starts the proxy in front of `upstream`; returns its URL and what it will have seen.
async fn start_proxy(upstream: String) -> (String, Arc<Proxy>) {
    let proxy = Arc::new(Proxy {
        upstream,
        client: reqwest::Client::new(),
        turn: Mutex::new(()),
        seen: std::sync::Mutex::new(Vec::new()),
    });
    let app = axum::Router::new()
        .fallback(forward)
        .with_state(proxy.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind the proxy");
    let url = format!("http://{}", listener.local_addr().expect("address"));
    tokio::spawn(async move { axum::serve(listener, app).await });
    (url, proxy)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_error_answer_is_hal_json_changes_nothing_and_every_spec_code_is_reached() {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let spec = Arc::new(Spec::curated().expect("the shipped spec loads"));
    let cases: Vec<_> = case::load_dir(&root.join("cases"), &spec)
        .expect("the shipped cases load")
        .into_iter()
        // An error case whose delivery the documents leave open names its codes in `any_of`.
        .filter(|c| {
            c.expected_error_code().is_some()
                || expects_failed_job(c)
                || c.steps[c.main_step]
                    .expect
                    .as_ref()
                    .is_some_and(|e| e.any_of.iter().any(|a| a.error_code.is_some()))
        })
        .collect();
    assert!(!cases.is_empty(), "no case expects an error code");
    let emu = Emulator::start(crate::addr(), EmulatorConfig::default())
        .await
        .expect("emulator starts");
    let (url, proxy) = start_proxy(emu.base_url()).await;
    let client = ClientOptions {
        request_timeout: Duration::from_secs(30),
        ..ClientOptions::default()
    };
    let opts = RunOptions {
        embedded: true,
        ..RunOptions::new(url, ADMIN.0.into(), Secret::new(ADMIN.1), client)
    };
    let report = run::run(spec.clone(), cases, opts, None)
        .await
        .expect("the run is made");
    let not_passed: Vec<String> = report
        .cases
        .iter()
        .filter(|c| c.outcome != Outcome::Pass)
        .map(|c| serde_json::to_string(c).unwrap_or_default())
        .collect();
    assert!(
        not_passed.is_empty(),
        "cases that did not pass through the proxy:\n{}",
        not_passed.join("\n")
    );
    let mut seen = proxy.seen.lock().unwrap_or_else(|e| e.into_inner()).clone();
    read_job_codes(&proxy, &mut seen).await;
    let errors = seen.iter().filter(|x| x.status >= 400).count();
    let pairs: usize = spec.operations.iter().map(|o| o.errors.len()).sum();
    let in_jobs = seen.iter().filter(|x| x.job_code.is_some()).count();
    eprintln!(
        "{} /api exchanges, {errors} error answers, {in_jobs} failed jobs, {pairs} (operation, code) pairs in the spec",
        seen.len()
    );
    assert!(
        in_jobs > 0,
        "no code was delivered in a failed job: the job path of this test is not exercised"
    );
    assert!(
        errors + in_jobs >= pairs,
        "fewer error answers and failed jobs ({errors} + {in_jobs}) than spec pairs ({pairs})"
    );
    let found = problems(&seen, &spec);
    assert!(found.is_empty(), "{}", found.join("\n"));
    emu.shutdown().await;
}

// ------------------------------------------------------------------ the checks can fail

/// A spec of one operation with one documented error, for the checker's own tests.
fn small_spec() -> Spec {
    let op = Spec::curated()
        .expect("the shipped spec loads")
        .operations
        .into_iter()
        .find(|o| !o.errors.is_empty())
        .expect("an operation with errors");
    let mut spec = Spec::curated().expect("the shipped spec loads");
    spec.operations = vec![op];
    spec.operations[0].errors.truncate(1);
    spec
}

/// The answer that satisfies `small_spec`: its one error, as hal+json, state unchanged.
fn good_exchange(spec: &Spec) -> Exchange {
    let op = &spec.operations[0];
    let e = &op.errors[0];
    Exchange {
        method: op.method.to_uppercase(),
        path: op.path.replace('{', "x").replace('}', ""),
        status: e.status,
        content_type: Some(HAL_JSON.into()),
        code: Some(e.code.clone()),
        states: Some((json!({"n": 1}), json!({"n": 1}))),
        job: None,
        job_code: None,
    }
}

/// `small_spec`'s error delivered the other way: a 202 linking a job that failed with the code.
fn job_exchange(spec: &Spec) -> Exchange {
    let mut x = good_exchange(spec);
    x.job_code = x.code.take();
    x.job = Some("/api/cluster/jobs/j".into());
    x.status = 202;
    x.states = None;
    x
}

#[test]
fn a_code_in_a_failed_job_counts_as_answered() {
    let spec = small_spec();
    assert_eq!(
        problems(&[job_exchange(&spec)], &spec),
        Vec::<String>::new()
    );
    // ... but not from an error answer (a job is linked only by a 2xx), nor with another code.
    let mut x = job_exchange(&spec);
    x.status = 400;
    x.states = Some((json!({"n": 1}), json!({"n": 1})));
    assert!(
        problems(&[x], &spec)
            .iter()
            .any(|p| p.contains("never answered"))
    );
    let mut y = job_exchange(&spec);
    y.job_code = Some("0".into());
    assert!(
        problems(&[y], &spec)
            .iter()
            .any(|p| p.contains("never answered"))
    );
}

#[test]
fn the_checker_passes_a_good_record() {
    let spec = small_spec();
    assert_eq!(
        problems(&[good_exchange(&spec)], &spec),
        Vec::<String>::new()
    );
}

#[test]
fn the_checker_fails_a_rewritten_content_type() {
    let spec = small_spec();
    let mut x = good_exchange(&spec);
    x.content_type = Some("application/json".into());
    let found = problems(&[x], &spec);
    assert_eq!(found.len(), 1, "{found:?}");
    assert!(found[0].contains("content type"), "{found:?}");
}

#[test]
fn the_checker_fails_an_error_that_changed_the_state() {
    let spec = small_spec();
    let mut x = good_exchange(&spec);
    x.states = Some((json!({"n": 1}), json!({"n": 2})));
    let found = problems(&[x], &spec);
    assert_eq!(found.len(), 1, "{found:?}");
    assert!(found[0].contains("changed the state"), "{found:?}");
}

#[test]
fn the_checker_fails_a_spec_code_nobody_answered() {
    let spec = small_spec();
    let mut x = good_exchange(&spec);
    x.code = Some("0".into());
    let found = problems(&[x.clone()], &spec);
    assert!(
        found.iter().any(|p| p.contains("never answered")),
        "{found:?}"
    );
    // The same code on another path does not count either.
    let mut y = good_exchange(&spec);
    y.path.push_str("/more");
    assert!(
        problems(&[y], &spec)
            .iter()
            .any(|p| p.contains("never answered"))
    );
}

#[test]
fn templates_match_one_segment_per_parameter() {
    let t = "/api/protocols/san/iscsi/credentials/{svm.uuid}/{initiator}";
    assert!(path_matches(
        t,
        &format!("{CREDS}/%20/iqn.1995-08.com.example%3Ax")
    ));
    assert!(!path_matches(t, CREDS));
    assert!(!path_matches(t, &format!("{CREDS}/a/b/c")));
    assert!(!path_matches("/api/security", "/api/cluster"));
}
