//! A body schema as the list of field paths it documents (`records[].svm.name`), each with what
//! `spec diff` compares of it: type, format, access, enum values and the release it came in.
//!
//! The schema is inlined first with [`resolve_shape`] (the loader's own `$ref`
//! resolution, stopping at a schema it is already inside of, without the prose) and then read with the helpers
//! the case loader's field lookup uses (`fields.rs`: the branches of `oneOf`/`anyOf`, the
//! properties of `allOf` members, a map's `additionalProperties`), so a path the diff lists is
//! one a case can name, and the other way round.

use std::collections::BTreeMap;

use serde::Serialize;
use serde_json::Value;

use super::super::fields::{additional, branches, properties};
use super::super::schema::resolve_shape;
use super::super::walk::is_object_shape;

/// How deep a path may go, in segments. Recursion is already cut at the first schema met again
/// (see [`resolve_shape`]); this only bounds a document that nests absurdly deep by
/// hand, so one such schema cannot make a diff slow or its output unreadable.
pub const MAX_DEPTH: usize = 24;

/// The path segment of an array's elements (`records[]`) and of a map's values (`labels.*`).
pub const ELEMENT: &str = "[]";
pub const MAP_VALUE: &str = "*";

/// What `spec diff` compares of one field. Every key is always written in `--json`, so a
/// reader never has to tell a missing key from an empty one.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Field {
    /// `string`, `integer`, `object`, `array of string`, `string | integer` (the branches of a
    /// `oneOf`), `recursive: volume` (a schema met again inside itself, not expanded), or `any`.
    #[serde(rename = "type")]
    pub kind: String,
    /// `format` (for an array: its elements').
    pub format: Option<String>,
    /// The access markers, in this order: `read-only` (`readOnly`), `write-only` (`writeOnly`),
    /// `no-patch` (`x-ontap-no-patch`), `no-post` (`x-ontap-no-post`), `advanced`
    /// (`x-ontap-advanced`: returned only with `fields=**`). Empty: read and written freely.
    pub access: Vec<&'static str>,
    /// The enum values (for an array: its elements'), sorted, each as JSON text unless a string.
    #[serde(rename = "enum")]
    pub enum_values: Vec<String>,
    /// `x-ontap-introduced-in` on the field.
    pub introduced_in: Option<String>,
}

/// The access markers a field schema can carry, with the word the diff uses for each.
const ACCESS: [(&str, &str); 5] = [
    ("readOnly", "read-only"),
    ("writeOnly", "write-only"),
    ("x-ontap-no-patch", "no-patch"),
    ("x-ontap-no-post", "no-post"),
    ("x-ontap-advanced", "advanced"),
];

/// The fields of a body schema, by path. `at` is the schema's pointer in `doc`, for the message
/// of a `$ref` that does not resolve.
pub fn flatten(
    doc: &Value,
    schema: &Value,
    at: &str,
) -> Result<BTreeMap<String, Field>, (String, String)> {
    let resolved = resolve_shape(doc, schema, at)?;
    let mut out = BTreeMap::new();
    collect(&resolved, &mut String::new(), 0, &mut out);
    Ok(out)
}

/// `prefix` is one buffer for the whole walk, grown and cut back per field, as in `walk.rs`.
fn collect(schema: &Value, prefix: &mut String, depth: usize, out: &mut BTreeMap<String, Field>) {
    if depth >= MAX_DEPTH {
        return;
    }
    for b in branches(schema) {
        if is_object_shape(b) {
            for (name, prop) in properties(b) {
                let len = prefix.len();
                push(prefix, name);
                insert(out, prefix, describe(prop));
                collect(prop, prefix, depth + 1, out);
                prefix.truncate(len);
            }
            if let Some(values) = additional(b) {
                let len = prefix.len();
                push(prefix, MAP_VALUE);
                insert(out, prefix, describe(values));
                collect(values, prefix, depth + 1, out);
                prefix.truncate(len);
            }
        } else if let Some(items) = b.get("items") {
            // The array itself was described where it was named (`array of object`); its
            // elements' fields go below `name[]`.
            let len = prefix.len();
            prefix.push_str(ELEMENT);
            collect(items, prefix, depth + 1, out);
            prefix.truncate(len);
        }
    }
}

fn push(prefix: &mut String, name: &str) {
    if !prefix.is_empty() {
        prefix.push('.');
    }
    prefix.push_str(name);
}

/// A path met twice (in two branches of a `oneOf`, or in a schema's own `properties` and an
/// `allOf` member) is one field that may be either: the union of what each says.
fn insert(out: &mut BTreeMap<String, Field>, path: &str, field: Field) {
    match out.get_mut(path) {
        None => {
            out.insert(path.to_string(), field);
        }
        Some(have) if *have == field => {}
        Some(have) => {
            have.kind = join(&have.kind, &field.kind);
            if have.format != field.format {
                have.format = match (have.format.take(), field.format) {
                    (Some(a), Some(b)) => Some(join(&a, &b)),
                    (a, b) => a.or(b),
                };
            }
            for a in field.access {
                if !have.access.contains(&a) {
                    have.access.push(a);
                }
            }
            have.access
                .sort_by_key(|a| ACCESS.iter().position(|(_, w)| w == a));
            have.enum_values.extend(field.enum_values);
            have.enum_values.sort();
            have.enum_values.dedup();
            have.introduced_in = have.introduced_in.take().or(field.introduced_in);
        }
    }
}

/// `a | b`, each alternative once.
fn join(a: &str, b: &str) -> String {
    let mut parts: Vec<&str> = a.split(" | ").collect();
    for p in b.split(" | ") {
        if !parts.contains(&p) {
            parts.push(p);
        }
    }
    parts.join(" | ")
}

