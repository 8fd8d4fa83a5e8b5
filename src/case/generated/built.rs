//! Samples built for the imported layer's writes, where no one wrote an `x-conform-sample`:
//! a request made from what NetApp's file says a POST requires (its `### Required properties`,
//! imported as `x-ontap-required`) and from the request schema, that leaves the target as it
//! found it. The write families ([`super::body`], [`super::access`]) then run on it as on a
//! written sample.
//!
//! What a built request sends:
//! - the run's SVM for `svm.name`/`svm.uuid`; a path's `{svm.uuid}` likewise;
//! - a reference (`aggregates.name`, `volume.uuid`, `schedule.name`) filled with the first record
//!   of the collection it names that the target holds (in the run's SVM where the collection is
//!   per SVM), read by a setup step; the check is skipped, saying so, when there is none;
//! - a scalar from the schema: an enum's first value, else its `example`, else nothing (the
//!   operation is left out, saying why: a value invented for a field whose meaning the file
//!   does not give is a guess);
//! - `name` as `{{case_name}}` (`oc1a2b3c_17`: the run id and the check's number, letters,
//!   digits and an underscore, which every collection's names take): what a check makes carries
//!   the run id, so its own undo and `cleanup` find it, whatever happens to the run.
//!
//! What is never built, each operation named with its reason in the report (a check skipped,
//! not a guess): a POST whose required properties NetApp gives only in prose or only for some
//! cases; a field whose value would point the cluster at something outside it (an address, a
//! server, a URL, a domain), hand it a secret or a certificate it would trust, or let a host in
//! (an initiator, a WWPN, an NQN, an export rule's clients); a reference that would bind two of
//! the target's own records (an existing LUN mapped to an existing igroup gives its hosts the
//! data); a record with no `name` to carry the run id; and a PATCH or DELETE of anything but
//! the record the check made itself. So with `--allow-destructive` a built check makes one
//! named, unused object, in the run's SVM or in a record the target holds, and removes it.

use std::collections::BTreeMap;

use serde_json::{Map, Value, json};

use super::sample::Sample;
use crate::spec::{Layer, Operation, Spec, singular};

/// Fields whose value would point the cluster at something outside it, give it a secret or a
/// certificate it would trust, or let a host in: by the last part of their dotted name.
const NEVER_INVENTED: &[(&str, &str)] = &[
    ("address", "an address"),
    ("addresses", "an address"),
    ("ip", "an address"),
    ("ip_addresses", "an address"),
    ("gateway", "an address"),
    ("server", "a server"),
    ("servers", "a server"),
    ("primary_servers", "a server"),
    ("host", "a host"),
    ("url", "a URL"),
    ("idp_uri", "a URL"),
    ("destination", "a destination outside the cluster"),
    ("domain", "a domain"),
    ("fqdn", "a domain"),
    ("password", "a secret"),
    ("passphrase", "a secret"),
    ("secret_password", "a secret"),
    ("access_key", "a secret"),
    ("value", "a key's secret value"),
    ("keys", "a licence key"),
    ("private_key", "a private key"),
    ("public_certificate", "a certificate"),
    ("client_certificate", "a certificate"),
    ("server_ca_certificates", "a certificate"),
    ("signing_request", "a certificate"),
    ("azure_private_key", "a secret"),
    ("initiator", "a host's identity (it lets the host in)"),
    ("wwpn", "a host's identity (it lets the host in)"),
    ("nqn", "a host's identity (it lets the host in)"),
    ("match", "the clients an export rule lets in"),
    ("user_or_group", "a user the cluster would let in"),
    ("privileged_users", "a user the cluster would let in"),
    ("engine_id", "an SNMP engine's identity"),
];

/// References never filled with the target's own records: binding two of them exposes data.
const NEVER_BOUND: &[(&str, &str)] = &[
    (
        "lun",
        "an existing LUN mapped to an existing igroup gives its hosts the LUN's data",
    ),
    (
        "igroup",
        "an existing LUN mapped to an existing igroup gives its hosts the LUN's data",
    ),
    (
        "namespace",
        "an existing namespace mapped to an existing subsystem gives its hosts the data",
    ),
    (
        "subsystem",
        "an existing namespace mapped to an existing subsystem gives its hosts the data",
    ),
];

