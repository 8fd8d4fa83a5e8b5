//! `spec diff OLD NEW`: what changed between two specs, and whether anything the suite's cases
//! rely on is gone. What a team reads before an upgrade: their cluster's own definition against
//! the built-in spec, or two releases' against each other.
//!
//! It works on the two documents (JSON values, `$ref`s resolved within each), not on a loaded
//! [`Spec`](super::Spec): a document is read the same whichever layers it was built from, and
//! nothing is compiled. `index.rs` reads a document into the facts compared per operation,
//! `flatten.rs` turns each body schema into field paths, `compare.rs` compares two indexes,
//! `needs.rs` judges what a case relies on against them, `text.rs` writes the text, `input.rs`
//! reads OLD and NEW from the command line (`layered.rs`: the built-in spec's layers as one
//! document), `prune.rs` cuts OLD down to what the cases name
//! before they are loaded against it.
//!
//! # The `--json` shape
//!
//! Stable: every key below is always written (an empty list, or `null`), lists are sorted.
//!
//! ```text
//! {
//!   "old": {"label": "builtin", "operations": 21, "schemas": 38},
//!   "new": {"label": "mine.json", "operations": 1538, "schemas": 1371},
//!   "summary": {"operations_added", "operations_removed", "operations_changed",
//!               "operations_unchanged", "error_codes_added", "error_codes_removed",
//!               "success_statuses_added", "success_statuses_removed",
//!               "query_parameters_added", "query_parameters_removed", "fields_added",
//!               "fields_removed", "fields_changed", "introduced_in_changed", "gone"},  (counts)
//!   "common_error_codes": {"added": ["262180"], "removed": []},
//!   "added":   [{"operation": "GET /api/x", "method": "GET", "path": "/api/x", "group": "storage"}],
//!   "removed": [ same ],
//!   "changed": [{"operation", "method", "path", "old_path": null | "/api/x/{uuid}", "group",
//!                "introduced_in": null | {"old": "9.6" | null, "new": "9.7" | null},
//!                "error_codes": {"added": [..], "removed": [..]},
//!                "success_statuses": {"added": ["202"], "removed": ["200"]},
//!                "query_parameters": {"added": [..], "removed": [..]},
//!                "bodies": [{"body": "request" | "200" | ...,
//!                            "change": "changed" | "added" | "removed",
//!                            "added":   [{"path": "records[].svm.name", FIELD}],
//!                            "removed": [{"path", FIELD}],
//!                            "changed": [{"path", "differs": ["type", "access", ...],
//!                                         "old": FIELD, "new": FIELD}]}]}],
//!   "cases": {"count": 98, "from": "the built-in suite", "loaded_against": "old" | "builtin", "why_not_old": null | "..."},
//!   "gone": [{"case": "iscsi-create", "file": "cases/iscsi/create.yaml", "line": 14,
//!             "operation": "POST /api/...", "kind": "operation" | "error_code" |
//!             "success_status" | "field", "what": "..."}]
//! }
//! FIELD = "type": "string", "format": "uuid" | null, "access": ["read-only", ...],
//!         "enum": ["a", "b"], "introduced_in": "9.10" | null
//! ```
//!
//! Operations are matched by method and route, the path with its parameters' names left out,
//! as the spec's layers match them: `old_path` is OLD's when it names them otherwise.
//! A field path is `records[].svm.name`: `[]` is any element of an array, `*` any value of a
//! map (`additionalProperties`). `differs` names what changed, in this order: `type`, `format`,
//! `access`, `enum`, `introduced_in`. A body is `added` or `removed` whole only for the request
//! body, or a status both sides document; a status one side lacks is in `success_statuses`.

mod compare;
mod flatten;
mod index;
mod input;
mod layered;
mod needs;
mod prune;
mod text;

use serde::Serialize;

pub use compare::compare;
pub use flatten::{ELEMENT, Field, MAP_VALUE, flatten};
pub use index::{Index, OpFacts, REQUEST, index};
pub use input::{BUILTIN, read_spec_input};
pub use layered::layered;
pub use needs::{Need, gone};
pub use prune::keep_operations;
pub use text::render_text;

/// One side of the comparison.
#[derive(Debug, Clone, Default, Serialize, PartialEq, Eq)]
pub struct Side {
    /// The path as given, or `builtin`.
    pub label: String,
    pub operations: usize,
    pub schemas: usize,
}

