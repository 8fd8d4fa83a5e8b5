//! `cleanup`: delete what interrupted runs left on a target (names carrying a run id).

use super::conn::ConnArgs;
use super::{CaseArgs, CliError, Verdict, runtime};
use crate::run::{self, RunOptions, env};
use crate::spec::Spec;

/// Lists each leftover on stdout as it is deleted (or would be, with `--dry-run`); a leftover that
/// could not be deleted makes it exit 2, since the target is not clean.
///
/// What it looks for comes from the cases a run could have loaded: the built-in suite and the
/// `--cases` given (as to the run that left them), and the checks generated from the spec (and
/// `--spec-overlay`s), whatever their seed.
pub(super) fn cleanup(
    conn: ConnArgs,
    spec: Option<std::path::PathBuf>,
    overlays: &[std::path::PathBuf],
    cases: &CaseArgs,
    dry_run: bool,
) -> Result<Verdict, CliError> {
    let spec = Spec::load(spec.as_deref())
        .and_then(|s| s.with_overlays(overlays))
        .map_err(|diags| CliError::Spec {
            then: Some("cleanup: the spec does not load; nothing was deleted".into()),
            diags,
        })?;
    let mut loaded =
        crate::case::load_suite(&spec, !cases.no_builtin_cases, &cases.dirs).map_err(|diags| {
            CliError::Cases {
                then: "cleanup: the case files do not load; nothing was deleted".into(),
                diags,
            }
        })?;
    loaded.extend(
        crate::case::generated::generate(&spec, cases.seed).map_err(|diags| CliError::Cases {
            then: "cleanup: the generated checks do not load; nothing was deleted".into(),
            diags,
        })?,
    );
    let (kinds, _) = run::cleanup::kinds(&spec, &loaded);
    drop(loaded);
    let c = conn.connection(false, None);
    let client = conn
        .client(&c)
        .map_err(|e| CliError::cannot("cleanup", e))?;
    let target = c.target.clone().ok_or_else(|| {
        CliError::cannot(
            "cleanup",
            format!(
                "give the cluster with --target URL (or {}): cleanup never runs against the embedded emulator",
                env::TARGET
            ),
        )
    })?;
    let password = env::password(c.user(), &target).map_err(|e| CliError::cannot("cleanup", e))?;
    let opts = RunOptions::new(target.clone(), c.user().to_string(), password, client);
    let found = runtime()
        .block_on(run::cleanup::cleanup(&opts, &kinds, dry_run))
        .map_err(|e| CliError::cannot("cleanup", e))?;
    let mut failed = 0;
    for l in &found.leftovers {
        match &l.removed {
            None => outln!("would delete {} from {}", l.name, l.kind),
            Some(Ok(())) => outln!("deleted {} from {}", l.name, l.kind),
            Some(Err(e)) => {
                failed += 1;
                outln!("could not delete {} from {}: {e}", l.name, l.kind);
            }
        }
    }
    for s in &found.settings {
        outln!("note: {s} (cleanup cannot know what it was before a run; check it)");
    }
    let n = found.leftovers.len();
    let searched = found.searched.join(", ");
    if dry_run {
        outln!("{n} leftover(s) found on {target} in {searched}; nothing deleted (--dry-run)");
    } else {
        outln!(
            "{} leftover(s) deleted, {failed} could not be, on {target} (searched {searched})",
            n - failed
        );
    }
    if failed > 0 {
        Err(CliError::CleanupIncomplete { failed })
    } else {
        Ok(Verdict::Passed)
    }
}