/// The built samples and, for every imported write with neither a written nor a built one,
/// why not.
#[derive(Debug, Default)]
pub(in crate::case) struct Built {
    pub samples: BTreeMap<String, Sample>,
    pub unbuilt: BTreeMap<String, String>,
}

/// Builds what can be built for the imported writes of `spec` that `written` (the operations
/// with an `x-conform-sample`) does not cover.
pub(in crate::case) fn build(spec: &Spec, written: &dyn Fn(&str) -> bool) -> Built {
    let mut out = Built::default();
    let imported = || {
        spec.operations
            .iter()
            .filter(|o| o.layer == Layer::Imported && o.method != "GET" && !written(&o.key()))
    };
    // The POSTs first: a PATCH or DELETE is built on the record its collection's POST makes.
    for op in imported().filter(|o| o.method == "POST") {
        let built = post(spec, op);
        out.keep(op, built);
    }
    for op in imported().filter(|o| o.method != "POST") {
        let made = collection_of(&op.path)
            .map(|c| format!("POST {c}"))
            .filter(|k| out.samples.contains_key(k));
        let built = match made {
            Some(k) => on_made(spec, op, &k, &out.samples[&k]),
            None => Err(no_record_of_its_own(op, &out.unbuilt)),
        };
        out.keep(op, built);
    }
    out
}

impl Built {
    /// `op`'s sample, or why it has none.
    fn keep(&mut self, op: &Operation, built: Result<Sample, String>) {
        match built {
            Ok(mut s) => {
                s.successes = op.success_statuses();
                self.samples.insert(op.key(), s);
            }
            Err(why) => {
                self.unbuilt.insert(op.key(), why);
            }
        }
    }
}

/// Why a PATCH or DELETE has no built request: it would change a record the run did not make.
fn no_record_of_its_own(op: &Operation, unbuilt: &BTreeMap<String, String>) -> String {
    match collection_of(&op.path) {
        Some(c) => match unbuilt.get(&format!("POST {c}")) {
            Some(why) => format!(
                "it would change a record the run did not make, and no record of its own can be made: POST {c} is not built ({why})"
            ),
            None => format!(
                "it would change a record the run did not make: no POST makes a record of {c} (on a production cluster the records there are someone's)"
            ),
        },
        None => format!(
            "it changes {} itself, not a record the run made (on a production cluster that is someone's setting)",
            op.path
        ),
    }
}

/// The collection a record path belongs to: the path without its trailing parameters
/// (`/api/storage/volumes/{uuid}` → `/api/storage/volumes`); `None` for a path that does not end
/// in one.
fn collection_of(path: &str) -> Option<&str> {
    let mut at = path;
    let mut stripped = false;
    while let Some((head, last)) = at.rsplit_once('/') {
        if !last.starts_with('{') {
            break;
        }
        at = head;
        stripped = true;
    }
    stripped.then_some(at)
}

/// The basis of a built request: NetApp's file, which lists the required properties.
fn basis(op: &Operation) -> Value {
    op.imported.as_ref().map_or_else(
        || json!({"observed": "NetApp's definition"}),
        super::imported_basis,
    )
}

