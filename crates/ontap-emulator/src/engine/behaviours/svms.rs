//! `/api/svm/svms`: what ONTAP makes with an SVM, and what goes with it.
//!
//! - A new SVM gets NetApp's "Default property values" of `POST /svm/svms` where the body
//!   leaves them out (documented: `language` c.utf_8, `ipspace` Default, `snapshot_policy`
//!   default, `subtype` default); each protocol service it does not enable (`nfs`, `cifs`,
//!   `iscsi`, `fcp`, `nvme`, `s3`) is `enabled: false` (documented: the schema's "Setting to true
//!   creates a service", so none exists without it); `comment` "" and `aggregates` [] and no
//!   SnapMirror protection (convention: as the fresh cluster's SVMs show them, so `fields=*`
//!   answers every field for every SVM).
//! - With it ONTAP makes what each fresh SVM has of its own ([`MADE_WITH`], each with its basis
//!   in `fresh.json`): its `default` export policy, its root volume `<name>_root` (on the SVM's
//!   first aggregate, exporting by that policy) and its built-in service policies, each made as
//!   the fresh cluster's `svm1` has it.
//! - A renamed SVM is renamed in every record that names it (documented: an `svm` reference
//!   carries the SVM's `name` beside its `uuid`, NetApp's `svm_reference`).
//! - An SVM with volumes other than its root is not deleted: 400 code [`HAS_VOLUMES`]
//!   (documented: NetApp's `DELETE /svm/svms/{uuid}`, "data volumes must be offline and deleted"
//!   first; the code is a convention: no public source shows ONTAP's, and 13434919 is the first
//!   after the SVM codes NetApp documents, unused in the 9.8 file and the 9.19.1 tables). Else
//!   every record of the SVM goes with it, its root volume and export policies among them
//!   (documented: "SVM objects must be deleted first" names what a client made; what ONTAP made
//!   with the SVM, `vserver delete` deletes).

use serde_json::{Value, json};

use super::{Behaviour, Call};
use crate::context::Caller;
use crate::engine::build::Builder;
use crate::engine::change::Change;
use crate::engine::seed::set;
use crate::engine::store::href;
use crate::error::{ApiError, ApiResult};

pub const BEHAVIOUR: Behaviour = Behaviour {
    path: crate::engine::SVM_COLLECTION,
    on,
    given: None,
};

/// The emulator's code for an SVM that still has data volumes (convention, see the module).
pub const HAS_VOLUMES: &str = "13434919";

/// What ONTAP makes with an SVM: the collection, and the record's name in it (`{svm}` the
/// SVM's), made after the fresh `svm1`'s. The export policy comes before the root volume,
/// which names it.
pub const MADE_WITH: &[(&str, &str)] = &[
    (EXPORT_POLICIES, "default"),
    (VOLUMES, "{svm}_root"),
    ("/api/network/ip/service-policies", "default-data-files"),
    ("/api/network/ip/service-policies", "default-data-blocks"),
    ("/api/network/ip/service-policies", "default-management"),
];

const VOLUMES: &str = "/api/storage/volumes";
const EXPORT_POLICIES: &str = "/api/protocols/nfs/export-policies";
/// The fresh SVM whose records a new SVM's are made after.
const MODEL: &str = "svm1";
const PROTOCOLS: &[&str] = &["nfs", "cifs", "iscsi", "fcp", "nvme", "s3"];

fn on(call: &Call, change: &mut Change) -> ApiResult<()> {
    match change {
        Change::Insert { record, .. } => {
            defaults(call, &mut record.body);
            made_with(call, &record.body);
            Ok(())
        }
        Change::Patch { id, res, patch } => {
            let Some(name) = patch.get("name").and_then(Value::as_str) else {
                return Ok(());
            };
            let Some(svm) = call.store.by_id(*res, *id) else {
                return Ok(());
            };
            let uuid = svm.body.get("uuid").and_then(Value::as_str).unwrap_or("");
            for (r, records) in call.store.records.iter().enumerate() {
                for rec in records.iter().filter(|x| named_in(&x.body, uuid)) {
                    call.also(Change::Patch {
                        res: r,
                        id: rec.id,
                        patch: json!({"svm": {"name": name}}),
                    });
                }
            }
            Ok(())
        }
        Change::Remove { id, res } => {
            let Some(svm) = call.store.by_id(*res, *id) else {
                return Ok(());
            };
            let uuid = svm.body.get("uuid").and_then(Value::as_str).unwrap_or("");
            let name = svm.body.get("name").and_then(Value::as_str).unwrap_or("");
            let data = call.records(VOLUMES).iter().filter(|v| {
                named_in(&v.body, uuid) && v.body.get("is_svm_root") != Some(&Value::Bool(true))
            });
            if let Some(v) = data.map(|v| &v.body["name"]).next() {
                return Err(ApiError::bad_request(
                    HAS_VOLUMES,
                    format!(
                        "Cannot delete SVM \"{name}\" because it has volumes other than its root \
                         volume, \"{}\" among them. Delete them first.",
                        v.as_str().unwrap_or("")
                    ),
                ));
            }
            gone_with(call, uuid);
            Ok(())
        }
    }
}

