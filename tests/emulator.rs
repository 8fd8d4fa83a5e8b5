//! The ONTAP emulator over real sockets: every documented error code (51), authentication and
//! roles, passwords, paging, `fields`, `return_records`, `return_timeout`, jobs, dotted keys,
//! bad input, concurrency and TLS.

use std::net::SocketAddr;

use ontap_conform::emulator::{ADMIN_PASSWORD, ADMIN_USER, Emulator, EmulatorConfig};
use reqwest::Method;
use serde_json::{Value, json};

const SVM1: &str = "19d04b8e-94d7-11e8-8370-005056b48fd2";
const SVM2: &str = "25f617cf-94d7-11e8-8370-005056b48fd2";
const NO_SVM: &str = "00000000-0000-0000-0000-000000000000";
const CREDS: &str = "/api/protocols/san/iscsi/credentials";
const ADMIN: (&str, &str) = (ADMIN_USER, ADMIN_PASSWORD);
const MONITOR: (&str, &str) = ("monitor", "Monitor1!");
const VSADMIN: (&str, &str) = ("vsadmin", "Vsadmin1!");

struct Resp {
    status: u16,
    headers: reqwest::header::HeaderMap,
    body: Value,
}

impl Resp {
    fn code(&self) -> &str {
        self.body["error"]["code"].as_str().unwrap_or("")
    }
}

struct T {
    emu: Emulator,
    client: reqwest::Client,
    base: String,
}

fn addr() -> SocketAddr {
    "127.0.0.1:0".parse().unwrap()
}

async fn start_with(config: EmulatorConfig) -> T {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let emu = Emulator::start(addr(), config)
        .await
        .expect("emulator starts");
    let client = reqwest::Client::builder().build().unwrap();
    let base = emu.base_url();
    T { emu, client, base }
}

async fn start() -> T {
    start_with(EmulatorConfig::default()).await
}

impl T {
    async fn raw(
        &self,
        method: Method,
        path: &str,
        auth: Option<(&str, &str)>,
        body: Option<String>,
    ) -> Resp {
        let mut rb = self
            .client
            .request(method, format!("{}{}", self.base, path));
        if let Some((u, p)) = auth {
            rb = rb.basic_auth(u, Some(p));
        }
        if let Some(b) = body {
            rb = rb.header("content-type", "application/json").body(b);
        }
        let r = rb.send().await.expect("request sent");
        let status = r.status().as_u16();
        let headers = r.headers().clone();
        let text = r.text().await.unwrap_or_default();
        let body = if text.is_empty() {
            Value::Null
        } else {
            serde_json::from_str(&text).unwrap_or(Value::String(text))
        };
        assert!(status < 500, "server error {status} for {path}: {body}");
        if status >= 400 {
            assert!(
                body["error"]["code"].is_string(),
                "ONTAP error body with a string code: {body}"
            );
            assert!(
                body["error"]["message"].is_string(),
                "ONTAP error body with a message: {body}"
            );
        }
        Resp {
            status,
            headers,
            body,
        }
    }
    async fn call(
        &self,
        method: Method,
        path: &str,
        auth: (&str, &str),
        body: Option<Value>,
    ) -> Resp {
        self.raw(method, path, Some(auth), body.map(|b| b.to_string()))
            .await
    }
    async fn get(&self, path: &str) -> Resp {
        self.call(Method::GET, path, ADMIN, None).await
    }
    async fn post(&self, path: &str, body: Value) -> Resp {
        self.call(Method::POST, path, ADMIN, Some(body)).await
    }
    async fn patch(&self, path: &str, body: Value) -> Resp {
        self.call(Method::PATCH, path, ADMIN, Some(body)).await
    }
    async fn delete(&self, path: &str) -> Resp {
        self.call(Method::DELETE, path, ADMIN, None).await
    }
    async fn conditions(&self, patch: Value) {
        let r = self.patch("/emulator/conditions", patch).await;
        assert_eq!(r.status, 200, "{}", r.body);
    }
    async fn reset(&self) {
        let r = self.post("/emulator/reset", json!({})).await;
        assert_eq!(r.status, 200);
    }
    async fn create_cred(&self, svm: &str, initiator: &str) {
        let r = self.post(CREDS, json!({"svm": {"name": svm}, "initiator": initiator, "authentication_type": "none"})).await;
        assert_eq!(r.status, 201, "{}", r.body);
    }
}

// ------------------------------------------------------------------ the 51 documented codes

struct Case {
    name: &'static str,
    conditions: Option<Value>,
    pre: Vec<(Method, String, Value)>,
    method: Method,
    path: String,
    body: Option<Value>,
    status: u16,
    code: &'static str,
}

fn case(
    name: &'static str,
    method: Method,
    path: &str,
    body: Option<Value>,
    status: u16,
    code: &'static str,
) -> Case {
    Case {
        name,
        conditions: None,
        pre: Vec::new(),
        method,
        path: path.to_string(),
        body,
        status,
        code,
    }
}

impl Case {
    fn when(mut self, c: Value) -> Case {
        self.conditions = Some(c);
        self
    }
    fn after(mut self, method: Method, path: &str, body: Value) -> Case {
        self.pre.push((method, path.to_string(), body));
        self
    }
}

const T1: &str = "iqn.1995-08.com.example:t1";

fn cred_path(svm: &str, initiator: &str) -> String {
    format!("{CREDS}/{svm}/{initiator}")
}

fn post_cred(initiator: &str, extra: Value) -> Value {
    let mut b =
        json!({"svm": {"name": "svm1"}, "initiator": initiator, "authentication_type": "none"});
    if let (Some(b), Some(e)) = (b.as_object_mut(), extra.as_object()) {
        for (k, v) in e {
            b.insert(k.clone(), v.clone());
        }
    }
    b
}

