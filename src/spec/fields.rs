//! Which field paths a body valid for a schema can hold: the case loader's check that every
//! field a case expects, forbids or captures is one the response can have, and the "did you
//! mean" when it is not.
//!
//! This reads the resolved schema in place with the validation walk's own helpers
//! (`walk.rs`), so the two agree on what a documented field is; it adds what a path lookup
//! needs and validation does not: the branches of `oneOf` and `anyOf` (a field of any branch
//! may be there) and the schema of `additionalProperties` (a map's values).

use serde_json::Value;

use super::schema::CompiledSchema;
use super::walk::{is_object_shape, shape_open};

/// Where and how a path leaves what a schema documents (segments count from 0).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PathMiss {
    /// The segment names no property of the object before it.
    NoField { at: usize },
    /// The segment follows an array but is not an index.
    NotAnIndex { at: usize },
    /// The segment goes below a string, number or boolean.
    BelowScalar { at: usize },
}

impl PathMiss {
    /// The segment the path leaves the schema at.
    pub fn at(self) -> usize {
        match self {
            PathMiss::NoField { at }
            | PathMiss::NotAnIndex { at }
            | PathMiss::BelowScalar { at } => at,
        }
    }
}

/// One step of a documented path: a property, or any element of an array (`None`).
pub type PathSegment = Option<String>;

impl CompiledSchema {
    /// Whether a body valid for this schema can hold a value at `pointer` (`/records/0/name`).
    /// An open object (undocumented properties allowed) or a schema that says nothing admits
    /// anything below it.
    pub fn admits(&self, pointer: &str) -> bool {
        self.locate(pointer).is_ok()
    }

    /// [`Self::admits`], saying where the path leaves the schema when it does.
    pub fn locate(&self, pointer: &str) -> Result<(), PathMiss> {
        let mut current = branches(&self.resolved);
        for (at, seg) in pointer.split('/').skip(1).enumerate() {
            let seg = seg.replace("~1", "/").replace("~0", "~");
            let mut next = Vec::new();
            let mut miss = None;
            for schema in current {
                if says_nothing(schema) {
                    return Ok(());
                }
                if is_object_shape(schema) {
                    let found = property(schema, &seg);
                    if !found.is_empty() {
                        next.extend(found.into_iter().flat_map(branches));
                    } else if let Some(values) = additional(schema) {
                        next.extend(branches(values));
                    } else if shape_open(schema) {
                        return Ok(());
                    } else {
                        miss = Some(PathMiss::NoField { at });
                    }
                } else if let Some(items) = schema.get("items") {
                    if seg.parse::<usize>().is_ok() {
                        next.extend(branches(items));
                    } else {
                        miss = miss.or(Some(PathMiss::NotAnIndex { at }));
                    }
                } else {
                    miss = miss.or(Some(PathMiss::BelowScalar { at }));
                }
            }
            if next.is_empty() {
                return Err(miss.unwrap_or(PathMiss::NoField { at }));
            }
            current = next;
        }
        Ok(())
    }

    /// Every path the schema documents, down to `depth` segments, in the order the schema
    /// lists them: what a "did you mean" picks from. An array's elements are one `None`.
    pub fn field_paths(&self, depth: usize) -> Vec<Vec<PathSegment>> {
        let mut out = Vec::new();
        collect(&self.resolved, &mut Vec::new(), depth, &mut out);
        let mut seen = std::collections::HashSet::new();
        out.retain(|p| seen.insert(p.clone()));
        out
    }
}

/// A schema as the alternatives a value may match: the branches of its `oneOf` and `anyOf`
/// (each expanded in turn), and itself when it says something of its own beside them.
pub(super) fn branches(schema: &Value) -> Vec<&Value> {
    let alternatives: Vec<&Value> = ["oneOf", "anyOf"]
        .iter()
        .filter_map(|k| schema.get(*k).and_then(Value::as_array))
        .flatten()
        .collect();
    if alternatives.is_empty() {
        return vec![schema];
    }
    let mut out: Vec<&Value> = alternatives.into_iter().flat_map(branches).collect();
    if is_object_shape(schema) || schema.get("items").is_some() || schema.get("type").is_some() {
        out.push(schema);
    }
    out
}

/// A schema that constrains nothing below it (`{}`, `true`, only a description): any path is
/// possible there.
pub(super) fn says_nothing(schema: &Value) -> bool {
    match schema {
        Value::Bool(b) => *b,
        Value::Object(o) => {
            !is_object_shape(schema)
                && !["type", "items", "oneOf", "anyOf", "additionalProperties"]
                    .iter()
                    .any(|k| o.contains_key(*k))
        }
        _ => false,
    }
}

