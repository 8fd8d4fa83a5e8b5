//! A request body against the operation's request schema in NetApp's file, refused with ONTAP's
//! error bodies at the first problem, field by field in the body's order:
//!
//! | problem | code | basis |
//! |---|---|---|
//! | a field the schema does not have | 262179 `Unexpected argument` | observed (ansible issue #178) |
//! | a `readOnly` field | 2 | documented: NetApp's `readOnly` |
//! | a PATCH-only field in a POST | 2 | documented: NetApp's `x-ntap-modifyOnly`/`readModify` |
//! | a POST-only field in a PATCH | 2 | documented: NetApp's `x-ntap-createOnly`/`readCreate` |
//! | a wrong JSON type, a value outside the `enum`, a string longer or shorter than the schema's lengths, a number out of its bounds, a `uuid` or `date-time` that is not one | 2 | documented: the schema; code 2 observed (ansible issue #145) |
//! | a field the schema's `required` lists, missing from a POST | 2 | documented: `required` |
//!
//! Codes as the hand-written routes give them ([`crate::error`]). An enum value is compared
//! without regard to case, as the route table's bodies are, and kept as the schema spells it. A
//! `writeOnly` field (a password) is accepted and never shown back, in an error neither.

use serde_json::Value;

use super::document::{Document, MAX_DEPTH, Schema};
use super::values::format_fits;
use crate::error::{ApiError, ApiResult};

/// Which write a body is for: the fields each may carry differ.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    Post,
    Patch,
}

/// Checks `body` (a JSON object) against `schema`, writing each enum value as the schema does.
pub fn check(doc: &Document, schema: &Schema, body: &mut Value, mode: Mode) -> ApiResult<()> {
    object(doc, schema, body, mode, "", 0)
}

/// A body where the operation documents none: only an empty one.
pub fn empty(body: &Value) -> ApiResult<()> {
    match body.as_object().and_then(|m| m.keys().next()) {
        Some(first) => Err(ApiError::unexpected_argument(first)),
        None => Ok(()),
    }
}

fn dotted(at: &str, name: &str) -> String {
    if at.is_empty() {
        name.to_string()
    } else {
        format!("{at}.{name}")
    }
}

fn object(
    doc: &Document,
    schema: &Schema,
    value: &mut Value,
    mode: Mode,
    at: &str,
    depth: usize,
) -> ApiResult<()> {
    let props = doc.properties(schema);
    // A reference given as its name alone (`"ipspace": "Default"`, `"service_policy":
    // "default-data-files"`) is the reference `{"name": ...}`. Observed: NetApp's
    // na_ontap_broadcast_domain and na_ontap_interface send references so to ONTAP.
    if let Value::String(name) = value
        && !at.is_empty()
        && props.iter().any(|(n, _)| *n == "name")
        && props.iter().any(|(n, _)| *n == "uuid")
    {
        *value = serde_json::json!({ "name": name });
    }
    let Value::Object(map) = value else {
        let shown = if at.is_empty() { "body" } else { at };
        return Err(ApiError::invalid_value_of(
            shown,
            value,
            "expected an object",
        ));
    };
    // An object the schema leaves open (`type: object` and nothing more) takes any fields.
    if props.is_empty() || depth > MAX_DEPTH {
        return Ok(());
    }
    if mode == Mode::Post {
        for name in doc.required(schema) {
            if !map.contains_key(name) {
                return Err(ApiError::missing_field(&dotted(at, name)));
            }
        }
    }
    for (name, v) in map.iter_mut() {
        let here = dotted(at, name);
        let Some((_, prop)) = props.iter().find(|(n, _)| n == name) else {
            return Err(ApiError::unexpected_argument(&here));
        };
        field(doc, prop, v, mode, &here, depth + 1)?;
    }
    Ok(())
}

