//! The half of response and request validation that JSON Schema cannot say: which way a field
//! may travel (`readOnly`, `writeOnly`, `x-ontap-no-patch`) and which fields are undocumented.
//!
//! It reads the resolved OpenAPI schema in place, beside the compiled validator of
//! [`CompiledSchema`](super::CompiledSchema), which checks everything else.

use std::fmt::Write as _;

use serde_json::Value;

use super::schema::{Direction, Finding, FindingKind};
use crate::yaml::escape_segment;

/// Whether the walk treats `schema` as an object schema: it has `properties`, an `allOf` member
/// that is one, or `type: object`.
///
/// This and the two lookups below read the schema in place rather than merging `properties`
/// across `allOf` into a new map: a merged copy for every object of every body was most of a
/// response's validation time (see `benches/validate.rs`).
pub(super) fn is_object_shape(schema: &Value) -> bool {
    let Some(obj) = schema.as_object() else {
        return false;
    };
    obj.get("properties").is_some_and(Value::is_object)
        || obj
            .get("allOf")
            .and_then(Value::as_array)
            .is_some_and(|all| all.iter().any(is_object_shape))
        || obj.get("type").and_then(Value::as_str) == Some("object")
}

/// Whether an object schema admits undocumented properties (`additionalProperties` other than
/// `false`, here or in an `allOf` member).
pub(super) fn shape_open(schema: &Value) -> bool {
    let Some(obj) = schema.as_object() else {
        return false;
    };
    !matches!(
        obj.get("additionalProperties"),
        Some(Value::Bool(false)) | None
    ) || obj
        .get("allOf")
        .and_then(Value::as_array)
        .is_some_and(|all| all.iter().any(|s| is_object_shape(s) && shape_open(s)))
}

/// The schema of property `name`: the last `allOf` member that documents it wins over earlier
/// ones, and any of them over the schema's own `properties`.
fn shape_property<'a>(schema: &'a Value, name: &str) -> Option<&'a Value> {
    let obj = schema.as_object()?;
    obj.get("allOf")
        .and_then(Value::as_array)
        .and_then(|all| all.iter().rev().find_map(|s| shape_property(s, name)))
        .or_else(|| obj.get("properties").and_then(|p| p.get(name)))
}

/// `pointer` is one buffer for the whole walk, grown and cut back per field: a new string per
/// field of every body was a fifth of a response's validation time.
pub(super) fn walk(
    schema: &Value,
    instance: &Value,
    pointer: &mut String,
    direction: Direction,
    patch: bool,
    out: &mut Vec<Finding>,
) {
    match instance {
        Value::Object(fields) => {
            if !is_object_shape(schema) {
                return;
            }
            let open = shape_open(schema);
            for (name, value) in fields {
                let len = pointer.len();
                pointer.push('/');
                if name.contains(['~', '/']) {
                    pointer.push_str(&escape_segment(name));
                } else {
                    pointer.push_str(name);
                }
                'field: {
                    let Some(prop) = shape_property(schema, name) else {
                        if !open {
                            let (kind, message) = match direction {
                                Direction::Response => (
                                    FindingKind::Undocumented,
                                    format!("`{name}` is not documented for this response"),
                                ),
                                Direction::Request => (
                                    FindingKind::Invalid,
                                    format!(
                                        "`{name}` is not a documented field: ONTAP rejects unknown fields"
                                    ),
                                ),
                            };
                            out.push(Finding {
                                pointer: pointer.clone(),
                                kind,
                                message,
                            });
                        }
                        break 'field;
                    };
                    let flag = |k: &str| prop.get(k).and_then(Value::as_bool) == Some(true);
                    if direction == Direction::Response && flag("writeOnly") {
                        out.push(Finding {
                            pointer: pointer.clone(),
                            kind: FindingKind::WriteOnlyInResponse,
                            message: format!(
                                "`{name}` is write-only and must never be returned (value not shown)"
                            ),
                        });
                        break 'field;
                    }
                    if direction == Direction::Request && flag("readOnly") {
                        out.push(Finding {
                            pointer: pointer.clone(),
                            kind: FindingKind::ReadOnlyInRequest,
                            message: format!("`{name}` is read-only: a request may not set it"),
                        });
                        break 'field;
                    }
                    if direction == Direction::Request && patch && flag("x-ontap-no-patch") {
                        out.push(Finding {
                            pointer: pointer.clone(),
                            kind: FindingKind::NotPatchable,
                            message: format!("`{name}` cannot be specified in a PATCH"),
                        });
                        break 'field;
                    }
                    // NetApp's `x-ntap-modifyOnly` (imported as `x-ontap-no-post`): set by a
                    // PATCH only; a request body that is not a PATCH's is a POST's in ONTAP's API.
                    if direction == Direction::Request && !patch && flag("x-ontap-no-post") {
                        out.push(Finding {
                            pointer: pointer.clone(),
                            kind: FindingKind::NotPostable,
                            message: format!("`{name}` can be set by a PATCH only, not a POST"),
                        });
                        break 'field;
                    }
                    walk(prop, value, pointer, direction, patch, out);
                }
                pointer.truncate(len);
            }
        }
        Value::Array(items) => {
            if let Some(item_schema) = schema.get("items") {
                for (i, item) in items.iter().enumerate() {
                    let len = pointer.len();
                    let _ = write!(pointer, "/{i}");
                    walk(item_schema, item, pointer, direction, patch, out);
                    pointer.truncate(len);
                }
            }
        }
        _ => {}
    }
}
