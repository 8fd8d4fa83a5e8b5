//! Bad input gets an ONTAP error body, never a 5xx, and the server keeps serving; concurrent
//! writers lose nothing.

use ontap_conform::emulator::EmulatorConfig;
use reqwest::Method;
use serde_json::json;

use crate::common::{ADMIN, CREDS, SVM1, SVM2, cred_path};
use crate::{T1, post_cred, start, start_with};

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
    assert_eq!((r.status, r.code()), (400, "2"));
    let r = t.raw(Method::POST, CREDS, Some(ADMIN), raw("[1,2]")).await;
    assert_eq!(r.status, 400);
    let r = t.post(CREDS, post_cred(T1, json!({"bogus": 1}))).await;
    assert_eq!((r.status, r.code()), (400, "262179"));
    assert_eq!(r.body["error"]["target"], "bogus");
    let r = t
        .post(CREDS, post_cred(T1, json!({"authentication_type": 7})))
        .await;
    assert_eq!((r.status, r.code()), (400, "2"));
    let r = t
        .post(
            CREDS,
            post_cred(T1, json!({"authentication_type": "kerberos"})),
        )
        .await;
    assert_eq!((r.status, r.code()), (400, "2"));
    assert_eq!(r.body["error"]["target"], "authentication_type");
    let r = t
        .post(
            CREDS,
            json!({"svm": {"name": "svm1"}, "authentication_type": "none"}),
        )
        .await;
    assert_eq!((r.status, r.code()), (400, "2"));
    let r = t
        .post(
            CREDS,
            post_cred(T1, json!({"_links": {"self": {"href": "x"}}})),
        )
        .await;
    assert_eq!((r.status, r.code()), (400, "2"));
    let r = t
        .patch("/api/security", json!({"fips": {"enabled": "yes"}}))
        .await;
    assert_eq!((r.status, r.code()), (400, "2"));
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
    // `Allow` now also names HEAD and OPTIONS, served on every path, and PATCH and DELETE on a
    // collection whose instances take them (NetApp, "Input variables controlling an API
    // request" and "Object references and access").
    assert_eq!(
        r.headers["allow"], "GET, HEAD, PATCH, OPTIONS",
        "RFC 9110: a 405 says what is allowed"
    );
    let r = t.call(Method::PUT, CREDS, ADMIN, Some(json!({}))).await;
    assert_eq!(r.status, 405);
    assert_eq!(
        r.headers["allow"],
        "GET, HEAD, POST, PATCH, DELETE, OPTIONS"
    );
    let r = t.call(Method::DELETE, "/api/cluster", ADMIN, None).await;
    assert_eq!(r.headers["allow"], "GET, HEAD, POST, PATCH, OPTIONS");
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
