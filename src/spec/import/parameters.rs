//! Swagger 2.0 parameters as OpenAPI 3.0 ones: the keywords of a query, path or header
//! parameter move into its `schema` (each "Filter by X" parameter keeps its own), a path
//! parameter is required, `collectionFormat` becomes `style`/`explode`, and the `body`
//! parameter becomes the operation's `requestBody` under `application/json` and
//! `application/hal+json`, the two media types NetApp's file `consumes`.
//!
//! The shared parameters of `#/parameters/` (`fields_param`, `max_records_param`,
//! `return_timeout_get_param` ...) are converted once ([`shared`]) and written inline where an
//! operation refers to them, so each operation reads whole, as in the curated spec.

use std::collections::BTreeMap;

use serde_json::{Map, Value, json};

use super::schemas::{self, Known};
use super::warning::Cx;
use crate::yaml::escape_segment;

/// One parameter of NetApp's file, converted.
#[derive(Debug, Clone)]
pub(super) enum Param {
    /// A query, path or header parameter.
    Plain(Value),
    /// The `body` parameter, as a `requestBody`.
    Body(Value),
}

/// The keywords of a Swagger parameter that describe its value: they become its `schema`.
const SCHEMA_KEYS: [&str; 17] = [
    "type",
    "format",
    "items",
    "default",
    "enum",
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
    "multipleOf",
    "x-nullable",
];

/// `#/parameters/*`, converted once, by name.
pub(super) fn shared(
    cx: &mut Cx<'_>,
    params: Option<&Value>,
    known: &Known,
) -> BTreeMap<String, Param> {
    let Some(params) = params.and_then(Value::as_object) else {
        return BTreeMap::new();
    };
    params
        .iter()
        .filter_map(|(name, p)| {
            let at = format!("/parameters/{}", escape_segment(name));
            Some((name.clone(), convert(cx, p, &at, known)?))
        })
        .collect()
}

/// An operation's (or a path's) parameter list: `$ref`s to `#/parameters/*` resolved, each
/// parameter converted; one given twice (same name and place) is read once, with a warning.
pub(super) fn list(
    cx: &mut Cx<'_>,
    v: Option<&Value>,
    at: &str,
    shared: &BTreeMap<String, Param>,
    known: &Known,
) -> Vec<Param> {
    let Some(v) = v else { return Vec::new() };
    let Some(items) = v.as_array() else {
        cx.warn(at, "`parameters` must be a list: ignored");
        return Vec::new();
    };
    let mut out: Vec<Param> = Vec::new();
    for (i, p) in items.iter().enumerate() {
        let p_at = format!("{at}/{i}");
        let converted = match p.get("$ref") {
            Some(r) => {
                let name = r
                    .as_str()
                    .and_then(|r| r.strip_prefix("#/parameters/"))
                    .unwrap_or_default();
                match shared.get(name) {
                    Some(found) => Some(found.clone()),
                    None => {
                        cx.warn(
                            &p_at,
                            format!("`$ref: {r}` names no shared parameter: skipped"),
                        );
                        None
                    }
                }
            }
            None => convert(cx, p, &p_at, known),
        };
        let Some(converted) = converted else { continue };
        let twice = match &converted {
            Param::Plain(new) => out
                .iter()
                .any(|q| matches!(q, Param::Plain(old) if same(old, new))),
            Param::Body(_) => out.iter().any(|q| matches!(q, Param::Body(_))),
        };
        if twice {
            cx.warn(&p_at, "given twice: the first is read");
            continue;
        }
        out.push(converted);
    }
    out
}

fn same(a: &Value, b: &Value) -> bool {
    a.get("name") == b.get("name") && a.get("in") == b.get("in")
}

/// One parameter object (not a `$ref`).
fn convert(cx: &mut Cx<'_>, p: &Value, at: &str, known: &Known) -> Option<Param> {
    let Some(map) = p.as_object() else {
        cx.warn(at, "a parameter must be a map: skipped");
        return None;
    };
    let Some(name) = map.get("name").and_then(Value::as_str) else {
        cx.warn(at, "a parameter without a `name`: skipped");
        return None;
    };
    match map.get("in").and_then(Value::as_str) {
        Some("body") => Some(Param::Body(body(cx, map, at, known))),
        Some(location @ ("query" | "path" | "header")) => {
            Some(Param::Plain(plain(cx, map, name, location, at, known)))
        }
        Some("formData") => {
            cx.warn(
                at,
                format!("`{name}` is a form field: ONTAP's REST API reads JSON bodies; skipped"),
            );
            None
        }
        other => {
            cx.warn(
                at,
                format!(
                    "`in: {}` is not a parameter location: skipped",
                    other.unwrap_or("(none)")
                ),
            );
            None
        }
    }
}

