//! An operation's responses: NetApp's statuses as it gives them (200, 201, 202 with its job link),
//! each body under both JSON media types, and `default` as the spec writes it, `error_response`,
//! with NetApp's error table moved out of its description into `x-ontap-errors`.
//!
//! No `Location` header is added where NetApp's operation documents none: NetApp describes the
//! header once, for creates, on a documentation page, and a POST that creates nothing would
//! fail a correct cluster if the spec asserted it there. A header an operation does document
//! (newer files) is carried.

use serde_json::{Map, Value, json};

use super::entries::{self, Cite, Common};
use super::error_table::read_table;
use super::parameters::both_media_types;
use super::schemas::{self, Known};
use super::warning::Cx;
use crate::yaml::escape_segment;

/// What the responses of one operation gave.
pub(super) struct Responses {
    pub responses: Map<String, Value>,
    /// The `x-ontap-errors` entries.
    pub errors: Vec<Value>,
    /// The rows of NetApp's error table(s).
    pub rows: usize,
}

/// What the responses are read against.
pub(super) struct Against<'a> {
    pub known: &'a Known,
    pub cite: &'a Cite,
    pub common: &'a Common,
}

pub(super) fn responses(
    cx: &mut Cx<'_>,
    v: Option<&Value>,
    at: &str,
    with: &Against<'_>,
) -> Responses {
    let mut out = Responses {
        responses: Map::new(),
        errors: Vec::new(),
        rows: 0,
    };
    let empty = Map::new();
    let map = match v.map(Value::as_object) {
        Some(Some(m)) => m,
        Some(None) => {
            cx.warn(at, "`responses` must be a map: ignored");
            &empty
        }
        None => &empty,
    };
    for (status, r) in map {
        let r_at = format!("{at}/{}", escape_segment(status));
        if status == "default" {
            let (default, errors, rows) = default(cx, r, &r_at, with);
            out.responses.insert("default".into(), default);
            out.errors = errors;
            out.rows = rows;
        } else if status.len() == 3 && status.bytes().all(|b| b.is_ascii_digit()) {
            out.responses
                .insert(status.clone(), one(cx, r, status, &r_at, with.known));
        } else {
            cx.warn(&r_at, format!("`{status}` is not a status: skipped"));
        }
    }
    if !out.responses.contains_key("default") {
        cx.warn(
            at,
            "no `default` (error) response: every ONTAP operation can answer an ONTAP error; read \
             as error_response",
        );
        out.responses
            .insert("default".into(), error_default(with.known, None));
    }
    out
}

/// A status's response: its description, its body under both media types, its headers.
fn one(cx: &mut Cx<'_>, r: &Value, status: &str, at: &str, known: &Known) -> Value {
    let mut out = Map::new();
    let Some(map) = r.as_object() else {
        cx.warn(at, "a response must be a map: read as one without a body");
        out.insert("description".into(), json!(reason(status)));
        return Value::Object(out);
    };
    let description = map
        .get("description")
        .and_then(Value::as_str)
        .map(str::trim)
        .unwrap_or("");
    if description.is_empty() {
        cx.warn(at, format!("no description: read as `{}`", reason(status)));
    }
    out.insert(
        "description".into(),
        json!(if description.is_empty() {
            reason(status)
        } else {
            description
        }),
    );
    if let Some(h) = map.get("headers") {
        out.insert("headers".into(), headers(cx, h, &format!("{at}/headers")));
    }
    if let Some(s) = map.get("schema") {
        let schema = schemas::schema(cx, s, &format!("{at}/schema"), known);
        out.insert("content".into(), both_media_types(schema));
    }
    for k in map.keys() {
        if !matches!(k.as_str(), "description" | "headers" | "schema") && !k.starts_with("x-") {
            cx.warn(
                &format!("{at}/{}", escape_segment(k)),
                format!("`{k}` of a response: dropped"),
            );
        }
    }
    Value::Object(out)
}

/// Swagger headers (`{type, description}`) as OpenAPI ones (`{description, schema}`).
fn headers(cx: &mut Cx<'_>, h: &Value, at: &str) -> Value {
    let Some(map) = h.as_object() else {
        cx.warn(at, "`headers` must be a map: ignored");
        return json!({});
    };
    let out: Map<String, Value> = map
        .iter()
        .map(|(name, v)| {
            let mut header = Map::new();
            if let Some(d) = v.get("description") {
                header.insert("description".into(), d.clone());
            }
            let mut schema = Map::new();
            for k in ["type", "format"] {
                if let Some(x) = v.get(k) {
                    schema.insert(k.into(), x.clone());
                }
            }
            if schema.is_empty() {
                schema.insert("type".into(), json!("string"));
            }
            header.insert("schema".into(), Value::Object(schema));
            (name.clone(), Value::Object(header))
        })
        .collect();
    Value::Object(out)
}

/// `default`: `error_response` (or the schema NetApp gives), described as "Error"; its error
/// table becomes entries.
fn default(cx: &mut Cx<'_>, r: &Value, at: &str, with: &Against<'_>) -> (Value, Vec<Value>, usize) {
    let d_at = format!("{at}/description");
    let text = r.get("description").and_then(Value::as_str).unwrap_or("");
    if text.trim().is_empty() {
        cx.warn(
            &d_at,
            "the error response has an empty description: no error table",
        );
    }
    let table = read_table(text);
    for bad in &table.bad_rows {
        cx.warn(
            &d_at,
            format!("`{bad}` is not a row of the error table (no code): skipped"),
        );
    }
    let schema = match r.get("schema") {
        Some(s) => Some(schemas::schema(cx, s, &format!("{at}/schema"), with.known)),
        None if table.other_text.iter().any(|t| t.starts_with("$ref")) => {
            cx.warn(
                &d_at,
                "the response's `schema:` fell into its description text (an indentation slip): \
                 read as error_response",
            );
            None
        }
        None => {
            cx.warn(
                at,
                "the error response has no schema: read as error_response",
            );
            None
        }
    };
    let stray: Vec<&String> = table
        .other_text
        .iter()
        .filter(|t| !(t.starts_with("$ref") || *t == "schema:"))
        .collect();
    if !table.rows.is_empty() && !stray.is_empty() {
        cx.warn(
            &d_at,
            format!("text beside the error table is not a row of it: {stray:?}"),
        );
    }
    // Without a table, NetApp's words are the response's description.
    let description = match (table.rows.is_empty(), stray.is_empty()) {
        (true, false) => stray
            .iter()
            .map(|s| s.as_str())
            .collect::<Vec<_>>()
            .join(" "),
        _ => "Error".to_string(),
    };
    let errors = entries::entries(cx, &table.rows, &d_at, with.cite, with.common);
    let mut out = error_default(with.known, schema);
    out["description"] = json!(description);
    (out, errors, table.rows.len())
}

/// A `default` response with `schema`, or `error_response` when NetApp names the definition.
fn error_default(known: &Known, schema: Option<Value>) -> Value {
    let schema = schema.unwrap_or_else(|| {
        if known.contains("error_response") {
            json!({"$ref": "#/components/schemas/error_response"})
        } else {
            json!({})
        }
    });
    json!({"description": "Error", "content": both_media_types(schema)})
}

/// The reason phrase of a status, for a response NetApp left undescribed.
fn reason(status: &str) -> &'static str {
    match status {
        "200" => "OK",
        "201" => "Created",
        "202" => "Accepted",
        "204" => "No Content",
        _ => "Response",
    }
}
