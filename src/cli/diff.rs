//! `diff OLD NEW`: what changed between two runs' `conformance.json`.

use std::path::Path;

use super::{CliError, Verdict};
use crate::report;

/// Fails (exit 1) only on a regression, a case that passed in OLD and fails in NEW, so CI can
/// gate on it while new and removed cases are reported without failing. Both runs' target,
/// version and mode come first, in the text and in `--json` (`old`, `new`): a difference between
/// a strict run on one cluster and a lenient run on another is not a regression of either.
pub(super) fn diff(old: &Path, new: &Path, as_json: bool) -> Result<Verdict, CliError> {
    let load = |p: &Path| report::json::read_report(p).map_err(|e| CliError::cannot("diff", e));
    let (a, b) = (load(old)?, load(new)?);
    let d = report::diff::diff(&a, &b);
    if as_json {
        outln!(
            "{}",
            serde_json::to_string_pretty(&d).unwrap_or_else(|e| format!("{{\"error\": \"{e}\"}}"))
        );
    } else {
        out!("{}", report::diff::render_text(&d));
    }
    Ok(if d.has_regression() {
        Verdict::Failed
    } else {
        Verdict::Passed
    })
}
