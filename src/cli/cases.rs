//! `cases list` and `cases show ID`: what the binary carries (and any `--cases` beside it), so a
//! user can see what a run will do and copy a case as the start of their own.

use std::path::PathBuf;

use super::{CaseArgs, CliError, Verdict};
use crate::spec::Spec;

/// The cases against the spec and its overlays (the cases of an overlay's operations load only
/// with it, as in `run`).
fn load(case_args: &CaseArgs, overlays: &[PathBuf]) -> Result<Vec<crate::case::Case>, CliError> {
    let spec = Spec::load(None).and_then(|s| s.with_overlays(overlays));
    let spec = spec.map_err(|diags| CliError::Spec { diags, then: None })?;
    case_args.load(&spec).map_err(|diags| CliError::Cases {
        then: format!("cases: {} problem(s) in the case files", diags.0.len()),
        diags,
    })
}

/// One line per case: id, operation, what the main step expects, destructive or not, file.
pub(super) fn list(case_args: &CaseArgs, overlays: &[PathBuf]) -> Result<Verdict, CliError> {
    let cases = load(case_args, overlays)?;
    outln!(
        "{:<48} {:<72} {:<18} {:<11} file",
        "id",
        "operation",
        "expects",
        "changes"
    );
    for c in &cases {
        let status = c
            .expected_status_rule()
            .map(|s| s.to_string())
            .unwrap_or_else(|| "2xx".into());
        let expects = match c.expected_error_code() {
            Some(code) => format!("{status} {code}"),
            None => status,
        };
        outln!(
            "{:<48} {:<72} {:<18} {:<11} {}",
            c.def.id,
            c.operation_key(),
            expects,
            if c.def.destructive {
                "destructive"
            } else {
                "read-only"
            },
            c.file.display()
        );
    }
    outln!("{} cases in {}", cases.len(), case_args.describe());
    Ok(Verdict::Passed)
}

/// The case file of `id`, as written.
pub(super) fn show(
    case_args: &CaseArgs,
    overlays: &[PathBuf],
    id: &str,
) -> Result<Verdict, CliError> {
    let cases = load(case_args, overlays)?;
    let Some(c) = cases.iter().find(|c| c.def.id == id) else {
        let hint = match cases.iter().find(|c| c.def.id.starts_with(id)) {
            Some(c) => format!(" (did you mean `{}`?)", c.def.id),
            None => crate::case::did_you_mean(id, cases.iter().map(|c| c.def.id.as_str())),
        };
        return Err(CliError::cannot(
            "cases show",
            format!("no case has the id `{id}`{hint}"),
        ));
    };
    let shown = c.file.to_string_lossy().replace('\\', "/");
    let text = crate::case::BUILTIN_CASES
        .iter()
        .find(|(path, _)| *path == shown && !case_args.no_builtin_cases)
        .map(|(_, text)| text.to_string())
        .or_else(|| {
            case_args.dirs.iter().find_map(|d| {
                let base = d.parent().unwrap_or(std::path::Path::new(""));
                std::fs::read_to_string(base.join(&c.file)).ok()
            })
        })
        .ok_or_else(|| CliError::cannot("cases show", format!("cannot read {shown}")))?;
    out!("# {shown}\n{text}");
    Ok(Verdict::Passed)
}
