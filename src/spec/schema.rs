//! OpenAPI 3.0 schemas turned into compiled JSON Schema validators, with the parts JSON Schema
//! cannot say (direction of `readOnly`/`writeOnly`, undocumented fields) checked by a walk
//! (`walk.rs`, beside this file, so each of the two readers of a schema fits on a few screens).

use std::fmt::Write as _;

use serde_json::{Map, Value};

use super::walk::walk;
use crate::yaml::escape_segment;

/// Which way a body travels: `readOnly` fields may not be sent, `writeOnly` fields may not come back.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    Request,
    Response,
}

/// What a validation found.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum FindingKind {
    /// The body breaks the schema (type, enum, bounds, required, unknown field in a request).
    Invalid,
    /// A `writeOnly` field (a password) came back in a response.
    WriteOnlyInResponse,
    /// A request carries a field the server sets.
    ReadOnlyInRequest,
    /// A PATCH carries a field the spec says cannot be changed.
    NotPatchable,
    /// A POST carries a field only a PATCH may set (NetApp's `x-ntap-modifyOnly`).
    NotPostable,
    /// A response carries a field the spec does not document. ONTAP adds fields across
    /// releases, so this is a warning, not a failure.
    Undocumented,
}

/// One finding, at a JSON pointer into the body. Messages never contain instance values, so a
/// password in a wrong place cannot leak through a report.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Finding {
    pub pointer: String,
    pub kind: FindingKind,
    pub message: String,
}

impl Finding {
    pub fn is_failure(&self) -> bool {
        self.kind != FindingKind::Undocumented
    }
}

/// Inlines every local `$ref` so a schema stands alone, for the validator and the walk. Errors
/// name the pointer of the bad `$ref`.
///
/// The prose no reader of a resolved schema reads (`description`, `title`, `externalDocs`) is
/// left out: a `$ref` is copied wherever it is used, so NetApp's volume definition, half of it
/// descriptions, was held once per operation that names it, and the resolved schemas were the
/// biggest part of a whole-API run's memory. `example` stays (a built request takes its values
/// from it).
pub fn resolve(doc: &Value, schema: &Value, at: &str) -> Result<Value, (String, String)> {
    resolve_inner(
        doc,
        schema,
        &mut at.to_string(),
        &mut Vec::new(),
        Resolve::Runtime,
        false,
    )
}

/// [`resolve`] for a reader that lists a schema's fields rather than validates bodies (`spec
/// diff`): a `$ref` that refers back to itself (NetApp's `volume.clone.parent_volume` is a
/// `volume`) ends there, one level down, instead of failing the whole document (a validator cannot stop
/// there, since it would accept anything below, which is why [`resolve`] refuses such a
/// schema); and the prose (`description`, `example`, `title`, `externalDocs`) is left out,
/// since it is most of the bytes of NetApp's definition and no field list reads it.
pub fn resolve_shape(doc: &Value, schema: &Value, at: &str) -> Result<Value, (String, String)> {
    resolve_inner(
        doc,
        schema,
        &mut at.to_string(),
        &mut Vec::new(),
        Resolve::Shape,
        false,
    )
}

/// What a resolution keeps.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Resolve {
    /// What validates a body: every keyword but [`Resolve::dropped`]'s.
    Runtime,
    /// A field list: a loop ends one level down, and `example` goes too.
    Shape,
}

impl Resolve {
    /// Whether keyword `k` is left out. Only keywords: a property may well be called
    /// `description` (an EMS message's, an application template's), and a map of names keeps
    /// every name.
    fn dropped(self, k: &str) -> bool {
        match self {
            Resolve::Runtime => matches!(k, "description" | "title" | "externalDocs"),
            Resolve::Shape => matches!(k, "description" | "example" | "title" | "externalDocs"),
        }
    }
}

