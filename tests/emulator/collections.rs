//! Collections: paging by `next` links, `fields`, filters, `order_by`, `return_records`, and an
//! iSCSI credential's life with its address lists.

use serde_json::json;

use crate::common::{CREDS, SVM1, SVM2, cred_path};
use crate::{T1, start};

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
    assert_eq!((r.status, r.code()), (400, "2"));
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