fn all_cases() -> Vec<Case> {
    use Method as M;
    let ndmp = |user: &str| format!("/api/protocols/ndmp/svms/{SVM1}/passwords/{user}");
    let pw = "/api/security/authentication/password";
    let t1 = cred_path(SVM1, T1);
    let create_t1 = (M::POST, CREDS.to_string(), post_cred(T1, json!({})));
    let chap = |i: Value| json!({"authentication_type": "chap", "chap": i});
    let mut cases = vec![
        // NDMP (000)
        case(
            "ndmp 65601536 svm-aware mode off",
            M::GET,
            &ndmp("vsadmin"),
            None,
            409,
            "65601536",
        )
        .when(json!({"ndmp_svm_aware_mode": false})),
        case(
            "ndmp 65601560 plaintext_sso user",
            M::GET,
            &ndmp("ndmpsso"),
            None,
            409,
            "65601560",
        ),
        case(
            "ndmp 65601587 platform without NDMP",
            M::GET,
            &ndmp("vsadmin"),
            None,
            409,
            "65601587",
        )
        .when(json!({"ndmp_platform_supported": false})),
        // Password (001/002)
        case(
            "password 7077918 contains user name",
            M::POST,
            pw,
            Some(json!({"name": "monitor", "password": "xMonitor12"})),
            400,
            "7077918",
        ),
        case(
            "password 7077919 too short",
            M::POST,
            pw,
            Some(json!({"name": "monitor", "password": "ab12"})),
            400,
            "7077919",
        ),
        case(
            "password 7077920 letters and digits",
            M::POST,
            pw,
            Some(json!({"name": "monitor", "password": "abcdefghij"})),
            400,
            "7077920",
        ),
        case(
            "password 7077921 special characters",
            M::POST,
            pw,
            Some(json!({"name": "monitor", "password": "abcdefg123"})),
            400,
            "7077921",
        )
        .when(json!({"password_policy": {"min_special_chars": 2}})),
        case(
            "password 7077924 last N passwords",
            M::POST,
            pw,
            Some(json!({"name": "monitor", "password": "Monitor1!"})),
            400,
            "7077924",
        )
        .after(
            M::POST,
            pw,
            json!({"name": "monitor", "password": "Second22!"}),
        ),
        case(
            "password 7077925 same as old",
            M::POST,
            pw,
            Some(json!({"name": "monitor", "password": "Monitor1!"})),
            400,
            "7077925",
        ),
        case(
            "password 7077940 too long",
            M::POST,
            pw,
            Some(json!({"name": "monitor", "password": format!("{}1", "a".repeat(128))})),
            400,
            "7077940",
        ),
        case(
            "password 7077941 composition over 128",
            M::POST,
            pw,
            Some(json!({"name": "monitor", "password": "abcdefg123"})),
            400,
            "7077941",
        )
        .when(json!({"password_policy": {"min_special_chars": 100, "min_digits": 29}})),
        // Security (003)
        case(
            "security 52428830 certificate strength",
            M::PATCH,
            "/api/security",
            Some(json!({"fips.enabled": true})),
            409,
            "52428830",
        )
        .when(json!({"fips_incompatible_certificate_strength": true})),
        case(
            "security 52559974 non-FIPS certificate",
            M::PATCH,
            "/api/security",
            Some(json!({"fips.enabled": true})),
            409,
            "52559974",
        )
        .when(json!({"non_fips_certificate_in_use": true})),
        case(
            "security 196608081 data volumes",
            M::PATCH,
            "/api/security",
            Some(json!({"software_data_encryption.conversion_enabled": true})),
            409,
            "196608081",
        )
        .when(json!({"data_volumes_present": true})),
        case(
            "security 196608082 metrocluster switchover",
            M::PATCH,
            "/api/security",
            Some(json!({"software_data_encryption.conversion_enabled": true})),
            409,
            "196608082",
        )
        .when(json!({"metrocluster_switchover": true})),
        // iSCSI POST (004)
        case(
            "iscsi POST 2621462 unknown svm uuid",
            M::POST,
            CREDS,
            Some(json!({"svm": {"uuid": NO_SVM}, "initiator": T1, "authentication_type": "none"})),
            404,
            "2621462",
        ),
        case(
            "iscsi POST 2621706 uuid and name disagree",
            M::POST,
            CREDS,
            Some(
                json!({"svm": {"uuid": SVM1, "name": "svm2"}, "initiator": T1, "authentication_type": "none"}),
            ),
            400,
            "2621706",
        ),
        case(
            "iscsi POST 2621707 no svm",
            M::POST,
            CREDS,
            Some(json!({"initiator": T1, "authentication_type": "none"})),
            400,
            "2621707",
        ),
        case(
            "iscsi POST 5373969 empty qualifier",
            M::POST,
            CREDS,
            Some(post_cred("iqn.1995-08.", json!({}))),
            400,
            "5373969",
        ),
        case(
            "iscsi POST 5373970 bad IQN prefix",
            M::POST,
            CREDS,
            Some(post_cred("iqx.1995-08.com.example:x", json!({}))),
            400,
            "5373970",
        ),
        case(
            "iscsi POST 5373971 bad IQN date",
            M::POST,
            CREDS,
            Some(post_cred("iqn.95-08.com.example:x", json!({}))),
            400,
            "5373971",
        ),
        case(
            "iscsi POST 5373972 bad IQN characters",
            M::POST,
            CREDS,
            Some(post_cred("iqn.1995-08.com.example:str_ing", json!({}))),
            400,
            "5373972",
        ),
        case(
            "iscsi POST 5373977 EUI length",
            M::POST,
            CREDS,
            Some(post_cred("eui.0123", json!({}))),
            400,
            "5373977",
        ),
        case(
            "iscsi POST 5373978 EUI format",
            M::POST,
            CREDS,
            Some(post_cred("eui.0123456789abcdeg", json!({}))),
            400,
            "5373978",
        ),
        case(
            "iscsi POST 5373997 invalid initiator",
            M::POST,
            CREDS,
            Some(post_cred("not-an-initiator", json!({}))),
            400,
            "5373997",
        ),
        case(
            "iscsi POST 5374078 no iSCSI service",
            M::POST,
            CREDS,
            Some(post_cred(T1, json!({}))),
            409,
            "5374078",
        )
        .when(json!({"svms_without_iscsi": ["svm1"]})),
        case(
            "iscsi POST 5374142 duplicate",
            M::POST,
            CREDS,
            Some(post_cred("default", json!({}))),
            409,
            "5374142",
        ),
        case(
            "iscsi POST 5374145 odd hex password",
            M::POST,
            CREDS,
            Some(post_cred(
                T1,
                chap(json!({"inbound": {"user": "u1", "password": "0x123"}})),
            )),
            400,
            "5374145",
        ),
        case(
            "iscsi POST 5374147 same passwords",
            M::POST,
            CREDS,
            Some(post_cred(
                T1,
                chap(
                    json!({"inbound": {"user": "u1", "password": "password1"}, "outbound": {"user": "u2", "password": "password1"}}),
                ),
            )),
            400,
            "5374147",
        ),
        case(
            "iscsi POST 5374149 inbound required",
            M::POST,
            CREDS,
            Some(post_cred(T1, chap(json!({"inbound": {"user": "u1"}})))),
            400,
            "5374149",
        ),
        case(
            "iscsi POST 5374150 outbound password",
            M::POST,
            CREDS,
            Some(post_cred(
                T1,
                chap(
                    json!({"inbound": {"user": "u1", "password": "password1"}, "outbound": {"user": "u2"}}),
                ),
            )),
            400,
            "5374150",
        ),
        case(
            "iscsi POST 5374855 start after end",
            M::POST,
            CREDS,
            Some(post_cred(
                T1,
                json!({"initiator_address": {"ranges": [{"start": "10.0.0.9", "end": "10.0.0.1"}]}}),
            )),
            400,
            "5374855",
        ),
        case(
            "iscsi POST 5374856 mixed families",
            M::POST,
            CREDS,
            Some(post_cred(
                T1,
                json!({"initiator_address": {"ranges": [{"start": "10.0.0.1", "end": "::1"}]}}),
            )),
            400,
            "5374856",
        ),
        case(
            "iscsi POST 5374900 CHAP with none",
            M::POST,
            CREDS,
            Some(post_cred(T1, json!({"chap": {"inbound": {"user": "u1"}}}))),
            400,
            "5374900",
        ),
        // iSCSI PATCH
        case(
            "iscsi PATCH 2621462 unknown svm",
            M::PATCH,
            &cred_path(NO_SVM, T1),
            Some(json!({"authentication_type": "deny"})),
            404,
            "2621462",
        ),
        case(
            "iscsi PATCH 2621706 body svm disagrees",
            M::PATCH,
            &t1,
            Some(json!({"svm": {"name": "svm2"}})),
            400,
            "2621706",
        ),
        case(
            "iscsi PATCH 2621707 blank svm",
            M::PATCH,
            &cred_path("%20", T1),
            Some(json!({"authentication_type": "deny"})),
            400,
            "2621707",
        ),
        case(
            "iscsi PATCH 5374145 odd hex",
            M::PATCH,
            &t1,
            Some(chap(
                json!({"inbound": {"user": "u1", "password": "0xabc"}}),
            )),
            400,
            "5374145",
        ),
        case(
            "iscsi PATCH 5374147 same passwords",
            M::PATCH,
            &t1,
            Some(chap(
                json!({"inbound": {"user": "u1", "password": "secret12"}, "outbound": {"user": "u2", "password": "secret12"}}),
            )),
            400,
            "5374147",
        ),
        case(
            "iscsi PATCH 5374149 inbound required",
            M::PATCH,
            &t1,
            Some(json!({"authentication_type": "chap"})),
            400,
            "5374149",
        ),
        case(
            "iscsi PATCH 5374150 outbound password",
            M::PATCH,
            &t1,
            Some(chap(
                json!({"inbound": {"user": "u1", "password": "password1"}, "outbound": {"user": "o1"}}),
            )),
            400,
            "5374150",
        ),
        case(
            "iscsi PATCH 5374155 default takes no addresses",
            M::PATCH,
            &cred_path(SVM1, "default"),
            Some(
                json!({"initiator_address": {"ranges": [{"start": "10.0.0.1", "end": "10.0.0.2"}]}}),
            ),
            400,
            "5374155",
        ),
        case(
            "iscsi PATCH 5374855 start after end",
            M::PATCH,
            &t1,
            Some(
                json!({"initiator_address": {"ranges": [{"start": "10.0.0.9", "end": "10.0.0.1"}]}}),
            ),
            400,
            "5374855",
        ),
        case(
            "iscsi PATCH 5374856 mixed families",
            M::PATCH,
            &t1,
            Some(
                json!({"initiator_address": {"ranges": [{"start": "fe80::1", "end": "10.0.0.1"}]}}),
            ),
            400,
            "5374856",
        ),
        case(
            "iscsi PATCH 5374895 no such credential",
            M::PATCH,
            &cred_path(SVM1, "iqn.1995-08.com.example:nothere"),
            Some(json!({"authentication_type": "deny"})),
            404,
            "5374895",
        ),
        case(
            "iscsi PATCH 5374900 CHAP with none",
            M::PATCH,
            &t1,
            Some(json!({"chap": {"inbound": {"user": "u1"}}})),
            400,
            "5374900",
        ),
        // iSCSI DELETE
        case(
            "iscsi DELETE 2621462 unknown svm",
            M::DELETE,
            &cred_path(NO_SVM, T1),
            None,
            404,
            "2621462",
        ),
        case(
            "iscsi DELETE 2621706 svm.name disagrees",
            M::DELETE,
            &format!("{t1}?svm.name=svm2"),
            None,
            400,
            "2621706",
        ),
        case(
            "iscsi DELETE 2621707 blank svm",
            M::DELETE,
            &cred_path("%20", T1),
            None,
            400,
            "2621707",
        ),
        case(
            "iscsi DELETE 5374148 default",
            M::DELETE,
            &cred_path(SVM1, "default"),
            None,
            400,
            "5374148",
        ),
        case(
            "iscsi DELETE 5374895 no such credential",
            M::DELETE,
            &cred_path(SVM1, "iqn.1995-08.com.example:nothere"),
            None,
            404,
            "5374895",
        ),
    ];
    // PATCH and DELETE cases work on an existing credential t1.
    for c in cases.iter_mut() {
        if c.method != Method::POST && c.path.starts_with(CREDS) {
            c.pre.insert(0, create_t1.clone());
        }
    }
    cases
}

