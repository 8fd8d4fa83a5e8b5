//! The seeded cluster: records for every resource, made from the record schemas alone, the same
//! on every start.
//!
//! - [`PER_SCOPE`] records per collection, and per parent record for a nested one (two
//!   snapshots under each volume); one object per singleton, or per parent record.
//! - Every field a response may carry is filled (`readOnly` ones too), by [`super::values`];
//!   `writeOnly` fields never exist here, so no answer can leak them.
//! - A record's `name` is `<resource><n>` (`volume1`), its `uuid` a UUID of its path and number.
//! - An object field named after a top-level collection (`node`, `aggregate`) names one of its
//!   records, by the same rule (`node1` and its UUID), so the seeded references agree.
//! - Every `svm` names the emulator's SVMs ([`SVMS`]); a nested record belongs to its parent's.
//! - The fields a nested path's parameters name (`volume` of a snapshot) are the parent's.
//! - Keys differ between the records of a scope ([`super::values::distinct`]).

use serde_json::{Map, Value, json};

use super::document::{Document, MAX_DEPTH, Schema};
use super::fresh;
use super::resources::{ResId, Resource, Resources, Shape, key_text, singular};
use super::store::{Record, Store, href};
use super::values::{self, det_uuid};
use crate::state::{CLUSTER_NAME, CLUSTER_UUID, SVM1_UUID, SVM2_UUID};

/// Records per collection, per parent record for a nested one: enough for paging and filters
/// to have something to tell apart, few enough that the cluster starts at once.
pub const PER_SCOPE: usize = 2;

/// The table of seeds: the one value the schemas cannot give. Every `svm` reference names the
/// emulator's SVMs, with the UUIDs its hand-written routes use (`state.rs`), so an `svm.uuid`
/// taken from `/api/svm/svms` finds the engine's records too.
pub const SVMS: [(&str, &str); 2] = [("svm1", SVM1_UUID), ("svm2", SVM2_UUID)];

/// The UUID the emulator gives the seeded record `name` of the resource at `template`, where it
/// gives one of its own: the SVMs of [`SVMS`] (their records are the engine's) and the cluster
/// (`state.rs`'s `CLUSTER_UUID`, which the accounts' owner and the tests name).
fn known_uuid(template: &str, name: &str) -> Option<&'static str> {
    match template {
        super::SVM_COLLECTION => SVMS.iter().find(|(n, _)| *n == name).map(|(_, u)| *u),
        super::CLUSTER if name == CLUSTER_NAME => Some(CLUSTER_UUID),
        _ => None,
    }
}

/// The seeded records of every resource.
pub fn seed(doc: &Document, resources: &Resources) -> Store {
    let mut store = Store {
        records: vec![Vec::new(); resources.list.len()],
        next_id: 0,
    };
    // `Resources` lists parents before their children.
    for (id, res) in resources.list.iter().enumerate() {
        let parents: Vec<Option<usize>> = match res.parent {
            Some(p) => (0..store.records[p].len()).map(Some).collect(),
            None => vec![None],
        };
        let count = match res.shape {
            Shape::Collection if res.parent.is_none() => {
                fresh::records(&res.template).map_or(PER_SCOPE, <[Value]>::len)
            }
            Shape::Collection => PER_SCOPE,
            Shape::Object => 1,
        };
        let mut made = Vec::new();
        for parent in parents {
            let parent_record = res.parent.zip(parent).map(|(p, i)| &store.records[p][i]);
            for index in 0..count {
                let maker = Maker {
                    doc,
                    resources,
                    res,
                    id,
                    index,
                    parent: parent_record,
                };
                made.push(maker.record());
            }
        }
        for record in made {
            store.insert(id, record);
        }
    }
    super::members::seeded(doc, &resources.list, &mut store);
    store
}

/// `name` and `uuid` of record `index` of a resource under the parent whose path parameters
/// are `scope`: what the record is called (a fresh cluster's name where [`fresh`] lists one)
/// and what references to it carry.
pub fn identity(res: &Resource, scope: &[String], index: usize) -> (String, String) {
    let name = match fresh::name(&res.template, index).filter(|_| scope.is_empty()) {
        Some(n) => n.to_string(),
        None => format!("{}{}", res.label, index + 1),
    };
    let uuid = match known_uuid(&res.template, &name).filter(|_| scope.is_empty()) {
        Some(u) => u.to_string(),
        None => det_uuid(&format!("{}|{}|{index}", res.template, scope.join("/"))),
    };
    (name, uuid)
}

/// One record being made.
struct Maker<'a> {
    doc: &'a Document,
    resources: &'a Resources,
    res: &'a Resource,
    id: ResId,
    index: usize,
    parent: Option<&'a Record>,
}

