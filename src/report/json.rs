//! `conformance.json`: the result model as it is, for machines.

use std::path::Path;

use super::model::RunReport;

pub fn render(report: &RunReport) -> String {
    serde_json::to_string_pretty(report).unwrap_or_else(|e| format!("{{\"error\": \"{e}\"}}"))
}

pub fn write_report(path: &Path, report: &RunReport) -> std::io::Result<()> {
    super::write_atomic(path, render(report).as_bytes())
}
