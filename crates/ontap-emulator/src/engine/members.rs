//! A nested collection that is its parent's array field: an igroup's `initiators` are both the
//! array of the igroup record (given in its POST, read in its GET) and the records of
//! `/api/protocols/san/igroups/{igroup.uuid}/initiators` (added and removed one by one). ONTAP
//! keeps one list; the engine keeps the two sides and makes them agree after every write to
//! either ([`sync`], called by [`super::change::apply`]) and once on the seeded cluster
//! ([`seeded`]).
//!
//! - A write to the parent record (its POST, a PATCH of the array) makes the nested records the
//!   array's items: one per item, matched by the field that names a member (an initiator's
//!   `name`, a copy's `schedule.name`), those already there kept as they are, the others
//!   removed. A nested record keyed by a reference the item names only by name (a snapshot
//!   policy's schedule, `{uuid}` its `schedule.uuid`) gets the referenced record's name and
//!   uuid.
//! - A write to a nested record (a POST, a PATCH, a DELETE) makes the parent's array the nested
//!   records, each with the fields the array's items have.

use serde_json::{Map, Value, json};

use super::document::{Document, MAX_DEPTH, Schema};
use super::resources::{ResId, Resource, key_text};
use super::seed::{from_parent, set};
use super::store::{Record, RecordId, Store, href};

/// One pair: `(nested collection, the parent's array field, the field naming a member, basis)`.
/// A nested record's last key is its collection's key field; the snapshot policy schedules'
/// `{uuid}`, which names no field of NetApp's schema, is the schedule's uuid ([`KEYS`]).
pub const MEMBERS: &[(&str, &str, &str, &str)] = &[
    (
        "/api/protocols/san/igroups/{igroup.uuid}/initiators",
        "initiators",
        "name",
        "documented: NetApp's 9.8 file, igroup `initiators`: \"After creation, initiators can be \
         added or removed from the initiator group using the \
         /protocols/san/igroups/{igroup.uuid}/initiators endpoint\"; na_ontap_igroup reads the \
         array and removes an initiator through the collection",
    ),
    (
        "/api/protocols/nfs/export-policies/{policy.id}/rules",
        "rules",
        "index",
        "documented: NetApp's 9.8 file, the export policy's `rules` \"Rules of the Export \
         Policy\" and /protocols/nfs/export-policies/{policy.id}/rules its rules one by one; \
         na_ontap_export_policy_rule changes the collection",
    ),
    (
        "/api/security/roles/{owner.uuid}/{name}/privileges",
        "privileges",
        "path",
        "documented: NetApp's 9.8 file, `POST /security/roles/{owner.uuid}/{name}/privileges` \
         \"Adds a privilege tuple (of REST URI and its access level) to an existing role\" (and \
         its DELETE removes one), the role's `privileges` \"The list of privileges that this \
         role has been granted\"; na_ontap_user_role reads the array and changes the collection",
    ),
    (
        "/api/name-services/unix-groups/{svm.uuid}/{unix_group.name}/users",
        "users",
        "name",
        "documented: NetApp's 9.9.1 reference (engine/later.json), the UNIX group's `users` and \
         POST/DELETE /name-services/unix-groups/{svm.uuid}/{unix_group.name}/users that add \
         and remove them; na_ontap_unix_group reads the array and changes the collection",
    ),
    (
        "/api/storage/snapshot-policies/{snapshot-policy.uuid}/schedules",
        "copies",
        "schedule.name",
        "documented: NetApp's 9.8 file, the policy's `copies` (a schedule, its count, prefix and \
         label each) and /storage/snapshot-policies/{snapshot-policy.uuid}/schedules the same \
         schedules one by one; na_ontap_snapshot_policy creates with the array and changes the \
         collection",
    ),
];

/// The field a nested collection's last key is, where its key names none: `(collection, field,
/// basis)`.
pub const KEYS: &[(&str, &str, &str)] = &[(
    "/api/storage/snapshot-policies/{snapshot-policy.uuid}/schedules",
    "schedule.uuid",
    "documented: NetApp's 9.8 file, `{uuid}` \"Snapshot copy policy schedule ID\"; observed \
     through na_ontap_snapshot_policy, which PATCHes and DELETEs \
     .../schedules/{schedule.uuid} (modify_snapshot_policy_schedule_rest)",
)];

/// The field `res`'s last key is (see [`KEYS`]).
pub fn key_field(resources: &[Resource], res: ResId) -> Option<String> {
    let r = &resources[res];
    KEYS.iter()
        .find(|(path, _, _)| *path == r.template)
        .map(|(_, field, _)| field.to_string())
        .or_else(|| r.instance.as_ref()?.keys.last()?.field.clone())
}

/// One pair, found among the resources.
struct Pair {
    child: ResId,
    parent: ResId,
    field: &'static str,
    /// The pointer of the field that names a member (`/schedule/name`).
    member: String,
}

