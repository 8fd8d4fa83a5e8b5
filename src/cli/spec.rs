//! `spec check` (the spec, the cases against it, and the coverage of documented codes) and
//! `spec table` (the operations as Markdown).

use std::path::PathBuf;

use super::{CaseArgs, CliError, Verdict};
use crate::report::{self, coverage::Covers};
use crate::run;
use crate::spec::{Layer, Spec};

/// Passes when the spec and the cases load and every documented error code and success status
/// of the curated spec and the overlays has a case; anything less is exit 2, since a suite with
/// holes cannot say a build conforms. NetApp's imported layer is counted and reported, and gated
/// only with `--require-coverage imported`.
pub(super) fn check(
    path: Option<PathBuf>,
    overlays: &[PathBuf],
    case_args: &CaseArgs,
    require_imported: bool,
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
    let count = |l: Layer| spec.layer(l).count();
    let codes = |l: Layer| spec.layer(l).map(|o| o.errors.len()).sum::<usize>();
    let curated = count(Layer::Curated);
    outln!("spec: {}", spec.file.display());
    outln!(
        "operations: {} ({curated} curated: {seed_ops} from the seed pages, {} supporting; {} imported; {} overlay)",
        spec.operations.len(),
        curated - seed_ops,
        count(Layer::Imported),
        count(Layer::Overlay)
    );
    outln!(
        "error codes: {} curated ({seed_codes} over the seed operations), {} imported, {} overlay",
        codes(Layer::Curated),
        codes(Layer::Imported),
        codes(Layer::Overlay)
    );
    outln!("schemas: {}", spec.schema_names.len());
    let cases = case_args.load(&spec).map_err(|diags| CliError::Cases {
        then: format!("spec check: {} problem(s) in the case files", diags.0.len()),
        diags,
    })?;
    outln!("cases: {} in {}", cases.len(), case_args.describe());
    let covers: Vec<Covers> = cases.iter().flat_map(|c| run::covers(c, &spec)).collect();
    let imported = report::coverage::ImportedCoverage::of(&spec, &covers);
    if !imported.is_empty() {
        let t = imported.total();
        outln!(
            "coverage of the imported layer (reported; --require-coverage imported gates it): {} of {} operations, {} of {} documented statuses and codes have a case",
            t.operations_with_a_case,
            t.operations,
            t.cells_with_a_case,
            t.cells
        );
        for (tag, r) in &imported.tags {
            outln!(
                "  {:<24} {:>4} of {:>4} operations, {:>5} of {:>5} statuses and codes",
                if tag.is_empty() { "(no tag)" } else { tag },
                r.operations_with_a_case,
                r.operations,
                r.cells_with_a_case,
                r.cells
            );
        }
    }
    let mut gaps = report::coverage::gaps(&spec, &covers);
    if require_imported {
        gaps.extend(report::coverage::gaps_in(
            spec.layer(Layer::Imported),
            &covers,
        ));
    }
    if !gaps.is_empty() {
        let overlay_flags: String = overlays
            .iter()
            .map(|o| format!(" --spec-overlay {}", o.display()))
            .collect();
        let mut lines: Vec<String> = Vec::new();
        for (op, code) in &gaps.errors {
            lines.push(format!(
                "no case expects ONTAP error {code} from {op} (start one: ontap-conform cases new{overlay_flags} --operation \"{op}\" --code {code})"
            ));
        }
        for (op, status) in &gaps.statuses {
            lines.push(format!(
                "no case expects status {status} from {op} (start one: ontap-conform cases new{overlay_flags} --operation \"{op}\")"
            ));
        }
        lines.push(format!(
            "spec check: {} documented error code(s) and {} success status(es) have no case",
            gaps.errors.len(),
            gaps.statuses.len()
        ));
        return Err(CliError::Uncovered(lines));
    }
    outln!(
        "coverage: every documented error code and success status of the curated spec{} has a case",
        if overlays.is_empty() {
            ""
        } else {
            " and the overlays"
        }
    );
    Ok(Verdict::Passed)
}

pub(super) fn table(path: Option<PathBuf>, layer: Option<Layer>) -> Result<Verdict, CliError> {
    let spec = Spec::load(path.as_deref()).map_err(|diags| CliError::Spec { diags, then: None })?;
    outln!("| operation | layer | introduced in | documented statuses | ONTAP error codes |");
    outln!("|---|---|---|---|---|");
    for op in spec
        .operations
        .iter()
        .filter(|o| layer.is_none_or(|l| o.layer == l))
    {
        let statuses: Vec<&str> = op.responses.keys().map(String::as_str).collect();
        let layer = match (op.layer, op.supporting, &op.source) {
            (Layer::Curated, true, _) => "curated (supporting)".to_string(),
            (Layer::Imported, _, Some(source)) => format!("imported ({source})"),
            (l, ..) => l.as_str().to_string(),
        };
        outln!(
            "| `{}` | {layer} | {} | {} | {} |",
            op.key(),
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