/// `at` is one buffer for the whole walk, grown and cut back per node: a pointer is only read
/// when a `$ref` is bad, and a new string per node was most of the time `spec diff` spent
/// resolving a whole-API document. `names` says `schema` is a map of names to schemas
/// (`properties`), whose keys are not keywords.
fn resolve_inner(
    doc: &Value,
    schema: &Value,
    at: &mut String,
    stack: &mut Vec<String>,
    mode: Resolve,
    names: bool,
) -> Result<Value, (String, String)> {
    match schema {
        Value::Object(map) => {
            if let Some(r) = map.get("$ref").filter(|_| !names) {
                let target = r.as_str().unwrap_or_default();
                let Some(pointer) = target.strip_prefix('#') else {
                    return Err((
                        format!("{at}/$ref"),
                        format!("`{target}`: only local references (`#/...`) are supported"),
                    ));
                };
                if stack.iter().any(|s| s == pointer) {
                    if mode == Resolve::Shape {
                        return Ok(schema.clone());
                    }
                    return Err((
                        format!("{at}/$ref"),
                        format!("`{target}` refers back to itself"),
                    ));
                }
                let Some(found) = doc.pointer(pointer) else {
                    return Err((
                        format!("{at}/$ref"),
                        format!("`{target}` does not resolve: no such component"),
                    ));
                };
                stack.push(pointer.to_string());
                let outer = std::mem::replace(at, pointer.to_string());
                let out = resolve_inner(doc, found, at, stack, mode, false);
                *at = outer;
                stack.pop();
                return out;
            }
            let mut out = Map::with_capacity(map.len());
            for (k, v) in map {
                if !names && mode.dropped(k) {
                    continue;
                }
                let len = at.len();
                at.push('/');
                if k.contains(['~', '/']) {
                    at.push_str(&escape_segment(k));
                } else {
                    at.push_str(k);
                }
                let holds_names =
                    !names && matches!(k.as_str(), "properties" | "patternProperties");
                let child = resolve_inner(doc, v, at, stack, mode, holds_names);
                at.truncate(len);
                out.insert(k.clone(), child?);
            }
            Ok(Value::Object(out))
        }
        Value::Array(items) => {
            let mut out = Vec::with_capacity(items.len());
            for (i, v) in items.iter().enumerate() {
                let len = at.len();
                let _ = write!(at, "/{i}");
                let child = resolve_inner(doc, v, at, stack, mode, false);
                at.truncate(len);
                out.push(child?);
            }
            Ok(Value::Array(out))
        }
        other => Ok(other.clone()),
    }
}

/// Converts a resolved OpenAPI 3.0 schema to JSON Schema draft 4 (its base): `nullable` becomes a
/// `null` type, OpenAPI-only annotations are dropped.
pub fn to_json_schema(schema: &Value) -> Value {
    match schema {
        Value::Object(map) => {
            let mut out = Map::new();
            for (k, v) in map {
                if k.starts_with("x-")
                    || matches!(
                        k.as_str(),
                        "nullable"
                            | "example"
                            | "externalDocs"
                            | "xml"
                            | "discriminator"
                            | "deprecated"
                    )
                {
                    continue;
                }
                let converted = match k.as_str() {
                    // Maps of name -> schema: convert each schema, keep the names.
                    "properties" => Value::Object(
                        v.as_object()
                            .map(|m| {
                                m.iter()
                                    .map(|(n, s)| (n.clone(), to_json_schema(s)))
                                    .collect()
                            })
                            .unwrap_or_default(),
                    ),
                    "enum" | "required" | "default" => v.clone(),
                    _ => to_json_schema(v),
                };
                out.insert(k.clone(), converted);
            }
            if map.get("nullable").and_then(Value::as_bool) == Some(true) {
                if let Some(Value::String(t)) = out.get("type").cloned() {
                    out.insert("type".into(), serde_json::json!([t, "null"]));
                }
                if let Some(Value::Array(e)) = out.get_mut("enum")
                    && !e.contains(&Value::Null)
                {
                    e.push(Value::Null);
                }
            }
            Value::Object(out)
        }
        Value::Array(items) => Value::Array(items.iter().map(to_json_schema).collect()),
        other => other.clone(),
    }
}

/// A schema compiled once at load and used for every body of its operation and status.
pub struct CompiledSchema {
    /// The resolved OpenAPI schema (annotations kept), for the walk.
    pub resolved: Value,
    validator: jsonschema::Validator,
}

impl std::fmt::Debug for CompiledSchema {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CompiledSchema").finish_non_exhaustive()
    }
}

impl CompiledSchema {
    pub fn compile(resolved: Value) -> Result<Self, String> {
        let json = to_json_schema(&resolved);
        // Draft 4 knows `date-time` and the IP formats but not `uuid` (a 2019-09 format): the
        // spec states it on every uuid, so it is taught here.
        let validator = jsonschema::draft4::options()
            .should_validate_formats(true)
            .with_format("uuid", is_uuid)
            .build(&json)
            .map_err(|e| e.masked().to_string())?;
        Ok(CompiledSchema {
            resolved,
            validator,
        })
    }

