//! The emulator over a real socket, given any body, query and odd path segments on every
//! endpoint: never a 5xx, and `GET /api/cluster` keeps answering. The `/api` endpoints are the
//! spec's operations (a path the spec gains is fuzzed without an edit here); the control surface
//! is the emulator's own and not in the spec, so it is listed here.

use std::time::Duration;

use ontap_conform::emulator::{Emulator, EmulatorConfig};
use proptest::prelude::*;
use proptest::sample::select;
use proptest::strategy::Union;
use proptest::test_runner::TestCaseError;
use serde_json::{Map, Value};

use crate::common::{ADMIN, CLUSTER_UUID, CREDS, NO_SVM, SVM1, SVM2};
use crate::vocabulary::{KEYS, PARAMS, QUERY_VALUES};
use crate::{SPEC, apply, json_value, mutation, run};

/// An emulator on a real socket, with the runtime that serves it and a client.
struct Live {
    rt: tokio::runtime::Runtime,
    emu: Option<Emulator>,
    client: reqwest::Client,
    base: String,
}

impl Live {
    fn start() -> Live {
        let _ = rustls::crypto::ring::default_provider().install_default();
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .expect("runtime");
        let emu = rt
            .block_on(Emulator::start(
                "127.0.0.1:0".parse().expect("address"),
                EmulatorConfig::default(),
            ))
            .expect("emulator starts");
        let base = emu.base_url();
        let client = reqwest::Client::builder()
            .timeout(Duration::from_secs(30))
            .build()
            .expect("client");
        Live {
            rt,
            emu: Some(emu),
            client,
            base,
        }
    }

    /// Sends one request; the status, or why there was none.
    fn send(
        &self,
        method: &str,
        url: &str,
        content_type: Option<&str>,
        body: Option<Vec<u8>>,
    ) -> Result<u16, String> {
        let method = reqwest::Method::from_bytes(method.as_bytes()).map_err(|e| e.to_string())?;
        let mut rb = self
            .client
            .request(method, url)
            .basic_auth(ADMIN.0, Some(ADMIN.1));
        if let Some(ct) = content_type {
            rb = rb.header("content-type", ct);
        }
        if let Some(b) = body {
            rb = rb.body(b);
        }
        self.rt.block_on(async move {
            let r = rb.send().await.map_err(|e| format!("no answer: {e}"))?;
            let status = r.status().as_u16();
            r.bytes().await.map_err(|e| format!("body broke: {e}"))?;
            Ok(status)
        })
    }

    /// The server still answers the cluster record.
    fn alive(&self) -> Result<(), String> {
        match self.send("GET", &format!("{}/api/cluster", self.base), None, None)? {
            200 => Ok(()),
            s => Err(format!("GET /api/cluster answered {s}")),
        }
    }
}

impl Drop for Live {
    fn drop(&mut self) {
        if let Some(emu) = self.emu.take() {
            self.rt.block_on(emu.shutdown());
        }
    }
}

/// A path segment: a usable value (when there are any), or anything at all (percent-encoded).
fn segment(usable: &'static [&'static str]) -> BoxedStrategy<String> {
    let any = ".{0,24}".prop_map(|s| {
        percent_encoding::utf8_percent_encode(&s, percent_encoding::NON_ALPHANUMERIC).to_string()
    });
    if usable.is_empty() {
        return any.boxed();
    }
    prop_oneof![3 => select(usable).prop_map(String::from), 1 => any].boxed()
}

/// An endpoint: its path (parameters that exist more often than not), the methods it serves,
/// and a valid body that mutations start from.
#[derive(Clone, Debug)]
struct Endpoint {
    path: String,
    methods: Vec<String>,
    valid: Value,
}

