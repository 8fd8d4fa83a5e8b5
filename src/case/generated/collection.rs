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
    }

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

/// The fields a record always carries: the first segment of each path parameter of the
/// collection's instance GET (`svm.uuid` → `svm`), which ONTAP returns whatever `fields` says.
fn key_fields(g: &Gen) -> Vec<String> {
    let prefix = format!("{}/{{", g.op.path);
    let mut keys: Vec<String> = g
        .spec
        .operations
        .iter()
        .filter(|o| o.method == "GET" && o.path.starts_with(&prefix))
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