#[tokio::test]
async fn every_documented_error_code_is_reachable() {
    let t = start().await;
    let cases = all_cases();
    assert_eq!(cases.len(), 51, "51 (operation, code) pairs");
    let mut failures = Vec::new();
    for c in &cases {
        t.reset().await;
        if let Some(cond) = &c.conditions {
            t.conditions(cond.clone()).await;
        }
        for (m, p, b) in &c.pre {
            let r = t.call(m.clone(), p, ADMIN, Some(b.clone())).await;
            assert!(
                r.status < 300,
                "{}: setup {m} {p} → {} {}",
                c.name,
                r.status,
                r.body
            );
        }
        let r = t
            .call(c.method.clone(), &c.path, ADMIN, c.body.clone())
            .await;
        if r.status != c.status || r.code() != c.code {
            failures.push(format!("{}: got {} {}", c.name, r.status, r.body));
        }
        assert_eq!(
            r.headers.get("content-type").and_then(|v| v.to_str().ok()),
            Some("application/hal+json"),
            "{}",
            c.name
        );
    }
    assert!(
        failures.is_empty(),
        "codes not reached:\n{}",
        failures.join("\n")
    );
    // The server's state after every failed request is still the starting one (after a reset).
    t.reset().await;
    let s = t.get("/emulator/state").await;
    assert_eq!(s.body["credentials_per_svm"], json!({"svm1": 1, "svm2": 1}));
    t.emu.shutdown().await;
}

/// When the spec (spec/openapi.yaml, written on main) is present, every x-ontap-errors code it
/// lists appears in the table above with the same status.
#[test]
fn table_matches_the_spec_when_present() {
    let Ok(text) =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/spec/openapi.yaml"))
    else {
        return;
    };
    let cases = all_cases();
    let mut pending: Option<String> = None;
    let mut checked = 0;
    for line in text.lines() {
        let l = line.trim();
        if let Some(code) = l.strip_prefix("- code: ") {
            pending = Some(code.trim_matches('"').to_string());
        } else if let (Some(code), Some(status)) = (pending.as_ref(), l.strip_prefix("status: ")) {
            let status: u16 = status.trim().parse().unwrap_or(0);
            if code.parse::<u64>().is_ok_and(|n| n > 1_000_000) {
                let ours: Vec<&Case> = cases.iter().filter(|c| c.code == code.as_str()).collect();
                assert!(!ours.is_empty(), "spec code {code} has no test case");
                assert!(
                    ours.iter().all(|c| c.status == status),
                    "spec says {code} → {status}"
                );
                checked += 1;
            }
            pending = None;
        }
    }
    assert!(
        checked >= 51,
        "expected 51 codes in the spec, checked {checked}"
    );
}

