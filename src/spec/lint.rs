//! Structural checks of the raw spec document, before anything is compiled: every `$ref`
//! resolves, schema keywords are well-formed, responses are described, `x-ontap-errors` entries
//! are complete.
//!
//! Each check reports `(JSON pointer, message)`; the loader turns the pointer into file, line and
//! field, so one `spec check` lists every problem at once.
//!
//! Why these checks run before the `openapiv3` model reads the operations (`typed.rs`): the
//! model's deserialization errors name the field where it gave up, not always the mistake; these
//! checks name the exact field and line (`shape.rs` checks the shape of what the loader reads),
//! and they run on the whole document at once, so one `spec check` lists every problem.

mod shape;

use serde_json::Value;

use super::OntapError;
use super::basis::{Basis, parse_basis_at};
use super::seeds::not_a_source;
use crate::yaml::escape_segment;

const JSON_TYPES: [&str; 6] = ["string", "number", "integer", "boolean", "array", "object"];
/// The statuses ONTAP documents for errors (its "Interpreting an API response" page).
const ERROR_STATUSES: [u16; 7] = [400, 401, 403, 404, 405, 409, 413];

/// Every structural check of the document, in the order a reader fixes them: references, schema
/// keywords, the shape of what the loader reads, the OpenAPI version.
pub(super) fn lint(doc: &Value, report: &mut dyn FnMut(String, String)) {
    check_refs(doc, doc, String::new(), report);
    check_schema_keywords(doc, String::new(), false, report);
    shape::check(doc, report);
    match doc.get("openapi").and_then(Value::as_str) {
        Some(v) if v.starts_with("3.0") => {}
        other => report(
            "/openapi".into(),
            format!("expected an OpenAPI 3.0.x document, found {other:?}"),
        ),
    }
}

fn check_refs(doc: &Value, node: &Value, at: String, report: &mut dyn FnMut(String, String)) {
    match node {
        Value::Object(map) => {
            if let Some(r) = map.get("$ref") {
                let target = r.as_str().unwrap_or_default();
                match target.strip_prefix('#') {
                    Some(p) if doc.pointer(p).is_some() => {}
                    Some(_) => report(
                        format!("{at}/$ref"),
                        format!("`{target}` does not resolve: no such component"),
                    ),
                    None => report(
                        format!("{at}/$ref"),
                        format!("`{target}`: only local references (`#/...`) are supported"),
                    ),
                }
            }
            for (k, v) in map {
                check_refs(doc, v, format!("{at}/{}", escape_segment(k)), report);
            }
        }
        Value::Array(items) => {
            for (i, v) in items.iter().enumerate() {
                check_refs(doc, v, format!("{at}/{i}"), report);
            }
        }
        _ => {}
    }
}

/// Checks the keywords of every schema object in the document: `type` is a JSON type, arrays
/// have `items`, `required` names documented properties, `enum` is a non-empty list.
fn check_schema_keywords(
    node: &Value,
    at: String,
    in_schema: bool,
    report: &mut dyn FnMut(String, String),
) {
    if in_schema && !node.is_object() {
        report(at, "a schema must be a map of keywords".into());
        return;
    }
    match node {
        Value::Object(map) => {
            if in_schema && !map.contains_key("$ref") {
                if let Some(t) = map.get("type") {
                    match t.as_str() {
                        Some(t) if JSON_TYPES.contains(&t) => {}
                        _ => report(
                            format!("{at}/type"),
                            format!(
                                "`{}` is not a type: use one of {}",
                                t.as_str()
                                    .map(str::to_string)
                                    .unwrap_or_else(|| t.to_string()),
                                JSON_TYPES.join(", ")
                            ),
                        ),
                    }
                    if t == "array" && !map.contains_key("items") {
                        report(at.clone(), "an array schema needs `items`".into());
                    }
                }
                if let Some(e) = map.get("enum")
                    && e.as_array().is_none_or(Vec::is_empty)
                {
                    report(
                        format!("{at}/enum"),
                        "`enum` must be a non-empty list".into(),
                    );
                }
                if let (Some(req), Some(props)) = (
                    map.get("required").and_then(Value::as_array),
                    map.get("properties").and_then(Value::as_object),
                ) {
                    for (i, r) in req.iter().enumerate() {
                        if let Some(name) = r.as_str()
                            && !props.contains_key(name)
                        {
                            report(
                                format!("{at}/required/{i}"),
                                format!("required field `{name}` is not among the properties"),
                            );
                        }
                    }
                }
            }
            for (k, v) in map {
                if k.starts_with("x-") || k == "example" || k == "enum" || k == "default" {
                    continue;
                }
                let child = format!("{at}/{}", escape_segment(k));
                // Which children are schemas: `schema` anywhere, everything under
                // components/schemas, and a schema's own sub-schemas.
                // `additionalProperties` may also be `true` or `false`.
                let child_is_schema = k == "schema"
                    || at == "/components/schemas"
                    || (in_schema
                        && (matches!(k.as_str(), "items" | "not")
                            || (k == "additionalProperties" && !v.is_boolean())));
                if in_schema && (k == "properties") {
                    if let Value::Object(props) = v {
                        for (name, s) in props {
                            check_schema_keywords(
                                s,
                                format!("{child}/{}", escape_segment(name)),
                                true,
                                report,
                            );
                        }
                    }
                    continue;
                }
                if in_schema && matches!(k.as_str(), "allOf" | "oneOf" | "anyOf") {
                    if let Value::Array(items) = v {
                        for (i, s) in items.iter().enumerate() {
                            check_schema_keywords(s, format!("{child}/{i}"), true, report);
                        }
                    }
                    continue;
                }
                check_schema_keywords(v, child, child_is_schema, report);
            }
        }
        Value::Array(items) => {
            for (i, v) in items.iter().enumerate() {
                check_schema_keywords(v, format!("{at}/{i}"), false, report);
            }
        }
        _ => {}
    }
}