fn pairs(resources: &[Resource]) -> impl Iterator<Item = Pair> + '_ {
    MEMBERS.iter().filter_map(|(path, field, member, _)| {
        let child = resources.iter().position(|r| r.template == *path)?;
        Some(Pair {
            child,
            parent: resources[child].parent?,
            field,
            member: pointer(member),
        })
    })
}

fn pointer(dotted: &str) -> String {
    format!("/{}", dotted.replace('.', "/"))
}

/// After a write to `res`: `id` the record written (none once removed), `parent` the record it
/// lives under. Makes the other side of a pair agree with the side written.
pub fn sync(
    doc: &Document,
    resources: &[Resource],
    store: &mut Store,
    res: ResId,
    (id, parent): (Option<RecordId>, Option<RecordId>),
) {
    for pair in pairs(resources) {
        if pair.child == res
            && let Some(parent) = parent
        {
            to_array(doc, resources, store, &pair, parent);
        } else if pair.parent == res
            && let Some(id) = id
        {
            to_records(doc, resources, store, &pair, id);
        }
    }
}

/// The seeded cluster made consistent. A parent a fresh cluster has by name (`fresh.json`: the
/// `default` snapshot policy and its copies, an SVM's `default` export policy and its no
/// rules) is what its array says: its nested records are made of it (a parent whose array is
/// empty, the `none` snapshot policy, has none). Any other parent's array is made of its
/// seeded nested records (two of them, as every nested collection is seeded, so that a page
/// of one is a page of fewer than all).
pub fn seeded(doc: &Document, resources: &[Resource], store: &mut Store) {
    for pair in pairs(resources) {
        let fresh = super::fresh::records(&resources[pair.parent].template).is_some();
        let parents: Vec<RecordId> = store.under(pair.parent, None).map(|r| r.id).collect();
        for id in parents {
            if fresh {
                to_records(doc, resources, store, &pair, id);
            }
            to_array(doc, resources, store, &pair, id);
        }
    }
}

/// Whether `res` is a nested collection that is its parent's array ([`MEMBERS`]).
#[cfg(test)]
pub fn is_member(resources: &[Resource], res: ResId) -> bool {
    pairs(resources).any(|p| p.child == res)
}

/// `value` with only the fields `schema` has, objects within too.
fn shaped(doc: &Document, schema: &Schema, value: &Value, depth: usize) -> Value {
    let props = doc.properties(schema);
    match value {
        Value::Object(map) if !props.is_empty() && depth <= MAX_DEPTH => {
            let mut out = Map::new();
            for (name, prop) in props {
                if let Some(v) = map.get(name) {
                    out.insert(name.to_string(), shaped(doc, prop, v, depth + 1));
                }
            }
            Value::Object(out)
        }
        other => other.clone(),
    }
}

/// The parent record `id`'s array made of its nested records.
fn to_array(doc: &Document, resources: &[Resource], store: &mut Store, pair: &Pair, id: RecordId) {
    let item = doc
        .field(resources[pair.parent].record, pair.field)
        .and_then(|s| doc.scalar(s).items.clone());
    let Some(item) = item else { return };
    let Some(item) = doc.resolve(&item) else {
        return;
    };
    let items: Vec<Value> = store
        .under(pair.child, Some(id))
        .map(|r| shaped(doc, item, &r.body, 0))
        .collect();
    let Some(at) = store.position(pair.parent, id) else {
        return;
    };
    if let Some(map) = store.records[pair.parent][at].body.as_object_mut() {
        map.insert(pair.field.to_string(), Value::Array(items));
    }
}

/// The nested records under the parent record `id` made of its array (see the module's doc). A
/// parent without the array keeps its records.
fn to_records(
    doc: &Document,
    resources: &[Resource],
    store: &mut Store,
    pair: &Pair,
    id: RecordId,
) {
    let child = &resources[pair.child];
    let Some(parent) = store.by_id(pair.parent, id).cloned() else {
        return;
    };
    let Some(items) = parent.body.get(pair.field).and_then(Value::as_array) else {
        return;
    };
    let Some(key) = key_field(resources, pair.child) else {
        return;
    };
    let member_of = |body: &Value| body.pointer(&pair.member).map(key_text);
    let wanted: Vec<String> = items.iter().filter_map(member_of).collect();
    let gone: Vec<RecordId> = store
        .under(pair.child, Some(id))
        .filter(|r| member_of(&r.body).is_none_or(|k| !wanted.contains(&k)))
        .map(|r| r.id)
        .collect();
    for g in gone {
        store.remove(resources, pair.child, g);
    }
    let have: Vec<String> = store
        .under(pair.child, Some(id))
        .filter_map(|r| member_of(&r.body))
        .collect();
    let mut made = Vec::new();
    for item in items {
        if member_of(item).is_none_or(|m| have.contains(&m)) {
            continue;
        }
        let mut body = Map::new();
        for (name, schema) in doc.properties(child.record) {
            // `records` is a POST's way to give several (NetApp: "Valid in POST only").
            if matches!(name, "_links" | "records") {
                continue;
            }
            let value = from_parent(doc, child, &parent, name, schema)
                .or_else(|| item.get(name).map(|v| shaped(doc, schema, v, 0)));
            if let Some(v) = value {
                body.insert(name.to_string(), v);
            }
        }
        let mut body = Value::Object(body);
        let Some(k) = keyed(resources, store, &mut body, &key) else {
            continue;
        };
        let mut params = parent.params.clone();
        params.push(k);
        if let Some(link) = href(child, &params) {
            body["_links"] = json!({"self": {"href": link}});
        }
        made.push(Record::made(Some(&parent), params, body));
    }
    for record in made {
        store.insert(pair.child, record);
    }
}