/// The counts a reader sees first.
#[derive(Debug, Clone, Default, Serialize, PartialEq, Eq)]
pub struct Summary {
    pub operations_added: usize,
    pub operations_removed: usize,
    pub operations_changed: usize,
    pub operations_unchanged: usize,
    pub error_codes_added: usize,
    pub error_codes_removed: usize,
    pub success_statuses_added: usize,
    pub success_statuses_removed: usize,
    pub query_parameters_added: usize,
    pub query_parameters_removed: usize,
    pub fields_added: usize,
    pub fields_removed: usize,
    pub fields_changed: usize,
    pub introduced_in_changed: usize,
    /// Things cases rely on that are gone: the exit code is 1 when this is not 0.
    pub gone: usize,
}

/// What one side has and the other has not.
#[derive(Debug, Clone, Default, Serialize, PartialEq, Eq)]
pub struct Delta {
    pub added: Vec<String>,
    pub removed: Vec<String>,
}

impl Delta {
    pub fn is_empty(&self) -> bool {
        self.added.is_empty() && self.removed.is_empty()
    }
}

/// An operation only one side has.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct OpRef {
    pub operation: String,
    pub method: String,
    pub path: String,
    pub group: String,
}

/// `x-ontap-introduced-in` before and after.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Moved {
    pub old: Option<String>,
    pub new: Option<String>,
}

/// A field only one side has.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct FieldAt {
    pub path: String,
    #[serde(flatten)]
    pub field: Field,
}

/// A field both sides have, described differently.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct FieldChange {
    pub path: String,
    /// What differs: `type`, `format`, `access`, `enum`, `introduced_in`.
    pub differs: Vec<&'static str>,
    pub old: Field,
    pub new: Field,
}

/// The request body or one success response's body.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct BodyChange {
    /// `request`, or the status (`200`).
    pub body: String,
    /// `changed` (fields below), `added` or `removed` (the whole body).
    pub change: &'static str,
    pub added: Vec<FieldAt>,
    pub removed: Vec<FieldAt>,
    pub changed: Vec<FieldChange>,
}

/// An operation both sides have, that differs.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct OpChange {
    pub operation: String,
    pub method: String,
    pub path: String,
    /// OLD's path when it names the path parameters otherwise (`{uuid}` for `{volume.uuid}`):
    /// the same operation, as the spec's layers match them.
    pub old_path: Option<String>,
    pub group: String,
    pub introduced_in: Option<Moved>,
    pub error_codes: Delta,
    pub success_statuses: Delta,
    pub query_parameters: Delta,
    pub bodies: Vec<BodyChange>,
}

/// Which cases were judged, and against what they were loaded.
#[derive(Debug, Clone, Default, Serialize, PartialEq, Eq)]
pub struct CasesInfo {
    pub count: usize,
    /// Where they came from: `the built-in suite and my-cases`.
    pub from: String,
    /// `old`, or `builtin` when they do not load against OLD.
    pub loaded_against: String,
    /// Why not OLD, when they were loaded against the built-in spec.
    pub why_not_old: Option<String>,
}

/// Something a case relies on that OLD has and NEW has not.
#[derive(Debug, Clone, Serialize, PartialEq, Eq, PartialOrd, Ord)]
pub struct Gone {
    pub file: String,
    pub line: usize,
    pub case: String,
    pub operation: String,
    /// `operation`, `error_code`, `success_status` or `field`.
    pub kind: &'static str,
    /// What is gone, in words: `error 2621462`, `status 201`, `field records[].svm.name (200)`.
    pub what: String,
}

/// The whole comparison: what `spec diff` prints.
#[derive(Debug, Clone, Default, Serialize, PartialEq, Eq)]
pub struct SpecDiff {
    pub old: Side,
    pub new: Side,
    pub summary: Summary,
    pub common_error_codes: Delta,
    pub added: Vec<OpRef>,
    pub removed: Vec<OpRef>,
    pub changed: Vec<OpChange>,
    pub cases: CasesInfo,
    pub gone: Vec<Gone>,
}

impl SpecDiff {
    /// Records what the cases rely on that is gone (sorted by file and line), and the count.
    pub fn set_gone(&mut self, cases: CasesInfo, mut gone: Vec<Gone>) {
        gone.sort();
        gone.dedup();
        self.summary.gone = gone.len();
        self.cases = cases;
        self.gone = gone;
    }
}

#[cfg(test)]
mod tests;
