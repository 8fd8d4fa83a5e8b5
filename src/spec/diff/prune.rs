//! A document cut down to some of its operations and what they refer to: what the cases are
//! loaded against when OLD is a whole-API file.
//!
//! Loading a spec compiles a validator for every body of every operation, seconds for a whole
//! API, while a suite names a few dozen operations. A case loads against the cut document
//! exactly as against the whole one: each operation it names is there with everything its
//! `$ref`s reach, and an operation it names that OLD lacks is missing from both.

use std::collections::BTreeSet;

use serde_json::{Map, Value};

use super::super::METHODS;

/// `doc` with only the operations `keep(METHOD, path)` accepts, the components their `$ref`s
/// (and those of `also`, the overlays that will join it) reach, and every other top-level key
/// as it is.
pub fn keep_operations(doc: &Value, keep: impl Fn(&str, &str) -> bool, also: &[&Value]) -> Value {
    let Some(top) = doc.as_object() else {
        return doc.clone();
    };
    let mut out = Map::new();
    for (k, v) in top {
        if k != "paths" && k != "components" {
            out.insert(k.clone(), v.clone());
        }
    }
    let mut paths = Map::new();
    for (path, item) in top
        .get("paths")
        .and_then(Value::as_object)
        .into_iter()
        .flatten()
    {
        let Some(item) = item.as_object() else {
            continue;
        };
        let methods: Vec<&str> = METHODS
            .iter()
            .copied()
            .filter(|m| item.contains_key(*m) && keep(&m.to_ascii_uppercase(), path))
            .collect();
        if methods.is_empty() {
            continue;
        }
        let kept: Map<String, Value> = item
            .iter()
            .filter(|(k, _)| !METHODS.contains(&k.as_str()) || methods.contains(&k.as_str()))
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();
        paths.insert(path.clone(), Value::Object(kept));
    }
    let paths = Value::Object(paths);

    // Every `#/components/...` pointer reachable from the kept paths, the overlays and the
    // top-level keys kept, followed through the components themselves.
    let mut reached = BTreeSet::new();
    let mut todo: Vec<&Value> = vec![&paths];
    todo.extend(also);
    todo.extend(out.values());
    while let Some(v) = todo.pop() {
        refs(v, &mut |target| {
            if let Some(p) = target.strip_prefix("#/components/")
                && reached.insert(p.to_string())
                && let Some(found) = doc.pointer(&format!("/components/{p}"))
            {
                todo.push(found);
            }
        });
    }
    let mut components = Map::new();
    for (section, entries) in top
        .get("components")
        .and_then(Value::as_object)
        .into_iter()
        .flatten()
    {
        let Some(entries) = entries.as_object() else {
            continue;
        };
        let kept: Map<String, Value> = entries
            .iter()
            .filter(|(name, _)| {
                let escaped = crate::yaml::escape_segment(name);
                reached.contains(&format!("{section}/{escaped}"))
                    || reached
                        .iter()
                        .any(|r| r.starts_with(&format!("{section}/{escaped}/")))
            })
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();
        components.insert(section.clone(), Value::Object(kept));
    }
    out.insert("paths".into(), paths);
    out.insert("components".into(), Value::Object(components));
    Value::Object(out)
}

fn refs<'a>(v: &'a Value, found: &mut impl FnMut(&'a str)) {
    match v {
        Value::Object(m) => {
            for (k, x) in m {
                match x {
                    Value::String(s) if k == "$ref" => found(s),
                    _ => refs(x, found),
                }
            }
        }
        Value::Array(a) => a.iter().for_each(|x| refs(x, found)),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn only_the_kept_operations_and_what_they_reach() {
        let doc = json!({
            "openapi": "3.0.3",
            "paths": {
                "/a": {"parameters": [{"$ref": "#/components/parameters/p"}],
                       "get": {"responses": {"200": {"$ref": "#/components/responses/r"}}},
                       "post": {"requestBody": {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/b"}}}}}},
                "/c": {"get": {}}
            },
            "components": {
                "parameters": {"p": {"name": "p", "in": "query"}},
                "responses": {"r": {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/a"}}}}},
                "schemas": {
                    "a": {"properties": {"x": {"$ref": "#/components/schemas/x"}}},
                    "x": {"type": "string"},
                    "b": {"type": "object"},
                    "o": {"type": "object"},
                    "unused": {"type": "object"}
                }
            }
        });
        let overlay =
            json!({"paths": {"/o": {"get": {"schema": {"$ref": "#/components/schemas/o"}}}}});
        let cut = keep_operations(&doc, |m, p| m == "GET" && p == "/a", &[&overlay]);
        assert_eq!(cut["openapi"], "3.0.3");
        assert_eq!(cut["paths"].as_object().unwrap().len(), 1);
        assert!(cut["paths"]["/a"].get("post").is_none());
        assert!(cut["paths"]["/a"].get("parameters").is_some());
        let names = |s: &str| -> Vec<String> {
            cut["components"][s]
                .as_object()
                .unwrap()
                .keys()
                .cloned()
                .collect()
        };
        assert_eq!(names("schemas"), ["a", "x", "o"]);
        assert_eq!(names("parameters"), ["p"]);
        assert_eq!(names("responses"), ["r"]);
    }
}
