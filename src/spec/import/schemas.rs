//! Swagger 2.0 schemas as OpenAPI 3.0 schemas, the way `spec/openapi.yaml` writes them:
//! `definitions` become `components/schemas`, `$ref`s are rewritten to point there, and a `$ref`
//! with keywords beside it (which OpenAPI ignores) becomes `allOf: [{$ref}]` with the keywords
//! beside the `allOf`, as the curated spec does.
//!
//! NetApp's irregular keywords are read, each with a warning: `type: enum` (a string with an
//! enum), `type: unsigned` (an integer of at least 0), any other unknown type (no type),
//! `decription` and `descriptions` (a description), `minValue`/`maxValue` (`minimum`/`maximum`),
//! `x-nullable` (`nullable`), a `discriminator` name (`{propertyName}`), `required` naming a
//! property that is not there (the name is dropped). Access markers are `access.rs`'s. A keyword
//! neither OpenAPI nor NetApp defines is dropped with a warning.

use std::collections::BTreeSet;

use serde_json::{Map, Value, json};

use super::access;
use super::warning::Cx;
use crate::yaml::escape_segment;

/// The types JSON Schema (and the spec's lint) knows.
const TYPES: [&str; 6] = ["string", "number", "integer", "boolean", "array", "object"];

/// Keywords carried over as NetApp wrote them.
const KEPT: [&str; 19] = [
    "format",
    "description",
    "default",
    "example",
    "minimum",
    "maximum",
    "exclusiveMinimum",
    "exclusiveMaximum",
    "minLength",
    "maxLength",
    "pattern",
    "minItems",
    "maxItems",
    "uniqueItems",
    "title",
    "multipleOf",
    "maxProperties",
    "minProperties",
    "nullable",
];

/// The names of NetApp's definitions, which a `$ref` must name.
pub(super) type Known = BTreeSet<String>;

/// `definitions` as `components/schemas`, in NetApp's order.
pub(super) fn definitions(
    cx: &mut Cx<'_>,
    defs: &Map<String, Value>,
    known: &Known,
) -> Map<String, Value> {
    defs.iter()
        .map(|(name, s)| {
            let at = format!("/definitions/{}", escape_segment(name));
            (name.clone(), schema(cx, s, &at, known))
        })
        .collect()
}

/// One schema at `at` (a pointer into NetApp's file), converted.
pub(super) fn schema(cx: &mut Cx<'_>, v: &Value, at: &str, known: &Known) -> Value {
    let Some(map) = v.as_object() else {
        cx.warn(at, "a schema must be a map: read as any value");
        return json!({});
    };
    let Some(r) = map.get("$ref") else {
        return Value::Object(body(cx, map, at, known));
    };
    let reference = match reference(cx, r, &format!("{at}/$ref"), known) {
        Some(target) => json!({"$ref": target}),
        None => json!({}),
    };
    if map.len() == 1 {
        return reference;
    }
    let siblings: Map<String, Value> = map
        .iter()
        .filter(|(k, _)| *k != "$ref")
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    let mut wrapper = Map::new();
    wrapper.insert("allOf".into(), json!([reference]));
    wrapper.extend(body(cx, &siblings, at, known));
    Value::Object(wrapper)
}

/// `#/definitions/NAME` as `#/components/schemas/NAME`; a reference to anything else, or to a
/// definition that is not there, is read as any value (`None`), with a warning.
pub(super) fn reference(cx: &mut Cx<'_>, r: &Value, at: &str, known: &Known) -> Option<String> {
    let target = r.as_str().unwrap_or_default();
    match target.strip_prefix("#/definitions/") {
        Some(name) if known.contains(&name.replace("~1", "/").replace("~0", "~")) => {
            Some(format!("#/components/schemas/{name}"))
        }
        Some(name) => {
            cx.warn(
                at,
                format!("`$ref` to `{name}`: no such definition: read as any value"),
            );
            None
        }
        None => {
            cx.warn(
                at,
                format!("`$ref: {target}` is not a definition's: read as any value"),
            );
            None
        }
    }
}

