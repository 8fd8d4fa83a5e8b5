//! Layered documents as one: how `builtin` reads as a single document when the built-in spec is
//! NetApp's imported API with the curated spec on top.
//!
//! The rule is the loader's (`Spec::with_imported`): an operation of a higher document replaces
//! the one of a lower document at the same method and route (the path, its parameters' names
//! aside), whole. Each operation's `$ref`s resolve in the document it came with, and two
//! documents may give one schema name different contents, so a lower document's component
//! whose name a higher one uses is renamed (`volume` becomes `volume.imported1`) along with
//! every `$ref` to it in that document.

use std::collections::{HashMap, HashSet};

use serde_json::{Map, Value};

use super::super::{METHODS, route_of};
use crate::yaml::escape_segment;

/// `top` over each of `under` in turn (the first of them next below `top`).
pub fn layered(top: &Value, under: &[&Value]) -> Value {
    let mut out = top.clone();
    let mut have: HashSet<(String, &str)> = HashSet::new();
    for (path, item) in out
        .get("paths")
        .and_then(Value::as_object)
        .into_iter()
        .flatten()
    {
        for m in METHODS.iter().filter(|m| item.get(**m).is_some()) {
            have.insert((route_of(path), *m));
        }
    }
    for (i, lower) in under.iter().enumerate() {
        let mut lower = (*lower).clone();
        rename_taken(&mut lower, &out, &format!(".imported{}", i + 1));
        let Some(top) = out.as_object_mut() else {
            return out;
        };
        let paths = object(top, "paths");
        for (path, item) in lower
            .get("paths")
            .and_then(Value::as_object)
            .into_iter()
            .flatten()
        {
            for m in METHODS {
                let Some(op) = item.get(m) else { continue };
                if !have.insert((route_of(path), m)) {
                    continue;
                }
                // The path item's own parameters go with the operation: it may join a path
                // item of the document above, which has its own.
                let mut op = op.clone();
                if let (Some(shared), Some(o)) = (
                    item.get("parameters").and_then(Value::as_array),
                    op.as_object_mut(),
                ) {
                    let params = o
                        .entry("parameters")
                        .or_insert_with(|| Value::Array(Vec::new()));
                    if let Some(list) = params.as_array_mut() {
                        list.extend(shared.iter().cloned());
                    }
                }
                object(paths, path).insert(m.to_string(), op);
            }
        }
        let components = object(top, "components");
        for (section, entries) in lower
            .get("components")
            .and_then(Value::as_object)
            .into_iter()
            .flatten()
        {
            let into = object(components, section);
            for (name, v) in entries.as_object().into_iter().flatten() {
                into.entry(name.clone()).or_insert_with(|| v.clone());
            }
        }
    }
    out
}

/// The map at `key` of `m`, made if missing (or replacing what is not a map).
fn object<'a>(m: &'a mut Map<String, Value>, key: &str) -> &'a mut Map<String, Value> {
    let v = m
        .entry(key.to_string())
        .or_insert_with(|| Value::Object(Map::new()));
    if !v.is_object() {
        *v = Value::Object(Map::new());
    }
    v.as_object_mut().expect("made a map just above")
}

/// Renames each component of `doc` whose name `above` uses, and every `$ref` to it in `doc`.
fn rename_taken(doc: &mut Value, above: &Value, suffix: &str) {
    let mut renames: HashMap<String, String> = HashMap::new();
    if let Some(components) = doc.get_mut("components").and_then(Value::as_object_mut) {
        for (section, entries) in components.iter_mut() {
            let Some(entries) = entries.as_object_mut() else {
                continue;
            };
            let taken: Vec<String> = entries
                .keys()
                .filter(|n| {
                    above
                        .pointer(&format!("/components/{section}/{}", escape_segment(n)))
                        .is_some()
                })
                .cloned()
                .collect();
            for name in taken {
                let new = format!("{name}{suffix}");
                if let Some(v) = entries.remove(&name) {
                    entries.insert(new.clone(), v);
                }
                let at = |n: &str| format!("#/components/{section}/{}", escape_segment(n));
                renames.insert(at(&name), at(&new));
            }
        }
    }
    if !renames.is_empty() {
        rewrite_refs(doc, &renames);
    }
}

fn rewrite_refs(v: &mut Value, renames: &HashMap<String, String>) {
    match v {
        Value::Object(m) => {
            for (k, x) in m.iter_mut() {
                match x {
                    Value::String(s) if k == "$ref" => {
                        // `#/components/schemas/a` itself, or a pointer below it.
                        let cut = s
                            .match_indices('/')
                            .map(|(i, _)| i)
                            .nth(3)
                            .unwrap_or(s.len());
                        if let Some(new) = renames.get(&s[..cut]) {
                            *s = format!("{new}{}", &s[cut..]);
                        }
                    }
                    _ => rewrite_refs(x, renames),
                }
            }
        }
        Value::Array(a) => a.iter_mut().for_each(|x| rewrite_refs(x, renames)),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::super::index;
    use super::*;
    use serde_json::json;

    #[test]
    fn the_upper_document_wins_by_route_and_each_keeps_its_own_schemas() {
        let body = |name: &str| json!({"content": {"application/json": {"schema": {"$ref": format!("#/components/schemas/{name}")}}}});
        let curated = json!({
            "paths": {"/api/v/{uuid}": {"get": {"tags": ["curated"], "responses": {"200": body("vol")}}}},
            "components": {"schemas": {"vol": {"properties": {"name": {"type": "string"}}}}}
        });
        let imported = json!({
            "paths": {
                "/api/v/{volume.uuid}": {
                    "parameters": [{"name": "fields", "in": "query"}],
                    "get": {"tags": ["imported"], "responses": {"200": body("vol")}},
                    "patch": {"requestBody": body("vol"), "responses": {"200": {}}}
                }
            },
            "components": {"schemas": {"vol": {"properties": {"size": {"type": "integer"}}}}}
        });
        let one = layered(&curated, &[&imported]);
        let i = index::index("builtin", &one).unwrap();
        assert_eq!(i.ops.len(), 2);
        let get = i.op("GET", "/api/v/{uuid}").unwrap();
        assert_eq!(get.group, "curated");
        assert!(get.bodies["200"].contains_key("name"));
        let patch = i.op("PATCH", "/api/v/{x}").unwrap();
        assert_eq!(patch.path, "/api/v/{volume.uuid}");
        assert!(
            patch.query.contains("fields"),
            "the path item's parameters came along"
        );
        let fields: Vec<&str> = patch.bodies["request"].keys().map(String::as_str).collect();
        assert_eq!(fields, ["size"], "its own `vol`, renamed");
        assert!(one["components"]["schemas"].get("vol.imported1").is_some());
    }
}
