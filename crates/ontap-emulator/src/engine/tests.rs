//! The engine against NetApp's whole 9.8 definition: what it serves, and that its seeded
//! cluster is whole, consistent and the same on every build. (Each answer against its schema is
//! the harness's `tests/engine.rs`, which has the validators.)

use std::collections::HashSet;

use serde_json::Value;

use super::seed::SVMS;
use super::*;

#[test]
fn the_engine_serves_every_get_the_route_table_does_not() {
    let served: Vec<&str> = operations()
        .into_iter()
        .filter(|(m, _)| *m == "GET")
        .map(|(_, p)| p)
        .collect();
    let by_hand: Vec<&str> = DOCUMENT
        .paths
        .iter()
        .filter(|(_, item)| item.get.is_some())
        .map(|(path, _)| path.as_str())
        .filter(|p| crate::routes::serves_get(p))
        .collect();
    // NetApp's 9.8 file has 266 GETs; the later paths (later.json) add theirs.
    let later = DOCUMENT
        .paths
        .iter()
        .filter(|(path, item)| item.get.is_some() && later::introduced(path).is_some())
        .count();
    assert!(later > 0);
    assert_eq!(served.len() + by_hand.len(), 266 + later, "{by_hand:#?}");
    let unique: HashSet<&str> = served.iter().copied().collect();
    assert_eq!(unique.len(), served.len(), "a template served twice");
}

#[test]
fn seeding_is_the_same_every_time() {
    let again = seed::seed(&DOCUMENT, &engine().resources);
    let first = &engine().seeded.records;
    assert_eq!(again.records.len(), first.len());
    for (a, b) in again.records.iter().zip(first) {
        let bodies =
            |r: &Vec<store::Record>| -> Vec<Value> { r.iter().map(|x| x.body.clone()).collect() };
        assert_eq!(bodies(a), bodies(b));
    }
}

#[test]
fn every_resource_has_records_under_every_parent_with_distinct_keys() {
    let eng = engine();
    for (id, res) in eng.resources.list.iter().enumerate() {
        let records = &eng.seeded.records[id];
        let parents = res.parent.map_or(1, |p| eng.seeded.records[p].len());
        for parent in 0..parents {
            let parent = res.parent.map(|p| eng.seeded.records[p][parent].id);
            let under: Vec<&store::Record> = eng.seeded.under(id, parent).collect();
            // A parent's array that is empty (the `none` snapshot policy's copies) has no
            // records under it.
            let member = members::is_member(&eng.resources.list, id);
            assert!(
                !under.is_empty() || member,
                "{}: nothing under {parent:?}",
                res.template
            );
            let keys: HashSet<&Vec<String>> = under.iter().map(|r| &r.params).collect();
            if res.shape == Shape::Collection && res.instance.is_some() {
                assert_eq!(keys.len(), under.len(), "{}: a key twice", res.template);
            }
        }
        for record in records {
            if let Some(href) = record
                .body
                .pointer("/_links/self/href")
                .and_then(Value::as_str)
            {
                let segs = crate::routes::segments(href);
                let segs: Vec<&str> = segs.iter().map(AsRef::as_ref).collect();
                let found = find(&segs).unwrap_or_else(|| panic!("{href} is not served"));
                assert_eq!((found.res, found.target), (id, Target::Record), "{href}");
                assert_eq!(found.params, record.params, "{href}");
            }
        }
    }
}

/// Every field called `svm` anywhere in a record, with its path.
fn svms<'a>(v: &'a Value, at: String, out: &mut Vec<(String, &'a Value)>) {
    match v {
        Value::Object(map) => {
            for (k, inner) in map {
                if k == "svm" {
                    out.push((format!("{at}/svm"), inner));
                }
                svms(inner, format!("{at}/{k}"), out);
            }
        }
        Value::Array(items) => items.iter().for_each(|i| svms(i, at.clone(), out)),
        _ => {}
    }
}

#[test]
fn every_svm_is_one_of_the_emulators_and_nested_records_share_their_parents() {
    let eng = engine();
    for (id, res) in eng.resources.list.iter().enumerate() {
        for record in &eng.seeded.records[id] {
            let mut found = Vec::new();
            svms(&record.body, String::new(), &mut found);
            for (at, svm) in found {
                if let Some(uuid) = svm.get("uuid").and_then(Value::as_str) {
                    let name = svm.get("name").and_then(Value::as_str);
                    let known = SVMS.iter().find(|(_, u)| *u == uuid);
                    assert!(known.is_some(), "{} {at}: {svm}", res.template);
                    assert!(name.is_none_or(|n| known.is_some_and(|k| k.0 == n)));
                }
            }
            if let (Some(p), Some(pi)) = (res.parent, record.parent) {
                let parent = eng.seeded.by_id(p, pi).expect("the parent");
                if parent.owner.is_some() {
                    assert_eq!(record.owner, parent.owner, "{}", res.template);
                }
            }
        }
    }
}

/// NetApp marks passwords and keys `writeOnly`: never made, so never answered.
#[test]
fn no_write_only_field_is_seeded() {
    let eng = engine();
    let doc: &Document = &DOCUMENT;
    fn walk(doc: &Document, schema: &document::Schema, v: &Value, at: &str, depth: usize) {
        let Value::Object(map) = v else { return };
        if depth > document::MAX_DEPTH {
            return;
        }
        for (name, prop) in doc.properties(schema) {
            let Some(value) = map.get(name) else { continue };
            assert!(!doc.scalar(prop).write_only, "{at}/{name} is write-only");
            match value {
                Value::Array(items) => {
                    let item = prop.items.as_deref().and_then(|i| doc.resolve(i));
                    for (i, item_value) in items.iter().enumerate() {
                        if let Some(item) = item {
                            walk(
                                doc,
                                item,
                                item_value,
                                &format!("{at}/{name}/{i}"),
                                depth + 1,
                            );
                        }
                    }
                }
                other => walk(doc, prop, other, &format!("{at}/{name}"), depth + 1),
            }
        }
    }
    for (id, res) in eng.resources.list.iter().enumerate() {
        for record in &eng.seeded.records[id] {
            walk(doc, res.record, &record.body, &res.template, 0);
        }
    }
}

#[test]
fn references_to_top_level_collections_name_their_records() {
    let eng = engine();
    let nodes = eng
        .resources
        .list
        .iter()
        .position(|r| r.template == "/api/cluster/nodes")
        .expect("the nodes");
    let node_names: Vec<&Value> = eng.seeded.records[nodes]
        .iter()
        .map(|r| &r.body["name"])
        .collect();
    let fresh: Vec<&Value> = super::fresh::records("/api/cluster/nodes")
        .expect("a fresh cluster's nodes")
        .iter()
        .map(|r| &r["name"])
        .collect();
    assert_eq!(node_names, fresh);
    let ports = eng
        .resources
        .list
        .iter()
        .position(|r| r.template == "/api/network/ethernet/ports")
        .expect("the ports");
    let port = &eng.seeded.records[ports][1].body;
    assert_eq!(&port["node"]["name"], node_names[1]);
    assert_eq!(
        port["node"]["uuid"],
        eng.seeded.records[nodes][1].body["uuid"]
    );
}

#[test]
fn a_literal_segment_wins_over_a_parameter() {
    let found = find(&["api", "protocols", "vscan", "server-status"]).expect("served");
    assert_eq!(found.target, Target::Collection);
    assert!(found.params.is_empty());
    let found = find(&["api", "protocols", "vscan", "x"]).expect("served");
    assert_eq!(found.target, Target::Record);
}