// ------------------------------------------------------------------ authentication and roles

#[tokio::test]
async fn basic_auth_and_roles() {
    let t = start().await;
    let r = t.raw(Method::GET, "/api/cluster", None, None).await;
    assert_eq!((r.status, r.code()), (401, "2"));
    let r = t
        .raw(Method::GET, "/api/cluster", Some(("admin", "wrong")), None)
        .await;
    assert_eq!((r.status, r.code()), (401, "2"));
    let r = t
        .raw(
            Method::GET,
            "/api/cluster",
            Some(("nobody", "Netapp1!")),
            None,
        )
        .await;
    assert_eq!(r.status, 401);
    // readonly: GETs only
    let r = t.call(Method::GET, "/api/security", MONITOR, None).await;
    assert_eq!(r.status, 200);
    let r = t
        .call(
            Method::PATCH,
            "/api/security",
            MONITOR,
            Some(json!({"fips.enabled": true})),
        )
        .await;
    assert_eq!((r.status, r.code()), (403, "6"));
    let r = t
        .call(Method::POST, CREDS, MONITOR, Some(post_cred(T1, json!({}))))
        .await;
    assert_eq!(r.status, 403);
    // vsadmin: only svm1
    let r = t.call(Method::GET, CREDS, VSADMIN, None).await;
    assert_eq!(r.body["num_records"], 1);
    assert_eq!(r.body["records"][0]["svm"]["name"], "svm1");
    let r = t
        .call(
            Method::POST,
            CREDS,
            VSADMIN,
            Some(json!({"svm": {"name": "svm2"}, "initiator": T1, "authentication_type": "none"})),
        )
        .await;
    assert_eq!(r.status, 403);
    let r = t
        .call(Method::POST, CREDS, VSADMIN, Some(post_cred(T1, json!({}))))
        .await;
    assert_eq!(r.status, 201);
    let r = t
        .call(
            Method::PATCH,
            "/api/security",
            VSADMIN,
            Some(json!({"fips.enabled": true})),
        )
        .await;
    assert_eq!(r.status, 403);
    let r = t.call(Method::GET, "/api/svm/svms", VSADMIN, None).await;
    assert_eq!(r.body["num_records"], 1);
    // control surface: cluster admin only
    let r = t
        .call(Method::GET, "/emulator/conditions", MONITOR, None)
        .await;
    assert_eq!(r.status, 403);
    let r = t.raw(Method::GET, "/emulator/state", None, None).await;
    assert_eq!(r.status, 401);
    t.emu.shutdown().await;
}

#[tokio::test]
async fn password_changes_own_and_others() {
    let t = start().await;
    let pw = "/api/security/authentication/password";
    // monitor may change its own password, not admin's
    let r = t
        .call(
            Method::POST,
            pw,
            MONITOR,
            Some(json!({"name": "admin", "password": "Another1!"})),
        )
        .await;
    assert_eq!((r.status, r.code()), (403, "6"));
    let r = t
        .call(
            Method::POST,
            pw,
            MONITOR,
            Some(json!({"name": "monitor", "password": "Changed12!"})),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.body);
    assert_eq!(
        r.headers.get("location").unwrap(),
        "/api/security/accounts/3d1b1d6e-94d6-11e8-8370-005056b48fd2/monitor"
    );
    // takes effect at once: old fails, new works
    let r = t.call(Method::GET, "/api/cluster", MONITOR, None).await;
    assert_eq!(r.status, 401);
    let r = t
        .call(Method::GET, "/api/cluster", ("monitor", "Changed12!"), None)
        .await;
    assert_eq!(r.status, 200);
    // the SVM account changes its own without owner; admin names it with owner.name (dotted key)
    let r = t
        .call(
            Method::POST,
            pw,
            VSADMIN,
            Some(json!({"name": "vsadmin", "password": "Svmpass22!"})),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.body);
    let r = t.post(pw, json!({"owner.name": "svm1", "name": "vsadmin", "password": "Svmpass33!", "password_hash_algorithm": "sha256"})).await;
    assert_eq!(r.status, 201, "{}", r.body);
    assert_eq!(
        r.headers.get("location").unwrap(),
        &format!("/api/security/accounts/{SVM1}/vsadmin")
    );
    let r = t
        .post(
            pw,
            json!({"owner": {"uuid": SVM1}, "name": "vsadmin", "password": "Svmpass44!"}),
        )
        .await;
    assert_eq!(r.status, 201);
    let r = t
        .call(Method::GET, "/api/cluster", ("vsadmin", "Svmpass44!"), None)
        .await;
    assert_eq!(r.status, 200);
    // a cluster account name that does not exist; enum; required
    let r = t
        .post(pw, json!({"name": "vsadmin", "password": "Whatever12!"}))
        .await;
    assert_eq!((r.status, r.code()), (404, "4"));
    let r = t.post(pw, json!({"name": "monitor", "password": "Whatever12!", "password_hash_algorithm": "rot13"})).await;
    assert_eq!((r.status, r.code()), (400, "262197"));
    let r = t.post(pw, json!({"name": "monitor"})).await;
    assert_eq!((r.status, r.code()), (400, "262185"));
    t.emu.shutdown().await;
}

#[tokio::test]
async fn throwaway_accounts() {
    let t = start().await;
    let r = t
        .post(
            "/api/security/accounts",
            json!({"name": "tmpuser", "owner": {"name": "svm2"}, "role": "vsadmin", "applications": [{"application": "http", "authentication_methods": ["password"]}], "password": "Throw4way!"}),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.body);
    let loc = r
        .headers
        .get("location")
        .unwrap()
        .to_str()
        .unwrap()
        .to_string();
    assert_eq!(loc, format!("/api/security/accounts/{SVM2}/tmpuser"));
    let r = t.get(&loc).await;
    assert_eq!(r.body["role"]["name"], "vsadmin");
    assert_eq!(r.body["scope"], "svm");
    assert!(r.body.get("password").is_none());
    let r = t
        .call(Method::GET, CREDS, ("tmpuser", "Throw4way!"), None)
        .await;
    assert_eq!(r.body["records"][0]["svm"]["name"], "svm2");
    let r = t
        .post(
            "/api/security/accounts",
            json!({"name": "tmpuser", "owner": {"name": "svm2"}}),
        )
        .await;
    assert_eq!(r.status, 409);
    let r = t.get("/api/security/accounts?name=tmp*").await;
    assert_eq!(r.body["num_records"], 1);
    let r = t.delete(&loc).await;
    assert_eq!(r.status, 200);
    let r = t.get(&loc).await;
    assert_eq!((r.status, r.code()), (404, "4"));
    t.emu.shutdown().await;
}

