//! `spec check` (the spec, the cases against it, and the coverage of documented codes) and
//! `spec table` (the operations as Markdown).

use std::path::PathBuf;

use super::{CaseArgs, CliError, Verdict};
use crate::report::{self, coverage::Covers};
use crate::run;
use crate::spec::Spec;

/// Passes when the spec and the cases load and every documented error code and success status
/// has a case; anything less is exit 2, since a suite with holes cannot say a build conforms.
pub(super) fn check(
    path: Option<PathBuf>,
    overlays: &[PathBuf],
    case_args: &CaseArgs,
) -> Result<Verdict, CliError> {
    let spec = Spec::load(path.as_deref()).and_then(|s| s.with_overlays(overlays));
    let spec = spec.map_err(|diags| CliError::Spec {
        then: Some(format!(
            "spec check: {} problem(s); nothing else was checked",
            diags.0.len()
        )),
        diags,
    })?;
    let seed_ops = spec.seed_operations().count();
    let seed_codes: usize = spec.seed_operations().map(|o| o.errors.len()).sum();
    let total_codes = spec.error_pairs().count();
    outln!("spec: {}", spec.file.display());
    outln!(
        "operations: {} ({} from the seed pages, {} supporting)",
        spec.operations.len(),
        seed_ops,
        spec.operations.len() - seed_ops
    );
    outln!("error codes: {total_codes} documented ({seed_codes} over the seed operations)");
    outln!("schemas: {}", spec.schema_names.len());
    let cases = case_args.load(&spec).map_err(|diags| CliError::Cases {
        then: format!("spec check: {} problem(s) in the case files", diags.0.len()),
        diags,
    })?;
    outln!("cases: {} in {}", cases.len(), case_args.describe());
    let covers: Vec<Covers> = cases.iter().flat_map(|c| run::covers(c, &spec)).collect();
    let gaps = report::coverage::gaps(&spec, &covers);
    if !gaps.is_empty() {
        let mut lines: Vec<String> = Vec::new();
        for (op, code) in &gaps.errors {
            lines.push(format!(
                "no case expects ONTAP error {code} from {op} (start one: ontap-conform cases new --operation \"{op}\" --code {code})"
            ));
        }
        for (op, status) in &gaps.statuses {
            lines.push(format!(
                "no case expects status {status} from {op} (start one: ontap-conform cases new --operation \"{op}\")"
            ));
        }
        lines.push(format!(
            "spec check: {} documented error code(s) and {} success status(es) have no case",
            gaps.errors.len(),
            gaps.statuses.len()
        ));
        return Err(CliError::Uncovered(lines));
    }
    outln!("coverage: every documented error code and success status has a case");
    Ok(Verdict::Passed)
}

pub(super) fn table(path: Option<PathBuf>) -> Result<Verdict, CliError> {
    let spec = Spec::load(path.as_deref()).map_err(|diags| CliError::Spec { diags, then: None })?;
    outln!("| operation | introduced in | documented statuses | ONTAP error codes |");
    outln!("|---|---|---|---|");
    for op in &spec.operations {
        let statuses: Vec<&str> = op.responses.keys().map(String::as_str).collect();
        outln!(
            "| `{}`{} | {} | {} | {} |",
            op.key(),
            if op.supporting { " (supporting)" } else { "" },
            op.introduced_in
                .as_ref()
                .map(|v| v.to_string())
                .unwrap_or_default(),
            statuses.join(", "),
            op.errors.len()
        );
    }
    Ok(Verdict::Passed)
}