/// A POST built from its required properties, with the setup that reads what it refers to,
/// the read that finds what it made and the undo that removes it.
fn post(spec: &Spec, op: &Operation) -> Result<Sample, String> {
    let items = op.required_properties.as_ref().and_then(Value::as_array).ok_or_else(|| {
        "NetApp's file lists no required properties for it, so no request known to be carried out can be built".to_string()
    })?;
    let schema = op
        .request()
        .map(|s| &s.resolved)
        .ok_or("it documents no request body")?;
    let get = spec
        .operation("GET", &op.path)
        .ok_or("no GET lists what it makes, so neither a read-back nor an undo can find it")?;
    let delete = spec
        .operations
        .iter()
        .find(|o| o.method == "DELETE" && collection_of(&o.path) == Some(op.path.as_str()))
        .ok_or(
            "no DELETE removes what it makes (an action or a setting), so a check could not leave the target as it found it",
        )?;
    if settable(schema, "name")
        .is_none_or(|p| p.get("type").and_then(Value::as_str) != Some("string"))
    {
        return Err(
            "what it makes has no `name` to carry the run id, so neither its undo nor `cleanup` could find it"
                .into(),
        );
    }
    let mut b = Builder {
        spec,
        op,
        schema,
        body: Map::new(),
        setup: Vec::new(),
        path: Map::new(),
    };
    b.path_params()?;
    let own_keys: Vec<&str> = delete
        .path_params()
        .filter(|p| !op.path.contains(&format!("{{{p}}}")))
        .collect();
    if own_keys == ["svm.uuid"] {
        return Err(
            "there is one per SVM (its key is the SVM): making one changes what an SVM serves, and an SVM that has one refuses another"
                .into(),
        );
    }
    for item in items {
        b.item(item)?;
    }
    // Made in the run's SVM: found there.
    let in_svm = b.body.contains_key("svm");
    let name = "{{case_name}}";
    b.body.insert("name".into(), json!(name));

    // What finds the record made: its name (and the run's SVM), its keys captured.
    let record = get
        .responses
        .get("200")
        .and_then(|r| r.schema())
        .and_then(|s| s.resolved.pointer("/properties/records/items"))
        .ok_or("its GET lists no records")?;
    let mut fields = Vec::new();
    let mut capture = Map::new();
    let mut delete_path = b.path.clone();
    for k in &own_keys {
        let f = super::collection::field_of(record, k)
            .ok_or_else(|| format!("its records do not show the key `{k}` its DELETE takes"))?;
        let var = format!("made_{}", k.replace('.', "_"));
        capture.insert(var.clone(), json!(format!("records.0.{f}")));
        delete_path.insert(k.to_string(), json!(format!("{{{{{var}}}}}")));
        fields.push(f);
    }
    let documented = |n: &str| get.parameters.iter().any(|p| p.name == n);
    if !documented("name") {
        return Err("its GET has no `name` filter to find what it made by".into());
    }
    let mut query = Map::new();
    query.insert("name".into(), json!(name));
    if in_svm && documented("svm.name") {
        query.insert("svm.name".into(), json!("{{svm.name}}"));
    }
    let mut read = json!({"operation": get.key(), "query": query.clone()});
    if !b.path.is_empty() {
        read["path"] = Value::Object(b.path.clone());
    }
    query.insert("fields".into(), json!(fields.join(",")));
    let mut find = read.clone();
    find["query"] = Value::Object(query);
    let undo = json!({"operation": delete.key(), "path": delete_path});
    Ok(Sample {
        basis: basis(op),
        setup: b.setup,
        path: b.path,
        body: Some(Value::Object(b.body)),
        read: Some(read),
        undo: Some(undo),
        find: Some(json!({
            "name": "find what the check made",
            "request": find,
            "capture": capture,
        })),
        ..Sample::default()
    })
}

/// A PATCH or DELETE of the record the POST `made` makes: that POST runs first (and is undone
/// last), the record is found by its name, and the PATCH sets its `comment`.
fn on_made(spec: &Spec, op: &Operation, made: &str, post: &Sample) -> Result<Sample, String> {
    let mut path = post.path.clone();
    for p in op.path_params() {
        if !path.contains_key(p) {
            path.insert(
                p.to_string(),
                json!(format!("{{{{made_{}}}}}", p.replace('.', "_"))),
            );
        }
    }
    let body = if op.method == "PATCH" {
        let schema = op
            .request()
            .map(|s| &s.resolved)
            .ok_or("it documents no request body")?;
        settable(schema, "comment")
            .filter(|p| p.get("type").and_then(Value::as_str) == Some("string"))
            .ok_or(
                "it has no `comment` to change: a change to any other field of a record changes what the record does, which a built request does not guess",
            )?;
        Some(json!({"comment": "ontap-conform {{run_id}}"}))
    } else {
        None
    };
    // A refused PATCH must leave the record as it was: read it whole before and after.
    let read = (op.method == "PATCH")
        .then(|| spec.operation("GET", &op.path))
        .flatten()
        .map(|get| json!({"operation": get.key(), "path": path.clone(), "query": {"fields": "comment"}}));
    Ok(Sample {
        basis: basis(op),
        needs: Some(made.to_string()),
        path,
        body,
        read,
        ..Sample::default()
    })
}

/// A request being built: its body, its path and the setup steps that read what it refers to.
struct Builder<'a> {
    spec: &'a Spec,
    op: &'a Operation,
    schema: &'a Value,
    body: Map<String, Value>,
    setup: Vec<Value>,
    path: Map<String, Value>,
}