/// The value of the nested record's key `key` (a dotted field), as a path parameter. A key that
/// is a reference's `uuid` (`schedule.uuid`) the item names by name only is the uuid of the
/// top-level record of that name (`/api/cluster/schedules`'s `daily`), set in `body` with it.
fn keyed(resources: &[Resource], store: &Store, body: &mut Value, key: &str) -> Option<String> {
    if let Some(v) = body.pointer(&pointer(key)) {
        return Some(key_text(v));
    }
    let (label, "uuid") = key.split_once('.')? else {
        return None;
    };
    let name = body
        .pointer(&format!("/{label}/name"))?
        .as_str()?
        .to_string();
    let target = resources
        .iter()
        .position(|r| r.parent.is_none() && r.instance.is_some() && r.label == label)?;
    let record = store
        .under(target, None)
        .find(|r| r.body.get("name").and_then(Value::as_str) == Some(&name))?;
    let uuid = record.body.get("uuid")?.clone();
    set(body, key, uuid.clone());
    Some(key_text(&uuid))
}

#[cfg(test)]
mod tests {
    use axum::http::StatusCode;
    use serde_json::{Value, json};

    use crate::testing::{app, call, get};

    const IGROUPS: &str = "/api/protocols/san/igroups";

    fn names(list: &Value) -> Vec<&str> {
        list.as_array()
            .map(|l| l.iter().filter_map(|i| i["name"].as_str()).collect())
            .unwrap_or_default()
    }

    #[tokio::test]
    async fn an_igroups_initiators_are_its_array_and_its_collection() {
        let app = app("9.8.0");
        let post = json!({"name": "ig", "svm": {"name": "svm1"}, "os_type": "linux",
            "protocol": "iscsi", "initiators": [{"name": "iqn.2000-01.com.example:a"}]});
        let (status, body) = call(&app, "POST", IGROUPS, &[], Some(post)).await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
        let uuid = get(&app, &format!("{IGROUPS}?name=ig")).await["records"][0]["uuid"]
            .as_str()
            .expect("its uuid")
            .to_string();
        let nested = format!("{IGROUPS}/{uuid}/initiators");
        let array = || async {
            let one = get(&app, &format!("{IGROUPS}/{uuid}?fields=initiators")).await;
            names(&one["initiators"])
                .into_iter()
                .map(str::to_string)
                .collect::<Vec<_>>()
        };
        let listed = get(&app, &nested).await;
        assert_eq!(names(&listed["records"]), ["iqn.2000-01.com.example:a"]);
        assert_eq!(listed["records"][0].get("records"), None);

        let more = json!({"records": [{"name": "iqn.2000-01.com.example:b"},
            {"name": "iqn.2000-01.com.example:c"}]});
        let (status, body) = call(&app, "POST", &nested, &[], Some(more)).await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
        assert_eq!(
            array().await,
            [
                "iqn.2000-01.com.example:a",
                "iqn.2000-01.com.example:b",
                "iqn.2000-01.com.example:c"
            ]
        );

        let one = format!("{nested}/iqn.2000-01.com.example:a");
        let (status, body) = call(&app, "DELETE", &one, &[], None).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert_eq!(
            array().await,
            ["iqn.2000-01.com.example:b", "iqn.2000-01.com.example:c"]
        );
        let (status, _) = call(&app, "GET", &one, &[], None).await;
        assert_eq!(status, StatusCode::NOT_FOUND);
    }

    #[tokio::test]
    async fn a_seeded_igroups_array_names_its_collections_records() {
        let app = app("9.8.0");
        let all = get(&app, &format!("{IGROUPS}?fields=initiators")).await;
        for igroup in all["records"].as_array().expect("records") {
            let uuid = igroup["uuid"].as_str().expect("a uuid");
            let nested = get(&app, &format!("{IGROUPS}/{uuid}/initiators?fields=*")).await;
            assert_eq!(names(&igroup["initiators"]), names(&nested["records"]));
            assert!(names(&nested["records"]).len() > 1, "{nested}");
            for item in igroup["initiators"].as_array().expect("an array") {
                assert_eq!(item["igroup"]["uuid"], igroup["uuid"]);
            }
        }
    }
}