/// The keywords of a schema without a `$ref`.
pub(super) fn body(
    cx: &mut Cx<'_>,
    map: &Map<String, Value>,
    at: &str,
    known: &Known,
) -> Map<String, Value> {
    let mut out = Map::new();
    for (k, v) in map {
        let key_at = format!("{at}/{}", escape_segment(k));
        match k.as_str() {
            "type" => type_of(cx, map, v, &key_at, &mut out),
            "properties" => match v.as_object() {
                Some(props) => {
                    let props = props
                        .iter()
                        .map(|(name, s)| {
                            let p_at = format!("{key_at}/{}", escape_segment(name));
                            (name.clone(), schema(cx, s, &p_at, known))
                        })
                        .collect();
                    out.insert("properties".into(), Value::Object(props));
                }
                None => cx.warn(&key_at, "`properties` must be a map: ignored"),
            },
            "items" => {
                let items = match v {
                    Value::Array(list) => {
                        cx.warn(&key_at, "a list of item schemas: the first is read");
                        list.first().cloned().unwrap_or(json!({}))
                    }
                    other => other.clone(),
                };
                out.insert("items".into(), schema(cx, &items, &key_at, known));
            }
            "allOf" | "oneOf" | "anyOf" => match v.as_array() {
                Some(list) => {
                    let list = list
                        .iter()
                        .enumerate()
                        .map(|(i, s)| schema(cx, s, &format!("{key_at}/{i}"), known))
                        .collect();
                    out.insert(k.clone(), Value::Array(list));
                }
                None => cx.warn(&key_at, format!("`{k}` must be a list: ignored")),
            },
            "additionalProperties" => {
                let ap = match v {
                    Value::Bool(b) => Value::Bool(*b),
                    other => schema(cx, other, &key_at, known),
                };
                out.insert(k.clone(), ap);
            }
            "not" => {
                out.insert("not".into(), schema(cx, v, &key_at, known));
            }
            "enum" => match v.as_array() {
                Some(list) if !list.is_empty() => {
                    out.insert("enum".into(), v.clone());
                }
                _ => cx.warn(&key_at, "`enum` must be a non-empty list: ignored"),
            },
            "required" => required(cx, map, v, &key_at, &mut out),
            "discriminator" => match v {
                Value::String(name) => {
                    out.insert("discriminator".into(), json!({"propertyName": name}));
                }
                other => {
                    out.insert("discriminator".into(), other.clone());
                }
            },
            "x-nullable" => {
                out.insert("nullable".into(), v.clone());
            }
            "decription" | "descriptions" if !map.contains_key("description") => {
                cx.warn(&key_at, format!("`{k}` read as `description`"));
                out.insert("description".into(), v.clone());
            }
            "minValue" | "maxValue" => {
                let ours = if k == "minValue" {
                    "minimum"
                } else {
                    "maximum"
                };
                if map.contains_key(ours) {
                    cx.warn(&key_at, format!("`{k}` beside `{ours}`: ignored"));
                } else {
                    cx.warn(&key_at, format!("`{k}` read as `{ours}`"));
                    out.insert(ours.into(), v.clone());
                }
            }
            "x-ntap-introduced" => {
                let text = v.as_str().map_or_else(|| v.to_string(), str::to_string);
                out.insert("x-ontap-introduced-in".into(), json!(text));
            }
            "x-ntap-long-description" => {}
            k if access::is_access_key(k) => {}
            "description" if !v.is_string() => {
                cx.warn(&key_at, format!("`description: {v}` is not text: dropped"));
            }
            k if KEPT.contains(&k) && v.is_null() && k != "default" && k != "example" => {
                cx.warn(&key_at, format!("`{k}` has no value: dropped"));
            }
            k if KEPT.contains(&k) || k.starts_with("x-") => {
                out.insert(k.to_string(), v.clone());
            }
            other => cx.warn(
                &key_at,
                format!("`{other}` is not a schema keyword: dropped"),
            ),
        }
    }
    access::apply(cx, map, at, &mut out);
    out
}

/// `type`, read leniently: NetApp's file has `enum`, `unsigned` and `user` besides the JSON
/// types.
fn type_of(
    cx: &mut Cx<'_>,
    map: &Map<String, Value>,
    v: &Value,
    at: &str,
    out: &mut Map<String, Value>,
) {
    let t = v.as_str().unwrap_or_default();
    if TYPES.contains(&t) {
        out.insert("type".into(), v.clone());
        return;
    }
    let enum_of_strings = map
        .get("enum")
        .and_then(Value::as_array)
        .is_some_and(|e| !e.is_empty() && e.iter().all(Value::is_string));
    match t {
        // NetApp's generator writes string enumerations as `type: enum`; a filter parameter of
        // one carries no values.
        "enum" if enum_of_strings || !map.contains_key("enum") => {
            cx.warn(at, "`type: enum` is not a type: read as `type: string`, what NetApp's enumerations are");
            out.insert("type".into(), json!("string"));
        }
        "unsigned" => {
            cx.warn(
                at,
                "`type: unsigned` is not a type: read as `type: integer` with `minimum: 0`",
            );
            out.insert("type".into(), json!("integer"));
            if !map.contains_key("minimum") {
                out.insert("minimum".into(), json!(0));
            }
        }
        _ => cx.warn(
            at,
            format!(
                "`type: {}` is not a type: read as any type",
                v.as_str().map_or_else(|| v.to_string(), str::to_string)
            ),
        ),
    }
}

/// `required`: the names of properties that are there. A name that is not is dropped (the spec's
/// lint refuses it), and a `required: true` on a property (a parameter's keyword) is ignored.
fn required(
    cx: &mut Cx<'_>,
    map: &Map<String, Value>,
    v: &Value,
    at: &str,
    out: &mut Map<String, Value>,
) {
    let Some(names) = v.as_array() else {
        cx.warn(
            at,
            format!("`required: {v}` in a schema is not a list of properties: ignored"),
        );
        return;
    };
    let props = map.get("properties").and_then(Value::as_object);
    let mut kept = Vec::new();
    for (i, n) in names.iter().enumerate() {
        match n.as_str() {
            Some(name) if props.is_none_or(|p| p.contains_key(name)) => kept.push(n.clone()),
            _ => cx.warn(
                &format!("{at}/{i}"),
                format!("required `{n}` is not among the properties: dropped"),
            ),
        }
    }
    if !kept.is_empty() {
        out.insert("required".into(), Value::Array(kept));
    }
}
