//! The result model: one value that every report format renders.
//!
//! It is what `conformance.json` holds, so its field names are an interface; `schema_version`
//! changes when one of them does.

use serde::{Deserialize, Serialize};

/// The version of this model's shape.
pub const SCHEMA_VERSION: u32 = 1;

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct RunReport {
    pub schema_version: u32,
    pub tool: String,
    pub target: String,
    /// True when the target was the embedded emulator.
    pub embedded_emulator: bool,
    /// The version the target reports (`GET /api/cluster`), when it says.
    pub ontap_version: Option<String>,
    pub started_at: String,
    pub duration_ms: u64,
    /// `count:2/4` when this run was one share of the suite (`--partition`); the shards' reports
    /// merge with `ontap-conform merge`. A merged report lists its shards here, joined by `+`.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub partition: Option<String>,
    /// True when Ctrl-C stopped the run: cases that had not started are skipped with that reason.
    #[serde(default)]
    pub interrupted: bool,
    pub summary: Summary,
    /// Each documented status and ONTAP error code of each operation, and how the cases that
    /// expect it fared.
    #[serde(default)]
    pub coverage: Vec<CoverageCell>,
    pub cases: Vec<CaseResult>,
}

/// One documented outcome of one operation.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct CoverageCell {
    pub method: String,
    pub path: String,
    /// `status` or `error_code`.
    pub kind: String,
    /// `"201"` or `"5374142"`.
    pub value: String,
    /// `pass` (every case expecting it passed), `fail`, `skip`, or `none` (no case).
    pub state: String,
    pub cases: Vec<String>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq, Eq)]
pub struct Summary {
    pub total: usize,
    pub passed: usize,
    pub failed: usize,
    pub skipped: usize,
}

#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    Pass,
    Fail,
    Skip,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct OperationRef {
    pub method: String,
    pub path: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct Expected {
    pub status: Option<u16>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub error_code: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct CaseResult {
    pub id: String,
    pub title: String,
    pub area: String,
    pub file: String,
    pub tags: Vec<String>,
    pub operation: OperationRef,
    pub expected: Expected,
    pub outcome: Outcome,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub skip_reason: Option<String>,
    pub duration_ms: u64,
    /// Every problem, first one first.
    pub failures: Vec<Failure>,
    /// Findings that do not fail the case (undocumented fields).
    pub warnings: Vec<String>,
    pub steps: Vec<StepResult>,
    /// (method, path, status, error code) each main step expects; feeds the coverage matrix.
    #[serde(skip)]
    pub expectations: Vec<(String, String, Option<u16>, Option<String>)>,
}

/// One problem with one response.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct Failure {
    /// `steps[1] (read back)`.
    pub step: String,
    /// JSON pointer into the response body, when the problem is in a field.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub pointer: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub expected: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub actual: Option<String>,
    pub message: String,
    /// A command that sends the same request (password as `$ONTAP_PASSWORD`).
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub curl: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct StepResult {
    pub phase: String,
    pub name: String,
    pub method: String,
    pub url: String,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub request_body: Option<serde_json::Value>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub status: Option<u16>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub response_body: Option<serde_json::Value>,
    pub duration_ms: u64,
    pub curl: String,
    pub passed: bool,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub note: Option<String>,
}

impl RunReport {
    pub fn summarize(cases: &[CaseResult]) -> Summary {
        let count = |o| cases.iter().filter(|c| c.outcome == o).count();
        Summary {
            total: cases.len(),
            passed: count(Outcome::Pass),
            failed: count(Outcome::Fail),
            skipped: count(Outcome::Skip),
        }
    }
}