fn plain(
    cx: &mut Cx<'_>,
    map: &Map<String, Value>,
    name: &str,
    location: &str,
    at: &str,
    known: &Known,
) -> Value {
    let mut out = Map::new();
    out.insert("name".into(), json!(name));
    out.insert("in".into(), json!(location));
    if let Some(d) = map.get("description").and_then(Value::as_str) {
        out.insert("description".into(), json!(d));
    }
    match (location, map.get("required")) {
        ("path", Some(Value::Bool(true))) => {}
        ("path", _) => cx.warn(
            at,
            format!("path parameter `{name}` is not marked required: read as required"),
        ),
        (_, Some(Value::Bool(b))) => {
            out.insert("required".into(), json!(b));
        }
        (_, Some(other)) => cx.warn(
            &format!("{at}/required"),
            format!("`required: {other}` is not true or false: ignored"),
        ),
        (_, None) => {}
    }
    if location == "path" {
        out.insert("required".into(), json!(true));
    }
    let value: Map<String, Value> = map
        .iter()
        .filter(|(k, _)| SCHEMA_KEYS.contains(&k.as_str()))
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    out.insert(
        "schema".into(),
        Value::Object(schemas::body(cx, &value, at, known)),
    );
    if let Some(f) = map.get("collectionFormat") {
        let (style, explode) = match (f.as_str().unwrap_or_default(), location) {
            ("csv", "query") => ("form", false),
            ("csv", _) => ("simple", false),
            ("multi", _) => ("form", true),
            ("ssv", _) => ("spaceDelimited", false),
            ("pipes", _) => ("pipeDelimited", false),
            (other, _) => {
                cx.warn(
                    &format!("{at}/collectionFormat"),
                    format!("`collectionFormat: {other}` has no OpenAPI 3 style: read as csv"),
                );
                ("form", false)
            }
        };
        out.insert("style".into(), json!(style));
        out.insert("explode".into(), json!(explode));
    }
    for (k, v) in map {
        match k.as_str() {
            "name" | "in" | "description" | "required" | "collectionFormat" => {}
            k if SCHEMA_KEYS.contains(&k) => {}
            "allowEmptyValue" => {
                out.insert(k.to_string(), v.clone());
            }
            "x-ntap-introduced" => {
                let text = v.as_str().map_or_else(|| v.to_string(), str::to_string);
                out.insert("x-ontap-introduced-in".into(), json!(text));
            }
            k if k.starts_with("x-") => {
                out.insert(k.to_string(), v.clone());
            }
            other => cx.warn(
                &format!("{at}/{}", escape_segment(other)),
                format!("`{other}` is not a parameter keyword: dropped"),
            ),
        }
    }
    Value::Object(out)
}

/// The `body` parameter as a `requestBody`.
fn body(cx: &mut Cx<'_>, map: &Map<String, Value>, at: &str, known: &Known) -> Value {
    let schema = match map.get("schema") {
        Some(s) => schemas::schema(cx, s, &format!("{at}/schema"), known),
        None => {
            cx.warn(
                at,
                "a body parameter without a `schema`: read as any JSON body",
            );
            json!({})
        }
    };
    let mut out = Map::new();
    if let Some(d) = map.get("description").and_then(Value::as_str) {
        out.insert("description".into(), json!(d));
    }
    if let Some(Value::Bool(b)) = map.get("required") {
        out.insert("required".into(), json!(b));
    }
    out.insert("content".into(), both_media_types(schema));
    Value::Object(out)
}

/// `{application/json: {schema}, application/hal+json: {schema}}`: the spec gives every body
/// under both, as ONTAP serves and takes both.
pub(super) fn both_media_types(schema: Value) -> Value {
    json!({
        "application/json": {"schema": schema.clone()},
        "application/hal+json": {"schema": schema},
    })
}
