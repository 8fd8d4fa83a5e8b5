//! Every collection GET, probed the way NetApp's clients use it: walked one record a page by
//! `_links.next` to its end (no cursor twice, no record twice, the count of an unpaged GET);
//! `return_records=false` giving the count alone; a `fields` projection giving the named field
//! and only it (plus the keys and links); `order_by` on each orderable field, ascending and
//! descending; each documented filter giving only records that match it.

use serde_json::{Map, Value, json};

use super::{Check, Gen, step};

/// The seed page that documents the collection query parameters the checks rely on (`fields`,
/// `order_by`, `return_records`, a filter per field): 004, the one seed with a collection GET.
/// A spec whose seed directory lacks it fails to load these checks, naming the page.
const QUERY_SEED: &str = "004_69967a64eae5f293.txt";

/// Why a projection keeps the keys: NetApp's "Input variables controlling an API request" says a
/// GET returns "the attributes that uniquely identify the object" by default and that `fields`
/// selects "additional" properties, but not in so many words that the keys stay when `fields`
/// names others; NetApp's own clients read `uuid` from such records. A convention: strict on the
/// emulator, a deviation on a cluster.
const KEYS_KEPT: &str = "a record's keys identify it in every answer: NetApp's 'Input variables controlling an API request' has fields select properties in addition to the identifying ones (not said outright for a projection)";

/// Why a record's own link must lead to it: NetApp's "HAL linking" page has each record's
/// `_links.self.href` as the link to that record; that it answers the record listed (not another,
/// not a 404) is what a link means, not a sentence of NetApp's.
const SELF_LINK: &str = "a record's _links.self.href is its own address (NetApp's 'HAL linking'): it answers that record";

/// The query parameters every GET has that are not filters.
const RESERVED: [&str; 5] = [
    "fields",
    "max_records",
    "return_records",
    "return_timeout",
    "order_by",
];

