//! For the crate's tests: a fresh cluster's state and requests to it through the whole router
//! (credentials, conventions, the engine), without a socket.

use std::sync::Arc;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use serde_json::Value;
use tower::ServiceExt;

use crate::EmulatorConfig;
use crate::context::App;

/// `admin:Netapp1!`.
pub const ADMIN: &str = "Basic YWRtaW46TmV0YXBwMSE=";

/// A fresh cluster that says it runs `version` (`9.8.0`, the release the engine serves).
pub fn app(version: &str) -> Arc<App> {
    let config = EmulatorConfig {
        ontap_version: version.to_string(),
        ..EmulatorConfig::default()
    };
    let version = ontap_rest::Version::parse_release(version).expect("a version");
    Arc::new(App::new(config, version))
}

/// The status and JSON body (`null` when empty) of `method uri` with `headers` and `body`, as
/// `admin`.
pub async fn call(
    app: &Arc<App>,
    method: &str,
    uri: &str,
    headers: &[(&str, &str)],
    body: Option<Value>,
) -> (StatusCode, Value) {
    let mut req = Request::builder()
        .method(method)
        .uri(uri)
        .header("authorization", ADMIN);
    for (k, v) in headers {
        req = req.header(*k, *v);
    }
    let body = body.map_or_else(Body::empty, |b| Body::from(b.to_string()));
    let resp = crate::server::router(app.clone())
        .oneshot(req.body(body).expect("a request"))
        .await
        .expect("an answer");
    let status = resp.status();
    let bytes = axum::body::to_bytes(resp.into_body(), usize::MAX)
        .await
        .expect("a body");
    let body = if bytes.is_empty() {
        Value::Null
    } else {
        serde_json::from_slice(&bytes).expect("JSON")
    };
    (status, body)
}

/// The body of a GET that must answer 200.
pub async fn get(app: &Arc<App>, uri: &str) -> Value {
    let (status, body) = call(app, "GET", uri, &[], None).await;
    assert_eq!(status, StatusCode::OK, "GET {uri}: {body}");
    body
}
