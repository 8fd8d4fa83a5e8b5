//! Basic authentication, the roles of the built-in accounts, password changes and throwaway
//! accounts.

use reqwest::Method;
use serde_json::json;

use crate::common::{CREDS, MONITOR, SVM1, SVM2, VSADMIN};
use crate::{T1, post_cred, start};

#[tokio::test]
async fn basic_auth_and_roles() {
    let t = start().await;
    let r = t.raw(Method::GET, "/api/cluster", None, None).await;
    assert_eq!((r.status, r.code()), (401, "262178"));
    let r = t
        .raw(Method::GET, "/api/cluster", Some(("admin", "wrong")), None)
        .await;
    assert_eq!((r.status, r.code()), (401, "262178"));
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
    assert_eq!((r.status, r.code()), (400, "2"));
    let r = t.post(pw, json!({"name": "monitor"})).await;
    assert_eq!((r.status, r.code()), (400, "2"));
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