    /// Validates `body` going in `direction`; `patch` adds the "cannot be set in PATCH" rule.
    pub fn validate(&self, body: &Value, direction: Direction, patch: bool) -> Vec<Finding> {
        let mut out = Vec::new();
        walk(
            &self.resolved,
            body,
            &mut String::new(),
            direction,
            patch,
            &mut out,
        );
        for e in self.validator.iter_errors(body) {
            let pointer = e.instance_path().as_str().to_string();
            // A field the walk already reported (a password where none may be) is not
            // reported again, and never with its value.
            if out
                .iter()
                .any(|f| f.is_failure() && pointer.starts_with(&f.pointer))
            {
                continue;
            }
            out.push(Finding {
                pointer,
                kind: FindingKind::Invalid,
                message: e.masked().to_string(),
            });
        }
        out
    }
}

/// `02c9e252-41be-11e9-81d5-00a0986138f7`: 8-4-4-4-12 hex digits (RFC 4122's text form).
fn is_uuid(s: &str) -> bool {
    let groups: Vec<&str> = s.split('-').collect();
    groups.len() == 5
        && groups
            .iter()
            .zip([8, 4, 4, 4, 12])
            .all(|(g, n)| g.len() == n && g.bytes().all(|b| b.is_ascii_hexdigit()))
}