/// Values that exist for a path parameter the spec names, so most generated paths reach a
/// record. The account the test logs in with (`admin`) is never among them, so no DELETE or
/// password change can lock the run out.
fn usable(parameter: &str) -> &'static [&'static str] {
    match parameter {
        "svm.uuid" => &[SVM1, SVM2, "%20"],
        "initiator" => &[
            "default",
            "iqn.1995-08.com.example:fuzz",
            "eui.0123456789abcdef",
        ],
        "owner.uuid" => &[CLUSTER_UUID, SVM1],
        "name" => &["monitor", "vsadmin", "fuzz1", "nosuch"],
        "user" => &["vsadmin", "ndmpsso", "monitor"],
        "uuid" => &[NO_SVM, SVM1, SVM2],
        _ => &[],
    }
}

/// A valid body for the spec path `template`, which mutations start from (null: none).
fn valid_body(template: &str) -> Value {
    let chap = serde_json::json!({
        "authentication_type": "chap",
        "chap": {"inbound": {"user": "u1", "password": "abcdef123456"},
                 "outbound": {"user": "u2", "password": "654321fedcba"}},
        "initiator_address": {"ranges": [{"start": "10.0.0.1", "end": "10.0.0.9"}],
                              "masks": [{"address": "10.1.0.0", "netmask": "24"}]}
    });
    match template {
        "/api/security" => serde_json::json!({"fips.enabled": true}),
        "/api/security/accounts" => serde_json::json!({
            "name": "fuzz1", "owner": {"name": "svm1"}, "role": {"name": "vsadmin"},
            "applications": [{"application": "http", "authentication_methods": ["password"]}],
            "password": "Fuzzing1234"
        }),
        "/api/security/authentication/password" => {
            serde_json::json!({"name": "monitor", "password": "Monitor2345x"})
        }
        CREDS => {
            let mut create = chap;
            create["svm"] = serde_json::json!({"name": "svm1"});
            create["initiator"] = Value::from("iqn.1995-08.com.example:fuzz");
            create
        }
        "/api/protocols/san/iscsi/credentials/{svm.uuid}/{initiator}" => chap,
        _ => Value::Null,
    }
}

/// The spec's paths, each with the methods its operations use, in the spec's order.
fn spec_paths() -> Vec<(String, Vec<String>)> {
    let mut paths: Vec<(String, Vec<String>)> = Vec::new();
    for op in &SPEC.operations {
        let method = op.method.to_uppercase();
        match paths.iter_mut().find(|(p, _)| *p == op.path) {
            Some((_, methods)) => methods.push(method),
            None => paths.push((op.path.clone(), vec![method])),
        }
    }
    paths
}

/// The endpoint a spec path template stands for, each `{parameter}` a generated segment.
fn endpoint(template: String, methods: Vec<String>) -> BoxedStrategy<Endpoint> {
    let valid = valid_body(&template);
    let segments: Vec<BoxedStrategy<String>> = template
        .split('/')
        .map(
            |s| match s.strip_prefix('{').and_then(|s| s.strip_suffix('}')) {
                Some(parameter) => segment(usable(parameter)),
                None => Just(s.to_string()).boxed(),
            },
        )
        .collect();
    segments
        .prop_map(move |s| Endpoint {
            path: s.join("/"),
            methods: methods.clone(),
            valid: valid.clone(),
        })
        .boxed()
}

fn fixed(path: String, methods: Vec<String>, valid: Value) -> BoxedStrategy<Endpoint> {
    Just(Endpoint {
        path,
        methods,
        valid,
    })
    .boxed()
}

/// The paths under `prefix` the emulator serves beyond the spec, with their methods, read from
/// its route table (its control surface, and a list the spec does not document).
fn beyond_spec(prefix: &str) -> Vec<(String, Vec<String>)> {
    let mut paths: Vec<(String, Vec<String>)> = Vec::new();
    for r in ontap_conform::emulator::routes() {
        if r.beyond_spec.is_none() || !r.path.starts_with(prefix) {
            continue;
        }
        match paths.iter_mut().find(|(p, _)| p == r.path) {
            Some((_, methods)) => methods.push(r.method.to_string()),
            None => paths.push((r.path.to_string(), vec![r.method.to_string()])),
        }
    }
    paths
}

