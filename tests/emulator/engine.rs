//! The spec-driven engine over real sockets: ONTAP's conventions on the paths it serves (the
//! imported layer's operations on paths no hand-written route serves), and its answers to
//! methods a path does not take. Its writes are `engine_writes.rs`; every answer's schema is
//! `tests/engine.rs`.

use super::*;

const VOLUMES: &str = "/api/storage/volumes";

#[tokio::test]
async fn collections_page_filter_order_and_select_fields() {
    let t = start().await;
    let r = t.get(VOLUMES).await;
    assert_eq!(r.status, 200, "{}", r.body);
    // A fresh cluster's: each SVM's root volume and one data volume.
    assert_eq!(r.body["num_records"], 4);
    // Without `fields`: the keys and the name, with each record's link.
    let first = &r.body["records"][0];
    let keys: Vec<&String> = first.as_object().unwrap().keys().collect();
    assert_eq!(keys, ["name", "uuid", "_links"], "{first}");
    let href = first["_links"]["self"]["href"]
        .as_str()
        .unwrap()
        .to_string();

    let r = t
        .get(&format!("{VOLUMES}?max_records=1&fields=svm.name"))
        .await;
    assert_eq!(r.body["num_records"], 1);
    let next = r.body["_links"]["next"]["href"]
        .as_str()
        .unwrap()
        .to_string();
    let r2 = t.get(&next).await;
    assert_eq!(r2.body["num_records"], 1);
    assert_ne!(r.body["records"][0]["uuid"], r2.body["records"][0]["uuid"]);

    let r = t.get(&format!("{VOLUMES}?svm.name=svm2&fields=svm")).await;
    assert_eq!(r.body["num_records"], 2);
    assert_eq!(r.body["records"][0]["svm"]["uuid"], SVM2);
    let r = t.get(&format!("{VOLUMES}?order_by=name%20desc")).await;
    assert_eq!(r.body["records"][0]["name"], "vol2");
    let r = t.get(&format!("{VOLUMES}?return_records=false")).await;
    assert_eq!(r.body["num_records"], 4);
    assert!(r.body.get("records").is_none());

    // One record: every field but the write-only ones; a field in the query is a matcher.
    let r = t.get(&href).await;
    assert_eq!(r.status, 200);
    assert_eq!(r.body["_links"]["self"]["href"], href.as_str());
    assert!(r.body["space"].is_object(), "{}", r.body);
    let r = t.get(&format!("{href}?name=volume9")).await;
    assert_eq!((r.status, r.code()), (404, "4"));
    let r = t.get(&format!("{href}?fields=name")).await;
    let keys: Vec<&String> = r.body.as_object().unwrap().keys().collect();
    assert_eq!(keys, ["name", "uuid", "_links"]);
}

#[tokio::test]
async fn bad_names_and_unknown_keys_are_ontap_errors() {
    let t = start().await;
    let r = t.get(&format!("{VOLUMES}?fields=nope")).await;
    assert_eq!((r.status, r.code()), (400, "262197"));
    let r = t.get(&format!("{VOLUMES}?order_by=nope")).await;
    assert_eq!((r.status, r.code()), (400, "262197"));
    let r = t.get(&format!("{VOLUMES}?colour=red")).await;
    assert_eq!((r.status, r.code()), (400, "262179"));
    let r = t.get(&format!("{VOLUMES}/{}", common::NO_SVM)).await;
    assert_eq!((r.status, r.code()), (404, "4"));
    assert_eq!(r.body["error"]["target"], "uuid");
    // A nested collection under a record that does not exist.
    let r = t
        .get(&format!("{VOLUMES}/{}/snapshots", common::NO_SVM))
        .await;
    assert_eq!((r.status, r.code()), (404, "4"));
    assert_eq!(r.body["error"]["target"], "volume.uuid");
    let r = t.get("/api/storage/nothing-here").await;
    assert_eq!((r.status, r.code()), (404, "4"));
}

