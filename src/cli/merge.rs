//! `merge`: the `conformance.json` of several shards (`run --partition K/N`) as one set of reports.

use std::path::{Path, PathBuf};

use super::{CliError, Verdict};
use crate::report;

/// Exit 1 when a merged case failed; exit 2, with nothing written, when the reports are not the
/// shards of one run (a shard missing or given twice, another partition, target, mode or seed):
/// a merge of half the shards must not pass for the whole suite.
pub(super) fn merge(paths: &[PathBuf], report_dir: &Path) -> Result<Verdict, CliError> {
    let mut reports = Vec::new();
    for p in paths {
        let r = report::json::read_report(p).map_err(|e| CliError::cannot("merge", e))?;
        reports.push((p.display().to_string(), r));
    }
    let merged = report::merge::merge(&reports).map_err(|e| CliError::cannot("merge", e))?;
    report::write_all(report_dir, &merged).map_err(|e| {
        CliError::cannot(
            "merge",
            format!("cannot write the reports to {}: {e}", report_dir.display()),
        )
    })?;
    outln!("merged {} reports", reports.len());
    out!(
        "{}",
        report::text::summary(&merged, &report_dir.display().to_string())
    );
    Ok(if merged.summary.has_failures() {
        Verdict::Failed
    } else {
        Verdict::Passed
    })
}
