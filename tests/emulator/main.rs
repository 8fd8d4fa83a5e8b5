//! The ONTAP emulator over real sockets, one module per concern: the documented error codes as
//! the case files reach them (content type and unchanged state, which the cases cannot check),
//! authentication and roles, collections, security and jobs, bad input, the server itself (control
//! surface, timeouts, TLS). The client every module uses is here, with the snapshots of
//! representative responses (kept here so their names, `emulator__*.snap`, stay as they were).

#[path = "../common/mod.rs"]
mod common;

mod auth;
mod collections;
mod conventions;
mod engine;
mod engine_writes;
mod errors;
mod input;
mod security;
mod server;

use std::net::SocketAddr;

use common::{ADMIN, CREDS, MONITOR, SVM1, SVM2, VSADMIN, cred_path};
use ontap_conform::emulator::{Emulator, EmulatorConfig};
use reqwest::Method;
use serde_json::{Value, json};

pub struct Resp {
    status: u16,
    headers: reqwest::header::HeaderMap,
    body: Value,
}

impl Resp {
    fn code(&self) -> &str {
        self.body["error"]["code"].as_str().unwrap_or("")
    }
}

pub struct T {
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

const T1: &str = "iqn.1995-08.com.example:t1";

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
    // The common errors whose text real clusters were seen to send (see the emulator's error.rs).
    let r = t
        .post(
            "/api/security/accounts",
            json!({"name": "admin", "applications": [{"application": "http"}]}),
        )
        .await;
    insta::assert_json_snapshot!("error_duplicate_account", r.body);
    let r = t.get(&format!("{CREDS}?fields=interface.name")).await;
    insta::assert_json_snapshot!("error_bad_fields", r.body);
    let r = t.get("/api/security?return_timeout=600").await;
    insta::assert_json_snapshot!("error_bad_return_timeout", r.body);
    let r = t
        .raw(reqwest::Method::GET, "/api/cluster", None, None)
        .await;
    insta::assert_json_snapshot!("error_unauthorized", r.body);
    // A precondition reported in the job.
    t.conditions(json!({"non_fips_certificate_in_use": true}))
        .await;
    let r = t
        .patch("/api/security", json!({"fips.enabled": true}))
        .await;
    let uuid = r.body["job"]["uuid"].as_str().unwrap().to_string();
    let mut r = t.get(&format!("/api/cluster/jobs/{uuid}")).await;
    for _ in 0..200 {
        if r.body["state"] == "failure" {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
        r = t.get(&format!("/api/cluster/jobs/{uuid}")).await;
    }
    insta::assert_json_snapshot!("job_failure_precondition", r.body, {
        ".uuid" => "[uuid]", "._links.self.href" => "[href]", ".start_time" => "[time]", ".end_time" => "[time]"
    });
    t.conditions(json!({"non_fips_certificate_in_use": false}))
        .await;
    let r = t
        .get(&format!(
            "/api/protocols/ndmp/svms/{SVM1}/passwords/vsadmin"
        ))
        .await;
    insta::assert_json_snapshot!("ndmp_password", r.body, { ".password" => "[password]" });
    t.emu.shutdown().await;
}