/// What one field's schema says, its own keywords first, then its `allOf` members'.
fn describe(schema: &Value) -> Field {
    let mut f = Field {
        kind: kind(schema),
        format: find(schema, "format").and_then(|v| v.as_str().map(String::from)),
        access: ACCESS
            .iter()
            .filter(|(key, _)| flag(schema, key))
            .map(|(_, word)| *word)
            .collect(),
        enum_values: enum_values(schema),
        introduced_in: find(schema, "x-ontap-introduced-in").map(text),
    };
    if let Some(items) = schema.get("items") {
        let of = describe(items);
        f.format = f.format.or(of.format);
        if f.enum_values.is_empty() {
            f.enum_values = of.enum_values;
        }
    }
    f
}

fn kind(schema: &Value) -> String {
    if let Some(r) = schema.get("$ref").and_then(Value::as_str) {
        return format!("recursive: {}", r.rsplit('/').next().unwrap_or(r));
    }
    if let Some(items) = schema.get("items") {
        return format!("array of {}", kind(items));
    }
    if let Some(t) = find(schema, "type") {
        return match t {
            Value::Array(ts) => ts.iter().map(text).collect::<Vec<_>>().join(" | "),
            other => text(other),
        };
    }
    if is_object_shape(schema) {
        return "object".into();
    }
    let alternatives = branches(schema);
    if alternatives.len() > 1 || !std::ptr::eq(alternatives[0], schema) {
        return alternatives
            .iter()
            .map(|b| kind(b))
            .reduce(|a, b| join(&a, &b))
            .unwrap_or_else(|| "any".into());
    }
    "any".into()
}

/// A keyword of the schema itself, else of the first `allOf` member (or theirs) that has it.
fn find<'a>(schema: &'a Value, key: &str) -> Option<&'a Value> {
    schema.get(key).or_else(|| {
        schema
            .get("allOf")?
            .as_array()?
            .iter()
            .find_map(|m| find(m, key))
    })
}

fn flag(schema: &Value, key: &str) -> bool {
    find(schema, key).and_then(Value::as_bool) == Some(true)
}

fn enum_values(schema: &Value) -> Vec<String> {
    let mut values: Vec<String> = find(schema, "enum")
        .and_then(Value::as_array)
        .map(|vs| vs.iter().map(text).collect())
        .unwrap_or_default();
    values.sort();
    values.dedup();
    values
}

/// A value as the diff writes it: a string as itself, anything else as JSON.
fn text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn paths(doc: &Value, schema: &Value) -> BTreeMap<String, Field> {
        flatten(doc, schema, "/x").unwrap()
    }

    #[test]
    fn paths_follow_refs_all_of_one_of_arrays_and_maps() {
        let doc = json!({"components": {"schemas": {
            "svm": {"type": "object", "properties": {
                "name": {"type": "string"},
                "uuid": {"type": "string", "format": "uuid", "readOnly": true}
            }},
            "rec": {"allOf": [{"type": "object", "properties": {
                "svm": {"allOf": [{"$ref": "#/components/schemas/svm"}], "x-ontap-no-patch": true},
                "state": {"type": "string", "enum": ["online", "offline"]},
                "protocols": {"type": "array", "items": {"type": "string", "enum": ["nfs", "cifs"]}}
            }}]}
        }}});
        let body = json!({"type": "object", "properties": {
            "records": {"type": "array", "items": {"$ref": "#/components/schemas/rec"}},
            "target": {"oneOf": [
                {"type": "object", "properties": {"lun": {"type": "string"}}},
                {"type": "object", "properties": {"lun": {"type": "integer"}}}
            ]},
            "labels": {"type": "object", "additionalProperties": {"type": "string"}}
        }});
        let f = paths(&doc, &body);
        let keys: Vec<&str> = f.keys().map(String::as_str).collect();
        assert_eq!(
            keys,
            [
                "labels",
                "labels.*",
                "records",
                "records[].protocols",
                "records[].state",
                "records[].svm",
                "records[].svm.name",
                "records[].svm.uuid",
                "target",
                "target.lun",
            ]
        );
        assert_eq!(f["records"].kind, "array of object");
        assert_eq!(f["records[].svm"].access, ["no-patch"]);
        assert_eq!(f["records[].svm.uuid"].access, ["read-only"]);
        assert_eq!(f["records[].svm.uuid"].format.as_deref(), Some("uuid"));
        assert_eq!(f["records[].protocols"].kind, "array of string");
        assert_eq!(f["records[].protocols"].enum_values, ["cifs", "nfs"]);
        assert_eq!(f["target.lun"].kind, "string | integer");
    }

    #[test]
    fn a_recursive_schema_ends_where_it_meets_itself() {
        let doc = json!({"components": {"schemas": {
            "node": {"type": "object", "properties": {
                "name": {"type": "string"},
                "children": {"type": "array", "items": {"$ref": "#/components/schemas/node"}}
            }}
        }}});
        let f = paths(&doc, &json!({"$ref": "#/components/schemas/node"}));
        let keys: Vec<&str> = f.keys().map(String::as_str).collect();
        assert_eq!(keys, ["children", "name"]);
        assert_eq!(f["children"].kind, "array of recursive: node");
    }

    #[test]
    fn a_ref_that_does_not_resolve_names_its_pointer() {
        let (at, why) = flatten(
            &json!({}),
            &json!({"properties": {"a": {"$ref": "#/components/schemas/gone"}}}),
            "/x",
        )
        .unwrap_err();
        assert_eq!(at, "/x/properties/a/$ref");
        assert!(why.contains("does not resolve"), "{why}");
    }
}
