//! Request bodies: JSON parsing, dotted-key expansion (`{"fips.enabled": true}` →
//! `{"fips": {"enabled": true}}`), and a small shape check (unknown fields, wrong types, enums).

use ontap_rest::DottedError;
use serde_json::{Map, Value};

use super::error::{ApiError, ApiResult};

/// The shape of a request body.
#[allow(dead_code)]
pub enum Shape {
    /// Accepted and ignored.
    Any,
    /// Read-only: present in a request body → code 2.
    ReadOnly,
    Str,
    Bool,
    Int,
    /// A string from a list, compared case-insensitively.
    Enum(&'static [&'static str]),
    Obj(&'static [(&'static str, Shape)]),
    Arr(&'static Shape),
    /// A string or an object of the given shape (e.g. `role: "admin"` or `role: {"name": "admin"}`).
    StrOr(&'static Shape),
}

/// Parses a request body into a JSON object with dotted keys expanded. An empty body is `{}`.
pub fn parse_object(bytes: &[u8]) -> ApiResult<Value> {
    if bytes.iter().all(|b| b.is_ascii_whitespace()) {
        return Ok(Value::Object(Map::new()));
    }
    let v: Value = serde_json::from_slice(bytes)
        .map_err(|e| ApiError::invalid_json(format!("The request body is not valid JSON: {e}")))?;
    if !v.is_object() {
        return Err(ApiError::invalid_json(
            "The request body must be a JSON object.",
        ));
    }
    expand(v)
}

/// Expands dotted keys with ONTAP's rule ([`ontap_rest::expand_dotted`]): a key with an empty
/// segment is an unexpected argument, a field given twice an invalid value, each naming the key.
pub fn expand(v: Value) -> ApiResult<Value> {
    ontap_rest::expand_dotted(v).map_err(|e| match e {
        DottedError::EmptySegment { key } => ApiError::unexpected_argument(&key),
        DottedError::GivenTwice { key } => {
            ApiError::invalid_value(&key, "the field is given more than once")
        }
    })
}

/// Checks `v` against `shape`; `path` names the field in errors.
pub fn check(v: &Value, shape: &Shape, path: &str) -> ApiResult<()> {
    let shown = if path.is_empty() { "body" } else { path };
    match shape {
        Shape::Any => Ok(()),
        Shape::ReadOnly => Err(ApiError::cannot_set(shown)),
        Shape::Str => match v {
            Value::String(_) => Ok(()),
            _ => Err(ApiError::invalid_value_of(shown, v, "expected a string")),
        },
        Shape::Bool => match v {
            Value::Bool(_) => Ok(()),
            _ => Err(ApiError::invalid_value_of(shown, v, "expected a boolean")),
        },
        Shape::Int => match v {
            Value::Number(n) if n.is_i64() || n.is_u64() => Ok(()),
            _ => Err(ApiError::invalid_value_of(shown, v, "expected an integer")),
        },
        Shape::Enum(allowed) => match v {
            Value::String(s) if allowed.iter().any(|a| a.eq_ignore_ascii_case(s)) => Ok(()),
            _ => Err(ApiError::invalid_value_of(
                shown,
                v,
                format!("expected one of: {}", allowed.join(", ")),
            )),
        },
        Shape::Obj(fields) => match v {
            Value::Object(map) => {
                for (k, val) in map {
                    let sub = if path.is_empty() {
                        k.clone()
                    } else {
                        format!("{path}.{k}")
                    };
                    match fields.iter().find(|(name, _)| name == k) {
                        Some((_, s)) => check(val, s, &sub)?,
                        None => return Err(ApiError::unexpected_argument(&sub)),
                    }
                }
                Ok(())
            }
            _ => Err(ApiError::invalid_value_of(shown, v, "expected an object")),
        },
        Shape::Arr(item) => match v {
            Value::Array(items) => {
                for it in items {
                    check(it, item, path)?;
                }
                Ok(())
            }
            _ => Err(ApiError::invalid_value_of(shown, v, "expected an array")),
        },
        Shape::StrOr(obj) => match v {
            Value::String(_) => Ok(()),
            other => check(other, obj, path),
        },
    }
}

/// The value at a dotted path.
pub fn at<'a>(v: &'a Value, path: &str) -> Option<&'a Value> {
    let mut cur = v;
    for p in path.split('.') {
        cur = cur.get(p)?;
    }
    Some(cur)
}

pub fn str_at(v: &Value, path: &str) -> Option<String> {
    at(v, path).and_then(Value::as_str).map(str::to_string)
}

pub fn bool_at(v: &Value, path: &str) -> Option<bool> {
    at(v, path).and_then(Value::as_bool)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::{INVALID_FIELD, UNEXPECTED_ARGUMENT};

    #[test]
    fn dotted_key_problems_are_ontap_error_bodies() {
        let err = parse_object(br#"{"a.b": 1, "a": {"b": 2}}"#).unwrap_err();
        assert_eq!(err.body()["error"]["code"], INVALID_FIELD);
        assert_eq!(err.body()["error"]["target"], "a.b");
        let err = parse_object(br#"{"a..b": 1}"#).unwrap_err();
        assert_eq!(err.body()["error"]["code"], UNEXPECTED_ARGUMENT);
        assert_eq!(err.body()["error"]["target"], "a..b");
        assert_eq!(
            parse_object(br#"{"fips.enabled": true}"#).unwrap(),
            serde_json::json!({"fips": {"enabled": true}})
        );
    }
}
