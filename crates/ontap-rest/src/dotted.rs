//! Dotted body keys, read as ONTAP reads them: `{"fips.enabled": true}` is
//! `{"fips": {"enabled": true}}`, and a dotted key may add to an object given beside it
//! (`{"owner.name": "svm1", "owner": {"uuid": "u"}}`). A field given twice
//! (`{"a.b": 1, "a": {"b": 2}}`) or a key with an empty segment (`"a..b"`, `".a"`) is refused,
//! not silently resolved one way: ONTAP answers such a body with an error.

use serde_json::{Map, Value};

/// Why a body's dotted keys cannot be expanded. `key` is the full dotted name of the field
/// (`chap.inbound.user`), with the names of the objects it is nested in.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DottedError {
    #[error("{key}: the key has an empty segment")]
    EmptySegment { key: String },
    #[error("{key}: the field is given more than once")]
    GivenTwice { key: String },
}

impl DottedError {
    /// The full dotted name of the field.
    pub fn key(&self) -> &str {
        match self {
            DottedError::EmptySegment { key } | DottedError::GivenTwice { key } => key,
        }
    }
}

/// Expands dotted keys into nested objects, recursively (inside arrays too).
pub fn expand_dotted(v: Value) -> Result<Value, DottedError> {
    expand(v, "")
}

fn expand(v: Value, prefix: &str) -> Result<Value, DottedError> {
    match v {
        Value::Object(map) => {
            let mut out = Map::new();
            for (k, v) in map {
                let full = if prefix.is_empty() {
                    k.clone()
                } else {
                    format!("{prefix}.{k}")
                };
                let v = expand(v, &full)?;
                let parts: Vec<&str> = k.split('.').collect();
                if parts.iter().any(|p| p.is_empty()) {
                    return Err(DottedError::EmptySegment { key: full });
                }
                insert_path(&mut out, &parts, v, &full)?;
            }
            Ok(Value::Object(out))
        }
        Value::Array(items) => items
            .into_iter()
            .map(|item| expand(item, prefix))
            .collect::<Result<_, _>>()
            .map(Value::Array),
        other => Ok(other),
    }
}

fn insert_path(
    map: &mut Map<String, Value>,
    parts: &[&str],
    v: Value,
    full: &str,
) -> Result<(), DottedError> {
    let given_twice = || DottedError::GivenTwice {
        key: full.to_string(),
    };
    let Some((first, rest)) = parts.split_first() else {
        return Ok(());
    };
    if rest.is_empty() {
        match (map.get_mut(*first), v) {
            (Some(Value::Object(existing)), Value::Object(new)) => {
                for (k, nv) in new {
                    insert_path(existing, &[k.as_str()], nv, &format!("{full}.{k}"))?;
                }
                Ok(())
            }
            (Some(_), _) => Err(given_twice()),
            (None, v) => {
                map.insert((*first).to_string(), v);
                Ok(())
            }
        }
    } else {
        let entry = map
            .entry((*first).to_string())
            .or_insert_with(|| Value::Object(Map::new()));
        match entry {
            Value::Object(inner) => insert_path(inner, rest, v, full),
            _ => Err(given_twice()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn dotted_keys_expand_and_merge_with_their_parent_object() {
        assert_eq!(
            expand_dotted(
                json!({"fips.enabled": true, "owner.name": "svm1", "owner": {"uuid": "u"}})
            ),
            Ok(json!({"fips": {"enabled": true}, "owner": {"name": "svm1", "uuid": "u"}}))
        );
        assert_eq!(
            expand_dotted(json!({"a": [{"b.c": 1}], "n": 2})),
            Ok(json!({"a": [{"b": {"c": 1}}], "n": 2}))
        );
    }

    #[test]
    fn a_field_given_twice_is_refused_by_its_full_name() {
        for body in [
            json!({"a.b": 1, "a": {"b": 2}}),
            json!({"a": {"b": 2}, "a.b": 1}),
        ] {
            let err = expand_dotted(body.clone()).unwrap_err();
            let key = "a.b".to_string();
            assert_eq!(err, DottedError::GivenTwice { key }, "{body}");
        }
        // A value where an object is needed: the field is given twice too.
        let err = expand_dotted(json!({"a": 1, "a.b": 2})).unwrap_err();
        assert_eq!(err.key(), "a.b");
        let err =
            expand_dotted(json!({"x": {"chap.user": "u", "chap": {"user": "v"}}})).unwrap_err();
        assert_eq!(
            err.to_string(),
            "x.chap.user: the field is given more than once"
        );
    }

    #[test]
    fn an_empty_segment_is_refused() {
        for key in ["a..b", ".a", "a.", ""] {
            let err = expand_dotted(json!({ key: 1 })).unwrap_err();
            assert_eq!(
                err,
                DottedError::EmptySegment {
                    key: key.to_string()
                }
            );
        }
        let err = expand_dotted(json!({"outer": {"in..ner": 1}})).unwrap_err();
        assert_eq!(err.key(), "outer.in..ner");
    }
}
