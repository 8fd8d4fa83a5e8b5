//! The resources the engine serves, read from the paths of NetApp's definition alone.
//!
//! - A GET on a path that ends in a literal segment and answers `records` is a **collection**;
//!   the same path followed by parameters only (`/api/storage/volumes/{uuid}`) is the GET of
//!   **one record**, its parameters the record's keys.
//! - A collection whose path begins with another's record path
//!   (`/api/storage/volumes/{volume.uuid}/snapshots`) is **nested**: its records live under one
//!   record of the parent each.
//! - Any other GET answers **one object**: a singleton (`/api/support/autosupport`), or an
//!   object under a parent record.
//! - A path parameter that neither names a parent record nor is a key of a record the engine
//!   lists is **free**: a value the client chooses (a file path), which the engine takes as
//!   given.
//! - The POST, PATCH and DELETE operations the file documents on those paths are the
//!   resource's **writes**; a path that documents writes and no GET (`.../restore`,
//!   `/api/storage/file/clone`) is an **action** on the record whose path it begins with.
//!
//! Nothing here names a resource: the table is the document's paths.

use serde_json::Value;

use super::document::{Document, Operation, PathItem, Schema};

/// A resource's index in [`Resources::list`].
pub type ResId = usize;

/// What a GET on a resource's path answers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shape {
    /// `{records, num_records, _links}`.
    Collection,
    /// One object.
    Object,
}

/// A path parameter the engine reads: its name as the path writes it, and the record field it
/// names (dotted), when the record has one.
#[derive(Debug, Clone)]
pub struct Param {
    pub name: String,
    pub field: Option<String>,
    /// The parameter's own type (`integer` for an index), for keys no field carries.
    pub integer: bool,
}

/// One record's path (a collection's GET of one record).
#[derive(Debug)]
pub struct Instance {
    pub template: String,
    /// Its own keys, after the collection's path.
    pub keys: Vec<Param>,
    /// Query parameters its GET documents.
    pub query: Vec<String>,
}

/// One write operation NetApp's file documents, with the path it is on (whose parameters it
/// shares).
#[derive(Debug, Clone, Copy)]
pub struct Write {
    pub op: &'static Operation,
    pub item: &'static PathItem,
}

impl Write {
    /// The query parameters the operation documents.
    pub fn query(&self) -> impl Iterator<Item = &'static str> {
        self.op.query(self.item)
    }
}

/// The writes documented on one path.
#[derive(Debug, Default, Clone, Copy)]
pub struct Writes {
    pub post: Option<Write>,
    pub patch: Option<Write>,
    pub delete: Option<Write>,
}

impl Writes {
    fn of(item: &'static PathItem) -> Writes {
        let write = |op: &'static Option<Operation>| op.as_ref().map(|op| Write { op, item });
        Writes {
            post: write(&item.post),
            patch: write(&item.patch),
            delete: write(&item.delete),
        }
    }

    pub fn any(&self) -> bool {
        self.post.is_some() || self.patch.is_some() || self.delete.is_some()
    }
}

/// A path that documents writes and no GET: an action on a record, or on the cluster.
#[derive(Debug)]
pub struct Action {
    pub template: String,
    pub writes: Writes,
    /// The collection whose record path the action's path begins with.
    pub parent: Option<ResId>,
    /// How many path parameters that record path has (they come first).
    pub parent_params: usize,
}

/// A collection or object the engine serves.
#[derive(Debug)]
pub struct Resource {
    /// The GET's path as NetApp's file writes it.
    pub template: String,
    pub shape: Shape,
    /// The schema of one record (a collection's `records` items; an object's whole answer).
    pub record: &'static Schema,
    /// The collection one of whose records this resource lives under.
    pub parent: Option<ResId>,
    /// How many path parameters the parent's record path has (they come first).
    pub parent_params: usize,
    /// Parameters of this resource's own path that name nothing the engine lists.
    pub free: Vec<Param>,
    pub instance: Option<Instance>,
    /// Query parameters its GET documents.
    pub query: Vec<String>,
    /// The singular of its last literal segment (`snapshot-policies` → `snapshot_policy`):
    /// what its records are called (`snapshot_policy1`) and what a reference to it is named.
    pub label: String,
    /// The writes on the collection's or object's own path.
    pub writes: Writes,
    /// The writes on one record's path.
    pub record_writes: Writes,
}

/// The resources, parents before their children, and the actions.
#[derive(Debug, Default)]
pub struct Resources {
    pub list: Vec<Resource>,
    pub actions: Vec<Action>,
}

fn segments(template: &str) -> Vec<&str> {
    template.trim_start_matches('/').split('/').collect()
}