impl Maker<'_> {
    fn record(&self) -> Record {
        let scope: Vec<String> = self.parent.map_or_else(Vec::new, |p| p.params.clone());
        let (name, uuid) = identity(self.res, &scope, self.index);
        let mut set_specially = Vec::new();
        let mut body = Map::new();
        for (field, schema) in self.doc.properties(self.res.record) {
            // `records` on a record is a POST's way to make several (NetApp's 9.8 file: "Valid
            // in POST only"), never a field a record shows.
            if matches!(field, "_links" | "records") || self.doc.scalar(schema).write_only {
                continue;
            }
            let is_object = self.doc.is_object(schema);
            let value = if let Some(copied) = self.parent_value(field, schema) {
                set_specially.push(field);
                Some(copied)
            } else if is_object
                && (matches!(field, "svm" | "owner") || self.target(field).is_some())
            {
                set_specially.push(field);
                self.value(field, schema, 1)
            } else if field == "name"
                && schema.kind.as_deref() == Some("string")
                && schema.choices.is_none()
            {
                Some(Value::String(values::bounded(schema, name.clone())))
            } else if field == "uuid" && schema.kind.as_deref() == Some("string") {
                Some(Value::String(uuid.clone()))
            } else {
                self.value(field, schema, 1)
            };
            if let Some(v) = value {
                body.insert(field.to_string(), v);
            }
        }
        let mut body = Value::Object(body);
        if let Some(given) = self
            .parent
            .is_none()
            .then(|| fresh::record(&self.res.template, self.index))
            .flatten()
        {
            fresh::overlay(&mut body, given);
        }
        let mut params = scope;
        if let Some(instance) = &self.res.instance {
            for key in &instance.keys {
                params.push(self.key(&mut body, key, &set_specially));
            }
        }
        if let Some(link) = href(self.res, &params) {
            body["_links"] = json!({"self": {"href": link}});
        }
        Record::made(self.parent, params, body)
    }

    /// The value of a key of the record path, set in the body where the key is a field, and
    /// different from the other records' of the scope.
    fn key(&self, body: &mut Value, key: &super::resources::Param, special: &[&str]) -> String {
        let Some(field) = &key.field else {
            let last = key.name.rsplit('.').next().unwrap_or(&key.name);
            return if key.integer {
                (self.index + 1).to_string()
            } else if last == "uuid" {
                det_uuid(&format!(
                    "{}|{}|{}",
                    self.res.template, key.name, self.index
                ))
            } else {
                format!("{last}{}", self.index + 1)
            };
        };
        let pointer = format!("/{}", field.replace('.', "/"));
        let top = field.split('.').next().unwrap_or(field);
        let identity = (field == "uuid" || field == "name") && body.pointer(&pointer).is_some();
        let keep = special.contains(&top) || identity;
        if !keep && let Some(schema) = self.doc.field(self.res.record, field) {
            let last = field.rsplit('.').next().unwrap_or(field);
            let value = values::distinct(schema, last, self.index, &self.res.template);
            set(body, field, value);
        }
        body.pointer(&pointer).map(key_text).unwrap_or_default()
    }

    fn parent_value(&self, field: &str, schema: &Schema) -> Option<Value> {
        from_parent(self.doc, self.res, self.parent?, field, schema)
    }

    /// The top-level collection a field of this name refers to, other than this one.
    fn target(&self, field: &str) -> Option<ResId> {
        self.resources.referenced(field).filter(|&t| t != self.id)
    }

    /// A value for a field `name` at `depth` (1 for the record's own fields).
    fn value(&self, name: &str, schema: &Schema, depth: usize) -> Option<Value> {
        let schema = self.doc.resolve(schema)?;
        if depth > MAX_DEPTH {
            return None;
        }
        if self.doc.is_object(schema) {
            let mut out = self.object(schema, depth);
            let linked = self.doc.property(schema, "_links").is_some();
            // An `owner` (a role's, a public key's, an SNMP user's) is an SVM too (documented:
            // NetApp's 9.8 file, `POST /security/roles`: "specify either the SVM name as the
            // owner.name or SVM UUID as the owner.uuid").
            if name == "svm" || name == "owner" {
                let (svm_name, svm_uuid) = self.svm();
                let link = format!("/api/svm/svms/{svm_uuid}");
                refer(&mut out, svm_name, svm_uuid, linked.then_some(link));
            } else if let Some(target) = self.target(name) {
                let t = &self.resources.list[target];
                let j = self
                    .fresh_target(name, t, depth)
                    .unwrap_or(self.index % PER_SCOPE);
                let (n, u) = identity(t, &[], j);
                let key = match t.instance.as_ref().and_then(|i| i.keys.first()) {
                    Some(k) if k.field.as_deref() == Some("name") => n.clone(),
                    _ => u.clone(),
                };
                let link = href(t, &[key]).filter(|_| linked);
                refer(&mut out, &n, &u, link);
            }
            return Some(Value::Object(out));
        }
        let schema = self.doc.scalar(schema);
        if schema.write_only {
            return None;
        }
        if schema.kind.as_deref() == Some("array") {
            if let Some(example) = &schema.example
                && values::fits(&schema, example)
            {
                return Some(example.clone());
            }
            let item = schema.items.as_deref()?;
            let count = schema
                .min_items
                .unwrap_or(1)
                .max(1)
                .min(schema.max_items.unwrap_or(u64::MAX));
            let one = singular(name);
            let items = (0..count)
                .filter_map(|_| self.value(&one, item, depth + 1))
                .collect();
            return Some(Value::Array(items));
        }
        values::scalar(&schema, name, self.index, &self.res.template)
    }

    fn object(&self, schema: &Schema, depth: usize) -> Map<String, Value> {
        let mut out = Map::new();
        for (field, prop) in self.doc.properties(schema) {
            if field == "_links" {
                continue;
            }
            if let Some(v) = self.value(field, prop, depth + 1) {
                out.insert(field.to_string(), v);
            }
        }
        out
    }

    /// The record of `target` a fresh cluster's record names in its field `name` (a volume's
    /// `snapshot_policy` `default`), by its position.
    fn fresh_target(&self, name: &str, target: &Resource, depth: usize) -> Option<usize> {
        if depth != 1 || self.parent.is_some() {
            return None;
        }
        let given = fresh::record(&self.res.template, self.index)?
            .get(name)?
            .get("name")?
            .as_str()?;
        fresh::records(&target.template)?
            .iter()
            .position(|r| r.get("name").and_then(Value::as_str) == Some(given))
    }

    /// The SVM this record belongs to: its parent's, else the one a fresh cluster's record
    /// names, else one of [`SVMS`] in turn.
    fn svm(&self) -> (&'static str, &'static str) {
        let inherited = self
            .parent
            .and_then(|p| p.owner.as_deref())
            .and_then(|o| SVMS.iter().find(|(_, u)| *u == o));
        let named = || {
            let name =
                fresh::svm(&self.res.template, self.index).filter(|_| self.parent.is_none())?;
            SVMS.iter().find(|(n, _)| *n == name)
        };
        *inherited
            .or_else(named)
            .unwrap_or(&SVMS[self.index % SVMS.len()])
    }
}