impl Builder<'_> {
    /// Whether what is built belongs to an SVM (its schema has `svm`): then `svm` is the run's,
    /// and what it refers to is read in that SVM.
    fn scoped(&self) -> bool {
        schema_has(self.schema, "svm")
    }

    /// The path's parameters: the run's SVM for `{svm.uuid}`; a nested collection's parent
    /// keys read from its parent's first record.
    fn path_params(&mut self) -> Result<(), String> {
        let params: Vec<&str> = self.op.path_params().collect();
        if params.is_empty() {
            return Ok(());
        }
        if params == ["svm.uuid"] {
            self.path.insert("svm.uuid".into(), json!("{{svm.uuid}}"));
            return Ok(());
        }
        let scope = super::collection::Scope::of(self.spec, self.op).ok_or_else(|| {
            format!(
                "its path's keys ({}) cannot be read from a parent collection",
                params.join(", ")
            )
        })?;
        let (setup, path) = scope.into_parts();
        self.setup.extend(setup);
        self.path.extend(path);
        Ok(())
    }

    /// One required item: the first of its fields that can be given.
    fn item(&mut self, item: &Value) -> Result<(), String> {
        if let Some(text) = item.get("text").and_then(Value::as_str) {
            return Err(format!(
                "NetApp's file says what it requires in prose a build cannot follow: \"{text}\""
            ));
        }
        let fields: Vec<&str> = item
            .get("any_of")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(Value::as_str)
            .collect();
        if item.get("conditional") == Some(&json!(true)) {
            let note = item.get("note").and_then(Value::as_str).unwrap_or("");
            return Err(format!(
                "NetApp's file requires `{}` only in some cases (\"{note}\"), which a build from the file cannot tell apart",
                fields.join("` or `")
            ));
        }
        // A name before a uuid: a reference by name reads as the file's own examples do.
        let mut ordered = fields.clone();
        ordered.sort_by_key(|f| !f.ends_with(".name"));
        let mut why = Vec::new();
        for f in ordered {
            match self.field(f) {
                Ok(()) => return Ok(()),
                Err(w) => why.push(w),
            }
        }
        Err(why.join("; "))
    }

    /// Gives the dotted field `f`, or says why it cannot.
    fn field(&mut self, f: &str) -> Result<(), String> {
        if self.op.path_params().any(|p| p == f) || f.starts_with("records.") {
            return Ok(());
        }
        if f == "name" {
            return Ok(()); // the run-id name, given for every built request
        }
        let parts: Vec<&str> = f.split('.').collect();
        if parts[0] == "svm" {
            if !self.scoped() {
                return Err(format!("`{f}` is not in the request schema"));
            }
            self.body
                .insert("svm".into(), json!({"name": "{{svm.name}}"}));
            return Ok(());
        }
        let last = *parts.last().unwrap_or(&f);
        if let Some((_, what)) = NEVER_INVENTED.iter().find(|(n, _)| *n == last) {
            return Err(format!(
                "`{f}` would be {what}: a value made up for it could point the cluster at something real"
            ));
        }
        let prop = at_path(self.schema, &parts)
            .ok_or_else(|| format!("`{f}` is not in the request schema"))?;
        if parts.len() >= 2 && matches!(last, "name" | "uuid") {
            let of = parts[parts.len() - 2];
            return self.reference(f, of);
        }
        // A reference given whole (`copies.schedule`): by its name.
        if props(&prop).contains_key("name") {
            return self.reference(&format!("{f}.name"), last);
        }
        let value = scalar(&prop).ok_or_else(|| {
            format!(
                "`{f}` has no enum or example to take a value from, and a made-up value is a guess"
            )
        })?;
        insert_path(&mut self.body, self.schema, &parts, value);
        Ok(())
    }

    /// The reference `f` to a record of the collection `of` names, read from the target.
    fn reference(&mut self, f: &str, of: &str) -> Result<(), String> {
        if let Some((_, why)) = NEVER_BOUND.iter().find(|(n, _)| *n == of) {
            return Err(format!(
                "`{f}` is never filled with the target's own records: {why}"
            ));
        }
        let want = singular(of);
        let mut found = self.spec.operations.iter().filter(|o| {
            o.method == "GET"
                && !o.path.contains('{')
                && o.path.rsplit('/').next().map(singular).as_deref() == Some(want.as_str())
                && o.responses
                    .get("200")
                    .and_then(|r| r.schema())
                    .is_some_and(|s| s.resolved.pointer("/properties/records").is_some())
        });
        let list = match (found.next(), found.next()) {
            (Some(l), None) => l,
            (None, _) => return Err(format!("`{f}`: no collection of {of} records to refer to")),
            _ => {
                return Err(format!(
                    "`{f}`: more than one collection could be the {of} it names"
                ));
            }
        };
        let key = f.rsplit('.').next().unwrap_or("name");
        let var = format!("ref_{}", f.replace('.', "_"));
        let mut query = json!({"max_records": 1, "fields": key});
        if self.scoped() && list.parameters.iter().any(|p| p.name == "svm.name") {
            query["svm.name"] = json!("{{svm.name}}");
        }
        self.setup.push(json!({
            "name": format!("a record of {} to refer to", list.path),
            "request": {"operation": list.key(), "query": query},
            "capture": {var.clone(): {"from": format!("records.0.{key}"), "or_skip": format!("the target has no record of {} for `{f}` to name", list.path)}},
        }));
        let parts: Vec<&str> = f.split('.').collect();
        insert_path(
            &mut self.body,
            self.schema,
            &parts,
            json!(format!("{{{{{var}}}}}")),
        );
        Ok(())
    }
}