pub(super) fn checks(g: &Gen, out: &mut Vec<Check>) {
    let op = g.op;
    if op.method != "GET" || op.path_params().next().is_some() {
        return;
    }
    let Some(record) = op
        .responses
        .get("200")
        .and_then(|r| r.schema())
        .and_then(|s| s.resolved.pointer("/properties/records/items"))
    else {
        return;
    };
    let key = op.key();
    let documented = json!({"documented": QUERY_SEED});
    let get = |query: Value| json!({"operation": key, "query": query});
    let ok = |fields: Value| json!({"status": 200, "basis": documented, "fields": fields});

    let mut c = g.check(
        "walk",
        "walked one record a page by _links.next, every record once, the count of one unpaged GET",
    );
    c.isolated = true;
    c.steps.push(step(
        "count",
        get(json!({})),
        Some(ok(json!({}))),
        Some(json!({"total": "num_records"})),
    ));
    let mut walk = get(json!({"max_records": 1}));
    walk["follow_next"] = json!(true);
    c.steps.push(step(
        "walk",
        walk,
        Some(ok(
            json!({"num_records": "{{total}}", "records": {"distinct": true}}),
        )),
        None,
    ));
    out.push(c);

    let mut c = g.check(
        "count-only",
        "return_records=false gives the count and no records",
    );
    let mut e = ok(json!({"num_records": {"present": true}}));
    e["absent"] = json!(["records"]);
    c.steps.push(step(
        "count only",
        get(json!({"return_records": false})),
        Some(e),
        None,
    ));
    out.push(c);

    let mut keys = key_fields(g);
    // A default GET returns an object's identity, its uuid and its name, whatever `fields`
    // says (NetApp's 'Input variables controlling an API request'); a record that has them
    // keeps them in a projection.
    for id in ["uuid", "name"] {
        if record.pointer(&format!("/properties/{id}")).is_some() && !keys.iter().any(|k| k == id) {
            keys.push(id.to_string());
        }
    }
    let scalars = scalar_fields(record);
    let projectable: Vec<&(String, Value)> = scalars
        .iter()
        .filter(|(f, _)| !f.contains('.') && !keys.contains(f))
        .collect();
    if !projectable.is_empty() {
        let (field, _) = projectable[g.pick(&format!("{key} projection"), projectable.len())];
        let mut within: Vec<Value> = keys.iter().map(|k| json!(k)).collect();
        within.push(json!(field));
        within.push(json!("_links"));
        let mut c = g.check(
            "fields-projection",
            "fields=F gives F and only F, beside the keys",
        );
        c.steps.push(step(
            &format!("fields={field}"),
            get(json!({"fields": field})),
            Some(ok(json!({"records": {"each": {"keys_within": within}}}))),
            None,
        ));
        out.push(c);

        // The other half of a projection: the keys stay, whatever `fields` names.
        let mut present = Map::new();
        for k in &keys {
            present.insert(k.clone(), json!({"present": true}));
        }
        if !present.is_empty() {
            let mut c = g.check(
                "keys-kept",
                "every record keeps its keys whatever fields names",
            );
            c.steps.push(step(
                &format!("fields={field}"),
                get(json!({"fields": field})),
                Some(json!({
                    "status": 200,
                    "basis": {"convention": KEYS_KEPT},
                    "fields": {"records": {"each": {"fields": present}}},
                })),
                None,
            ));
            out.push(c);
        }
    }

    page_checks(g, out);
    listed_record(g, out);

    for (field, schema) in &scalars {
        let t = schema.get("type").and_then(Value::as_str);
        if !matches!(t, Some("string" | "integer" | "number")) {
            continue;
        }
        for (dir, suffix) in [("asc", ""), ("desc", " desc")] {
            let order = format!("{field}{suffix}");
            let mut c = g.check(
                &format!("order-by-{}-{dir}", field.replace('.', "-")),
                &format!("order_by={order} is honoured"),
            );
            c.steps.push(step(
                &format!("order_by={order}"),
                get(json!({"order_by": order, "fields": field})),
                Some(ok(json!({"records": {"ordered_by": order}}))),
                None,
            ));
            out.push(c);
        }
    }

    for p in &op.parameters {
        if p.location != "query" || RESERVED.contains(&p.name.as_str()) {
            continue;
        }
        let Some((_, schema)) = scalars.iter().find(|(f, _)| *f == p.name) else {
            continue;
        };
        if !matches!(
            schema.get("type").and_then(Value::as_str),
            Some("string" | "integer" | "number" | "boolean")
        ) {
            continue;
        }
        let f = &p.name;
        let mut c = g.check(
            &format!("filter-{}", f.replace('.', "-")),
            &format!("the filter {f}=VALUE gives only records whose {f} is VALUE"),
        );
        let mut q = Map::new();
        q.insert(f.clone(), json!("!null"));
        q.insert("fields".into(), json!(f));
        q.insert("max_records".into(), json!(1));
        c.setup.push(step(
            &format!("a value of {f} the target holds"),
            get(Value::Object(q)),
            None,
            Some(json!({"value": {"from": format!("records.0.{f}"), "or_skip": format!("no record has {f}: nothing to filter on")}})),
        ));
        let mut q = Map::new();
        q.insert(f.clone(), json!("{{value}}"));
        q.insert("fields".into(), json!(f));
        let mut each = Map::new();
        each.insert(f.clone(), json!("{{value}}"));
        c.steps.push(step(
            &format!("{f}=VALUE (a value the target holds)"),
            get(Value::Object(q)),
            Some(ok(
                json!({"num_records": {"not": 0}, "records": {"each": {"fields": each}}}),
            )),
            None,
        ));
        out.push(c);
    }
}

/// A page of `max_records=1` holds one record and `num_records` counts it (004: `max_records`
/// "Limit the number of records returned", `num_records` "Number of records"). A collection with
/// no record has no page to judge: skipped with that reason.
fn page_checks(g: &Gen, out: &mut Vec<Check>) {
    let key = g.op.key();
    let get = |query: Value| json!({"operation": key, "query": query});
    let mut c = g.check(
        "one-record-page",
        "a page of max_records=1 holds one record and num_records counts it",
    );
    c.setup.push(step(
        "a record to page",
        get(json!({"max_records": 1})),
        None,
        Some(json!({"first": {"from": "records.0", "or_skip": "the collection is empty: no page to count"}})),
    ));
    c.steps.push(step(
        "max_records=1",
        get(json!({"max_records": 1})),
        Some(json!({
            "status": 200,
            "basis": {"documented": QUERY_SEED},
            "fields": {"num_records": 1, "records": {"length": 1}},
        })),
        None,
    ));
    out.push(c);
}

