//! NetApp's field access markers, mapped to the keywords this project's checks read.
//!
//! | NetApp | meaning | here |
//! |---|---|---|
//! | `x-ntap-createOnly` | set on POST only, not returned | `x-ontap-no-patch: true` |
//! | `x-ntap-readCreate` | returned, set on POST only | `x-ontap-no-patch: true` |
//! | `x-ntap-modifyOnly` | set on PATCH only | `x-ontap-no-post: true` |
//! | `x-ntap-readModify` | returned, set on PATCH only | `x-ontap-no-post: true` |
//! | `x-ntap-writeOnly`, a bare `writeOnly` | never returned (passwords) | `writeOnly: true` |
//! | `readOnly` | set by the cluster | `readOnly: true` |
//! | `x-ntap-advanced` | returned only with `fields=**` | `x-ontap-advanced: true` |
//!
//! One property carries one access: where NetApp's file gives two, the first of createOnly >
//! readCreate > modifyOnly > readModify > writeOnly > readOnly wins (the precedence the tools
//! that read NetApp's file use) and the other is dropped with a warning. NetApp's own
//! `x-ntap-*` marker is kept beside ours, so a reader (and `spec diff`) still sees which of the
//! two words of a pair it was. A createOnly or modifyOnly field is not made `writeOnly`: nothing
//! public shows that ONTAP never returns one, and a `writeOnly` field in an answer fails a case.

use serde_json::{Map, Value};

use super::warning::Cx;

/// The access keywords of a schema, highest precedence first, with what each becomes.
const ORDER: [(&str, &str); 7] = [
    ("x-ntap-createOnly", "x-ontap-no-patch"),
    ("x-ntap-readCreate", "x-ontap-no-patch"),
    ("x-ntap-modifyOnly", "x-ontap-no-post"),
    ("x-ntap-readModify", "x-ontap-no-post"),
    ("x-ntap-writeOnly", "writeOnly"),
    ("writeOnly", "writeOnly"),
    ("readOnly", "readOnly"),
];

/// Whether `key` is one of the access keywords this module reads.
pub(super) fn is_access_key(key: &str) -> bool {
    key == "x-ntap-advanced" || ORDER.iter().any(|(k, _)| *k == key)
}

/// Writes into `out` the access of the Swagger schema `src` (at `at` in NetApp's file): NetApp's
/// `x-ntap-*` markers as they are, then the one keyword of ours that the highest of them gives.
pub(super) fn apply(
    cx: &mut Cx<'_>,
    src: &Map<String, Value>,
    at: &str,
    out: &mut Map<String, Value>,
) {
    let mut set: Vec<&str> = Vec::new();
    for (key, _) in ORDER {
        let Some(v) = src.get(key) else { continue };
        let marker_at = format!("{at}/{key}");
        let on = match v {
            Value::Bool(b) => *b,
            // `readOnly: 1` (12 times in the 9.8 file, on the metrics definitions).
            Value::Number(n) if n.as_u64() == Some(1) => {
                cx.warn(&marker_at, format!("`{key}: 1` read as `{key}: true`"));
                true
            }
            Value::Number(n) if n.as_u64() == Some(0) => {
                cx.warn(&marker_at, format!("`{key}: 0` read as `{key}: false`"));
                false
            }
            other => {
                cx.warn(
                    &marker_at,
                    format!("`{key}: {other}` is not true or false: ignored"),
                );
                continue;
            }
        };
        if key == "writeOnly" && on {
            cx.warn(
                &marker_at,
                "a bare `writeOnly` (not Swagger 2.0): read as NetApp's `x-ntap-writeOnly`",
            );
        }
        if key.starts_with("x-ntap-") {
            out.insert(key.to_string(), Value::Bool(on));
        }
        if on {
            set.push(key);
        } else if key == "readOnly" && set.is_empty() {
            // `readOnly: false` is what no `readOnly` says; kept as NetApp wrote it.
            out.insert("readOnly".into(), Value::Bool(false));
        }
    }
    if let Some((first, rest)) = set.split_first() {
        let ours = ORDER
            .iter()
            .find(|(k, _)| k == first)
            .map(|(_, o)| *o)
            .unwrap_or("readOnly");
        out.insert(ours.to_string(), Value::Bool(true));
        for other in rest {
            cx.warn(
                &format!("{at}/{other}"),
                format!(
                    "`{other}` beside `{first}`: NetApp's precedence (createOnly > readCreate > \
                     modifyOnly > readModify > writeOnly > readOnly) makes it {first}; `{other}` \
                     is dropped"
                ),
            );
        }
    }
    match src.get("x-ntap-advanced") {
        None => {}
        Some(Value::Bool(b)) => {
            out.insert("x-ntap-advanced".into(), Value::Bool(*b));
            if *b {
                out.insert("x-ontap-advanced".into(), Value::Bool(true));
            }
        }
        Some(other) => cx.warn(
            &format!("{at}/x-ntap-advanced"),
            format!("`x-ntap-advanced: {other}` is not true or false: ignored"),
        ),
    }
}
