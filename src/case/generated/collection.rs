//! Every collection GET, probed the way NetApp's clients use it: walked one record a page by
//! `_links.next` to its end (no cursor twice, no record twice, the count of an unpaged GET);
//! `return_records=false` giving the count alone; a `fields` projection giving the named field
//! and only it (plus the keys and links); `order_by` on each orderable field, ascending and
//! descending; each documented filter giving only records that match it.

use serde_json::{Map, Value, json};

use super::{Check, Gen, step};
use crate::spec::{Operation, Spec, route_of};

/// The seed page that documents the collection query parameters the checks rely on (`fields`,
/// `order_by`, `return_records`, a filter per field): 004, the one seed with a collection GET.
/// A spec whose seed directory lacks it fails to load these checks, naming the page.
pub(super) const QUERY_SEED: &str = "004_69967a64eae5f293.txt";

/// Why a projection keeps the keys: NetApp's "Input variables controlling an API request" says a
/// GET returns "the attributes that uniquely identify the object" by default and that `fields`
/// selects "additional" properties, but not in so many words that the keys stay when `fields`
/// names others; NetApp's own clients read `uuid` from such records. A convention: strict on the
/// emulator, a deviation on a cluster.
const KEYS_KEPT: &str = "a record's keys identify it in every answer: NetApp's 'Input variables controlling an API request' has fields select properties in addition to the identifying ones (not said outright for a projection)";

/// Why `fields=*` must answer more than the identity: NetApp's "Input variables controlling an
/// API request" has `fields=*` return all fields but the expensive ones. That a record then
/// shows at least one field beyond its keys, where its schema has such fields, is our reading: a
/// record could in principle have no value for any of them.
const FIELDS_STAR: &str = "fields=* returns every field but the expensive ones (NetApp's 'Input variables controlling an API request'); that a record shows at least one beyond its keys where its schema has more is this suite's reading";

/// Why a record's own link must lead to it: NetApp's "HAL linking" page has each record's
/// `_links.self.href` as the link to that record; that it answers the record listed (not another,
/// not a 404) is what a link means, not a sentence of NetApp's.
const SELF_LINK: &str = "a record's _links.self.href is its own address (NetApp's 'HAL linking'): it answers that record";

