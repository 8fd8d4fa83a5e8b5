//! Rows of NetApp's error tables as `x-ontap-errors` entries: the code and NetApp's description,
//! a `basis` that cites NetApp's file, and a status with its `status_basis`.
//!
//! The status is this suite's status rule applied to the description ([`classify`]), a
//! `convention` that says so, since NetApp gives no status per code. The codes any endpoint can
//! return (`x-ontap-common-errors` of the curated spec: 1, 2, 4, 6, 262179, 262197 ...) keep the
//! status and status basis given there, observed on real clusters where a capture shows it,
//! when a table lists them; their `basis` is still NetApp's table, which documents the code on
//! that operation.

use std::collections::BTreeMap;
use std::sync::LazyLock;

use serde_json::{Map, Value, json};

use super::error_table::Row;
use super::status::classify;
use super::warning::Cx;
use crate::spec::{EMBEDDED_SPEC, is_ontap_api_file};

/// How the entries of one import cite NetApp's file.
#[derive(Debug, Clone)]
pub(super) struct Cite {
    source: String,
    release: String,
    /// Whether `source` is a file of `spec/sources/ontap-api/`, which a documented basis may name.
    documented: bool,
}

impl Cite {
    pub(super) fn new(source: &str, release: &str) -> Cite {
        Cite {
            source: source.to_string(),
            release: release.to_string(),
            documented: is_ontap_api_file(source),
        }
    }

    /// `{documented: swagger-9.8.yaml.gz}` for a file of the repository; otherwise `observed`:
    /// a file that is not in the repository cannot be cited as documented (the citation could
    /// not be followed), and a cluster's own definition is what that cluster says.
    fn basis(&self) -> Value {
        if self.documented {
            json!({"documented": self.source})
        } else {
            json!({"observed": format!(
                "{}, NetApp's definition of ONTAP {} as a cluster serves it: the error table of \
                 this operation lists the code",
                self.source, self.release
            )})
        }
    }
}

/// The curated spec's common errors, by code: their status and status basis.
pub(super) type Common = BTreeMap<String, (Value, Value)>;

/// `x-ontap-common-errors` of the curated spec, read once (anchors expanded).
static COMMON: LazyLock<Vec<Value>> = LazyLock::new(|| {
    crate::yaml::parse(EMBEDDED_SPEC)
        .ok()
        .and_then(|(doc, _)| doc.get("x-ontap-common-errors").cloned())
        .and_then(|v| v.as_array().cloned())
        .unwrap_or_default()
});

/// The curated spec's common errors as written there, for the imported spec's own top level.
pub(super) fn common_error_list() -> Vec<Value> {
    COMMON.clone()
}

/// The common errors by code.
pub(super) fn common_errors() -> Common {
    COMMON
        .iter()
        .filter_map(|e| {
            let code = e.get("code")?.as_str()?.to_string();
            Some((
                code,
                (e.get("status")?.clone(), e.get("status_basis")?.clone()),
            ))
        })
        .collect()
}

/// The entries of one operation's table. A code listed twice is one entry (the spec refuses a
/// code twice on one operation): with both descriptions when they differ, each time with a
/// warning at `at` (the `default` response's description in NetApp's file).
pub(super) fn entries(
    cx: &mut Cx<'_>,
    rows: &[Row],
    at: &str,
    cite: &Cite,
    common: &Common,
) -> Vec<Value> {
    let mut merged: Vec<Row> = Vec::new();
    for row in rows {
        match merged.iter_mut().find(|r| r.code == row.code) {
            None => merged.push(row.clone()),
            Some(first) if first.description == row.description => cx.warn(
                at,
                format!(
                    "error {} is listed twice with the same description: one entry",
                    row.code
                ),
            ),
            Some(first) => {
                cx.warn(
                    at,
                    format!(
                        "error {} is listed twice with two descriptions: one entry with both",
                        row.code
                    ),
                );
                first.description = format!(
                    "{} (also listed as: {})",
                    first.description, row.description
                );
            }
        }
    }
    merged.iter().map(|r| entry(r, cite, common)).collect()
}

fn entry(row: &Row, cite: &Cite, common: &Common) -> Value {
    let (status, status_basis) = match common.get(&row.code) {
        Some((status, basis)) => (status.clone(), basis.clone()),
        None => {
            let rule = classify(&row.description);
            let why = format!(
                "{}; {} gives no HTTP status per code",
                rule.why(),
                cite.source
            );
            (json!(rule.status), json!({"convention": why}))
        }
    };
    let mut e = Map::new();
    e.insert("code".into(), json!(row.code));
    e.insert("status".into(), status);
    let description = if row.description.is_empty() {
        // The spec needs one; NetApp's row has a code and nothing beside it.
        "(no description in NetApp's table)".to_string()
    } else {
        row.description.clone()
    };
    e.insert("description".into(), json!(description));
    if !cite.documented {
        // A documented basis names the file once; an observed one is words, so the entry says
        // where it was transcribed from as the common errors do.
        e.insert("source".into(), json!(cite.source));
    }
    e.insert("basis".into(), cite.basis());
    e.insert("status_basis".into(), status_basis);
    Value::Object(e)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_common_codes_are_read_from_the_curated_spec() {
        let common = common_errors();
        assert_eq!(common["4"].0, json!(404));
        assert!(common["4"].1.get("observed").is_some(), "{:?}", common["4"]);
        assert_eq!(common["2"].0, json!(400));
        assert!(common.contains_key("262197"));
    }
}