fn is_param(segment: &str) -> bool {
    segment.starts_with('{') && segment.ends_with('}')
}

fn param_name(segment: &str) -> &str {
    segment.trim_start_matches('{').trim_end_matches('}')
}

/// Whether two templates are the same path, parameters' names aside.
pub fn same_shape(a: &[&str], b: &[&str]) -> bool {
    a.len() == b.len()
        && a.iter()
            .zip(b)
            .all(|(x, y)| (is_param(x) && is_param(y)) || x == y)
}

/// The singular of a path segment, as a name: `volumes` → `volume`, `policies` → `policy`,
/// `aliases` → `alias`, `chassis` stays.
pub fn singular(segment: &str) -> String {
    let s = segment.replace('-', "_");
    if let Some(stem) = s.strip_suffix("ies") {
        return format!("{stem}y");
    }
    for ending in ["sses", "shes", "ches", "xes", "ases"] {
        if s.ends_with(ending) {
            return s[..s.len() - 2].to_string();
        }
    }
    if s.ends_with("ss") || s.ends_with("is") || s.ends_with("us") {
        return s;
    }
    s.strip_suffix('s').map_or(s.clone(), str::to_string)
}

/// The record field a path parameter names: the dotted name itself (`svm.uuid`), else its last
/// part at the top (`policy.uuid` → `uuid`), else the one field two levels down ending so
/// (`{uuid}` of a snapshot policy's schedule → `schedule.uuid`).
fn field_of(doc: &Document, record: &Schema, name: &str) -> Option<String> {
    let scalar = |s: &Schema| !doc.is_object(s) && doc.scalar(s).kind.as_deref() != Some("array");
    if doc.field(record, name).is_some_and(scalar) {
        return Some(name.to_string());
    }
    let last = name.rsplit('.').next().unwrap_or(name);
    if doc.property(record, last).is_some_and(scalar) {
        return Some(last.to_string());
    }
    let nested: Vec<String> = doc
        .properties(record)
        .into_iter()
        .filter(|(_, s)| doc.is_object(s))
        .filter(|(_, s)| doc.property(s, last).is_some_and(scalar))
        .map(|(n, _)| format!("{n}.{last}"))
        .collect();
    match nested.as_slice() {
        [one] => Some(one.clone()),
        _ => None,
    }
}

/// The query parameters a GET documents.
fn query_of(doc: &Document, path: &str) -> Vec<String> {
    let Some(item) = doc.paths.get(path) else {
        return Vec::new();
    };
    item.parameters
        .iter()
        .chain(item.get.iter().flat_map(|g| &g.parameters))
        .filter(|p| p.location == "query")
        .map(|p| p.name.clone())
        .collect()
}

fn params(doc: &Document, path: &str, record: &Schema, names: &[&str]) -> Vec<Param> {
    let declared = |name: &str| {
        doc.paths.get(path).and_then(|item| {
            item.parameters
                .iter()
                .chain(item.get.iter().flat_map(|g| &g.parameters))
                .find(|p| p.location == "path" && p.name == name)
                .and_then(|p| p.schema.as_ref())
                .and_then(|s| s.kind.clone())
        })
    };
    names
        .iter()
        .map(|n| Param {
            name: n.to_string(),
            field: field_of(doc, record, n),
            integer: declared(n).as_deref() == Some("integer"),
        })
        .collect()
}

/// A GET's answer: a collection's record schema, or an object's.
fn answer(doc: &'static Document, ok: &'static Schema) -> (Shape, &'static Schema) {
    match doc.property(ok, "records") {
        Some(records) => {
            let item = records.items.as_deref().and_then(|i| doc.resolve(i));
            (Shape::Collection, item.unwrap_or(ok))
        }
        None => (Shape::Object, ok),
    }
}

impl Resources {
    /// The resources of every GET of `doc` for which `served_by_hand` is false (the route
    /// table's own handlers keep those paths), their writes, and the actions on paths the
    /// route table does not know (`known_by_hand`).
    pub fn of(
        doc: &'static Document,
        served_by_hand: impl Fn(&str) -> bool,
        known_by_hand: impl Fn(&str) -> bool,
    ) -> Resources {
        let mut out = Resources::reads(doc, served_by_hand);
        for (path, item) in &doc.paths {
            let writes = Writes::of(item);
            if !writes.any() {
                continue;
            }
            if let Some(res) = out.list.iter_mut().find(|r| r.template == *path) {
                res.writes = writes;
            } else if let Some(res) = out
                .list
                .iter_mut()
                .find(|r| r.instance.as_ref().is_some_and(|i| i.template == *path))
            {
                res.record_writes = writes;
            } else if item.get.is_none() && !known_by_hand(path) {
                let (parent, parent_params) = out.parent_of(&segments(path));
                out.actions.push(Action {
                    template: path.clone(),
                    writes,
                    parent,
                    parent_params,
                });
            }
        }
        out
    }