/// Expands ONTAP's dotted body keys (`{"fips.enabled": true}`) into nested objects, as ONTAP
/// does before it reads a body, with ONTAP's (and the emulator's) rule: a dotted key may add to
/// an object given beside it, but a field given twice or an empty segment is an error.
pub fn expand_dotted(body: &Value) -> Result<Value, ontap_rest::DottedError> {
    ontap_rest::expand_dotted(body.clone())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn chap_schema() -> CompiledSchema {
        CompiledSchema::compile(json!({
            "type": "object",
            "properties": {
                "initiator": {"type": "string", "x-ontap-no-patch": true},
                "authentication_type": {"type": "string", "enum": ["chap", "none", "deny"]},
                "uuid": {"type": "string", "readOnly": true},
                "comment": {"type": "string", "nullable": true},
                "chap": {"type": "object", "properties": {
                    "inbound": {"type": "object", "properties": {
                        "user": {"type": "string"},
                        "password": {"type": "string", "writeOnly": true, "maxLength": 4}
                    }}
                }}
            }
        }))
        .unwrap()
    }

    #[test]
    fn write_only_in_response_fails_without_showing_the_value() {
        let s = chap_schema();
        let f = s.validate(
            &json!({"chap": {"inbound": {"user": "u", "password": "hunter2secret"}}}),
            Direction::Response,
            false,
        );
        assert_eq!(f.len(), 1, "{f:?}");
        assert_eq!(f[0].kind, FindingKind::WriteOnlyInResponse);
        assert_eq!(f[0].pointer, "/chap/inbound/password");
        assert!(!f[0].message.contains("hunter2"));
        // The same field is fine in a request (and its bound is still checked, masked).
        let f = s.validate(
            &json!({"chap": {"inbound": {"password": "hunter2secret"}}}),
            Direction::Request,
            false,
        );
        assert_eq!(f.len(), 1, "{f:?}");
        assert_eq!(f[0].kind, FindingKind::Invalid);
        assert!(!f[0].message.contains("hunter2"), "{}", f[0].message);
    }

    #[test]
    fn enum_read_only_patch_and_nullable() {
        let s = chap_schema();
        let f = s.validate(
            &json!({"authentication_type": "CHAP"}),
            Direction::Response,
            false,
        );
        assert_eq!(f[0].kind, FindingKind::Invalid);
        assert_eq!(f[0].pointer, "/authentication_type");
        let f = s.validate(&json!({"uuid": "x"}), Direction::Request, false);
        assert_eq!(f[0].kind, FindingKind::ReadOnlyInRequest);
        let f = s.validate(&json!({"initiator": "x"}), Direction::Request, true);
        assert_eq!(f[0].kind, FindingKind::NotPatchable);
        assert!(
            s.validate(&json!({"comment": null}), Direction::Response, false)
                .is_empty()
        );
    }

    #[test]
    fn a_patch_only_field_is_refused_in_a_post() {
        let s = CompiledSchema::compile(json!({"type": "object", "properties": {
            "state": {"type": "string", "x-ontap-no-post": true},
            "name": {"type": "string"}
        }}))
        .unwrap();
        let f = s.validate(&json!({"state": "online"}), Direction::Request, false);
        assert_eq!(f.len(), 1, "{f:?}");
        assert_eq!(f[0].kind, FindingKind::NotPostable);
        assert!(
            s.validate(&json!({"state": "online"}), Direction::Request, true)
                .is_empty()
        );
        assert!(
            s.validate(&json!({"state": "online"}), Direction::Response, false)
                .is_empty()
        );
    }

    #[test]
    fn undocumented_field_is_a_warning_in_responses_and_an_error_in_requests() {
        let s = chap_schema();
        let f = s.validate(&json!({"new_in_9_15": 1}), Direction::Response, false);
        assert_eq!(f.len(), 1);
        assert!(!f[0].is_failure());
        let f = s.validate(&json!({"new_in_9_15": 1}), Direction::Request, false);
        assert!(f[0].is_failure());
    }

    #[test]
    fn dotted_keys_expand() {
        assert_eq!(
            expand_dotted(
                &json!({"fips.enabled": true, "owner.name": "svm1", "owner": {"uuid": "u"}})
            ),
            Ok(json!({"fips": {"enabled": true}, "owner": {"name": "svm1", "uuid": "u"}}))
        );
    }

    #[test]
    fn dotted_key_given_twice_is_an_error_as_in_ontap() {
        let err = expand_dotted(&json!({"a.b": 1, "a": {"b": 2}})).unwrap_err();
        assert_eq!(err.to_string(), "a.b: the field is given more than once");
    }

    #[test]
    fn refs_resolve_or_name_the_pointer() {
        let doc = json!({"components": {"schemas": {"a": {"type": "string"}}}});
        let ok = resolve(&doc, &json!({"$ref": "#/components/schemas/a"}), "/x").unwrap();
        assert_eq!(ok, json!({"type": "string"}));
        let (at, msg) = resolve(
            &doc,
            &json!({"items": {"$ref": "#/components/schemas/b"}}),
            "/x",
        )
        .unwrap_err();
        assert_eq!(at, "/x/items/$ref");
        assert!(msg.contains("does not resolve"));
    }

    /// The prose goes, the keywords a reader needs stay, and a field that is called like a
    /// prose keyword (an EMS message's `description`) is a field, kept by both resolutions.
    #[test]
    fn prose_is_left_out_but_fields_named_like_it_are_kept() {
        let doc = json!({"components": {"schemas": {"msg": {
            "type": "object",
            "description": "An EMS message.",
            "title": "message",
            "properties": {
                "description": {"type": "string", "description": "What the message says.", "example": "disk failed"},
                "title": {"type": "string"},
                "properties": {"type": "object", "properties": {"example": {"type": "integer"}}}
            }
        }}}});
        let r = json!({"$ref": "#/components/schemas/msg"});
        let want = |example: bool| {
            let mut d = json!({"type": "string"});
            if example {
                d["example"] = json!("disk failed");
            }
            json!({"type": "object", "properties": {
                "description": d,
                "title": {"type": "string"},
                "properties": {"type": "object", "properties": {"example": {"type": "integer"}}}
            }})
        };
        assert_eq!(resolve(&doc, &r, "/x").unwrap(), want(true));
        assert_eq!(resolve_shape(&doc, &r, "/x").unwrap(), want(false));
    }
}

#[cfg(test)]
mod format_tests {
    use super::*;
    use serde_json::json;

    /// The spec states `format: uuid` and `date-time`; a body breaking them must be reported, or
    /// a job `uuid` that is not a UUID passes every check.
    #[test]
    fn formats_are_asserted() {
        let s = CompiledSchema::compile(json!({
            "type": "object",
            "properties": {
                "uuid": {"type": "string", "format": "uuid"},
                "at": {"type": "string", "format": "date-time"}
            }
        }))
        .unwrap();
        let ok =
            json!({"uuid": "02c9e252-41be-11e9-81d5-00a0986138f7", "at": "2024-03-04T05:46:21Z"});
        assert!(s.validate(&ok, Direction::Response, false).is_empty());
        let bad = s.validate(&json!({"uuid": "job-1"}), Direction::Response, false);
        assert_eq!(bad.len(), 1, "{bad:?}");
        assert_eq!(bad[0].pointer, "/uuid");
        let bad = s.validate(&json!({"at": "yesterday"}), Direction::Response, false);
        assert_eq!(bad.len(), 1, "{bad:?}");
    }
}