fn field(
    doc: &Document,
    prop: &Schema,
    v: &mut Value,
    mode: Mode,
    at: &str,
    depth: usize,
) -> ApiResult<()> {
    let s = doc.scalar(prop);
    let settable = match mode {
        Mode::Post => !s.no_post,
        Mode::Patch => !s.no_patch,
    };
    if s.read_only || !settable {
        return Err(ApiError::cannot_set(at));
    }
    if doc.is_object(prop) {
        return object(doc, prop, v, mode, at, depth);
    }
    // An integer given as its decimal text is that integer: observed through NetApp's own
    // client, `na_ontap_lun_map` sends `logical_unit_number` as the text of its `lun_id` option
    // (a `str`) and maps LUNs on clusters so.
    if s.kind.as_deref() == Some("integer")
        && let Some(n) = v.as_str().and_then(|t| t.trim().parse::<i64>().ok())
    {
        *v = Value::from(n);
    }
    // Never echo a secret: a write-only field's value stays out of the message.
    let secret = s.write_only || s.format.as_deref() == Some("password");
    let wrong = |what: String| {
        if secret {
            ApiError::invalid_value(at, what)
        } else {
            ApiError::invalid_value_of(at, v, what)
        }
    };
    match (s.kind.as_deref(), &*v) {
        (Some("string"), Value::String(text)) => {
            let n = text.chars().count() as u64;
            if let Some(max) = s.max_length.filter(|&m| n > m) {
                return Err(wrong(format!("the value is longer than {max} characters")));
            }
            if let Some(min) = s.min_length.filter(|&m| n < m) {
                return Err(wrong(format!("the value is shorter than {min} characters")));
            }
            if !format_fits(&s, text) {
                let format = s.format.as_deref().unwrap_or("");
                return Err(wrong(format!("the value is not a valid {format}")));
            }
        }
        (Some("integer"), Value::Number(n)) if n.is_i64() || n.is_u64() => bounds(&s, n, &wrong)?,
        (Some("number"), Value::Number(n)) => bounds(&s, n, &wrong)?,
        (Some("boolean"), Value::Bool(_)) => {}
        (Some("array"), Value::Array(_)) => return array(doc, &s, v, mode, at, depth),
        (None, _) => {}
        (Some(kind), _) => return Err(wrong(format!("expected {}", article(kind)))),
    }
    choose(&s, v, secret, at)
}

/// The value as the schema's `enum` spells it, compared without regard to case.
fn choose(s: &Schema, v: &mut Value, secret: bool, at: &str) -> ApiResult<()> {
    let Some(choices) = &s.choices else {
        return Ok(());
    };
    let same = |c: &Value| match (c, &*v) {
        (Value::String(a), Value::String(b)) => a.eq_ignore_ascii_case(b),
        (a, b) => a == b,
    };
    match choices.iter().find(|c| same(c)) {
        Some(c) => {
            *v = c.clone();
            Ok(())
        }
        None => {
            let listed: Vec<String> = choices
                .iter()
                .map(|c| c.as_str().map_or_else(|| c.to_string(), str::to_string))
                .collect();
            let why = format!("expected one of: {}", listed.join(", "));
            Err(if secret {
                ApiError::invalid_value(at, why)
            } else {
                ApiError::invalid_value_of(at, v, why)
            })
        }
    }
}

fn bounds(s: &Schema, n: &serde_json::Number, wrong: &dyn Fn(String) -> ApiError) -> ApiResult<()> {
    let x = n.as_f64().unwrap_or(0.0);
    if let Some(min) = s.minimum.filter(|&m| x < m) {
        return Err(wrong(format!("the value is less than {min}")));
    }
    if let Some(max) = s.maximum.filter(|&m| x > m) {
        return Err(wrong(format!("the value is greater than {max}")));
    }
    Ok(())
}

fn array(
    doc: &Document,
    s: &Schema,
    v: &mut Value,
    mode: Mode,
    at: &str,
    depth: usize,
) -> ApiResult<()> {
    let Value::Array(items) = v else {
        return Ok(());
    };
    let n = items.len() as u64;
    if let Some(max) = s.max_items.filter(|&m| n > m) {
        return Err(ApiError::invalid_value(
            at,
            format!("at most {max} items are allowed"),
        ));
    }
    if let Some(min) = s.min_items.filter(|&m| n < m) {
        return Err(ApiError::invalid_value(
            at,
            format!("at least {min} items are needed"),
        ));
    }
    let Some(item) = s.items.as_deref() else {
        return Ok(());
    };
    for value in items.iter_mut() {
        field(doc, item, value, mode, at, depth + 1)?;
    }
    Ok(())
}

