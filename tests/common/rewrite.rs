//! A proxy in front of an in-process emulator that rewrites its answers: a stand-in for a
//! cluster that behaves differently from the emulator in ways a test chooses (another status for
//! an error, a field missing, an absolute `Location`), so a test can show what the suite does
//! with a correct cluster that is not the emulator.
#![allow(dead_code)]

use std::sync::Arc;

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use ontap_conform::emulator::{Emulator, EmulatorConfig};
use serde_json::Value;

/// One answer on its way back: the request it answers, and what the proxy will send.
pub struct Answer {
    pub method: String,
    /// Path and query as the client sent them.
    pub path: String,
    pub status: u16,
    pub headers: HeaderMap,
    /// `None` when the body is empty or not JSON (then it passes unchanged).
    pub body: Option<Value>,
    /// The proxy's own address (`http://127.0.0.1:PORT`), for absolute links.
    pub base: String,
}

/// What a test changes in an answer.
pub type Rewrite = Arc<dyn Fn(&mut Answer) + Send + Sync>;

struct Proxy {
    upstream: String,
    base: String,
    client: reqwest::Client,
    rewrite: Rewrite,
}

/// Starts an emulator and the proxy in front of it on a thread of their own (the binary under
/// test runs as another process), and returns the proxy's URL. Both live until the test process
/// ends.
pub fn start(rewrite: Rewrite) -> String {
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .expect("a runtime");
        rt.block_on(async move {
            let _ = rustls::crypto::ring::default_provider().install_default();
            let emu = Emulator::start("127.0.0.1:0".parse().unwrap(), EmulatorConfig::default())
                .await
                .expect("the emulator starts");
            let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
                .await
                .expect("bind the proxy");
            let base = format!("http://{}", listener.local_addr().expect("address"));
            let proxy = Arc::new(Proxy {
                upstream: emu.base_url(),
                base: base.clone(),
                client: reqwest::Client::new(),
                rewrite,
            });
            let app = axum::Router::new().fallback(forward).with_state(proxy);
            tx.send(base).expect("the test waits for the URL");
            let _ = axum::serve(listener, app).await;
            drop(emu);
        });
    });
    rx.recv().expect("the proxy starts")
}

async fn forward(State(p): State<Arc<Proxy>>, req: Request) -> Response {
    let (parts, body) = req.into_parts();
    let Ok(body) = axum::body::to_bytes(body, usize::MAX).await else {
        return StatusCode::BAD_REQUEST.into_response();
    };
    let path = parts
        .uri
        .path_and_query()
        .map_or("/".to_string(), |pq| pq.as_str().to_string());
    let mut headers = parts.headers.clone();
    headers.remove(header::HOST);
    let answer = p
        .client
        .request(parts.method.clone(), format!("{}{path}", p.upstream))
        .headers(headers)
        .body(body)
        .send()
        .await;
    let answer = match answer {
        Ok(a) => a,
        Err(e) => return (StatusCode::BAD_GATEWAY, e.to_string()).into_response(),
    };
    let status = answer.status().as_u16();
    let mut headers = answer.headers().clone();
    let bytes = answer.bytes().await.unwrap_or_default();
    let json: Option<Value> = serde_json::from_slice(&bytes).ok();
    let mut a = Answer {
        method: parts.method.to_string(),
        path,
        status,
        headers: std::mem::take(&mut headers),
        body: json.clone(),
        base: p.base.clone(),
    };
    (p.rewrite)(&mut a);
    let out = match (&a.body, &json) {
        (Some(b), _) => b.to_string().into_bytes(),
        (None, Some(_)) => Vec::new(),
        (None, None) => bytes.to_vec(),
    };
    a.headers.remove(header::CONTENT_LENGTH);
    a.headers.remove(header::TRANSFER_ENCODING);
    if out.is_empty() {
        a.headers.remove(header::CONTENT_TYPE);
    } else if !a.headers.contains_key(header::CONTENT_TYPE) {
        a.headers.insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/hal+json"),
        );
    }
    let mut resp = Response::new(Body::from(out));
    *resp.status_mut() = StatusCode::from_u16(a.status).unwrap_or(StatusCode::BAD_GATEWAY);
    *resp.headers_mut() = a.headers;
    resp
}

/// What a run of the binary against `target` (as admin, destructive cases on) left: its exit
/// code, its output (stdout then stderr), and its `conformance.json` (`Null` when none was
/// written). `args` come after `run --allow-destructive --target TARGET --report-dir DIR`.
pub fn run_against(
    target: &str,
    reports: &std::path::Path,
    args: &[&std::ffi::OsStr],
) -> (Option<i32>, String, Value) {
    run_binary(target, reports, args, true)
}

/// [`run_against`] without `--allow-destructive` when `destructive` is false: what a read-only
/// run against a cluster sends.
pub fn run_binary(
    target: &str,
    reports: &std::path::Path,
    args: &[&std::ffi::OsStr],
    destructive: bool,
) -> (Option<i32>, String, Value) {
    let o = super::common::bin()
        .arg("run")
        .args(destructive.then_some("--allow-destructive"))
        .args(["--target", target, "--report-dir"])
        .arg(reports)
        .args(args)
        .env("ONTAP_PASSWORD", super::common::ADMIN.1)
        .output()
        .expect("the binary runs");
    let out = format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    );
    let json = std::fs::read_to_string(reports.join("conformance.json"))
        .map(|t| serde_json::from_str(&t).unwrap_or(Value::Null))
        .unwrap_or(Value::Null);
    (o.status.code(), out, json)
}