/// How many pages a walk takes: enough that paging is exercised (a next link followed, more
/// than once where the collection holds more than two records), few enough that a collection of
/// any size costs a handful of requests.
const WALK_PAGES: u32 = 4;

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
    if op.method != "GET" {
        return;
    }
    let Some(record) = record_schema(op) else {
        return;
    };
    let Some(scope) = Scope::of(g.spec, g.op) else {
        return;
    };
    let key = op.key();
    let documented = g.query_basis();
    let get = |query: Value| scope.request(&key, query);
    let ok = |fields: Value| json!({"status": 200, "basis": documented, "fields": fields});
    // Every check of a nested collection first reads its parent's keys.
    let mut out = Scoped { out, scope: &scope };
    let out = &mut out;

    let mut c = g.check(
        "walk",
        "walked by _links.next in a few pages sized from its count, every record once, the count of return_records=false",
    );
    c.isolated = true;
    c.steps.push(step(
        "count",
        get(json!({"return_records": false})),
        Some(ok(json!({}))),
        Some(json!({"total": "num_records"})),
    ));
    // A few pages whatever the collection holds: 20,000 snapshots are four requests, not
    // 20,000, on a cluster that must not be disturbed; with two records, pages of one.
    let mut walk = get(json!({}));
    walk["follow_next"] = json!(true);
    walk["pages"] = json!(WALK_PAGES);
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

        // A projection answers what it names: the first record, which `fields=*` shows with
        // F, shows F when `fields=F` asks for it (a target that ignores `fields` answers its
        // default, without F). Skipped when that record has no F to show.
        let mut c = g.check("fields-named", "fields=F answers F where the record has it");
        c.setup.push(step(
            "the first record, every field",
            get(json!({"fields": "*", "max_records": 1})),
            None,
            Some(json!({"held": {"from": format!("records.0.{field}"), "or_skip": format!("the first record has no {field} to project")}})),
        ));
        let mut named = Map::new();
        named.insert(format!("records.0.{field}"), json!({"present": true}));
        c.steps.push(step(
            &format!("fields={field}"),
            get(json!({"fields": field, "max_records": 1})),
            Some(ok(Value::Object(named))),
            None,
        ));
        out.push(c);

        // `fields=*` answers more than a record's identity where its schema has more: a target
        // that ignores `fields` answers its default (the keys and name) to `*` as well.
        let mut identity: Vec<Value> = keys.iter().map(|k| json!(k)).collect();
        identity.push(json!("_links"));
        let mut c = g.check(
            "fields-star",
            "fields=* answers fields beyond the record's identity",
        );
        let mut first = Map::new();
        first.insert(
            "records.0".into(),
            json!({"not": {"keys_within": identity}}),
        );
        c.setup.push(step(
            "a record to read",
            get(json!({"max_records": 1})),
            None,
            Some(json!({"any": {"from": "records.0", "or_skip": "the collection is empty: no record to read"}})),
        ));
        c.steps.push(step(
            "fields=*",
            get(json!({"fields": "*", "max_records": 1})),
            Some(json!({"status": 200, "basis": {"convention": FIELDS_STAR}, "fields": Value::Object(first)})),
            None,
        ));
        out.push(c);

        // The fields NetApp marks advanced (`x-ntap-advanced`) come with `fields=**` only.
        let advanced: Vec<&String> = record
            .get("properties")
            .and_then(Value::as_object)
            .into_iter()
            .flatten()
            .filter(|(_, p)| p.get("x-ontap-advanced") == Some(&json!(true)))
            .map(|(f, _)| f)
            .collect();
        if !advanced.is_empty() {
            let mut absent = Map::new();
            for f in &advanced {
                absent.insert((*f).clone(), json!({"present": false}));
            }
            let mut c = g.check(
                "advanced-under-two-stars",
                "fields=* leaves out the advanced fields, which fields=** may ask for",
            );
            // NetApp's file marks them (`x-ntap-advanced`); what the mark means is NetApp's
            // page on `fields` (`**`: all fields, the advanced ones included).
            let basis = g.query_basis();
            c.steps.push(step(
                "fields=*",
                get(json!({"fields": "*"})),
                Some(json!({"status": 200, "basis": basis, "fields": {"records": {"each": {"fields": Value::Object(absent)}}}})),
                None,
            ));
            c.steps.push(step(
                "fields=**",
                get(json!({"fields": "**"})),
                Some(json!({"status": 200, "basis": basis})),
                None,
            ));
            out.push(c);
        }

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
            // An empty collection (a fresh `default` export policy's rules) has no record to
            // keep its keys: skipped, as `fields-star` is, rather than passed on nothing.
            c.setup.push(step(
                "a record to read",
                get(json!({"max_records": 1})),
                None,
                Some(json!({"any": {"from": "records.0", "or_skip": "the collection is empty: no record to keep its keys"}})),
            ));
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
            Some(json!({"value": {"from": format!("records.0.{f}"), "or_skip": format!("no record has {f}: nothing to filter on"), "literal": true}})),
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
fn page_checks(g: &Gen, out: &mut Scoped) {
    let key = g.op.key();
    let get = |query: Value| out.scope.request(&key, query);
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
            "basis": g.query_basis(),
            "fields": {"num_records": 1, "records": {"length": 1}},
        })),
        None,
    ));
    out.push(c);
}

/// The GET of one record of this collection: the operation on the collection's path plus its
/// keys, among the operations this one's checks may lean on.
fn instance_of<'a>(g: &Gen<'a>) -> Option<&'a crate::spec::Operation> {
    let prefix = format!("{}/", g.op.path);
    g.peers().find(|o| {
        o.method == "GET"
            && o.path.strip_prefix(&prefix).is_some_and(|rest| {
                rest.split('/')
                    .all(|seg| seg.starts_with('{') && seg.ends_with('}'))
            })
    })
}

