//! ONTAP's REST conventions on every path (NetApp, "Input variables controlling an API
//! request", "Object references and access", "How asynchronous processing works using the Job
//! object", and what NetApp's Ansible collection sends): empty path segments, the shaping
//! parameters on single records, the default page, plain JSON, HEAD and OPTIONS, PATCH and
//! DELETE on a collection, `null` filters, matchers on instance paths, SVM tunnelling, and jobs
//! deleted after their retention time.
//!
//! One file over 400 lines: one test per convention, each short, and the conventions read
//! best side by side as the emulator's README lists them.

use reqwest::Method;
use serde_json::{Value, json};

use crate::common::{ADMIN, CLUSTER_UUID, CREDS, SVM1, SVM2, cred_path};
use crate::{Resp, T, start};
use ontap_conform::emulator::{MONITOR, VSADMIN};

/// A request with extra headers, as the shared client cannot send them.
async fn with_headers(
    t: &T,
    method: Method,
    path: &str,
    auth: (&str, &str),
    headers: &[(&str, &str)],
    body: Option<Value>,
) -> (Resp, String) {
    let mut rb = t
        .client
        .request(method, format!("{}{}", t.base, path))
        .basic_auth(auth.0, Some(auth.1));
    for (k, v) in headers {
        rb = rb.header(*k, *v);
    }
    if let Some(b) = body {
        rb = rb.json(&b);
    }
    let r = rb.send().await.expect("request sent");
    let status = r.status().as_u16();
    let headers = r.headers().clone();
    let text = r.text().await.unwrap_or_default();
    let body = serde_json::from_str(&text).unwrap_or(Value::Null);
    (
        Resp {
            status,
            headers,
            body,
        },
        text,
    )
}

