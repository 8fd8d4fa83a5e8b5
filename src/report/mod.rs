//! Reports: one module per format, all rendering the one result model in [`model`]; the
//! coverage matrix ([`coverage`]); reading reports back ([`json::read_report`]) to compare
//! ([`diff`]) and merge ([`merge`]) them. It imports only [`crate::spec`]: the runner fills the
//! model, the reports never reach back into cases or the runner.

pub mod coverage;
pub mod diff;
pub mod html;
pub mod json;
pub mod junit;
pub mod merge;
pub mod model;
pub mod text;

use std::path::Path;

/// Writes `bytes` to `path` atomically (a temporary file, then a rename), so a run killed at any
/// moment leaves the previous report or the new one whole, never half of one.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let dir = path.parent().unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir)?;
    let tmp = dir.join(format!(
        ".{}.tmp-{}",
        path.file_name()
            .and_then(|n| n.to_str())
            .unwrap_or("report"),
        std::process::id()
    ));
    std::fs::write(&tmp, bytes)?;
    std::fs::rename(&tmp, path)
}

/// Writes every report format into `dir`.
pub fn write_all(dir: &Path, report: &model::RunReport) -> std::io::Result<()> {
    json::write_report(&dir.join("conformance.json"), report)?;
    junit::write_report(&dir.join("junit.xml"), report)?;
    html::write_report(&dir.join("conformance.html"), report)
}

#[cfg(test)]
mod tests;