/// Every `/api` endpoint: the spec's, the job list the emulator also serves (undocumented), the
/// engine's, and paths nobody documented.
fn api_endpoint() -> impl Strategy<Value = Endpoint> {
    let mut all: Vec<BoxedStrategy<Endpoint>> = spec_paths()
        .into_iter()
        .map(|(path, methods)| endpoint(path, methods))
        .collect();
    all.extend(
        beyond_spec("/api/")
            .into_iter()
            .map(|(path, methods)| fixed(path, methods, Value::Null)),
    );
    // The engine's paths (NetApp's operations on paths no hand-written route serves), with the
    // methods NetApp documents on each, as one member of the union, so that the curated
    // endpoints keep their share of the cases.
    let mut engine: Vec<(String, Vec<String>)> = Vec::new();
    for r in ontap_conform::emulator::engine_routes() {
        match engine.iter_mut().find(|(p, _)| p == r.path) {
            Some((_, methods)) => methods.push(r.method.to_string()),
            None => engine.push((r.path.to_string(), vec![r.method.to_string()])),
        }
    }
    all.push(
        select(engine)
            .prop_flat_map(|(path, methods)| endpoint(path, methods))
            .boxed(),
    );
    all.push(
        ".{0,30}"
            .prop_map(|s| Endpoint {
                path: format!(
                    "/api/{}",
                    percent_encoding::utf8_percent_encode(&s, percent_encoding::CONTROLS)
                ),
                methods: vec!["GET".into()],
                valid: Value::Null,
            })
            .boxed(),
    );
    Union::new(all)
}

/// The control surface: the emulator's own, not in the spec.
fn control_endpoint() -> impl Strategy<Value = Endpoint> {
    let conditions = serde_json::json!({
        "password_policy": {"min_length": 10, "history": 2},
        "job_step_ms": 5,
        "svms_without_iscsi": ["svm1"],
        "job_failure": {"code": "1", "message": "m"}
    });
    let mut all: Vec<BoxedStrategy<Endpoint>> = beyond_spec("/emulator/")
        .into_iter()
        .map(|(path, methods)| {
            let valid = if path == "/emulator/conditions" {
                conditions.clone()
            } else {
                Value::Null
            };
            fixed(path, methods, valid)
        })
        .collect();
    assert!(all.len() >= 3, "the route table lists the control surface");
    all.push(
        ".{0,20}"
            .prop_map(|s| Endpoint {
                path: format!(
                    "/emulator/{}",
                    percent_encoding::utf8_percent_encode(&s, percent_encoding::NON_ALPHANUMERIC)
                ),
                methods: vec!["GET".into()],
                valid: Value::Null,
            })
            .boxed(),
    );
    Union::new(all)
}

/// Every path parameter of the spec has usable values, and every valid body belongs to a spec
/// path: a parameter the spec gains, or a path it renames, shows up here instead of as a fuzz
/// that quietly meets only 404s.
#[test]
fn the_endpoint_table_covers_the_spec() {
    let paths = spec_paths();
    assert!(!paths.is_empty());
    for (path, _) in &paths {
        for parameter in path
            .split('/')
            .filter_map(|s| s.strip_prefix('{').and_then(|s| s.strip_suffix('}')))
        {
            assert!(
                !usable(parameter).is_empty(),
                "{path}: no usable values for {{{parameter}}}"
            );
        }
    }
    let with_body = paths
        .iter()
        .filter(|(p, _)| !valid_body(p).is_null())
        .count();
    assert_eq!(with_body, 5, "a valid body's path is no longer in the spec");
}

