//! What several benches share: calling the emulator's router in-process and the requests that
//! put it in a realistic state. Setup only; nothing here is timed.

#![allow(dead_code)] // each bench uses its own part

use axum::Router;
use axum::body::Body;
use axum::http::{Method, Request, header};
use base64::Engine;
use ontap_conform::emulator::{ADMIN_PASSWORD, ADMIN_USER, EmulatorConfig};
use serde_json::{Value, json};
use tower::ServiceExt;

pub const SVM1: &str = "19d04b8e-94d7-11e8-8370-005056b48fd2";
pub const CREDENTIALS: &str = "/api/protocols/san/iscsi/credentials";

/// `Basic ...` for the emulator's well-known admin.
pub fn admin_auth() -> String {
    let token =
        base64::engine::general_purpose::STANDARD.encode(format!("{ADMIN_USER}:{ADMIN_PASSWORD}"));
    format!("Basic {token}")
}

/// A fresh emulator router (no socket).
pub fn router() -> Router {
    ontap_conform::emulator::router(EmulatorConfig::default()).expect("the default config is valid")
}

/// A request as the admin, built the same way for setup and for timed calls.
pub fn request(method: Method, uri: &str, body: Option<&Value>, auth: &str) -> Request<Body> {
    let builder = Request::builder()
        .method(method)
        .uri(uri)
        .header(header::AUTHORIZATION, auth);
    match body {
        Some(b) => builder
            .header(header::CONTENT_TYPE, "application/json")
            .body(Body::from(serde_json::to_vec(b).expect("JSON serializes")))
            .expect("a valid request"),
        None => builder.body(Body::empty()).expect("a valid request"),
    }
}

/// One call through the router as a tower Service; returns the status and the JSON body.
pub async fn call(router: &Router, method: Method, uri: &str, body: Option<Value>) -> (u16, Value) {
    let req = request(method, uri, body.as_ref(), &admin_auth());
    let resp = router
        .clone()
        .oneshot(req)
        .await
        .expect("the router is infallible");
    let status = resp.status().as_u16();
    let bytes = axum::body::to_bytes(resp.into_body(), usize::MAX)
        .await
        .expect("the body is readable");
    let value = if bytes.is_empty() {
        Value::Null
    } else {
        serde_json::from_slice(&bytes).expect("the emulator answers JSON")
    };
    (status, value)
}

/// The body of credential number `i`: even ones use CHAP with both directions and an address
/// range, odd ones `none`, so records are of the sizes a real cluster holds.
pub fn credential_body(i: usize) -> Value {
    let initiator = format!("iqn.1992-08.com.netapp:bench{i:06}");
    if i.is_multiple_of(2) {
        json!({
            "svm": {"uuid": SVM1},
            "initiator": initiator,
            "authentication_type": "chap",
            "chap": {
                "inbound": {"user": format!("in{i}"), "password": "Inbound-secret1"},
                "outbound": {"user": format!("out{i}"), "password": "Outbound-secret2"}
            },
            "initiator_address": {
                "ranges": [{"start": "10.10.10.1", "end": "10.10.10.20"}]
            }
        })
    } else {
        json!({"svm": {"uuid": SVM1}, "initiator": initiator, "authentication_type": "none"})
    }
}

/// The single-credential path of credential number `i`.
pub fn credential_path(i: usize) -> String {
    format!("{CREDENTIALS}/{SVM1}/iqn.1992-08.com.netapp%3Abench{i:06}")
}