#[tokio::test]
async fn nested_records_live_under_their_parent() {
    let t = start().await;
    let volumes = t.get(&format!("{VOLUMES}?fields=svm")).await;
    for volume in volumes.body["records"].as_array().unwrap() {
        let href = volume["_links"]["self"]["href"].as_str().unwrap();
        let r = t.get(&format!("{href}/snapshots?fields=volume,svm")).await;
        assert_eq!(r.body["num_records"], 2, "{}", r.body);
        for snapshot in r.body["records"].as_array().unwrap() {
            assert_eq!(snapshot["volume"]["uuid"], volume["uuid"]);
            assert_eq!(snapshot["volume"]["name"], volume["name"]);
            assert_eq!(snapshot["svm"]["uuid"], volume["svm"]["uuid"]);
            let own = snapshot["_links"]["self"]["href"].as_str().unwrap();
            assert!(own.starts_with(&format!("{href}/snapshots/")), "{own}");
            assert_eq!(t.get(own).await.status, 200);
        }
    }
}

#[tokio::test]
async fn svm_administrators_see_their_svm_only() {
    let t = start().await;
    let r = t.call(Method::GET, VOLUMES, VSADMIN, None).await;
    assert_eq!(r.status, 200);
    assert_eq!(r.body["num_records"], 2);
    let all = t.get(&format!("{VOLUMES}?svm.uuid={SVM2}")).await;
    let other = all.body["records"][0]["_links"]["self"]["href"]
        .as_str()
        .unwrap();
    let r = t.call(Method::GET, other, VSADMIN, None).await;
    assert_eq!((r.status, r.code()), (404, "4"));
    // Nodes belong to the cluster.
    let r = t
        .call(Method::GET, "/api/cluster/nodes", VSADMIN, None)
        .await;
    assert_eq!((r.status, r.code()), (403, "6"));
}

#[tokio::test]
async fn advanced_fields_only_with_two_stars_or_by_name() {
    let t = start().await;
    let apps = "/api/application/applications";
    let r = t.get(&format!("{apps}?fields=*")).await;
    assert!(r.body["records"][0].get("nas").is_none(), "{}", r.body);
    let r = t.get(&format!("{apps}?fields=**")).await;
    assert!(r.body["records"][0]["nas"].is_object(), "{}", r.body);
    let r = t.get(&format!("{apps}?fields=nas")).await;
    assert!(r.body["records"][0]["nas"].is_object(), "{}", r.body);
}

#[tokio::test]
async fn allow_lists_the_documented_methods_and_others_are_405() {
    let t = start().await;
    let r = t.post("/api/cluster/chassis", json!({})).await;
    assert_eq!((r.status, r.code()), (405, "5"));
    assert_eq!(r.headers["allow"], "GET, HEAD, OPTIONS");
    let r = t
        .call(Method::POST, VOLUMES, MONITOR, Some(json!({})))
        .await;
    assert_eq!((r.status, r.code()), (403, "6"));
    let r = t.call(Method::OPTIONS, VOLUMES, ADMIN, None).await;
    assert_eq!(
        (r.status, &r.headers["allow"]),
        (
            200,
            &"GET, HEAD, POST, PATCH, DELETE, OPTIONS".parse().unwrap()
        )
    );
    let r = t.call(Method::PUT, VOLUMES, ADMIN, None).await;
    assert_eq!((r.status, r.code()), (405, "5"));
    // A path with writes and no GET: an action.
    let r = t.get("/api/storage/file/clone").await;
    assert_eq!(
        (r.status, &r.headers["allow"]),
        (405, &"POST, OPTIONS".parse().unwrap())
    );
    let r = t.call(Method::HEAD, VOLUMES, MONITOR, None).await;
    assert_eq!(r.status, 200);
}

#[tokio::test]
async fn plain_json_drops_links_and_singletons_answer_one_object() {
    let t = start().await;
    let r = t
        .client
        .get(format!("{}{VOLUMES}?fields=svm", t.base))
        .basic_auth(ADMIN.0, Some(ADMIN.1))
        .header("accept", "application/json")
        .send()
        .await
        .unwrap();
    assert_eq!(r.headers()["content-type"], "application/json");
    let body: Value = r.json().await.unwrap();
    assert!(!body.to_string().contains("_links"), "{body}");
    let r = t.get("/api/support/autosupport").await;
    assert_eq!(r.status, 200);
    assert!(r.body.get("records").is_none());
    assert!(r.body["transport"].is_string(), "{}", r.body);
}
