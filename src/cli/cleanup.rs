//! `cleanup`: delete what interrupted runs left on a target (names carrying a run id).

use super::conn::{ConnArgs, password_from_env};
use super::{CliError, Verdict, runtime};
use crate::run::{self, RunOptions};

/// Lists each leftover on stdout as it is deleted (or would be, with `--dry-run`); a leftover that
/// could not be deleted makes it exit 2, since the target is not clean.
pub(super) fn cleanup(target: String, conn: ConnArgs, dry_run: bool) -> Result<Verdict, CliError> {
    let client = conn.client().map_err(|e| CliError::cannot("cleanup", e))?;
    let password =
        password_from_env(&conn.user, &target).map_err(|e| CliError::cannot("cleanup", e))?;
    let opts = RunOptions::new(target.clone(), conn.user.clone(), password, client);
    let found = runtime()
        .block_on(run::cleanup::cleanup(&opts, dry_run))
        .map_err(|e| CliError::cannot("cleanup", e))?;
    let mut failed = 0;
    for l in &found.leftovers {
        match &l.removed {
            None => println!("would delete {} {}", l.kind, l.name),
            Some(Ok(())) => println!("deleted {} {}", l.kind, l.name),
            Some(Err(e)) => {
                failed += 1;
                println!("could not delete {} {}: {e}", l.kind, l.name);
            }
        }
    }
    for s in &found.settings {
        println!("note: {s} (cleanup cannot know what it was before a run; check it)");
    }
    let n = found.leftovers.len();
    if dry_run {
        println!("{n} leftover(s) found on {target}; nothing deleted (--dry-run)");
    } else {
        println!(
            "{} leftover(s) deleted, {failed} could not be, on {target}",
            n - failed
        );
    }
    if failed > 0 {
        Err(CliError::CleanupIncomplete { failed })
    } else {
        Ok(Verdict::Passed)
    }
}
