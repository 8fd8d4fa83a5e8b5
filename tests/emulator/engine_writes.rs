//! The engine's writes over real sockets: records created, changed and deleted as NetApp's file
//! documents each operation (201 with `Location`, or 202 with a job that carries the write
//! out), bodies checked against the request schemas and NetApp's access markers, references
//! resolved, names unique in their scope, SVM administrators kept to their SVM, and no update
//! lost to concurrent writers. That every documented operation answers is `tests/engine.rs`.

use std::time::Duration;

use super::*;

const VOLUMES: &str = "/api/storage/volumes";
const IGROUPS: &str = "/api/protocols/san/igroups";

impl T {
    /// Waits for the job a 202 answered to end, and answers its final state.
    async fn job_end(&self, r: &Resp) -> Value {
        assert_eq!(r.status, 202, "{}", r.body);
        let href = r.body["job"]["_links"]["self"]["href"]
            .as_str()
            .expect("a job link")
            .to_string();
        for _ in 0..500 {
            let job = self.get(&href).await.body;
            if job["state"] == "success" || job["state"] == "failure" {
                return job;
            }
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        panic!("the job at {href} did not end");
    }
}

fn igroup(name: &str, svm: &str) -> Value {
    json!({"name": name, "svm": {"name": svm}, "os_type": "linux", "protocol": "iscsi"})
}

#[tokio::test]
async fn a_volume_lives_through_jobs_and_takes_its_snapshots_with_it() {
    let t = start().await;
    let body = json!({"name": "vol_new", "svm": {"name": "svm1"}, "aggregates": [{"name": "aggr1"}], "size": 104857600});
    let r = t.post(VOLUMES, body).await;
    let location = r.headers["location"].to_str().unwrap().to_string();
    assert_eq!(t.job_end(&r).await["state"], "success");
    let v = t.get(&format!("{location}?fields=*")).await.body;
    assert_eq!(v["_links"]["self"]["href"], location.as_str());
    assert_eq!(v["svm"]["uuid"], SVM1, "the reference carries both: {v}");
    assert_eq!(v["aggregates"][0]["name"], "aggr1");
    assert!(v["aggregates"][0]["uuid"].is_string());
    assert_eq!(v["state"], "online", "a new volume is online");
    assert_eq!(v["type"], "rw", "the documented default");
    assert!(
        v["space"]["used"].is_number(),
        "what the cluster fills: {v}"
    );

    let r = t
        .patch(&location, json!({"comment": "resized", "size": 209715200}))
        .await;
    assert_eq!(t.job_end(&r).await["state"], "success");
    let v = t.get(&format!("{location}?fields=comment,size")).await.body;
    assert_eq!(
        (&v["comment"], &v["size"]),
        (&json!("resized"), &json!(209715200))
    );

    let r = t
        .post(&format!("{location}/snapshots"), json!({"name": "snap1"}))
        .await;
    assert_eq!(t.job_end(&r).await["state"], "success");
    let snaps = t
        .get(&format!("{location}/snapshots?fields=volume"))
        .await
        .body;
    assert_eq!(snaps["num_records"], 1);
    assert_eq!(snaps["records"][0]["volume"]["name"], "vol_new");
    // A rename reaches the snapshots' reference to their volume.
    let r = t.patch(&location, json!({"name": "vol_renamed"})).await;
    t.job_end(&r).await;
    let snaps = t
        .get(&format!("{location}/snapshots?fields=volume"))
        .await
        .body;
    assert_eq!(snaps["records"][0]["volume"]["name"], "vol_renamed");

    let r = t.delete(&location).await;
    assert_eq!(t.job_end(&r).await["state"], "success");
    let r = t.get(&location).await;
    assert_eq!((r.status, r.code()), (404, "4"));
    let r = t.get(&format!("{location}/snapshots")).await;
    assert_eq!(
        (r.status, r.code()),
        (404, "4"),
        "the snapshots went with it"
    );
    let r = t.delete(&location).await;
    assert_eq!((r.status, r.code()), (404, "4"));
}

#[tokio::test]
async fn a_created_record_answers_201_with_its_location_and_on_request_itself() {
    let t = start().await;
    let r = t
        .post(
            &format!("{IGROUPS}?return_records=true"),
            igroup("ig1", "svm1"),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.body);
    let location = r.headers["location"].to_str().unwrap();
    assert_eq!(r.body["num_records"], 1);
    let record = &r.body["records"][0];
    assert_eq!(record["_links"]["self"]["href"], location);
    assert!(location.ends_with(record["uuid"].as_str().unwrap()));
    let got = t.get(location).await;
    assert_eq!(got.body["name"], "ig1");
    assert_eq!(got.body["svm"]["name"], "svm1");
    let r = t.post(IGROUPS, igroup("ig2", "svm1")).await;
    assert_eq!((r.status, &r.body), (201, &json!({})));
    // Names are unique within their SVM.
    let r = t.post(IGROUPS, igroup("ig1", "svm1")).await;
    assert_eq!((r.status, r.code()), (409, "1"));
    assert_eq!(r.body["error"]["target"], "name");
    assert_eq!(t.post(IGROUPS, igroup("ig1", "svm2")).await.status, 201);
    // With return_timeout, a 202 operation answers 200 once its job is done.
    let body = json!({"name": "vol_sync", "svm": {"uuid": SVM2}});
    let r = t.post(&format!("{VOLUMES}?return_timeout=10"), body).await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert!(r.body["job"]["uuid"].is_string());
    let r = t
        .get(&format!("{VOLUMES}?name=vol_sync&fields=svm.name"))
        .await;
    assert_eq!(r.body["records"][0]["svm"]["name"], "svm2");
    // A duplicate is refused when the POST comes, not only when its job runs.
    let r = t
        .post(VOLUMES, json!({"name": "vol_sync", "svm": {"uuid": SVM2}}))
        .await;
    assert_eq!((r.status, r.code()), (409, "1"));
}

#[tokio::test]
async fn bodies_are_held_to_the_request_schema_and_the_access_markers() {
    let t = start().await;
    let cases = [
        (
            json!({"name": "a", "colour": "red"}),
            400,
            "262179",
            "colour",
        ),
        (
            json!({"name": "a", "svm": {"name": "svm1", "id": 1}}),
            400,
            "262179",
            "svm.id",
        ),
        (json!({"name": "a", "uuid": "x"}), 400, "2", "uuid"),
        (
            json!({"name": "a", "os_type": "amiga"}),
            400,
            "2",
            "os_type",
        ),
        (json!({"name": 7}), 400, "2", "name"),
        (
            json!({"name": "a", "delete_on_unmap": true}),
            400,
            "2",
            "delete_on_unmap",
        ),
        (json!({"name": "x".repeat(97)}), 400, "2", "name"),
    ];
    for (body, status, code, target) in cases {
        let r = t.post(IGROUPS, body.clone()).await;
        assert_eq!((r.status, r.code()), (status, code), "{body}: {}", r.body);
        assert_eq!(r.body["error"]["target"], target, "{body}");
    }
    let r = t.post(IGROUPS, igroup("ig1", "svm1")).await;
    let location = r.headers["location"].to_str().unwrap().to_string();
    // NetApp's createOnly/readCreate: set on POST only.
    let r = t.patch(&location, json!({"protocol": "fcp"})).await;
    assert_eq!((r.status, r.code()), (400, "2"));
    assert_eq!(r.body["error"]["target"], "protocol");
    let r = t
        .patch(
            &location,
            json!({"delete_on_unmap": true, "os_type": "WINDOWS"}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    // Malformed bodies: clear ONTAP errors, never a panic.
    let r = t
        .raw(
            Method::POST,
            IGROUPS,
            Some(ADMIN),
            Some("{\"name\": ".into()),
        )
        .await;
    assert_eq!((r.status, r.code()), (400, "2"));
    let r = t
        .raw(Method::POST, IGROUPS, Some(ADMIN), Some("[1, 2]".into()))
        .await;
    assert_eq!((r.status, r.code()), (400, "2"));
    let huge = format!("{{\"name\": \"{}\"}}", "x".repeat(8 << 20));
    let r = t.raw(Method::POST, IGROUPS, Some(ADMIN), Some(huge)).await;
    assert_eq!(r.status, 413);
}

#[tokio::test]
async fn references_must_name_records_and_carry_both_keys() {
    let t = start().await;
    // The operation documents 2621462 for an SVM that does not exist.
    let r = t.post(IGROUPS, igroup("ig1", "svm9")).await;
    assert_eq!((r.status, r.code()), (404, "2621462"), "{}", r.body);
    assert_eq!(r.body["error"]["target"], "svm.name");
    // Volume creation documents none: the common "entry doesn't exist".
    let body = json!({"name": "v", "svm": {"name": "svm1"}, "aggregates": [{"name": "nope"}]});
    let r = t.post(VOLUMES, body).await;
    assert_eq!((r.status, r.code()), (404, "4"));
    assert_eq!(r.body["error"]["target"], "aggregates.name");
    let body = json!({"name": "v", "svm": {"name": "svm1", "uuid": SVM2}});
    let r = t.post(VOLUMES, body).await;
    assert_eq!(
        (r.status, r.code()),
        (400, "2621706"),
        "a name and uuid of two SVMs, with the code volume creation documents"
    );
    let body = json!({"name": "v", "aggregates": [{"name": "aggr1", "uuid": SVM2}]});
    let r = t.post(VOLUMES, body).await;
    assert_eq!((r.status, r.code()), (404, "4"), "{}", r.body);
    let nodes = t.get("/api/cluster/nodes").await.body;
    let node = nodes["records"][1]["uuid"].as_str().unwrap();
    let body = json!({"name": "v2", "svm": {"name": "svm1"}, "aggregates": [{"uuid": nodes["records"][0]["uuid"]}]});
    let r = t.post(VOLUMES, body).await;
    assert_eq!((r.status, r.code()), (404, "4"), "a node is no aggregate");
    let aggr = t.get("/api/storage/aggregates").await.body["records"][0]["uuid"].clone();
    let body = json!({"name": "v2", "svm": {"name": "svm1"}, "aggregates": [{"uuid": aggr}]});
    let r = t.post(&format!("{VOLUMES}?return_timeout=10"), body).await;
    assert_eq!(r.status, 200, "{}", r.body);
    let v = t
        .get(&format!("{VOLUMES}?name=v2&fields=aggregates"))
        .await
        .body;
    assert_eq!(v["records"][0]["aggregates"][0]["name"], "aggr1");
    assert!(!node.is_empty());
}

#[tokio::test]
async fn svm_administrators_write_their_own_svm_only() {
    let t = start().await;
    let mut body = igroup("mine", "svm1");
    body.as_object_mut().unwrap().remove("svm");
    let r = t.call(Method::POST, IGROUPS, VSADMIN, Some(body)).await;
    assert_eq!(r.status, 201, "{}", r.body);
    let location = r.headers["location"].to_str().unwrap().to_string();
    assert_eq!(t.get(&location).await.body["svm"]["uuid"], SVM1);
    let r = t
        .call(
            Method::POST,
            IGROUPS,
            VSADMIN,
            Some(igroup("theirs", "svm2")),
        )
        .await;
    assert_eq!((r.status, r.code()), (403, "6"));
    let theirs = t.post(IGROUPS, igroup("theirs", "svm2")).await;
    let theirs = theirs.headers["location"].to_str().unwrap().to_string();
    let r = t
        .call(
            Method::PATCH,
            &theirs,
            VSADMIN,
            Some(json!({"os_type": "xen"})),
        )
        .await;
    assert_eq!((r.status, r.code()), (404, "4"));
    let r = t.call(Method::DELETE, &theirs, VSADMIN, None).await;
    assert_eq!((r.status, r.code()), (404, "4"));
    let r = t.call(Method::DELETE, &location, VSADMIN, None).await;
    assert_eq!(r.status, 200);
    let r = t
        .call(
            Method::POST,
            "/api/cluster/schedules",
            VSADMIN,
            Some(json!({"name": "s"})),
        )
        .await;
    assert_eq!(
        (r.status, r.code()),
        (403, "6"),
        "the cluster's resources are not an SVM's"
    );
    // NetApp's SVM doc: SVM administrators read their SVM, and cannot create, modify or delete
    // one (their own included).
    let own = format!("/api/svm/svms/{SVM1}");
    assert_eq!(t.call(Method::GET, &own, VSADMIN, None).await.status, 200);
    let other = format!("/api/svm/svms/{SVM2}");
    let r = t.call(Method::GET, &other, VSADMIN, None).await;
    assert_eq!((r.status, r.code()), (404, "4"));
    let change = Some(json!({"comment": "mine"}));
    let r = t.call(Method::PATCH, &own, VSADMIN, change).await;
    assert_eq!((r.status, r.code()), (403, "6"));
    let r = t.call(Method::DELETE, &own, VSADMIN, None).await;
    assert_eq!((r.status, r.code()), (403, "6"));
    let new = Some(json!({"name": "svm9"}));
    let r = t.call(Method::POST, "/api/svm/svms", VSADMIN, new).await;
    assert_eq!((r.status, r.code()), (403, "6"));
}

#[tokio::test]
async fn a_renamed_record_takes_its_nested_records_to_its_new_path() {
    let t = start().await;
    let filters = "/api/support/ems/filters";
    let r = t.post(filters, json!({"name": "f1"})).await;
    assert_eq!(r.status, 201, "{}", r.body);
    assert_eq!(r.headers["location"], "/api/support/ems/filters/f1");
    let r = t
        .post(&format!("{filters}/f1/rules"), json!({"type": "include"}))
        .await;
    assert_eq!(r.status, 201, "{}", r.body);
    assert_eq!(r.headers["location"], "/api/support/ems/filters/f1/rules/1");
    let r = t
        .patch(&format!("{filters}/f1"), json!({"name": "f2"}))
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(t.get(&format!("{filters}/f1")).await.status, 404);
    let f2 = t.get(&format!("{filters}/f2")).await;
    assert_eq!(
        f2.body["_links"]["self"]["href"],
        "/api/support/ems/filters/f2"
    );
    let rule = t.get(&format!("{filters}/f2/rules/1")).await;
    assert_eq!(rule.status, 200, "{}", rule.body);
    assert_eq!(
        rule.body["_links"]["self"]["href"],
        "/api/support/ems/filters/f2/rules/1"
    );
    // A key another record has: 409 code 1.
    assert_eq!(t.post(filters, json!({"name": "f3"})).await.status, 201);
    let r = t
        .patch(&format!("{filters}/f3"), json!({"name": "f2"}))
        .await;
    assert_eq!((r.status, r.code()), (409, "1"));
}

#[tokio::test]
async fn a_body_is_read_as_json_whatever_its_content_type() {
    // The seed pages' curl lines send `-d` with curl's form Content-Type.
    let t = start().await;
    let r = t
        .client
        .post(format!("{}{IGROUPS}", t.base))
        .basic_auth(ADMIN.0, Some(ADMIN.1))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(igroup("form", "svm1").to_string())
        .send()
        .await
        .expect("an answer");
    assert_eq!(r.status(), 201);
}

#[tokio::test]
async fn a_collection_patch_or_delete_applies_to_what_its_query_selects() {
    let t = start().await;
    for (name, svm) in [("a1", "svm1"), ("a2", "svm1"), ("b1", "svm2")] {
        assert_eq!(t.post(IGROUPS, igroup(name, svm)).await.status, 201);
    }
    let r = t
        .patch(
            &format!("{IGROUPS}?name=a*&return_records=true"),
            json!({"os_type": "xen"}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.body["num_records"], 2);
    let r = t.get(&format!("{IGROUPS}?os_type=xen")).await;
    assert_eq!(r.body["num_records"], 2);
    let r = t.delete(IGROUPS).await;
    assert_eq!((r.status, r.code()), (400, "2"), "no query, no bulk delete");
    let r = t.delete(&format!("{IGROUPS}?colour=red")).await;
    assert_eq!((r.status, r.code()), (400, "262179"));
    let r = t.delete(&format!("{IGROUPS}?svm.name=svm2&name=b*")).await;
    assert_eq!((r.status, &r.body["num_records"]), (200, &json!(1)));
    assert_eq!(
        t.get(&format!("{IGROUPS}?name=b1")).await.body["num_records"],
        0
    );
}

#[tokio::test]
async fn write_only_fields_are_taken_and_never_answered() {
    let t = start().await;
    let body = json!({"name": "v", "svm": {"name": "svm1"}, "constituents_per_aggregate": 4});
    let r = t.post(&format!("{VOLUMES}?return_timeout=10"), body).await;
    assert_eq!(r.status, 200, "{}", r.body);
    let v = t.get(&format!("{VOLUMES}?name=v&fields=**")).await.body;
    assert!(
        v["records"][0].get("constituents_per_aggregate").is_none(),
        "{v}"
    );
    let r = t
        .get(&format!("{VOLUMES}?fields=constituents_per_aggregate"))
        .await;
    assert_eq!((r.status, r.code()), (400, "262197"));
}

/// 32 clients at once, each creating records in the same collection, deleting one of them, and
/// changing one shared record: every record created and not deleted is there, once.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_writers_lose_no_update() {
    let t = std::sync::Arc::new(start().await);
    let shared = t.post(IGROUPS, igroup("shared", "svm1")).await;
    let shared = shared.headers["location"].to_str().unwrap().to_string();
    const CLIENTS: usize = 32;
    const EACH: usize = 4;
    let mut tasks = Vec::new();
    for c in 0..CLIENTS {
        let t = t.clone();
        let shared = shared.clone();
        tasks.push(tokio::spawn(async move {
            let mut made = Vec::new();
            for i in 0..EACH {
                let r = t.post(IGROUPS, igroup(&format!("c{c}-{i}"), "svm1")).await;
                assert_eq!(r.status, 201, "{}", r.body);
                made.push(r.headers["location"].to_str().unwrap().to_string());
            }
            assert_eq!(t.delete(&made[0]).await.status, 200);
            let os = ["linux", "windows", "vmware", "xen"][c % 4];
            let r = t.patch(&shared, json!({"os_type": os})).await;
            assert_eq!(r.status, 200, "{}", r.body);
        }));
    }
    for task in tasks {
        task.await.expect("a client");
    }
    let kept = CLIENTS * (EACH - 1);
    let r = t.get(&format!("{IGROUPS}?name=c*&max_records=1000")).await;
    assert_eq!(r.body["num_records"], kept);
    let mut names: Vec<&str> = r.body["records"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x["name"].as_str().unwrap())
        .collect();
    names.sort();
    names.dedup();
    assert_eq!(names.len(), kept);
    assert!(
        !names.iter().any(|n| n.ends_with("-0")),
        "the deleted stay deleted"
    );
    let s = t.get(&format!("{shared}?fields=name,os_type")).await.body;
    assert_eq!(s["name"], "shared");
    assert!(s["os_type"].is_string());
}

/// Jobs accepted at once that number their records alike (a qtree's `id`, which the cluster
/// sets): every one ends in success, each record with a number of its own.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_jobs_number_their_records_apart() {
    let t = std::sync::Arc::new(start().await);
    let mut tasks = Vec::new();
    for i in 0..16 {
        let t = t.clone();
        tasks.push(tokio::spawn(async move {
            let body = json!({"name": format!("cq{i}"), "volume": {"name": "vol1"}, "svm": {"name": "svm1"}});
            let r = t.post("/api/storage/qtrees", body).await;
            t.job_end(&r).await
        }));
    }
    for task in tasks {
        let job = task.await.expect("a client");
        assert_eq!(job["state"], "success", "{job}");
    }
    let r = t
        .get("/api/storage/qtrees?name=cq*&fields=id&max_records=100")
        .await;
    assert_eq!(r.body["num_records"], 16, "{}", r.body);
    let mut ids: Vec<i64> = r.body["records"]
        .as_array()
        .unwrap()
        .iter()
        .map(|q| q["id"].as_i64().unwrap())
        .collect();
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), 16);
}