fn article(kind: &str) -> String {
    match kind {
        "integer" | "array" | "object" => format!("an {kind}"),
        other => format!("a {other}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::{INVALID_FIELD, UNEXPECTED_ARGUMENT};
    use serde_json::json;

    fn doc() -> Document {
        serde_json::from_value(json!({"components": {"schemas": {"thing": {
            "type": "object",
            "required": ["name"],
            "properties": {
                "name": {"type": "string", "maxLength": 5},
                "uuid": {"type": "string", "readOnly": true},
                "kind": {"type": "string", "enum": ["rw", "dp"], "x-ontap-no-patch": true},
                "state": {"type": "string", "x-ontap-no-post": true},
                "size": {"type": "integer", "minimum": 1},
                "secret": {"type": "string", "writeOnly": true, "enum": ["a"]},
                "svm": {"type": "object", "properties": {"name": {"type": "string"}}},
                "tags": {"type": "array", "items": {"type": "string"}, "maxItems": 1},
            }
        }}}}))
        .expect("a document")
    }

    fn run(body: Value, mode: Mode) -> Result<Value, (String, String, String)> {
        let doc = doc();
        let schema = doc.components.schemas["thing"].clone();
        let mut body = body;
        check(&doc, &schema, &mut body, mode)
            .map(|()| body)
            .map_err(|e| {
                let b = e.body();
                let s = |k: &str| b["error"][k].as_str().unwrap_or("").to_string();
                (s("code"), s("target"), s("message"))
            })
    }

    #[test]
    fn each_rule_refuses_with_its_code_and_target() {
        let refused = |body: Value, mode| run(body, mode).expect_err("refused");
        let bad = |body: Value, mode| {
            let (code, target, _) = refused(body, mode);
            (code, target)
        };
        let two = |t: &str| (INVALID_FIELD.to_string(), t.to_string());
        let n = json!("n");
        assert_eq!(
            bad(json!({"name": n, "colour": 1}), Mode::Post),
            (UNEXPECTED_ARGUMENT.into(), "colour".into())
        );
        assert_eq!(
            bad(json!({"name": n, "svm": {"id": 1}}), Mode::Post),
            (UNEXPECTED_ARGUMENT.into(), "svm.id".into())
        );
        assert_eq!(
            bad(json!({"name": n, "uuid": "x"}), Mode::Post),
            two("uuid")
        );
        assert_eq!(
            bad(json!({"name": n, "state": "x"}), Mode::Post),
            two("state")
        );
        assert_eq!(bad(json!({"kind": "rw"}), Mode::Patch), two("kind"));
        assert_eq!(bad(json!({"name": "toolong"}), Mode::Post), two("name"));
        assert_eq!(bad(json!({"name": 5}), Mode::Post), two("name"));
        assert_eq!(
            bad(json!({"name": n, "kind": "ls"}), Mode::Post),
            two("kind")
        );
        assert_eq!(bad(json!({"name": n, "size": 0}), Mode::Post), two("size"));
        assert_eq!(
            bad(json!({"name": n, "size": 1.5}), Mode::Post),
            two("size")
        );
        assert_eq!(
            bad(json!({"name": n, "tags": ["a", "b"]}), Mode::Post),
            two("tags")
        );
        assert_eq!(bad(json!({"size": 2}), Mode::Post), two("name"));
        let (_, _, message) = refused(json!({"name": n, "secret": "hunter2"}), Mode::Post);
        assert!(!message.contains("hunter2"), "{message}");
    }

    #[test]
    fn a_good_body_passes_with_its_enums_spelled_as_the_schema_does() {
        let body = run(
            json!({"name": "v", "kind": "DP", "secret": "a"}),
            Mode::Post,
        );
        assert_eq!(body, Ok(json!({"name": "v", "kind": "dp", "secret": "a"})));
        assert!(run(json!({"state": "online", "size": 3}), Mode::Patch).is_ok());
    }

    #[test]
    fn an_integer_given_as_its_text_is_that_integer() {
        let body = run(json!({"name": "v", "size": "3"}), Mode::Post);
        assert_eq!(body, Ok(json!({"name": "v", "size": 3})));
        let (code, target, _) =
            run(json!({"name": "v", "size": "three"}), Mode::Post).expect_err("not a number");
        assert_eq!((code.as_str(), target.as_str()), (INVALID_FIELD, "size"));
        let (_, target, _) =
            run(json!({"name": "v", "size": "0"}), Mode::Post).expect_err("out of bounds");
        assert_eq!(target, "size");
    }
}