/// A listed record is what its own link and its keys answer: the first record of a page, read
/// again by `_links.self.href` and by its keys, carries the same keys. The keys a nested
/// collection's path already holds (its parent's) are the scope's, not read from the record.
fn listed_record(g: &Gen, out: &mut Scoped) {
    let Some(one) = instance_of(g) else { return };
    let params: Vec<&str> = one.path_params().collect();
    let inherited = out.scope.path.len();
    if params.len() <= inherited {
        return;
    }
    let (Some(record), Some(body)) = (record_schema(g.op), body_schema(one)) else {
        return;
    };
    // Each own key as a field of the listed record and of the record's own answer: a key either
    // lacks cannot be read or compared, and the check is not made.
    let mut fields = Vec::new();
    for p in &params[inherited..] {
        match (field_of(record, p), field_of(body, p)) {
            (Some(a), Some(b)) if a == b => fields.push(a),
            _ => return,
        }
    }
    let linked = properties(record).is_some_and(|p| p.contains_key("_links"));
    let key = g.op.key();
    let mut captures = Map::new();
    if linked {
        captures.insert(
            "self".into(),
            json!({"from": "records.0._links.self.href", "or_skip": "no record (or no link) to follow"}),
        );
    }
    let mut same = Map::new();
    let mut path = Map::new();
    for (i, p) in params.iter().enumerate() {
        if let Some(parent) = out.scope.path.values().nth(i).filter(|_| i < inherited) {
            path.insert(p.to_string(), parent.clone());
            continue;
        }
        let field = &fields[i - inherited];
        let skip = format!("no record (or none with {field}) to read");
        captures.insert(
            format!("key{i}"),
            json!({"from": format!("records.0.{field}"), "or_skip": skip}),
        );
        same.insert(field.clone(), json!(format!("{{{{key{i}}}}}")));
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
        out.scope.request(&key, json!({"max_records": 1})),
        None,
        Some(Value::Object(captures)),
    ));
    if linked {
        c.steps.push(step(
            "its own link",
            json!({"operation": one.key(), "href": "{{self}}"}),
            Some(
                json!({"status": 200, "basis": {"convention": SELF_LINK}, "fields": same.clone()}),
            ),
            None,
        ));
    }
    c.steps.push(step(
        "by its keys",
        json!({"operation": one.key(), "path": path}),
        Some(json!({"status": 200, "basis": g.query_basis(), "fields": same})),
        None,
    ));
    out.push(c);
}

/// The fields a record always carries: the first segment of each path parameter of the
/// collection's own instance GET (`svm.uuid` → `svm`), which ONTAP returns whatever `fields`
/// says. Only the record's own keys: those its parent's path already holds
/// (`/api/storage/volumes/{volume.uuid}/snapshots/{uuid}`: `volume`) are the parent's.
fn key_fields(g: &Gen) -> Vec<String> {
    let inherited = g.op.path_params().count();
    let Some(record) = record_schema(g.op) else {
        return Vec::new();
    };
    let mut keys: Vec<String> = instance_of(g)
        .into_iter()
        .flat_map(|o| o.path_params().skip(inherited))
        .filter_map(|p| field_of(record, p))
        .map(|f| f.split('.').next().unwrap_or(&f).to_string())
        .collect();
    keys.dedup();
    keys
}

/// Where a collection's records are: nothing for a top-level collection; for one under a record
/// (`/api/storage/volumes/{volume.uuid}/snapshots`), the keys of its parent collection's first
/// record, read by a setup step every check of the collection starts with (skipped, saying so,
/// when the parent collection is empty).
#[derive(Default)]
pub(super) struct Scope {
    setup: Vec<Value>,
    /// The collection's path parameters, each with the variable its parent's key is read into.
    path: Map<String, Value>,
}

