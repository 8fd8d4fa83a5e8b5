//! `/api/security` PATCHes as jobs (queued, running, success or failure), `return_timeout`, and
//! NDMP passwords.

use reqwest::Method;
use serde_json::{Value, json};

use crate::common::{MONITOR, NO_SVM, SVM1, VSADMIN};
use crate::{T, start};

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
    // failing job: with return_timeout the job's error; without, the job ends in failure. The
    // status of that error follows its code: 409 for a precondition code (the status this project
    // gives 52559974), 400 for any other.
    t.conditions(json!({"job_step_ms": 10, "job_failure": {"code": "52559974", "message": "Simulated failure."}})).await;
    let r = t
        .patch(
            "/api/security?return_timeout=10",
            json!({"fips.enabled": false}),
        )
        .await;
    assert_eq!((r.status, r.code()), (409, "52559974"));
    t.conditions(json!({"job_failure": {"code": "1234", "message": "Simulated failure."}}))
        .await;
    let r = t
        .patch(
            "/api/security?return_timeout=10",
            json!({"fips.enabled": false}),
        )
        .await;
    assert_eq!((r.status, r.code()), (400, "1234"));
    t.conditions(json!({"job_failure": {"code": "52559974", "message": "Simulated failure."}}))
        .await;
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

/// The four preconditions of seed 003 are a job's outcome (see `security.rs` in the emulator):
/// 202, then a job that fails with the code (`error.code` a string, `code` the number) and the
/// seed's description, and the setting unchanged; within `return_timeout`, the PATCH's own 409.
#[tokio::test]
async fn security_preconditions_fail_the_job() {
    let t = start().await;
    for (condition, body, code, message) in [
        (
            "fips_incompatible_certificate_strength",
            json!({"fips.enabled": true}),
            "52428830",
            "Cannot enable FIPS-compliant mode because the configured minimum security strength for certificates is not compatible.",
        ),
        (
            "non_fips_certificate_in_use",
            json!({"fips.enabled": true}),
            "52559974",
            "Cannot enable FIPS-compliant mode because a certificate that is not FIPS-compliant is in use.",
        ),
        (
            "data_volumes_present",
            json!({"software_data_encryption.conversion_enabled": true}),
            "196608081",
            "Cannot start software encryption conversion while there are data volumes in the cluster.",
        ),
        (
            "metrocluster_switchover",
            json!({"software_data_encryption.conversion_enabled": true}),
            "196608082",
            "The operation is not valid when the MetroCluster is in switchover mode.",
        ),
    ] {
        t.conditions(json!({ condition: true, "job_step_ms": 5 }))
            .await;
        let before = t.get("/api/security?fields=*").await.body;
        let r = t.patch("/api/security", body.clone()).await;
        assert_eq!(r.status, 202, "{condition}: {}", r.body);
        let uuid = r.body["job"]["uuid"].as_str().unwrap().to_string();
        let mut j = job_state(&t, &uuid).await;
        for _ in 0..200 {
            if j["state"] == "failure" || j["state"] == "success" {
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(10)).await;
            j = job_state(&t, &uuid).await;
        }
        assert_eq!(j["state"], "failure", "{condition}: {j}");
        assert_eq!(j["error"]["code"], code, "{condition}");
        assert_eq!(j["code"].as_i64(), code.parse().ok(), "{condition}");
        assert_eq!(j["message"], message, "{condition}");
        assert_eq!(j["error"]["message"], message, "{condition}");
        assert_eq!(
            t.get("/api/security?fields=*").await.body,
            before,
            "{condition}"
        );
        let r = t.patch("/api/security?return_timeout=10", body).await;
        assert_eq!((r.status, r.code()), (409, code), "{condition}");
        t.conditions(json!({ condition: false })).await;
    }
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