    /// The collection the longest record path that a path (split) begins with is one of, and
    /// the number of that record path's parameters.
    fn parent_of(&self, segs: &[&str]) -> (Option<ResId>, usize) {
        let found = (1..segs.len()).rev().find_map(|k| {
            self.list
                .iter()
                .position(|r| {
                    r.instance
                        .as_ref()
                        .is_some_and(|i| same_shape(&segments(&i.template), &segs[..k]))
                })
                .map(|id| (id, k))
        });
        match found {
            Some((id, k)) => (Some(id), segs[..k].iter().filter(|s| is_param(s)).count()),
            None => (None, 0),
        }
    }

    fn reads(doc: &'static Document, served_by_hand: impl Fn(&str) -> bool) -> Resources {
        let gets: Vec<(&str, &'static Schema)> = doc
            .paths
            .iter()
            .filter(|(path, _)| !served_by_hand(path))
            .filter_map(|(path, item)| Some((path.as_str(), doc.ok_schema(item.get.as_ref()?)?)))
            .collect();
        // Shorter paths first: a parent's path is a prefix of its children's.
        let mut order: Vec<usize> = (0..gets.len()).collect();
        order.sort_by_key(|&i| (segments(gets[i].0).len(), gets[i].0));
        let mut out = Resources::default();
        for &i in &order {
            let (path, ok) = gets[i];
            let segs = segments(path);
            let own = segs.iter().rposition(|s| !is_param(s)).map_or(0, |p| p + 1);
            if own < segs.len() {
                let prefix = format!("/{}", segs[..own].join("/"));
                let listed = out.list.iter().any(|r| {
                    r.template == prefix && r.shape == Shape::Collection && r.instance.is_none()
                });
                if listed {
                    out.attach_instance(doc, &prefix, path, &segs[own..]);
                    continue;
                }
            }
            out.add(doc, path, ok);
        }
        out
    }

    fn attach_instance(&mut self, doc: &Document, collection: &str, path: &str, keys: &[&str]) {
        let Some(res) = self.list.iter_mut().find(|r| r.template == collection) else {
            return;
        };
        let names: Vec<&str> = keys.iter().map(|k| param_name(k)).collect();
        res.instance = Some(Instance {
            template: path.to_string(),
            keys: params(doc, path, res.record, &names),
            query: query_of(doc, path),
        });
    }

    fn add(&mut self, doc: &'static Document, path: &str, ok: &'static Schema) {
        let segs = segments(path);
        let (shape, record) = answer(doc, ok);
        let (parent, parent_params) = self.parent_of(&segs);
        let free: Vec<&str> = segs
            .iter()
            .filter(|s| is_param(s))
            .skip(parent_params)
            .map(|s| param_name(s))
            .collect();
        let label = segs
            .iter()
            .rev()
            .find(|s| !is_param(s))
            .map_or_else(String::new, |s| singular(s));
        self.list.push(Resource {
            template: path.to_string(),
            shape,
            record,
            parent,
            parent_params,
            free: params(doc, path, record, &free),
            instance: None,
            query: query_of(doc, path),
            label,
            writes: Writes::default(),
            record_writes: Writes::default(),
        });
    }

    /// The top-level collection a reference called `name` points at (`node` → the nodes): the
    /// one collection with that label whose records are keyed by their `uuid` or `name`.
    /// `None` when none is, or several are.
    pub fn referenced(&self, name: &str) -> Option<ResId> {
        let label = singular(name);
        let mut found = self.list.iter().enumerate().filter(|(_, r)| {
            r.parent.is_none()
                && r.free.is_empty()
                && r.label == label
                && r.instance.as_ref().is_some_and(|i| {
                    matches!(i.keys.as_slice(), [k] if matches!(k.field.as_deref(), Some("uuid" | "name")))
                })
        });
        match (found.next(), found.next()) {
            (Some((id, _)), None) => Some(id),
            _ => None,
        }
    }
}

/// A key's value as it appears in a path: a string as it is, a number or boolean written out.
pub fn key_text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Null => String::new(),
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn singulars() {
        for (plural, one) in [
            ("volumes", "volume"),
            ("snapshot-policies", "snapshot_policy"),
            ("aliases", "alias"),
            ("chassis", "chassis"),
            ("addresses", "address"),
            ("keys", "key"),
            ("services", "service"),
        ] {
            assert_eq!(singular(plural), one);
        }
    }
}