/// A field the parent's path parameters name (`volume` of a snapshot, for `{volume.uuid}`),
/// taken from the parent record: its own object of that name, or its top-level fields (a
/// volume's `name` and `uuid`); and `svm` from a parent that has one. `None` for any other
/// field.
pub fn from_parent(
    doc: &Document,
    res: &Resource,
    parent: &Record,
    field: &str,
    schema: &Schema,
) -> Option<Value> {
    if !doc.is_object(schema) {
        return None;
    }
    if field == "svm" {
        return parent.body.get("svm").cloned();
    }
    let named = res
        .template
        .split('/')
        .filter(|s| s.starts_with('{'))
        .take(res.parent_params)
        .map(|s| s.trim_start_matches('{').trim_end_matches('}'))
        .any(|p| p.split('.').next().map(|o| o.replace('-', "_")).as_deref() == Some(field));
    if !named {
        return None;
    }
    let source = parent.body.get(field).unwrap_or(&parent.body);
    let mut out = Map::new();
    for (name, _) in doc.properties(schema) {
        if let Some(v) = source.get(name) {
            out.insert(name.to_string(), v.clone());
        }
    }
    Some(Value::Object(out))
}

/// The value the cluster gives a field of a new record that no request sets (a `readOnly`
/// one), made as seeding makes it: record number `index` of `res`'s scope under `parent`.
pub fn server_value(
    doc: &Document,
    resources: &Resources,
    id: ResId,
    index: usize,
    parent: Option<&Record>,
    name: &str,
    schema: &Schema,
) -> Option<Value> {
    let maker = Maker {
        doc,
        resources,
        res: &resources.list[id],
        id,
        index,
        parent,
    };
    maker.value(name, schema, 1)
}

/// Makes `object` a reference: its `name`, `uuid` and `_links` (where it has them) those of
/// the record referred to.
fn refer(object: &mut Map<String, Value>, name: &str, uuid: &str, link: Option<String>) {
    if object.contains_key("name") {
        object.insert("name".into(), Value::String(name.to_string()));
    }
    if object.contains_key("uuid") {
        object.insert("uuid".into(), Value::String(uuid.to_string()));
    }
    if let Some(link) = link {
        object.insert("_links".into(), json!({"self": {"href": link}}));
    }
}

/// Sets the dotted `field` of `body`, making the objects on the way.
pub fn set(body: &mut Value, field: &str, value: Value) {
    let mut at = body;
    let mut parts = field.split('.').peekable();
    while let Some(part) = parts.next() {
        if !at.is_object() {
            *at = Value::Object(Map::new());
        }
        let Some(map) = at.as_object_mut() else {
            return;
        };
        if parts.peek().is_none() {
            map.insert(part.to_string(), value);
            return;
        }
        at = map
            .entry(part.to_string())
            .or_insert_with(|| Value::Object(Map::new()));
    }
}