/// A record numbered by the engine takes the lowest number free, so a number the schema caps
/// (an NTP key's `id`, at most 65535) stays in bounds after a client took the highest; and a
/// free-standing key that names nothing (`{volume.uuid}` of a SnapLock file) is 404 code 4 on
/// a write as on a GET.
#[tokio::test]
async fn numbered_records_stay_within_their_schema_and_free_keys_must_name_a_record() {
    let t = start().await;
    let key = |id: Option<u32>| {
        let mut k =
            json!({"digest_type": "sha1", "value": "da39a3ee5e6b4b0d3255bfef95601890afd80709"});
        if let Some(id) = id {
            k["id"] = json!(id);
        }
        k
    };
    assert_eq!(
        t.post("/api/cluster/ntp/keys", key(Some(65535)))
            .await
            .status,
        201
    );
    assert_eq!(t.post("/api/cluster/ntp/keys", key(None)).await.status, 201);
    let ids: Vec<u64> = t.get("/api/cluster/ntp/keys?fields=id").await.body["records"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|r| r["id"].as_u64())
        .collect();
    assert!(ids.iter().all(|i| *i <= 65535), "{ids:?}");
    assert!(ids.contains(&65535) && ids.len() >= 2, "{ids:?}");

    let r = t
        .patch(
            "/api/storage/snaplock/file/ontap-conform-nobody/a.txt",
            json!({"expiry_time": "2030-01-01T00:00:00Z"}),
        )
        .await;
    assert_eq!(r.status, 404, "{}", r.body);
    assert_eq!(r.body["error"]["code"], "4");
}