impl Scope {
    /// The scope of `op`'s collection, or `None` when its path parameters cannot be read from
    /// a parent collection (a parent that is itself nested, or a parameter no collection lists).
    pub(super) fn of(spec: &Spec, op: &Operation) -> Option<Scope> {
        let params: Vec<&str> = op.path_params().collect();
        if params.is_empty() {
            return Some(Scope::default());
        }
        let segs: Vec<&str> = op.path.split('/').collect();
        // The parent record's path: up to the last parameter; after it, literal segments only
        // (a path that ends in a parameter names a record, whatever its answer holds).
        let last = segs.iter().rposition(|s| s.starts_with('{'))?;
        if last + 1 == segs.len() {
            return None;
        }
        let record_path = segs[..=last].join("/");
        let first = segs.iter().position(|s| s.starts_with('{'))?;
        let parent_path = segs[..first].join("/");
        if segs[first..=last].iter().any(|s| !s.starts_with('{')) {
            return None;
        }
        let parent_get =
            super::peers(spec, op).find(|o| o.method == "GET" && o.path == parent_path)?;
        let parent_record = super::peers(spec, op)
            .find(|o| o.method == "GET" && route_of(&o.path) == route_of(&record_path))?;
        let parent_records = record_schema(parent_get)?;
        let keys: Vec<String> = parent_record
            .path_params()
            .map(|p| field_of(parent_records, p))
            .collect::<Option<_>>()?;
        if keys.len() != params.len() {
            return None;
        }
        let mut captures = Map::new();
        let mut path = Map::new();
        for (i, (mine, theirs)) in params.iter().zip(&keys).enumerate() {
            captures.insert(
                format!("scope{i}"),
                json!({"from": format!("records.0.{theirs}"), "or_skip": format!("{parent_path} has no record to read {mine} from")}),
            );
            path.insert(mine.to_string(), json!(format!("{{{{scope{i}}}}}")));
        }
        let setup = vec![step(
            &format!("a record of {parent_path}"),
            json!({"operation": parent_get.key(), "query": {"max_records": 1, "fields": keys.join(",")}}),
            None,
            Some(Value::Object(captures)),
        )];
        Some(Scope { setup, path })
    }

    /// Its setup steps and the path parameters they fill.
    pub(super) fn into_parts(self) -> (Vec<Value>, Map<String, Value>) {
        (self.setup, self.path)
    }

    /// A GET of the collection with `query`, its path parameters filled from the scope.
    fn request(&self, operation: &str, query: Value) -> Value {
        let mut r = json!({"operation": operation, "query": query});
        if !self.path.is_empty() {
            r["path"] = Value::Object(self.path.clone());
        }
        r
    }
}

/// Where a collection's checks go: each starts with its scope's setup.
pub(super) struct Scoped<'a> {
    out: &'a mut Vec<Check>,
    scope: &'a Scope,
}

impl Scoped<'_> {
    fn push(&mut self, mut c: Check) {
        let mut setup = self.scope.setup.clone();
        setup.append(&mut c.setup);
        c.setup = setup;
        self.out.push(c);
    }
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

/// The field of a record schema that a key parameter names: the parameter itself
/// (`svm.uuid`), else its last part (`{policy.name}` of a policy whose record has `name`); `None`
/// when the record carries neither, so nothing can be read from it or asked of it.
pub(super) fn field_of(record: &Value, param: &str) -> Option<String> {
    let has = |dotted: &str| {
        let mut at = record;
        for part in dotted.split('.') {
            match properties(at).and_then(|p| p.get(part)) {
                Some(next) => at = next,
                None => return false,
            }
        }
        true
    };
    let last = param.rsplit('.').next().unwrap_or(param);
    [param, last]
        .into_iter()
        .find(|f| has(f))
        .map(str::to_string)
}

/// The properties of a schema, directly or in the member of an `allOf` that has them.
fn properties(schema: &Value) -> Option<&Map<String, Value>> {
    schema
        .get("properties")
        .or_else(|| {
            schema
                .get("allOf")
                .and_then(Value::as_array)
                .and_then(|a| a.iter().find_map(|p| p.get("properties")))
        })
        .and_then(Value::as_object)
}

/// The record schema of a collection GET (`records.items` of its 200 answer).
fn record_schema(op: &crate::spec::Operation) -> Option<&Value> {
    op.responses
        .get("200")
        .and_then(|r| r.schema())
        .and_then(|s| s.resolved.pointer("/properties/records/items"))
}

/// The 200 body schema of a GET.
fn body_schema(op: &crate::spec::Operation) -> Option<&Value> {
    op.responses
        .get("200")
        .and_then(|r| r.schema())
        .map(|s| &s.resolved)
}

fn is_scalar(v: &Value) -> bool {
    matches!(
        v.get("type").and_then(Value::as_str),
        Some("string" | "integer" | "number" | "boolean")
    )
}