/// Whether a record's `svm` is the SVM `uuid`.
fn named_in(body: &Value, uuid: &str) -> bool {
    body.pointer("/svm/uuid")
        .and_then(Value::as_str)
        .is_some_and(|u| u.eq_ignore_ascii_case(uuid))
}

/// A new SVM's documented defaults (see the module).
fn defaults(call: &Call, body: &mut Value) {
    let missing = |b: &Value, f: &str| b.get(f).is_none_or(Value::is_null);
    for (field, value) in [
        ("language", json!("c.utf_8")),
        ("subtype", json!("default")),
        ("comment", json!("")),
        ("aggregates", json!([])),
    ] {
        if missing(body, field) {
            set(body, field, value);
        }
    }
    for (field, collection, name) in [
        ("ipspace", "/api/network/ipspaces", "Default"),
        (
            "snapshot_policy",
            "/api/storage/snapshot-policies",
            "default",
        ),
    ] {
        if missing(body, field)
            && let Some(r) = reference(call, collection, name)
        {
            set(body, field, r);
        }
    }
    for p in PROTOCOLS {
        if body.pointer(&format!("/{p}/enabled")).is_none() {
            set(body, p, json!({"enabled": false}));
        }
    }
    set(
        body,
        "snapmirror",
        json!({"is_protected": false, "protected_volumes_count": 0}),
    );
}

/// A reference to the record `name` of `collection`: its name, uuid and link.
fn reference(call: &Call, collection: &str, name: &str) -> Option<Value> {
    let res = call.resource(collection)?;
    let found = call
        .records(collection)
        .iter()
        .find(|r| r.body["name"] == name)?;
    let mut out = json!({"name": name, "uuid": found.body.get("uuid")?});
    if let Some(link) = href(&call.engine.resources.list[res], &found.params) {
        out["_links"] = json!({"self": {"href": link}});
    }
    Some(out)
}

/// The records ONTAP makes with the new SVM `svm` ([`MADE_WITH`]), added to the write.
fn made_with(call: &Call, svm: &Value) {
    let name = svm.get("name").and_then(Value::as_str).unwrap_or("");
    let uuid = svm.get("uuid").and_then(Value::as_str).unwrap_or("");
    let reference = crate::state::svm_ref(uuid, name);
    let model = &call.engine.seeded;
    let cluster = Caller {
        owner: None,
        name: crate::ADMIN_USER.into(),
        role: "admin".into(),
    };
    let mut policy: Option<Value> = None;
    for (collection, pattern) in MADE_WITH {
        let Some(res) = call.resource(collection) else {
            continue;
        };
        let template = model.records[res].iter().find(|r| {
            r.body.pointer("/svm/name").and_then(Value::as_str) == Some(MODEL)
                && r.body["name"] == pattern.replace("{svm}", MODEL)
        });
        let Some(template) = template else { continue };
        let mut body = template.body.clone();
        if let Some(map) = body.as_object_mut() {
            for own in ["uuid", "id", "_links"] {
                map.shift_remove(own);
            }
        }
        set(&mut body, "name", json!(pattern.replace("{svm}", name)));
        set(&mut body, "svm", reference.clone());
        if *collection == VOLUMES {
            if let Some(a) = svm.pointer("/aggregates/0").filter(|a| a.is_object()) {
                set(&mut body, "aggregates", json!([a]));
            }
            if let Some(p) = &policy {
                set(&mut body, "nas.export_policy", p.clone());
            }
        }
        let builder = Builder {
            engine: call.engine,
            res,
            store: call.store,
            parent: None,
            caller: &cluster,
        };
        let Ok(record) = builder.record(body, &[]) else {
            continue;
        };
        if *collection == EXPORT_POLICIES {
            policy = Some(json!({"id": record.body["id"], "name": record.body["name"]}));
        }
        call.also(Change::Insert { res, record });
    }
}