/// A scalar value from the schema alone: its enum's first value, else its example (of the
/// schema's type).
fn scalar(prop: &Value) -> Option<Value> {
    if let Some(first) = prop
        .get("enum")
        .and_then(Value::as_array)
        .and_then(|e| e.first())
    {
        return Some(first.clone());
    }
    let ty = prop.get("type").and_then(Value::as_str).unwrap_or("");
    let example = prop.get("example")?;
    let fits = match ty {
        "string" => example.is_string(),
        "integer" => example.is_i64() || example.is_u64(),
        "number" => example.is_number(),
        "boolean" => example.is_boolean(),
        "array" => example.is_array(),
        _ => false,
    };
    fits.then(|| example.clone())
}

/// The properties of an object schema, its `allOf` members' included.
fn props(schema: &Value) -> Map<String, Value> {
    let mut out = Map::new();
    if let Some(p) = schema.get("properties").and_then(Value::as_object) {
        out.extend(p.clone());
    }
    for m in schema
        .get("allOf")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        for (k, v) in props(m) {
            out.entry(k).or_insert(v);
        }
    }
    out
}

/// Whether the object schema has the property `name`.
fn schema_has(schema: &Value, name: &str) -> bool {
    props(schema).contains_key(name)
}

/// The property `name` when a POST may set it (not readOnly).
fn settable(schema: &Value, name: &str) -> Option<Value> {
    props(schema)
        .get(name)
        .filter(|p| p.get("readOnly") != Some(&json!(true)))
        .cloned()
}

/// The schema at a dotted path, entering arrays at their items.
fn at_path(schema: &Value, parts: &[&str]) -> Option<Value> {
    let mut at = schema.clone();
    for p in parts {
        let mut next = props(&at).get(*p)?.clone();
        if next.get("type").and_then(Value::as_str) == Some("array") {
            next = next.get("items")?.clone();
        }
        at = next;
    }
    Some(at)
}