/// The GET of one record of this collection: the curated spec's (or an overlay's) operation on
/// the collection's path plus its keys.
fn instance_of<'a>(g: &Gen<'a>) -> Option<&'a crate::spec::Operation> {
    let prefix = format!("{}/", g.op.path);
    g.spec.gated().find(|o| {
        o.method == "GET"
            && o.path.strip_prefix(&prefix).is_some_and(|rest| {
                rest.split('/')
                    .all(|seg| seg.starts_with('{') && seg.ends_with('}'))
            })
    })
}

/// A listed record is what its own link and its keys answer: the first record of a page, read
/// again by `_links.self.href` and by its keys, carries the same keys.
fn listed_record(g: &Gen, out: &mut Vec<Check>) {
    let Some(one) = instance_of(g) else { return };
    let params: Vec<&str> = one.path_params().collect();
    if params.is_empty() {
        return;
    }
    let key = g.op.key();
    let mut captures = Map::new();
    captures.insert(
        "self".into(),
        json!({"from": "records.0._links.self.href", "or_skip": "no record (or no link) to follow"}),
    );
    let mut same = Map::new();
    let mut path = Map::new();
    for (i, p) in params.iter().enumerate() {
        captures.insert(format!("key{i}"), json!(format!("records.0.{p}")));
        same.insert(p.to_string(), json!(format!("{{{{key{i}}}}}")));
        path.insert(p.to_string(), json!(format!("{{{{key{i}}}}}")));
    }
    let mut c = g.check(
        "listed-record",
        "the first record listed answers at its own link and by its keys, with the same keys",
    );
    // The steps are about the record's own GET: that is the operation the check exercises.
    c.operation = one.key();
    c.setup.push(step(
        "a listed record",
        json!({"operation": key, "query": {"max_records": 1}}),
        None,
        Some(Value::Object(captures)),
    ));
    c.steps.push(step(
        "its own link",
        json!({"operation": one.key(), "href": "{{self}}"}),
        Some(json!({"status": 200, "basis": {"convention": SELF_LINK}, "fields": same.clone()})),
        None,
    ));
    c.steps.push(step(
        "by its keys",
        json!({"operation": one.key(), "path": path}),
        Some(json!({"status": 200, "basis": {"documented": QUERY_SEED}, "fields": same})),
        None,
    ));
    out.push(c);
}

/// The fields a record always carries: the first segment of each path parameter of the
/// collection's own instance GET (`svm.uuid` → `svm`), which ONTAP returns whatever `fields`
/// says. Only the record's own GET: a nested collection's keys (`.../passwords/{user}`) are not
/// the record's.
fn key_fields(g: &Gen) -> Vec<String> {
    let mut keys: Vec<String> = instance_of(g)
        .into_iter()
        .flat_map(|o| {
            o.path_params()
                .map(|p| p.split('.').next().unwrap_or(p).to_string())
        })
        .collect();
    keys.dedup();
    keys
}

/// The scalar fields of a record schema, top level and one object down (`svm.name`), that a
/// response carries (not writeOnly), by dotted name.
fn scalar_fields(record: &Value) -> Vec<(String, Value)> {
    let mut out = Vec::new();
    let Some(props) = record.get("properties").and_then(Value::as_object) else {
        return out;
    };
    for (k, v) in props {
        if k == "_links" || v.get("writeOnly").and_then(Value::as_bool) == Some(true) {
            continue;
        }
        let inner = v.get("properties").or_else(|| {
            v.get("allOf")
                .and_then(Value::as_array)
                .and_then(|a| a.iter().find_map(|p| p.get("properties")))
        });
        match inner.and_then(Value::as_object) {
            Some(sub) => {
                for (k2, v2) in sub {
                    if k2 != "_links"
                        && v2.get("writeOnly").and_then(Value::as_bool) != Some(true)
                        && is_scalar(v2)
                    {
                        out.push((format!("{k}.{k2}"), v2.clone()));
                    }
                }
            }
            None if is_scalar(v) => out.push((k.clone(), v.clone())),
            None => {}
        }
    }
    out
}

fn is_scalar(v: &Value) -> bool {
    matches!(
        v.get("type").and_then(Value::as_str),
        Some("string" | "integer" | "number" | "boolean")
    )
}