/// The schemas of property `name` in an object schema: its own, its `allOf` members' and
/// their `oneOf`/`anyOf` branches'.
fn property<'a>(schema: &'a Value, name: &str) -> Vec<&'a Value> {
    let mut out: Vec<&Value> = schema
        .get("properties")
        .and_then(|p| p.get(name))
        .into_iter()
        .collect();
    for key in ["allOf", "oneOf", "anyOf"] {
        for member in schema
            .get(key)
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            out.extend(property(member, name));
        }
    }
    out
}

/// The schema of an object's undocumented properties, when `additionalProperties` (here or in
/// an `allOf` member) gives one: a map whose keys are data, not names.
pub(super) fn additional(schema: &Value) -> Option<&Value> {
    schema
        .get("additionalProperties")
        .filter(|a| a.is_object())
        .or_else(|| {
            schema
                .get("allOf")
                .and_then(Value::as_array)?
                .iter()
                .find_map(additional)
        })
}

/// The properties of an object schema with their schemas, as [`property`] finds them.
pub(super) fn properties(schema: &Value) -> Vec<(&str, &Value)> {
    let mut out: Vec<(&str, &Value)> = schema
        .get("properties")
        .and_then(Value::as_object)
        .into_iter()
        .flatten()
        .map(|(k, v)| (k.as_str(), v))
        .collect();
    for key in ["allOf", "oneOf", "anyOf"] {
        for member in schema
            .get(key)
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            out.extend(properties(member));
        }
    }
    out
}

fn collect(
    schema: &Value,
    prefix: &mut Vec<PathSegment>,
    depth: usize,
    out: &mut Vec<Vec<PathSegment>>,
) {
    if prefix.len() >= depth {
        return;
    }
    for b in branches(schema) {
        if is_object_shape(b) {
            for (name, prop) in properties(b) {
                prefix.push(Some(name.to_string()));
                out.push(prefix.clone());
                collect(prop, prefix, depth, out);
                prefix.pop();
            }
        } else if let Some(items) = b.get("items") {
            prefix.push(None);
            out.push(prefix.clone());
            collect(items, prefix, depth, out);
            prefix.pop();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn schema() -> CompiledSchema {
        CompiledSchema::compile(json!({
            "type": "object",
            "properties": {
                "records": {"type": "array", "items": {
                    "allOf": [{"type": "object", "properties": {"name": {"type": "string"}}}],
                    "properties": {"svm": {"type": "object", "properties": {"uuid": {"type": "string"}}}}
                }},
                "target": {"oneOf": [
                    {"type": "object", "properties": {"lun": {"type": "string"}}},
                    {"type": "object", "properties": {"volume": {"type": "string"}}}
                ]},
                "labels": {"type": "object", "additionalProperties": {"type": "object", "properties": {"set_by": {"type": "string"}}}},
                "anything": {"description": "free-form"},
                "open": {"type": "object", "additionalProperties": true}
            }
        }))
        .unwrap()
    }

    #[test]
    fn paths_follow_all_of_one_of_items_and_additional_properties() {
        let s = schema();
        for ok in [
            "",
            "/records/0/name",
            "/records/3/svm/uuid",
            "/target/lun",
            "/target/volume",
            "/labels/any-key/set_by",
            "/anything/below/it",
            "/open/x/y",
        ] {
            assert_eq!(s.locate(ok), Ok(()), "{ok}");
        }
        assert_eq!(s.locate("/recods"), Err(PathMiss::NoField { at: 0 }));
        assert_eq!(s.locate("/records/0/nme"), Err(PathMiss::NoField { at: 2 }));
        assert_eq!(
            s.locate("/records/name"),
            Err(PathMiss::NotAnIndex { at: 1 })
        );
        assert_eq!(
            s.locate("/records/0/name/first"),
            Err(PathMiss::BelowScalar { at: 3 })
        );
        assert_eq!(s.locate("/target/qtree"), Err(PathMiss::NoField { at: 1 }));
        assert_eq!(s.locate("/labels/k/by"), Err(PathMiss::NoField { at: 2 }));
    }

    #[test]
    fn field_paths_list_every_branch_to_a_depth() {
        let paths = schema().field_paths(3);
        let has = |p: &[Option<&str>]| {
            let p: Vec<PathSegment> = p.iter().map(|s| s.map(str::to_string)).collect();
            paths.contains(&p)
        };
        assert!(has(&[Some("records"), None, Some("name")]));
        assert!(has(&[Some("records"), None, Some("svm")]));
        assert!(!has(&[Some("records"), None, Some("svm"), Some("uuid")]));
        assert!(has(&[Some("target"), Some("volume")]));
        assert!(schema().field_paths(1).iter().all(|p| p.len() == 1));
    }
}