fn initiators(body: &Value) -> Vec<String> {
    body["records"]
        .as_array()
        .map(|rs| {
            rs.iter()
                .filter_map(|r| r["initiator"].as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default()
}

#[tokio::test]
async fn empty_path_segments_are_ignored() {
    let t = start().await;
    // NetApp's Ansible collection joins `https://host/api/` and `/security`.
    let r = t.get("/api//security").await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert!(r.body["fips"].is_object());
    assert_eq!(t.get("//api//cluster//").await.status, 200);
    let r = t
        .get(&format!(
            "/api//protocols/san//iscsi/credentials/{SVM1}//default"
        ))
        .await;
    assert_eq!(r.body["initiator"], "default");
    t.emu.shutdown().await;
}

#[tokio::test]
async fn shaping_parameters_are_accepted_on_single_records() {
    let t = start().await;
    let r = t
        .get("/api/cluster?max_records=1&return_records=true&return_timeout=15&fields=name")
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.body["name"], "cluster1");
    assert!(r.body.get("version").is_none());
    let r = t
        .get(&format!(
            "{}?max_records=5&return_records=true",
            cred_path(SVM1, "default")
        ))
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    // Still checked: a bad value is the collections' 262197.
    for q in [
        "max_records=0",
        "return_records=maybe",
        "return_timeout=121",
    ] {
        let r = t.get(&format!("/api/cluster?{q}")).await;
        assert_eq!((r.status, r.code()), (400, "262197"), "{q}");
    }
    // `fields` and `max_records` are a read's parameters: a DELETE still refuses them.
    let r = t
        .delete(&format!("{}?fields=name", cred_path(SVM1, "default")))
        .await;
    assert_eq!((r.status, r.code()), (400, "262179"));
    t.emu.shutdown().await;
}

#[tokio::test]
async fn accept_application_json_drops_hal_links_but_next() {
    let t = start().await;
    let plain = [("accept", "application/json")];
    let (r, _) = with_headers(
        &t,
        Method::GET,
        &format!("{CREDS}?max_records=1&fields=*"),
        ADMIN,
        &plain,
        None,
    )
    .await;
    assert_eq!(r.status, 200);
    assert_eq!(r.headers["content-type"], "application/json");
    assert!(!r.body.to_string().contains("\"self\""), "{}", r.body);
    assert!(r.body["_links"]["next"]["href"].is_string(), "{}", r.body);
    assert!(r.body["records"][0]["svm"]["name"].is_string());
    let (r, _) = with_headers(&t, Method::GET, "/api/cluster", ADMIN, &plain, None).await;
    assert!(r.body.get("_links").is_none());
    let (r, _) = with_headers(&t, Method::GET, "/api/nope", ADMIN, &plain, None).await;
    assert_eq!((r.status, r.code()), (404, "4"));
    assert_eq!(r.headers["content-type"], "application/json");
    // The default stays HAL.
    let r = t.get("/api/cluster").await;
    assert_eq!(r.headers["content-type"], "application/hal+json");
    assert!(r.body["_links"]["self"].is_object());
    t.emu.shutdown().await;
}

#[tokio::test]
async fn head_and_options_are_served_on_every_path() {
    let t = start().await;
    for path in [
        "/api/cluster",
        CREDS,
        "/api/security",
        &cred_path(SVM2, "default"),
    ] {
        let (r, text) = with_headers(&t, Method::HEAD, path, ADMIN, &[], None).await;
        assert_eq!(r.status, 200, "HEAD {path}");
        assert!(text.is_empty(), "HEAD {path} has no body");
        let (r, _) = with_headers(&t, Method::OPTIONS, path, MONITOR, &[], None).await;
        assert_eq!(r.status, 200, "OPTIONS {path}");
        let allow = r.headers["allow"].to_str().unwrap_or("");
        assert!(
            allow.starts_with("GET, HEAD") && allow.ends_with("OPTIONS"),
            "{path}: {allow}"
        );
    }
    let (r, _) = with_headers(&t, Method::HEAD, "/api/no/such", ADMIN, &[], None).await;
    assert_eq!(r.status, 404);
    let (r, _) = with_headers(&t, Method::OPTIONS, "/api/no/such", ADMIN, &[], None).await;
    assert_eq!(r.status, 404);
    let (r, _) = with_headers(
        &t,
        Method::OPTIONS,
        "/api/cluster",
        ("admin", "wrong"),
        &[],
        None,
    )
    .await;
    assert_eq!(r.status, 401);
    t.emu.shutdown().await;
}

#[tokio::test]
async fn patch_and_delete_on_a_collection_change_the_records_a_query_selects() {
    let t = start().await;
    for i in 0..3 {
        t.create_cred("svm1", &format!("iqn.1995-08.com.example:bulk{i}"))
            .await;
    }
    t.create_cred("svm2", "iqn.1995-08.com.example:bulk9").await;
    let selected = "initiator=iqn.1995-08.com.example:bulk*&svm.name=svm1";
    let r = t
        .patch(
            &format!("{CREDS}?{selected}"),
            json!({"authentication_type": "deny"}),
        )
        .await;
    assert_eq!(
        (r.status, &r.body["num_records"]),
        (200, &json!(3)),
        "{}",
        r.body
    );
    let r = t.get(&format!("{CREDS}?authentication_type=deny")).await;
    assert_eq!(initiators(&r.body).len(), 3);
    let r = t
        .get(&format!(
            "{CREDS}?initiator=*bulk9&fields=authentication_type"
        ))
        .await;
    assert_eq!(r.body["records"][0]["authentication_type"], "none");
    // A bad body fails on the first record, as ONTAP's continue_on_failure=false.
    let r = t
        .patch(
            &format!("{CREDS}?{selected}"),
            json!({"authentication_type": "kerberos"}),
        )
        .await;
    assert_eq!((r.status, r.code()), (400, "2"));
    // Read-only accounts may not; a query that selects nothing changes nothing.
    let r = t
        .call(
            Method::DELETE,
            &format!("{CREDS}?{selected}"),
            MONITOR,
            None,
        )
        .await;
    assert_eq!(r.status, 403);
    let r = t.delete(&format!("{CREDS}?initiator=nothing*")).await;
    assert_eq!((r.status, &r.body["num_records"]), (200, &json!(0)));
    // No query: refused, never the whole collection.
    let r = t.delete(CREDS).await;
    assert_eq!((r.status, r.code()), (400, "2"));
    let r = t
        .delete(&format!("{CREDS}?{selected}&return_records=true"))
        .await;
    assert_eq!(r.body["num_records"], 3, "{}", r.body);
    assert_eq!(r.body["records"][0]["svm"]["name"], "svm1");
    let r = t.get(&format!("{CREDS}?initiator=*bulk*")).await;
    assert_eq!(initiators(&r.body), ["iqn.1995-08.com.example:bulk9"]);
    // A collection without instance PATCH/DELETE still answers 405.
    let r = t
        .call(
            Method::DELETE,
            "/api/cluster/jobs?state=success",
            ADMIN,
            None,
        )
        .await;
    assert_eq!(r.status, 405);
    t.emu.shutdown().await;
}

#[tokio::test]
async fn null_filters_select_unset_and_set_fields() {
    let t = start().await;
    let r = t
        .post(CREDS, json!({"svm": {"name": "svm1"}, "initiator": "iqn.1995-08.com.example:chap", "authentication_type": "chap", "chap": {"inbound": {"user": "u1", "password": "password1"}}}))
        .await;
    assert_eq!(r.status, 201, "{}", r.body);
    let r = t.get(&format!("{CREDS}?chap.inbound.user=!null")).await;
    assert_eq!(initiators(&r.body), ["iqn.1995-08.com.example:chap"]);
    let r = t.get(&format!("{CREDS}?chap.inbound.user=null")).await;
    assert_eq!(initiators(&r.body), ["default", "default"]);
    t.emu.shutdown().await;
}

#[tokio::test]
async fn a_field_in_the_query_of_an_instance_path_is_a_matcher() {
    let t = start().await;
    let default1 = cred_path(SVM1, "default");
    let r = t
        .get(&format!(
            "{default1}?initiator=default&authentication_type=none"
        ))
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    let r = t.get(&format!("{default1}?authentication_type=chap")).await;
    assert_eq!((r.status, r.code()), (404, "4"));
    // The user module's query on an account's instance path.
    let admin = format!("/api/security/accounts/{CLUSTER_UUID}/admin");
    let r = t
        .get(&format!("{admin}?name=admin&owner.uuid={CLUSTER_UUID}"))
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    let r = t.delete(&format!("{admin}?name=someone")).await;
    assert_eq!((r.status, r.code()), (404, "4"));
    assert_eq!(
        t.get(&admin).await.status,
        200,
        "a mismatch changes nothing"
    );
    // Singletons too.
    assert_eq!(t.get("/api/cluster?name=cluster1").await.status, 200);
    let r = t.get("/api/cluster?name=other&fields=uuid").await;
    assert_eq!((r.status, r.code()), (404, "4"));
    let r = t.get("/api/security?fips.enabled=false").await;
    assert_eq!(r.status, 200, "{}", r.body);
    let r = t.get("/api/cluster?bogus=1").await;
    assert_eq!((r.status, r.code()), (400, "262179"));
    // A parameter that names no field is still an unexpected argument.
    let r = t.get(&format!("{default1}?bogus=1")).await;
    assert_eq!((r.status, r.code()), (400, "262179"));
    t.emu.shutdown().await;
}

#[tokio::test]
async fn svm_tunnelling_runs_a_cluster_admins_request_in_the_svm() {
    let t = start().await;
    let by_name = [("X-Dot-SVM-Name", "svm1")];
    let (r, _) = with_headers(
        &t,
        Method::GET,
        &format!("{CREDS}?fields=svm"),
        ADMIN,
        &by_name,
        None,
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.body);
    let svms: Vec<&Value> = r.body["records"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| &r["svm"]["name"])
        .collect();
    assert_eq!(svms, [&json!("svm1")]);
    let by_uuid = [("X-Dot-SVM-UUID", SVM2)];
    let (r, _) = with_headers(&t, Method::GET, "/api/svm/svms", ADMIN, &by_uuid, None).await;
    assert_eq!(r.body["num_records"], 1);
    assert_eq!(r.body["records"][0]["name"], "svm2");
    // In the SVM, a cluster-only resource is out of reach, as for the SVM's own admin.
    let (r, _) = with_headers(&t, Method::GET, "/api/security", ADMIN, &by_name, None).await;
    assert_eq!(r.status, 403);
    let (r, _) = with_headers(
        &t,
        Method::GET,
        CREDS,
        ADMIN,
        &[("X-Dot-SVM-Name", "nosuch")],
        None,
    )
    .await;
    assert_eq!((r.status, r.code()), (400, "2"));
    assert_eq!(r.body["error"]["target"], "X-Dot-SVM-Name");
    let (r, _) = with_headers(
        &t,
        Method::GET,
        CREDS,
        ADMIN,
        &[("X-Dot-SVM-Name", "svm1"), ("X-Dot-SVM-UUID", SVM2)],
        None,
    )
    .await;
    assert_eq!(r.status, 400);
    // An SVM account may name only its own SVM.
    let (r, _) = with_headers(&t, Method::GET, CREDS, VSADMIN, &by_name, None).await;
    assert_eq!(r.status, 200);
    let (r, _) = with_headers(&t, Method::GET, CREDS, VSADMIN, &by_uuid, None).await;
    assert_eq!(r.status, 403);
    // The control surface is not ONTAP's: the headers change nothing there.
    let (r, _) = with_headers(&t, Method::GET, "/emulator/state", ADMIN, &by_name, None).await;
    assert_eq!(r.status, 200);
    // A read-only cluster account stays read-only in the SVM.
    let (r, _) = with_headers(
        &t,
        Method::DELETE,
        &cred_path(SVM1, "default"),
        MONITOR,
        &by_name,
        None,
    )
    .await;
    assert_eq!(r.status, 403);
    t.emu.shutdown().await;
}

#[tokio::test]
async fn a_finished_job_is_deleted_after_its_retention_time() {
    let t = start().await;
    let r = t
        .patch(
            "/api/security?return_timeout=10",
            json!({"fips": {"enabled": true}}),
        )
        .await;
    let job = format!(
        "/api/cluster/jobs/{}",
        r.body["job"]["uuid"].as_str().unwrap_or("")
    );
    assert_eq!(t.get(&job).await.body["state"], "success");
    // ONTAP keeps it 300 s by default; the condition shortens that.
    t.conditions(json!({"job_retention_s": 1})).await;
    assert_eq!(t.get(&job).await.status, 200);
    tokio::time::sleep(std::time::Duration::from_millis(2100)).await;
    let r = t.get(&job).await;
    assert_eq!((r.status, r.code()), (404, "4"));
    let r = t.get("/api/cluster/jobs").await;
    assert_eq!(r.body["num_records"], 0);
    let r = t.get("/emulator/conditions").await;
    assert_eq!(r.body["job_retention_s"], 1);
    t.emu.shutdown().await;
}

#[tokio::test]
async fn a_tunnelled_delete_on_accounts_reaches_only_the_svms_records() {
    let t = start().await;
    for svm in ["svm1", "svm2"] {
        let r = t
            .post(
                "/api/security/accounts",
                json!({"name": "bulkuser", "owner": {"name": svm}, "role": "vsadmin", "applications": [{"application": "http", "authentication_methods": ["password"]}], "password": "Bulk4user!"}),
            )
            .await;
        assert_eq!(r.status, 201, "{}", r.body);
    }
    let in_svm2 = [("X-Dot-SVM-Name", "svm2")];
    let (r, _) = with_headers(
        &t,
        Method::DELETE,
        "/api/security/accounts?name=bulkuser",
        ADMIN,
        &in_svm2,
        None,
    )
    .await;
    assert_eq!(
        (r.status, &r.body["num_records"]),
        (200, &json!(1)),
        "{}",
        r.body
    );
    let r = t
        .get("/api/security/accounts?name=bulkuser&fields=owner")
        .await;
    assert_eq!(r.body["num_records"], 1);
    assert_eq!(r.body["records"][0]["owner"]["name"], "svm1");
    t.emu.shutdown().await;
}
