//! One document read into what `spec diff` compares, per operation: its group, release, ONTAP
//! error codes, success statuses, query parameters and the fields of its bodies.
//!
//! It reads the document as the loader does (the same methods, parameters resolved with the
//! path item's, the JSON media type of a body) but keeps only what a diff needs, and compiles
//! nothing: a diff of two whole-API documents must not pay for validators it never runs.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::Arc;

use serde_json::Value;

use super::super::schema::resolve;
use super::super::{METHODS, route_of};
use super::flatten::{Field, flatten};
use crate::yaml::escape_segment;

/// The body key of a request body; a response body's key is its status (`200`).
pub const REQUEST: &str = "request";

/// A body's fields by path. Shared: one schema is the body of many operations (a volume is
/// POSTed, PATCHed and returned by two GETs), and is read once.
pub type Fields = Arc<BTreeMap<String, Field>>;

/// One operation, as the diff sees it.
#[derive(Debug, Clone, Default)]
pub struct OpFacts {
    pub method: String,
    pub path: String,
    /// Where the operation is listed: its first tag, else the first segment of its path after
    /// `/api` (`storage` for `/api/storage/volumes`).
    pub group: String,
    pub introduced_in: Option<String>,
    /// `x-ontap-errors` codes.
    pub codes: BTreeSet<String>,
    /// The documented 2xx statuses.
    pub statuses: BTreeSet<String>,
    pub query: BTreeSet<String>,
    /// [`REQUEST`] and each success status that documents a body, to its fields.
    pub bodies: BTreeMap<String, Fields>,
}

impl OpFacts {
    /// `GET /api/cluster`, as cases and reports name operations.
    pub fn key(&self) -> String {
        format!("{} {}", self.method, self.path)
    }
}

/// An operation is its route (the path with its parameters' names left out, as the layers of
/// the spec match operations: one document's `{uuid}` is another's `{volume.uuid}`) and its
/// method. They sort by path, then in the order the spec's methods are listed (GET, POST,
/// PATCH, DELETE): how a reader of ONTAP's reference expects them.
pub type OpKey = (String, usize);

/// A whole document, read.
#[derive(Debug, Default)]
pub struct Index {
    pub label: String,
    pub ops: BTreeMap<OpKey, OpFacts>,
    pub schemas: usize,
    /// `x-ontap-common-errors` codes: the ones any operation can answer.
    pub common_codes: BTreeSet<String>,
}

impl Index {
    /// The operation with this method (any case) and path template (its parameters' names
    /// aside).
    pub fn op(&self, method: &str, path: &str) -> Option<&OpFacts> {
        let rank = METHODS
            .iter()
            .position(|m| m.eq_ignore_ascii_case(method))?;
        self.ops.get(&(route_of(path), rank))
    }
}

/// Reads `doc`. The error names the pointer of a `$ref` that does not resolve.
pub fn index(label: &str, doc: &Value) -> Result<Index, String> {
    let fail = |(at, why): (String, String)| format!("{label}: {at}: {why}");
    let mut out = Index {
        label: label.to_string(),
        schemas: doc
            .pointer("/components/schemas")
            .and_then(Value::as_object)
            .map_or(0, |m| m.len()),
        common_codes: codes(doc.get("x-ontap-common-errors")),
        ..Index::default()
    };
    let Some(paths) = doc.get("paths").and_then(Value::as_object) else {
        return Ok(out);
    };
    let mut cache = Cache::default();
    for (path, item) in paths {
        for (rank, method) in METHODS.iter().enumerate() {
            let Some(op) = item.get(*method) else {
                continue;
            };
            let at = format!("/paths/{}/{method}", escape_segment(path));
            let facts = read_op(doc, path, method, item, op, &at, &mut cache).map_err(fail)?;
            // Two templates of one route in one document: the first is kept, as the loader
            // matches a request to one of them.
            out.ops.entry((route_of(path), rank)).or_insert(facts);
        }
    }
    Ok(out)
}