/// Sets the dotted path in `body`, an array along it as its first item.
fn insert_path(body: &mut Map<String, Value>, schema: &Value, parts: &[&str], value: Value) {
    let Some((head, rest)) = parts.split_first() else {
        return;
    };
    let prop = props(schema).get(*head).cloned().unwrap_or(Value::Null);
    let array = prop.get("type").and_then(Value::as_str) == Some("array");
    if rest.is_empty() {
        let v = if array && !value.is_array() {
            json!([value])
        } else {
            value
        };
        body.entry(head.to_string()).or_insert(v);
        return;
    }
    let inner = if array {
        prop.get("items").cloned().unwrap_or(Value::Null)
    } else {
        prop
    };
    let slot = body
        .entry(head.to_string())
        .or_insert_with(|| if array { json!([{}]) } else { json!({}) });
    let obj = match slot {
        Value::Array(items) => items.first_mut(),
        other => Some(other),
    };
    if let Some(Value::Object(m)) = obj {
        insert_path(m, &inner, rest, value);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn built() -> (Spec, Built) {
        let spec = Spec::load(None).expect("the built-in spec");
        let built = build(&spec, &|k| {
            spec.operations
                .iter()
                .any(|o| o.key() == k && o.sample.is_some())
        });
        (spec, built)
    }

    #[test]
    fn a_volume_is_built_from_the_required_properties_with_the_run_id_in_its_name() {
        let (_, b) = built();
        let s = &b.samples["POST /api/storage/volumes"];
        assert_eq!(
            s.body,
            Some(
                json!({"svm": {"name": "{{svm.name}}"}, "name": "{{case_name}}", "aggregates": [{"name": "{{ref_aggregates_name}}"}]})
            )
        );
        assert_eq!(
            s.setup[0]["request"]["operation"],
            "GET /api/storage/aggregates"
        );
        assert_eq!(
            s.undo.as_ref().unwrap()["operation"],
            "DELETE /api/storage/volumes/{uuid}"
        );
        assert_eq!(
            s.find.as_ref().unwrap()["request"]["query"]["name"],
            "{{case_name}}"
        );
        // A PATCH of a volume changes only the comment of the one the check made.
        let p = &b.samples["PATCH /api/storage/volumes/{uuid}"];
        assert_eq!(p.needs.as_deref(), Some("POST /api/storage/volumes"));
        assert_eq!(p.body, Some(json!({"comment": "ontap-conform {{run_id}}"})));
        // A snapshot policy's copies name a schedule the target holds, but their count has
        // no example to take.
        let why = &b.unbuilt["POST /api/storage/snapshot-policies"];
        assert!(
            why.contains("`copies.count` has no enum or example"),
            "{why}"
        );
    }

    #[test]
    fn what_would_reach_outside_the_cluster_or_change_someones_record_is_not_built() {
        let (_, b) = built();
        for (key, words) in [
            ("POST /api/network/ip/interfaces", "would be an address"),
            (
                "POST /api/protocols/nfs/kerberos/realms",
                "`kdc.ip` would be an address",
            ),
            ("POST /api/protocols/san/lun-maps", "no `name`"),
            ("PATCH /api/cluster", "not a record the run made"),
            ("POST /api/protocols/s3/services", "one per SVM"),
            (
                "POST /api/protocols/nfs/export-policies/{policy.id}/rules",
                "no `name`",
            ),
            ("PATCH /api/cluster/jobs/{uuid}", "no POST makes a record"),
        ] {
            let why = b
                .unbuilt
                .get(key)
                .unwrap_or_else(|| panic!("{key} was built"));
            assert!(why.contains(words), "{key}: {why}");
        }
        assert!(!b.samples.contains_key("POST /api/protocols/san/lun-maps"));
    }

    #[test]
    fn an_existing_lun_is_never_bound_to_anything() {
        let spec = Spec::load(None).expect("the built-in spec");
        let op = spec
            .operation("POST", "/api/protocols/san/lun-maps")
            .expect("lun maps");
        let schema = &op.request().expect("a body").resolved;
        let mut b = Builder {
            spec: &spec,
            op,
            schema,
            body: Map::new(),
            setup: Vec::new(),
            path: Map::new(),
        };
        let why = b.field("lun.name").expect_err("refused");
        assert!(why.contains("gives its hosts the LUN's data"), "{why}");
        assert!(b.field("svm.name").is_ok());
        assert_eq!(
            Value::Object(b.body),
            json!({"svm": {"name": "{{svm.name}}"}})
        );
    }

    #[test]
    fn singulars_and_collections() {
        assert_eq!(singular("snapshot-policies"), "snapshot_policy");
        assert_eq!(singular("aggregates"), "aggregate");
        assert_eq!(singular("schedule"), "schedule");
        assert_eq!(
            collection_of("/api/storage/volumes/{uuid}"),
            Some("/api/storage/volumes")
        );
        assert_eq!(collection_of("/api/a/{x}/{y}"), Some("/api/a"));
        assert_eq!(collection_of("/api/cluster"), None);
    }

    #[test]
    fn arrays_along_a_path_are_entered_at_their_first_item() {
        let schema = json!({"properties": {"copies": {"type": "array", "items": {"properties": {"schedule": {"properties": {"name": {"type": "string"}}}, "count": {"type": "integer"}}}}}});
        let mut body = Map::new();
        insert_path(
            &mut body,
            &schema,
            &["copies", "schedule", "name"],
            json!("daily"),
        );
        insert_path(&mut body, &schema, &["copies", "count"], json!(1));
        assert_eq!(
            Value::Object(body),
            json!({"copies": [{"schedule": {"name": "daily"}, "count": 1}]})
        );
    }
}