/// Every record of the SVM `uuid`, removed with it: the top-level ones and those nested under a
/// record of another's (a nested record of the SVM's own goes with its parent).
fn gone_with(call: &Call, uuid: &str) {
    let resources = &call.engine.resources.list;
    for (res, records) in call.store.records.iter().enumerate() {
        let parent = resources[res].parent;
        for r in records {
            let own = r
                .owner
                .as_deref()
                .is_some_and(|o| o.eq_ignore_ascii_case(uuid));
            let with_parent = parent
                .zip(r.parent)
                .and_then(|(p, id)| call.store.by_id(p, id))
                .is_some_and(|p| p.owner == r.owner);
            if own && !with_parent {
                call.also(Change::Remove { res, id: r.id });
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;
    use crate::collection::Query;
    use crate::engine::store::Store;
    use crate::engine::{change, engine};
    use crate::state::{SVM1_UUID, SVM2_UUID, State};

    fn call<'a>(store: &'a Store, query: &'a Query, method: &'static str) -> Call<'a> {
        Call {
            engine: engine(),
            store,
            query,
            method,
            more: Default::default(),
        }
    }

    fn svms() -> usize {
        engine().svms.expect("the SVMs are the engine's")
    }

    /// The seeded record of `collection` named `name`.
    fn id_of(store: &Store, collection: &str, name: &str) -> (usize, u64) {
        let q = Query::default();
        let res = call(store, &q, "GET")
            .resource(collection)
            .expect("a collection");
        let r = store.records[res]
            .iter()
            .find(|r| r.body["name"] == name)
            .unwrap_or_else(|| panic!("{name} in {collection}"));
        (res, r.id)
    }

    /// A new SVM, as the engine builds it from a POST's `body`, and what its behaviour makes
    /// of it: its record and the records made with it.
    fn created(store: &Store, body: Value) -> (Value, Vec<Change>) {
        let admin = Caller {
            owner: None,
            name: "admin".into(),
            role: "admin".into(),
        };
        let builder = Builder {
            engine: engine(),
            res: svms(),
            store,
            parent: None,
            caller: &admin,
        };
        let record = builder.record(body, &[]).expect("built");
        let mut change = Change::Insert {
            res: svms(),
            record,
        };
        let q = Query::default();
        let c = call(store, &q, "POST");
        on(&c, &mut change).expect("accepted");
        let Change::Insert { record, .. } = change else {
            unreachable!()
        };
        (record.body, c.more.into_inner())
    }

    #[test]
    fn a_new_svm_gets_the_documented_defaults() {
        let (svm, _) = created(&engine().seeded, json!({"name": "svm9"}));
        assert_eq!(svm["language"], "c.utf_8");
        assert_eq!(svm["subtype"], "default");
        assert_eq!(svm["ipspace"]["name"], "Default");
        assert_eq!(svm["snapshot_policy"]["name"], "default");
        assert_eq!(svm["state"], "running");
        for p in PROTOCOLS {
            assert_eq!(svm[p], json!({"enabled": false}), "{p}");
        }
        let (given, _) = created(
            &engine().seeded,
            json!({"name": "svm9", "language": "en.utf_8", "nfs": {"enabled": true}}),
        );
        assert_eq!(given["language"], "en.utf_8");
        assert_eq!(given["nfs"]["enabled"], true);
    }

    #[test]
    fn a_new_svm_comes_with_its_root_volume_export_policy_and_service_policies() {
        let store = &engine().seeded;
        let (svm, made) = created(
            store,
            json!({"name": "svm9", "aggregates": [{"name": "aggr2", "uuid": "a-2"}]}),
        );
        let inserted: Vec<&Value> = made
            .iter()
            .filter_map(|c| match c {
                Change::Insert { record, .. } => Some(&record.body),
                _ => None,
            })
            .collect();
        assert_eq!(inserted.len(), MADE_WITH.len());
        for body in &inserted {
            assert_eq!(body["svm"]["uuid"], svm["uuid"], "{body}");
            assert_eq!(body["svm"]["name"], "svm9");
        }
        let root = inserted.iter().find(|b| b["name"] == "svm9_root");
        let root = root.expect("the root volume");
        assert_eq!(root["is_svm_root"], true);
        assert_eq!(root["aggregates"][0]["name"], "aggr2");
        let policy = inserted
            .iter()
            .find(|b| b["name"] == "default" && b.get("rules").is_some())
            .expect("the default export policy");
        assert_eq!(root["nas"]["export_policy"]["id"], policy["id"]);
        assert_ne!(policy["id"], 1, "a new policy id, not svm1's");
    }

    #[test]
    fn an_svm_with_data_volumes_is_not_deleted() {
        let store = &engine().seeded;
        let (res, id) = id_of(store, crate::engine::SVM_COLLECTION, "svm1");
        let q = Query::default();
        let err = on(&call(store, &q, "DELETE"), &mut Change::Remove { res, id })
            .expect_err("svm1 has vol1");
        assert_eq!(err.code, HAS_VOLUMES);
    }

    #[test]
    fn a_deleted_svm_takes_its_records_and_what_the_routes_keep_of_it() {
        let mut state = State::initial();
        let store = Arc::make_mut(&mut state.engine);
        let (vres, vol2) = id_of(store, VOLUMES, "vol2");
        let resources = &engine().resources.list;
        assert!(store.remove(resources, vres, vol2));
        let (res, id) = id_of(store, crate::engine::SVM_COLLECTION, "svm2");
        let q = Query::default();
        let c = call(store, &q, "DELETE");
        let mut changes = vec![Change::Remove { res, id }];
        on(&c, &mut changes[0]).expect("svm2 has its root volume only");
        changes.extend(c.more.into_inner());
        for change in changes {
            change::apply(engine(), store, change).expect("applied");
        }
        let owned = |s: &Store, u: &str| {
            s.records
                .iter()
                .flatten()
                .filter(|r| r.owner.as_deref() == Some(u))
                .count()
        };
        assert_eq!(owned(store, SVM2_UUID), 0, "svm2's records are gone");
        assert!(owned(store, SVM1_UUID) > 0, "svm1's stay");
        state.follow_svms();
        assert!(state.svm_by_uuid(SVM2_UUID).is_none());
        assert!(state.credentials.keys().all(|(u, _)| u != SVM2_UUID));
        assert!(!state.ndmp_svms.contains_key(SVM2_UUID));
        assert!(state.ndmp_svms.contains_key(SVM1_UUID));
    }

    #[test]
    fn a_new_svm_with_iscsi_gets_its_default_credential_and_ndmp_service() {
        let mut state = State::initial();
        let (svm, made) = created(
            &state.engine,
            json!({"name": "svm9", "iscsi": {"enabled": true}}),
        );
        let uuid = svm["uuid"].as_str().expect("a uuid").to_string();
        let store = Arc::make_mut(&mut state.engine);
        let record = crate::engine::store::Record::made(None, vec![uuid.clone()], svm);
        let all = std::iter::once(Change::Insert {
            res: svms(),
            record,
        })
        .chain(made);
        for change in all {
            change::apply(engine(), store, change).expect("applied");
        }
        state.follow_svms();
        let svm = state.svm_by_name("svm9").expect("svm9 is an SVM");
        assert!(state.svm_has_iscsi(&svm));
        assert!(
            state
                .credentials
                .contains_key(&(uuid.clone(), "default".into()))
        );
        assert!(state.ndmp_svms.contains_key(&uuid));
    }

    #[test]
    fn a_renamed_svm_is_renamed_where_it_is_named() {
        let store = &engine().seeded;
        let (res, id) = id_of(store, crate::engine::SVM_COLLECTION, "svm1");
        let q = Query::default();
        let c = call(store, &q, "PATCH");
        let mut change = Change::Patch {
            res,
            id,
            patch: json!({"name": "svm1b"}),
        };
        on(&c, &mut change).expect("accepted");
        let more = c.more.into_inner();
        let (vres, vol1) = id_of(store, VOLUMES, "vol1");
        let renames = |c: &Change| {
            matches!(c, Change::Patch { res, id, patch }
                if *res == vres && *id == vol1 && patch["svm"]["name"] == "svm1b")
        };
        assert!(more.iter().any(renames), "vol1 names svm1b");
    }
}
