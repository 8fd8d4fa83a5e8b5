//! `--cases`, `--no-builtin-cases` and `--generated`: which cases a command loads, shared by
//! `run`, `spec check` and `cases`.

use std::path::PathBuf;

/// Which cases: the suite built into the binary, and the user's own beside it.
#[derive(clap::Args, Debug, Clone)]
pub struct CaseArgs {
    /// A directory of case files to run beside the built-in suite (repeatable). The repository's
    /// own `cases/` given here is read from disk instead of the built-in copy.
    #[arg(long = "cases", value_name = "DIR")]
    pub dirs: Vec<PathBuf>,
    /// Run only the cases of `--cases`, not the suite built into the binary.
    #[arg(long)]
    pub no_builtin_cases: bool,
    /// Add the checks derived from the spec for every operation (`generated::<operation>.<check>`:
    /// bad input refused with nothing written, collections walked, ordered, projected and
    /// filtered, credentials and roles, the sample writes carried out).
    #[arg(long)]
    pub generated: bool,
    /// The seed of the generated checks: it picks the values they send where many would do
    /// (a wrong type, a too-long string's letters, the field projected). The same seed replays
    /// a run; the reports say which seed ran.
    #[arg(long, default_value_t = crate::case::generated::DEFAULT_SEED, value_name = "N")]
    pub seed: u64,
}

impl CaseArgs {
    /// Loads them, every problem of every file at once.
    pub fn load(
        &self,
        spec: &crate::spec::Spec,
    ) -> Result<Vec<crate::case::Case>, crate::diag::Diagnostics> {
        let mut cases = crate::case::load_suite(spec, !self.no_builtin_cases, &self.dirs)?;
        if self.generated {
            cases.extend(crate::case::generated::generate(spec, self.seed)?);
        }
        Ok(cases)
    }

    /// The run's plan of them (see [`crate::run::Plan::load`]): checked like [`Self::load`],
    /// selected with `filter` and `partition`, each case file kept as where it is until its turn.
    pub fn plan(
        &self,
        spec: &crate::spec::Spec,
        filter: &[String],
        partition: Option<crate::run::Partition>,
    ) -> Result<crate::run::Plan, crate::diag::Diagnostics> {
        let extra = || {
            if self.generated {
                crate::case::generated::generate_texts(spec, self.seed)
            } else {
                Ok(Vec::new())
            }
        };
        crate::run::Plan::load(
            spec,
            !self.no_builtin_cases,
            &self.dirs,
            extra,
            filter,
            partition,
        )
    }

    /// Where they came from, for messages: `the built-in suite and my-cases`.
    pub fn describe(&self) -> String {
        let mut parts: Vec<String> = Vec::new();
        let builtin_dir = crate::case::suite::builtin_source_dir();
        let reads_builtin_from_disk = self
            .dirs
            .iter()
            .any(|d| d.canonicalize().ok() == builtin_dir.canonicalize().ok());
        if !self.no_builtin_cases && !reads_builtin_from_disk {
            parts.push("the built-in suite".into());
        }
        parts.extend(self.dirs.iter().map(|d| d.display().to_string()));
        if self.generated {
            parts.push("the checks generated from the spec".into());
        }
        parts.join(" and ")
    }
}