/// Reads an `x-ontap-errors` or `x-ontap-common-errors` list. Every entry needs a `basis` (for the
/// code) and a `status_basis` (for the HTTP status); a `documented` one must name a seed page of
/// the repository, which [`parse_basis_at`] checks.
pub(super) fn parse_errors(
    v: &Value,
    at: &str,
    report: &mut dyn FnMut(String, String),
) -> Vec<OntapError> {
    let Some(items) = v.as_array() else {
        report(
            at.to_string(),
            "must be a list of {code, status, description, seed, basis, status_basis}".into(),
        );
        return Vec::new();
    };
    let mut out: Vec<OntapError> = Vec::new();
    for (i, item) in items.iter().enumerate() {
        let p = format!("{at}/{i}");
        let code = match item.get("code") {
            Some(Value::String(s)) if !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()) => {
                s.clone()
            }
            Some(Value::String(s)) => {
                report(
                    format!("{p}/code"),
                    format!("`{s}` is not an ONTAP error code (digits only)"),
                );
                continue;
            }
            Some(other) => {
                report(
                    format!("{p}/code"),
                    format!(
                        "must be a string (ONTAP sends `error.code` as a string), found {other}"
                    ),
                );
                continue;
            }
            None => {
                report(p.clone(), "missing `code`".into());
                continue;
            }
        };
        let status = match item.get("status").and_then(Value::as_u64) {
            Some(s) if ERROR_STATUSES.contains(&(s as u16)) => s as u16,
            Some(s) => {
                report(
                    format!("{p}/status"),
                    format!("{s} is not an error status ONTAP documents ({ERROR_STATUSES:?})"),
                );
                continue;
            }
            None => {
                report(format!("{p}/status"), "missing or not a number".into());
                continue;
            }
        };
        let text = |k: &str| {
            item.get(k)
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_string()
        };
        let (description, seed) = (text("description"), text("seed").to_string());
        // `seed` names the page the entry was transcribed from: a citation, so a file that is
        // there. (`source`, on the common errors, names a public source in words.)
        if !seed.is_empty()
            && let Some(why) = not_a_source(&seed)
        {
            report(format!("{p}/seed"), why);
        }
        if description.is_empty() {
            report(format!("{p}/description"), "missing description".into());
        }
        let mut basis_of = |field: &str| parse_basis_at(item.get(field), &p, field, report);
        let (basis, status_basis) = (basis_of("basis"), basis_of("status_basis"));
        // An imported entry (`spec import`) names its file once, in its documented basis: the
        // file it was transcribed from is that one.
        let seed = match (seed.is_empty(), &basis) {
            (false, _) => seed,
            (true, Some(Basis::Documented { seed })) if item.get("source").is_none() => {
                seed.clone()
            }
            (true, _) => text("source"),
        };
        if seed.is_empty() {
            report(
                format!("{p}/seed"),
                "missing the seed page it comes from".into(),
            );
        }
        if out.iter().any(|e| e.code == code) {
            report(
                format!("{p}/code"),
                format!("{code} is listed twice on this operation"),
            );
        }
        let (Some(basis), Some(status_basis)) = (basis, status_basis) else {
            continue;
        };
        out.push(OntapError {
            code,
            status,
            description,
            seed,
            basis,
            status_basis,
        });
    }
    out
}