/// A plain GET of one record is answered from its rendered form while nothing changes, and the
/// change a write makes shows at once (the kept form is dropped with the state's generation).
#[tokio::test]
async fn a_record_read_again_shows_the_latest_write() {
    let t = start().await;
    let vols = t
        .get(&format!("{VOLUMES}?svm.name=svm1&fields=uuid"))
        .await
        .body;
    let uuid = vols["records"][0]["uuid"].as_str().unwrap().to_string();
    let path = format!("{VOLUMES}/{uuid}");
    let first = t.get(&path).await;
    assert_eq!(first.status, 200);
    assert_eq!(t.get(&path).await.body, first.body, "the same answer twice");
    let r = t.patch(&path, json!({"comment": "changed"})).await;
    assert_eq!(t.job_end(&r).await["state"], "success");
    assert_eq!(t.get(&path).await.body["comment"], "changed");
}

#[tokio::test]
async fn an_svm_lives_through_jobs_and_every_route_follows_it() {
    let t = start().await;
    let svm9 = json!({"name": "svm9", "iscsi": {"enabled": true}, "comment": "new"});
    let r = t.post("/api/svm/svms", svm9).await;
    assert_eq!(t.job_end(&r).await["state"], "success");
    let svm = t.get("/api/svm/svms?name=svm9&fields=*").await.body["records"][0].clone();
    let uuid = svm["uuid"].as_str().expect("a uuid").to_string();
    for field in [
        "language",
        "ipspace",
        "snapshot_policy",
        "aggregates",
        "nfs",
        "state",
    ] {
        assert!(svm.get(field).is_some(), "{field} in {svm}");
    }
    let root = t
        .get("/api/storage/volumes?name=svm9_root&fields=svm")
        .await;
    assert_eq!(root.body["records"][0]["svm"]["uuid"], uuid);
    // The hand-written routes see it: its iSCSI default credential, its NDMP service, an account.
    let default = t.get(&cred_path(&uuid, "default")).await;
    assert_eq!(default.status, 200, "{}", default.body);
    let ndmp = t.get(&format!("/api/protocols/ndmp/svms/{uuid}")).await;
    assert_eq!(ndmp.status, 200);
    let account = json!({"owner": {"name": "svm9"}, "name": "admin9", "role": "vsadmin",
        "password": "Svm9pass1!", "applications": [{"application": "http", "authentication_methods": ["password"]}]});
    assert_eq!(t.post("/api/security/accounts", account).await.status, 201);
    // The same name again: 409 code 1, as any duplicate.
    let r = t.post("/api/svm/svms", json!({"name": "svm9"})).await;
    assert_eq!((r.status, r.code()), (409, "1"));
    let r = t.delete(&format!("/api/svm/svms/{uuid}")).await;
    assert_eq!(t.job_end(&r).await["state"], "success");
    let gone = t.get("/api/storage/volumes?name=svm9_root").await;
    assert_eq!(gone.body["num_records"], 0);
    assert_eq!(t.get(&cred_path(&uuid, "default")).await.status, 404);
    let r = t.get(&format!("/api/protocols/ndmp/svms/{uuid}")).await;
    assert_eq!((r.status, r.code()), (404, "4"));
    let r = t.get("/api/security/accounts?name=admin9").await;
    assert_eq!(r.body["num_records"], 0);
    // The cluster: a PATCH is a job that sets what it names; the version stays the emulator's.
    let r = t
        .patch("/api/cluster", json!({"contact": "ops", "location": "lab"}))
        .await;
    assert_eq!(t.job_end(&r).await["state"], "success");
    let c = t.get("/api/cluster?fields=contact,location,version").await;
    assert_eq!(
        (&c.body["contact"], &c.body["location"]),
        (&json!("ops"), &json!("lab"))
    );
    assert_eq!(c.body["version"]["generation"], 9);
}