// ------------------------------------------------------------------ collections

#[tokio::test]
async fn paging_follows_next_links() {
    let t = start().await;
    for i in 0..5 {
        t.create_cred("svm1", &format!("iqn.1995-08.com.example:p{i}"))
            .await;
    }
    let mut href = format!("{CREDS}?max_records=2&initiator=iqn*|default");
    let mut seen = Vec::new();
    let mut pages = 0;
    loop {
        let r = t.get(&href).await;
        assert_eq!(r.status, 200, "{}", r.body);
        pages += 1;
        let recs = r.body["records"].as_array().unwrap().clone();
        assert!(recs.len() <= 2);
        assert_eq!(r.body["num_records"], recs.len());
        seen.extend(
            recs.iter()
                .map(|x| format!("{}/{}", x["svm"]["name"], x["initiator"])),
        );
        match r.body["_links"]["next"]["href"].as_str() {
            Some(n) => {
                assert!(
                    n.contains("max_records=2") && n.contains("initiator="),
                    "next keeps the query: {n}"
                );
                href = n.to_string();
            }
            None => break,
        }
    }
    assert_eq!(pages, 4);
    assert_eq!(seen.len(), 7);
    seen.sort();
    seen.dedup();
    assert_eq!(seen.len(), 7);
    t.emu.shutdown().await;
}

#[tokio::test]
async fn fields_filters_order_and_return_records() {
    let t = start().await;
    let r = t.post(CREDS, json!({"svm.name": "svm2", "initiator": "iqn.1995-08.com.example:c1", "authentication_type": "chap", "chap.inbound.user": "user1", "chap.inbound.password": "password1"})).await;
    assert_eq!(r.status, 201, "dotted keys: {}", r.body);
    // default field set: keys only
    let r = t.get(CREDS).await;
    let rec = &r.body["records"][0];
    assert!(
        rec.get("svm").is_some() && rec.get("initiator").is_some() && rec.get("_links").is_some()
    );
    assert!(rec.get("authentication_type").is_none());
    // *
    let r = t.get(&format!("{CREDS}?fields=*&initiator=*c1")).await;
    assert_eq!(r.body["num_records"], 1);
    assert_eq!(r.body["records"][0]["authentication_type"], "chap");
    assert_eq!(r.body["records"][0]["chap"]["inbound"]["user"], "user1");
    assert!(
        !r.body.to_string().contains("password1"),
        "passwords never returned"
    );
    // list and nested
    let r = t
        .get(&format!(
            "{CREDS}?fields=chap.inbound.user,authentication_type&svm.name=svm2"
        ))
        .await;
    let c1 = r.body["records"]
        .as_array()
        .unwrap()
        .iter()
        .find(|x| x["initiator"] == "iqn.1995-08.com.example:c1")
        .unwrap()
        .clone();
    assert_eq!(c1["chap"], json!({"inbound": {"user": "user1"}}));
    assert_eq!(c1["authentication_type"], "chap");
    // unknown field / filter
    let r = t.get(&format!("{CREDS}?fields=nonsense")).await;
    assert_eq!((r.status, r.code()), (400, "262197"));
    let r = t.get(&format!("{CREDS}?nonsense=1")).await;
    assert_eq!((r.status, r.code()), (400, "262179"));
    // filters with | and order_by desc
    let r = t
        .get(&format!(
            "{CREDS}?authentication_type=chap|deny&fields=authentication_type"
        ))
        .await;
    assert_eq!(r.body["num_records"], 1);
    let r = t
        .get(&format!("{CREDS}?order_by=svm.name%20desc,initiator"))
        .await;
    assert_eq!(r.body["records"][0]["svm"]["name"], "svm2");
    // return_records=false
    let r = t.get(&format!("{CREDS}?return_records=false")).await;
    assert_eq!(r.body["num_records"], 3);
    assert!(r.body.get("records").is_none());
    // single record: all fields; fields narrows
    let p = cred_path(SVM2, "iqn.1995-08.com.example:c1");
    let r = t.get(&p).await;
    assert_eq!(r.body["chap"]["inbound"]["user"], "user1");
    let r = t.get(&format!("{p}?fields=authentication_type")).await;
    assert!(r.body.get("chap").is_none());
    assert_eq!(r.body["authentication_type"], "chap");
    // percent-encoded initiator in the path
    let r = t
        .get(&cred_path(SVM2, "iqn.1995-08.com.example%3Ac1"))
        .await;
    assert_eq!(r.status, 200);
    // /api/security with fields
    let r = t.get("/api/security?fields=fips").await;
    assert_eq!(r.body["fips"]["enabled"], false);
    assert!(r.body.get("software_data_encryption").is_none());
    t.emu.shutdown().await;
}

#[tokio::test]
async fn iscsi_lifecycle_and_address_lists() {
    let t = start().await;
    t.create_cred("svm1", T1).await;
    let p = cred_path(SVM1, T1);
    let r = t.patch(&p, json!({"initiator_address": {"ranges": [{"start": "192.168.0.0", "end": "192.168.0.255"}]}})).await;
    assert_eq!(r.status, 200, "{}", r.body);
    let r = t.patch(&format!("{p}?add_initiator_addresses=true"), json!({"initiator_address": {"masks": [{"address": "10.0.0.0", "netmask": "255.255.0.0"}], "ranges": [{"start": "10.1.0.1", "end": "10.1.0.9"}]}})).await;
    assert_eq!(r.status, 200, "{}", r.body);
    let r = t.get(&p).await;
    assert_eq!(
        r.body["initiator_address"]["ranges"]
            .as_array()
            .unwrap()
            .len(),
        2
    );
    assert_eq!(
        r.body["initiator_address"]["masks"][0],
        json!({"address": "10.0.0.0", "netmask": "16", "family": "ipv4"})
    );
    let r = t.patch(&format!("{p}?remove_initiator_addresses=true"), json!({"initiator_address": {"ranges": [{"start": "192.168.0.0", "end": "192.168.0.255"}]}})).await;
    assert_eq!(r.status, 200);
    let r = t.get(&p).await;
    assert_eq!(
        r.body["initiator_address"]["ranges"],
        json!([{"start": "10.1.0.1", "end": "10.1.0.9", "family": "ipv4"}])
    );
    // CHAP with outbound, then back to none
    let r = t.patch(&p, json!({"authentication_type": "chap", "chap": {"inbound": {"user": "in", "password": "0xabcd"}, "outbound": {"user": "out", "password": "secret12"}}})).await;
    assert_eq!(r.status, 200, "{}", r.body);
    let r = t.get(&p).await;
    assert_eq!(
        r.body["chap"],
        json!({"inbound": {"user": "in"}, "outbound": {"user": "out"}})
    );
    let r = t.patch(&p, json!({"authentication_type": "deny"})).await;
    assert_eq!(r.status, 200);
    let r = t.get(&p).await;
    assert!(r.body.get("chap").is_none());
    // default: deny and back is fine
    let r = t
        .patch(
            &cred_path(SVM1, "default"),
            json!({"authentication_type": "deny"}),
        )
        .await;
    assert_eq!(r.status, 200);
    // initiator is not patchable
    let r = t
        .patch(&p, json!({"initiator": "iqn.1995-08.com.example:zz"}))
        .await;
    assert_eq!((r.status, r.code()), (400, "262190"));
    let r = t.delete(&p).await;
    assert_eq!(r.status, 200);
    let r = t.get(&p).await;
    assert_eq!((r.status, r.code()), (404, "5374895"));
    // an SVM without the iSCSI service hides its credentials
    t.conditions(json!({"svms_without_iscsi": ["svm2"]})).await;
    let r = t.get(&format!("{CREDS}?svm.name=svm2")).await;
    assert_eq!(r.body["num_records"], 0);
    t.emu.shutdown().await;
}