fn query() -> impl Strategy<Value = String> {
    let pair = (
        prop_oneof![4 => select(PARAMS).prop_map(String::from), 1 => ".{0,8}"],
        prop_oneof![3 => select(QUERY_VALUES).prop_map(String::from), 1 => ".{0,16}"],
    )
        .prop_map(|(k, v)| {
            use percent_encoding::{NON_ALPHANUMERIC, utf8_percent_encode};
            format!(
                "{}={}",
                utf8_percent_encode(&k, NON_ALPHANUMERIC),
                utf8_percent_encode(&v, NON_ALPHANUMERIC)
            )
        });
    prop_oneof![
        2 => Just(String::new()),
        3 => prop::collection::vec(pair, 1..5).prop_map(|p| p.join("&")),
        1 => "[ -~]{0,60}",
    ]
}

/// Bodies: a valid body with a few mutations, raw bytes, any JSON, or JSON objects built from
/// the keys the handlers read.
fn body(valid: Value) -> impl Strategy<Value = Option<Vec<u8>>> {
    let mutated = prop::collection::vec(mutation(), 0..3).prop_map(move |ms| {
        let mut v = valid.clone();
        for m in &ms {
            apply(&mut v, m);
        }
        Some(v.to_string().into_bytes())
    });
    prop_oneof![
        1 => Just(None),
        6 => mutated,
        1 => prop::collection::vec(any::<u8>(), 0..512).prop_map(Some),
        2 => json_value().prop_map(|v| Some(v.to_string().into_bytes())),
        2 => prop::collection::vec((select(KEYS), json_value()), 0..6).prop_map(|kv| {
            let m: Map<String, Value> = kv.into_iter().map(|(k, v)| (k.to_string(), v)).collect();
            Some(Value::Object(m).to_string().into_bytes())
        }),
    ]
}

fn content_type() -> impl Strategy<Value = Option<&'static str>> {
    prop_oneof![
        4 => Just(Some("application/json")),
        1 => Just(None),
        1 => Just(Some("text/plain")),
        1 => Just(Some("application/hal+json; charset=utf-8")),
    ]
}

/// One of the endpoint's methods mostly, any method sometimes.
fn method(allowed: Vec<String>) -> impl Strategy<Value = String> {
    const ANY: &[&str] = &[
        "GET", "POST", "PATCH", "DELETE", "PUT", "HEAD", "OPTIONS", "TRACE",
    ];
    prop_oneof![
        8 => select(allowed),
        1 => select(ANY).prop_map(String::from),
    ]
}

fn fuzz_endpoints(endpoints: impl Strategy<Value = Endpoint>) {
    let live = Live::start();
    // Which statuses came back (shown with --nocapture): a property that only ever met 400s
    // would not have reached the handlers.
    let seen = std::sync::Mutex::new(std::collections::BTreeMap::<u16, u32>::new());
    let strategy = endpoints.prop_flat_map(|e| {
        (
            method(e.methods),
            Just(e.path),
            query(),
            content_type(),
            body(e.valid),
        )
    });
    run(256, strategy, |(method, path, query, ct, body)| {
        let url = format!("{}{path}?{query}", live.base);
        prop_assume!(reqwest::Url::parse(&url).is_ok());
        let status = live
            .send(&method, &url, ct, body)
            .map_err(TestCaseError::fail)?;
        *seen
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .entry(status)
            .or_default() += 1;
        prop_assert!(status < 500, "{} {} answered {}", method, url, status);
        if std::env::var("PROPS_TRACE").is_ok() {
            eprintln!("{status} {method} {url}");
        }
        live.alive().map_err(TestCaseError::fail)?;
        Ok(())
    });
    live.alive()
        .expect("the emulator still serves after the run");
    eprintln!(
        "statuses seen: {:?}",
        seen.into_inner().unwrap_or_else(|e| e.into_inner())
    );
}

#[test]
fn emulator_api_never_answers_5xx_and_keeps_serving() {
    fuzz_endpoints(api_endpoint());
}

/// The control surface, on its own emulator: a condition such as a huge `job_step_ms` must not
/// slow the API property down, and a reset must not hide what it found.
#[test]
fn emulator_control_surface_never_answers_5xx_and_keeps_serving() {
    fuzz_endpoints(control_endpoint());
}