fn read_op(
    doc: &Value,
    path: &str,
    method: &str,
    item: &Value,
    op: &Value,
    at: &str,
    cache: &mut Cache,
) -> Result<OpFacts, (String, String)> {
    let group = op
        .get("tags")
        .and_then(Value::as_array)
        .and_then(|t| t.first())
        .and_then(Value::as_str)
        .map(String::from)
        .unwrap_or_else(|| {
            path.trim_start_matches('/')
                .trim_start_matches("api/")
                .split('/')
                .next()
                .unwrap_or_default()
                .to_string()
        });
    let introduced_in = op.get("x-ontap-introduced-in").map(|v| match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    });

    let mut query = BTreeSet::new();
    for (base, list) in [
        (format!("{at}/parameters"), op.get("parameters")),
        (
            format!("{}/parameters", at.rsplit_once('/').map_or("", |(p, _)| p)),
            item.get("parameters"),
        ),
    ] {
        for (i, p) in list
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .enumerate()
        {
            let p = follow(doc, p, &format!("{base}/{i}"))?;
            if p.get("in").and_then(Value::as_str) == Some("query")
                && let Some(name) = p.get("name").and_then(Value::as_str)
            {
                query.insert(name.to_string());
            }
        }
    }

    let mut bodies = BTreeMap::new();
    if let Some(rb) = op.get("requestBody") {
        let rb_at = format!("{at}/requestBody");
        let rb = follow(doc, rb, &rb_at)?;
        if let Some((mt, schema)) = json_schema(rb) {
            let s_at = format!("{rb_at}/content/{}/schema", escape_segment(mt));
            bodies.insert(REQUEST.to_string(), cache.fields(doc, schema, &s_at)?);
        }
    }
    let mut statuses = BTreeSet::new();
    for (status, r) in op
        .get("responses")
        .and_then(Value::as_object)
        .into_iter()
        .flatten()
    {
        if !(status.len() == 3 && status.starts_with('2')) {
            continue;
        }
        statuses.insert(status.clone());
        let r_at = format!("{at}/responses/{}", escape_segment(status));
        let r = follow(doc, r, &r_at)?;
        if let Some((mt, schema)) = json_schema(r) {
            let s_at = format!("{r_at}/content/{}/schema", escape_segment(mt));
            bodies.insert(status.clone(), cache.fields(doc, schema, &s_at)?);
        }
    }

    Ok(OpFacts {
        method: method.to_ascii_uppercase(),
        path: path.to_string(),
        group,
        introduced_in,
        codes: codes(op.get("x-ontap-errors")),
        statuses,
        query,
        bodies,
    })
}

/// The fields of each body schema that is a bare `$ref` (as nearly every body is), by its
/// target, so a schema many operations share is flattened once.
#[derive(Default)]
struct Cache(HashMap<String, Fields>);

impl Cache {
    fn fields(
        &mut self,
        doc: &Value,
        schema: &Value,
        at: &str,
    ) -> Result<Fields, (String, String)> {
        let target = schema
            .as_object()
            .filter(|o| o.len() == 1)
            .and_then(|o| o.get("$ref"))
            .and_then(Value::as_str);
        let Some(target) = target else {
            return Ok(Arc::new(flatten(doc, schema, at)?));
        };
        if let Some(f) = self.0.get(target) {
            return Ok(f.clone());
        }
        let f = Arc::new(flatten(doc, schema, at)?);
        self.0.insert(target.to_string(), f.clone());
        Ok(f)
    }
}

/// A parameter, request body or response that may be a `$ref` to a shared one, followed without
/// inlining what is inside it: only a body's schema is large, and `flatten` resolves that once.
fn follow<'a>(doc: &'a Value, v: &'a Value, at: &str) -> Result<&'a Value, (String, String)> {
    let mut v = v;
    let mut at = at.to_string();
    // A chain longer than this is a loop: `resolve` says so, naming where.
    for _ in 0..16 {
        let Some(target) = v.get("$ref").and_then(Value::as_str) else {
            return Ok(v);
        };
        match target.strip_prefix('#').and_then(|p| doc.pointer(p)) {
            Some(found) => {
                at = target.trim_start_matches('#').to_string();
                v = found;
            }
            None => return resolve(doc, v, &at).map(|_| v),
        }
    }
    resolve(doc, v, &at).map(|_| v)
}

/// The schema of a body's JSON media type (the first one otherwise), as the loader picks it.
fn json_schema(body: &Value) -> Option<(&str, &Value)> {
    let content = body.get("content")?.as_object()?;
    let (mt, media) = content
        .iter()
        .find(|(k, _)| k.contains("json"))
        .or_else(|| content.iter().next())?;
    Some((mt.as_str(), media.get("schema")?))
}

/// The `code`s of a list of error entries; a number is read as its digits.
fn codes(list: Option<&Value>) -> BTreeSet<String> {
    list.and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|e| match e.get("code")? {
            Value::String(s) => Some(s.clone()),
            Value::Number(n) => Some(n.to_string()),
            _ => None,
        })
        .collect()
}