// ------------------------------------------------------------------ security and jobs

async fn job_state(t: &T, uuid: &str) -> Value {
    t.get(&format!("/api/cluster/jobs/{uuid}")).await.body
}

#[tokio::test]
async fn security_patch_job_moves_queued_running_success() {
    let t = start().await;
    t.conditions(json!({"job_step_ms": 300})).await;
    let r = t
        .patch("/api/security", json!({"fips.enabled": true}))
        .await;
    assert_eq!(r.status, 202, "{}", r.body);
    let uuid = r.body["job"]["uuid"].as_str().unwrap().to_string();
    assert_eq!(
        r.body["job"]["_links"]["self"]["href"],
        format!("/api/cluster/jobs/{uuid}")
    );
    let j = job_state(&t, &uuid).await;
    assert_eq!(j["state"], "queued");
    assert_eq!(j["description"], "PATCH /api/security");
    assert_eq!(
        t.get("/api/security").await.body["fips"]["enabled"],
        false,
        "not before success"
    );
    let mut states = vec!["queued".to_string()];
    for _ in 0..200 {
        let s = job_state(&t, &uuid).await["state"]
            .as_str()
            .unwrap()
            .to_string();
        if states.last() != Some(&s) {
            states.push(s.clone());
        }
        if s == "success" {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    assert_eq!(states, ["queued", "running", "success"]);
    let j = job_state(&t, &uuid).await;
    assert_eq!(
        (j["message"].as_str(), j["code"].as_i64()),
        (Some("success"), Some(0))
    );
    assert!(chrono::DateTime::parse_from_rfc3339(j["end_time"].as_str().unwrap()).is_ok());
    assert_eq!(t.get("/api/security").await.body["fips"]["enabled"], true);
    t.emu.shutdown().await;
}

#[tokio::test]
async fn return_timeout_waits_for_the_job() {
    let t = start().await;
    // finished in time: 200 with the job link, setting applied
    let r = t
        .patch(
            "/api/security?return_timeout=30",
            json!({"software_data_encryption": {"conversion_enabled": true}}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert!(r.body["job"]["uuid"].is_string());
    assert_eq!(
        t.get("/api/security").await.body["software_data_encryption"]["conversion_enabled"],
        true
    );
    // not finished in time: 202
    t.conditions(json!({"job_step_ms": 1500})).await;
    let r = t
        .patch(
            "/api/security?return_timeout=1",
            json!({"fips.enabled": true}),
        )
        .await;
    assert_eq!(r.status, 202);
    // failing job: with return_timeout the job's error; without, the job ends in failure
    t.conditions(json!({"job_step_ms": 10, "job_failure": {"code": "52559974", "message": "Simulated failure."}})).await;
    let r = t
        .patch(
            "/api/security?return_timeout=10",
            json!({"fips.enabled": false}),
        )
        .await;
    assert_eq!((r.status, r.code()), (400, "52559974"));
    let r = t
        .patch("/api/security", json!({"fips.enabled": false}))
        .await;
    let uuid = r.body["job"]["uuid"].as_str().unwrap().to_string();
    tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    let j = job_state(&t, &uuid).await;
    assert_eq!(j["state"], "failure");
    assert_eq!(j["error"]["code"], "52559974");
    // out of range
    let r = t
        .patch(
            "/api/security?return_timeout=121",
            json!({"fips.enabled": true}),
        )
        .await;
    assert_eq!((r.status, r.code()), (400, "262197"));
    let r = t.get("/api/cluster/jobs/does-not-exist").await;
    assert_eq!((r.status, r.code()), (404, "4"));
    t.emu.shutdown().await;
}

#[tokio::test]
async fn ndmp_passwords_are_stable_per_user() {
    let t = start().await;
    let p = format!("/api/protocols/ndmp/svms/{SVM1}/passwords/vsadmin");
    let a = t.get(&p).await;
    assert_eq!(a.status, 200);
    let pw = a.body["password"].as_str().unwrap().to_string();
    assert_eq!(pw.len(), 16);
    assert_eq!(t.get(&p).await.body["password"], pw.as_str());
    assert_eq!(
        t.call(Method::GET, &p, VSADMIN, None).await.body["password"],
        pw.as_str()
    );
    assert_eq!(t.call(Method::GET, &p, MONITOR, None).await.status, 403);
    let r = t
        .get(&format!("/api/protocols/ndmp/svms/{SVM1}/passwords/nobody"))
        .await;
    assert_eq!((r.status, r.code()), (404, "4"));
    let r = t
        .get(&format!(
            "/api/protocols/ndmp/svms/{NO_SVM}/passwords/vsadmin"
        ))
        .await;
    assert_eq!((r.status, r.code()), (404, "4"));
    t.emu.shutdown().await;
}

// ------------------------------------------------------------------ bad input

#[tokio::test]
async fn bad_input_gets_ontap_errors_and_the_server_keeps_serving() {
    let t = start_with(EmulatorConfig {
        max_body_bytes: 4096,
        ..EmulatorConfig::default()
    })
    .await;
    let raw = |b: &str| Some(b.to_string());
    let r = t
        .raw(Method::POST, CREDS, Some(ADMIN), raw("{not json"))
        .await;
    assert_eq!((r.status, r.code()), (400, "262176"));
    let r = t.raw(Method::POST, CREDS, Some(ADMIN), raw("[1,2]")).await;
    assert_eq!(r.status, 400);
    let r = t.post(CREDS, post_cred(T1, json!({"bogus": 1}))).await;
    assert_eq!((r.status, r.code()), (400, "262179"));
    assert_eq!(r.body["error"]["target"], "bogus");
    let r = t
        .post(CREDS, post_cred(T1, json!({"authentication_type": 7})))
        .await;
    assert_eq!((r.status, r.code()), (400, "262197"));
    let r = t
        .post(
            CREDS,
            post_cred(T1, json!({"authentication_type": "kerberos"})),
        )
        .await;
    assert_eq!((r.status, r.code()), (400, "262197"));
    assert_eq!(r.body["error"]["target"], "authentication_type");
    let r = t
        .post(
            CREDS,
            json!({"svm": {"name": "svm1"}, "authentication_type": "none"}),
        )
        .await;
    assert_eq!((r.status, r.code()), (400, "262185"));
    let r = t
        .post(
            CREDS,
            post_cred(T1, json!({"_links": {"self": {"href": "x"}}})),
        )
        .await;
    assert_eq!((r.status, r.code()), (400, "262190"));
    let r = t
        .patch("/api/security", json!({"fips": {"enabled": "yes"}}))
        .await;
    assert_eq!((r.status, r.code()), (400, "262197"));
    let r = t
        .raw(Method::POST, CREDS, Some(ADMIN), Some("x".repeat(10_000)))
        .await;
    assert_eq!((r.status, r.code()), (413, "262177"));
    let r = t.get("/api/no/such/path").await;
    assert_eq!((r.status, r.code()), (404, "4"));
    let r = t.get("/nothing").await;
    assert_eq!(r.status, 404);
    let r = t.call(Method::DELETE, "/api/security", ADMIN, None).await;
    assert_eq!((r.status, r.code()), (405, "5"));
    assert_eq!(
        r.headers["allow"], "GET, PATCH",
        "RFC 9110: a 405 says what is allowed"
    );
    let r = t.call(Method::PUT, CREDS, ADMIN, Some(json!({}))).await;
    assert_eq!(r.status, 405);
    assert_eq!(r.headers["allow"], "GET, POST");
    let r = t.call(Method::POST, "/api/cluster", ADMIN, None).await;
    assert_eq!(r.headers["allow"], "GET");
    let r = t.get("/api/security?max_records=null").await;
    assert_eq!((r.status, r.code()), (400, "262197"));
    let r = t.get(&format!("{CREDS}?max_records=abc")).await;
    assert_eq!((r.status, r.code()), (400, "262197"));
    let r = t
        .patch("/emulator/conditions", json!({"no_such_condition": true}))
        .await;
    assert_eq!(r.status, 400);
    let r = t.raw(Method::GET, "/api/cluster", None, None).await;
    assert_eq!(r.status, 401);
    // still serving
    assert_eq!(t.get("/api/cluster").await.status, 200);
    t.emu.shutdown().await;
}

#[tokio::test]
async fn concurrent_creates_and_deletes_lose_nothing() {
    let t = std::sync::Arc::new(start().await);
    let mut tasks = Vec::new();
    for i in 0..40 {
        let t = t.clone();
        tasks.push(tokio::spawn(async move {
            let svm = if i % 2 == 0 { "svm1" } else { "svm2" };
            t.create_cred(svm, &format!("iqn.1995-08.com.example:n{i}"))
                .await;
        }));
    }
    for task in tasks {
        task.await.unwrap();
    }
    let s = t.get("/emulator/state").await;
    assert_eq!(
        s.body["credentials_per_svm"],
        json!({"svm1": 21, "svm2": 21})
    );
    let mut tasks = Vec::new();
    for i in 0..40 {
        let t = t.clone();
        tasks.push(tokio::spawn(async move {
            let svm = if i % 2 == 0 { SVM1 } else { SVM2 };
            let r = t
                .delete(&cred_path(svm, &format!("iqn.1995-08.com.example:n{i}")))
                .await;
            assert_eq!(r.status, 200);
        }));
    }
    for task in tasks {
        task.await.unwrap();
    }
    let s = t.get("/emulator/state").await;
    assert_eq!(s.body["credentials_per_svm"], json!({"svm1": 1, "svm2": 1}));
}

// ------------------------------------------------------------------ control, version, TLS

#[tokio::test]
async fn control_surface_reset_and_state() {
    let t = start_with(EmulatorConfig {
        ontap_version: "9.10.1".into(),
        ..EmulatorConfig::default()
    })
    .await;
    let r = t.get("/api/cluster").await;
    assert_eq!(r.body["version"]["major"], 10);
    assert_eq!(r.body["name"], "cluster1");
    let c = t.get("/emulator/conditions").await.body;
    assert_eq!(c["ndmp_svm_aware_mode"], true);
    assert_eq!(c["password_policy"]["min_length"], 8);
    t.create_cred("svm1", T1).await;
    t.post(
        "/api/security/authentication/password",
        json!({"name": "monitor", "password": "Changed12!"}),
    )
    .await;
    t.conditions(json!({"metrocluster_switchover": true})).await;
    let s = t.get("/emulator/state").await.body;
    assert_eq!(s["credentials_per_svm"]["svm1"], 2);
    assert!(
        !s.to_string().contains("Changed12!"),
        "no passwords in the state"
    );
    t.reset().await;
    let s = t.get("/emulator/state").await.body;
    assert_eq!(s["credentials_per_svm"]["svm1"], 1);
    assert_eq!(s["conditions"]["metrocluster_switchover"], false);
    assert_eq!(
        t.call(Method::GET, "/api/cluster", MONITOR, None)
            .await
            .status,
        200
    );
    assert!(
        Emulator::start(
            addr(),
            EmulatorConfig {
                ontap_version: "nine".into(),
                ..EmulatorConfig::default()
            }
        )
        .await
        .is_err()
    );
    t.emu.shutdown().await;
}

/// A client that sends half a request (or half a body) and waits is cut off, instead of holding
/// its connection forever; a well-behaved client on another connection is served meanwhile.
#[tokio::test]
async fn half_sent_requests_are_cut_off_at_the_read_timeout() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let t = start_with(EmulatorConfig {
        request_read_timeout: std::time::Duration::from_secs(1),
        ..EmulatorConfig::default()
    })
    .await;
    for partial in [
        "GET /api/clu",
        "GET /api/cluster HTTP/1.1\r\nHost: x\r\nX-A: ",
    ] {
        let mut s = tokio::net::TcpStream::connect(t.emu.local_addr())
            .await
            .unwrap();
        s.write_all(partial.as_bytes()).await.unwrap();
        assert_eq!(t.get("/api/cluster").await.status, 200);
        let mut buf = Vec::new();
        // The hang guard is generous; the server closes after about one second.
        let closed =
            tokio::time::timeout(std::time::Duration::from_secs(20), s.read_to_end(&mut buf)).await;
        assert!(
            closed.is_ok(),
            "{partial:?}: connection still open after 20 s"
        );
    }
    // Whole headers, a tenth of the body: 408, not a task waiting forever.
    let mut s = tokio::net::TcpStream::connect(t.emu.local_addr())
        .await
        .unwrap();
    let auth = "Authorization: Basic YWRtaW46TmV0YXBwMSE=\r\n";
    let head =
        format!("POST {CREDS} HTTP/1.1\r\nHost: x\r\n{auth}Content-Length: 100\r\n\r\n{{\"svm\": ");
    s.write_all(head.as_bytes()).await.unwrap();
    let mut buf = [0u8; 64];
    let n = tokio::time::timeout(std::time::Duration::from_secs(20), s.read(&mut buf))
        .await
        .expect("an answer within 20 s")
        .unwrap();
    let answer = String::from_utf8_lossy(&buf[..n]);
    assert!(answer.starts_with("HTTP/1.1 408"), "{answer}");
    t.emu.shutdown().await;
}

#[tokio::test]
async fn bind_failure_names_the_address() {
    let t = start().await;
    let err = Emulator::start(t.emu.local_addr(), EmulatorConfig::default())
        .await
        .err()
        .expect("port in use");
    assert!(
        err.to_string().contains(&t.emu.local_addr().to_string()),
        "{err}"
    );
    t.emu.shutdown().await;
}

#[tokio::test]
async fn tls_serves_https_with_the_self_signed_certificate() {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let emu = Emulator::start(
        addr(),
        EmulatorConfig {
            tls: true,
            ..EmulatorConfig::default()
        },
    )
    .await
    .unwrap();
    assert!(emu.base_url().starts_with("https://127.0.0.1:"));
    let pem = emu.certificate_pem().expect("certificate");
    let cert = reqwest::Certificate::from_pem(pem.as_bytes()).unwrap();
    let client = reqwest::Client::builder()
        .tls_certs_only([cert])
        .build()
        .unwrap();
    for base in [
        emu.base_url(),
        format!("https://localhost:{}", emu.local_addr().port()),
    ] {
        let r = client
            .get(format!("{base}/api/cluster"))
            .basic_auth(ADMIN_USER, Some(ADMIN_PASSWORD))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status().as_u16(), 200);
    }
    // a client that does not trust it fails
    let strict = reqwest::Client::builder().build().unwrap();
    assert!(
        strict
            .get(format!("{}/api/cluster", emu.base_url()))
            .send()
            .await
            .is_err()
    );
    let handle = emu.shutdown_handle();
    handle.trigger();
    emu.serve_forever().await;
}

// ------------------------------------------------------------------ snapshots

#[tokio::test]
async fn snapshots_of_representative_responses() {
    let t = start().await;
    t.post(CREDS, json!({"svm": {"name": "svm1"}, "initiator": "iqn.1992-08.com.netapp:initiator2", "authentication_type": "chap", "chap": {"inbound": {"user": "user1", "password": "password1"}}, "initiator_address": {"ranges": [{"start": "192.168.0.0", "end": "192.168.0.255"}]}})).await;
    let r = t.get(&format!("{CREDS}?fields=*")).await;
    insta::assert_json_snapshot!("iscsi_collection_all_fields", r.body);
    let r = t
        .get(&cred_path(SVM1, "iqn.1992-08.com.netapp:initiator2"))
        .await;
    insta::assert_json_snapshot!("iscsi_credential", r.body);
    let r = t
        .post(
            CREDS,
            post_cred("iqn.1992-08.com.netapp:initiator2", json!({})),
        )
        .await;
    insta::assert_json_snapshot!("error_duplicate", r.body);
    let r = t.get("/api/security").await;
    insta::assert_json_snapshot!("security", r.body);
    let r = t
        .patch(
            "/api/security?return_timeout=10",
            json!({"fips.enabled": true}),
        )
        .await;
    insta::assert_json_snapshot!("security_patch_job_link", r.body, { ".job.uuid" => "[uuid]", ".job._links.self.href" => "[href]" });
    let uuid = r.body["job"]["uuid"].as_str().unwrap().to_string();
    let r = t.get(&format!("/api/cluster/jobs/{uuid}")).await;
    insta::assert_json_snapshot!("job_success", r.body, {
        ".uuid" => "[uuid]", "._links.self.href" => "[href]", ".start_time" => "[time]", ".end_time" => "[time]"
    });
    let r = t.get("/api/cluster").await;
    insta::assert_json_snapshot!("cluster", r.body);
    let r = t
        .get(&format!(
            "/api/protocols/ndmp/svms/{SVM1}/passwords/vsadmin"
        ))
        .await;
    insta::assert_json_snapshot!("ndmp_password", r.body, { ".password" => "[password]" });
    t.emu.shutdown().await;
}

#[tokio::test]
async fn odd_bodies_never_get_a_server_error() {
    let t = start().await;
    t.create_cred("svm1", T1).await;
    let targets = [
        (Method::POST, CREDS.to_string()),
        (Method::PATCH, cred_path(SVM1, T1)),
        (Method::PATCH, cred_path(SVM1, "default")),
        (Method::PATCH, "/api/security".to_string()),
        (
            Method::POST,
            "/api/security/authentication/password".to_string(),
        ),
        (Method::POST, "/api/security/accounts".to_string()),
        (Method::PATCH, "/emulator/conditions".to_string()),
    ];
    let deep = format!("{}1{}", "[".repeat(200), "]".repeat(200));
    let bodies = [
        "null",
        "\"text\"",
        "42",
        "{}",
        "{\"svm\": 5}",
        "{\"svm\": {\"name\": null}}",
        "{\"chap\": {\"inbound\": []}}",
        "{\"initiator_address\": {\"ranges\": [1]}}",
        "{\"initiator_address\": {\"ranges\": [{\"start\": \"x\"}]}}",
        "{\"initiator_address\": {\"masks\": [{\"address\": \"10.0.0.1\", \"netmask\": \"300\"}]}}",
        "{\"a.\": 1}",
        "{\"fips\": 1, \"fips.enabled\": true}",
        "{\"owner\": {\"uuid\": \"\"}, \"name\": \"\", \"password\": \"\"}",
        "{\"role\": 5, \"name\": \"abc\"}",
        "{\"password_policy\": {\"history\": -1}}",
        "{\"job_step_ms\": 1e99}",
        "\u{0}\u{1}",
        &deep,
    ];
    for (m, p) in &targets {
        for b in bodies {
            let r = t.raw(m.clone(), p, Some(ADMIN), Some(b.to_string())).await;
            assert!(r.status < 500, "{m} {p} {b}: {}", r.status);
        }
    }
    for q in [
        "max_records=-1",
        "max_records=99999999999999999999999",
        "start=abc",
        "order_by=initiator%20sideways",
        "fields=,,,",
        "return_timeout=x",
        "initiator=%FF",
    ] {
        let r = t.get(&format!("{CREDS}?{q}")).await;
        assert!(r.status < 500, "{q}");
    }
    assert_eq!(t.get("/api/cluster").await.status, 200);
    t.emu.shutdown().await;
}
