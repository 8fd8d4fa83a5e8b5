//! `cases new --operation "METHOD /path" [--code N] [--spec-overlay FILE]`: finds the operation
//! (in the spec and its overlays) and the code, and writes the skeleton that
//! [`crate::case::skeleton`] drafts from them.

use std::path::{Path, PathBuf};

use super::{CliError, Verdict};
use crate::case::split_operation;
use crate::spec::Spec;

pub(super) fn new(
    operation: &str,
    code: Option<&str>,
    overlays: &[PathBuf],
    output: Option<&Path>,
) -> Result<Verdict, CliError> {
    let spec = Spec::load(None).and_then(|s| s.with_overlays(overlays));
    let spec = spec.map_err(|diags| CliError::Spec { diags, then: None })?;
    let cannot = |m: String| CliError::cannot("cases new", m);
    let (method, path) = split_operation(operation)
        .ok_or_else(|| cannot(format!("`{operation}` is not `METHOD /path`")))?;
    let op = spec.operation(&method, &path).ok_or_else(|| {
        let keys: Vec<String> = spec.operations.iter().map(|o| o.key()).collect();
        let hint = crate::case::did_you_mean(operation, keys.iter().map(String::as_str));
        let overlay = if overlays.is_empty() {
            " (an operation of your own: give its overlay with --spec-overlay FILE)"
        } else {
            ""
        };
        cannot(format!(
            "`{operation}` is not an operation of the spec{hint}{overlay}"
        ))
    })?;
    let entry = match code {
        Some(c) => Some(op.error(c).ok_or_else(|| {
            let known: Vec<&str> = op.errors.iter().map(|e| e.code.as_str()).collect();
            cannot(format!(
                "{c} is not a documented code of `{}` (documented: {})",
                op.key(),
                if known.is_empty() {
                    "none".into()
                } else {
                    known.join(", ")
                }
            ))
        })?),
        None => None,
    };
    let y = crate::case::skeleton::skeleton(&spec, op, entry)
        .map_err(|diags| CliError::Spec { diags, then: None })?;
    match output {
        Some(p) => {
            if p.exists() {
                return Err(cannot(format!("{} exists: not overwritten", p.display())));
            }
            std::fs::write(p, &y).map_err(|e| cannot(format!("{}: {e}", p.display())))?;
            eprintln!(
                "wrote {}: fill in every TODO (it does not load until then)",
                p.display()
            );
        }
        None => out!("{y}"),
    }
    Ok(Verdict::Passed)
}
