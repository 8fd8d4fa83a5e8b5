//! The cases of a run before their turn, and what the scheduler knows of them.
//!
//! A loaded case's plan is about 17 KB (its definition, compiled matchers, line map): 100,000
//! of them would not fit the memory a run should take. [`Plan::load`] checks every case file as
//! `run` always has (every problem of every file at once, before any request), keeps only where
//! each selected case is and what it locks, and the runner loads each again when it starts.
//! What a case locks repeats across a suite (copies of one file lock alike), so each distinct
//! footprint is held once.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::Arc;

use super::preflight::Needs;
use super::schedule::{self, Footprint};
use super::select::{Partition, Selector};
use crate::case::Case;
use crate::case::generated::GeneratedCheck;
use crate::case::suite::{Source, for_each_case};
use crate::diag::Diagnostics;
use crate::spec::Spec;

/// A selected case until it starts: loaded, or where to load it from.
pub enum Pending {
    Loaded(Box<Case>),
    Source(Source),
    /// A generated check, as its text.
    Generated(GeneratedCheck),
}

impl Pending {
    /// The case, loading it when it was kept as its source. An error means its file changed
    /// since the run checked it.
    pub fn into_case(self, spec: &Spec) -> Result<Case, String> {
        match self {
            Pending::Loaded(c) => Ok(*c),
            Pending::Generated(g) => g.load(spec).map_err(|d| {
                format!(
                    "{}: {}",
                    g.file,
                    d.0.first().map(|d| d.to_string()).unwrap_or_default()
                )
            }),
            Pending::Source(s) => s.load(spec).map_err(|d| {
                format!(
                    "{}: the case file changed after the run checked it: {}",
                    s.shown().display(),
                    d.0.first().map(|d| d.to_string()).unwrap_or_default()
                )
            }),
        }
    }
}

/// The selected cases in run order, each with the index of its footprint in `distinct`.
pub struct Plan {
    /// `None` once the case has started.
    pub(super) cases: Vec<(Option<Pending>, u32)>,
    /// Each footprint once, reads already widened ([`schedule::widen_reads`]).
    pub(super) distinct: Vec<Arc<Footprint>>,
    /// What each case needs of the target, each distinct [`Needs`] once with how many cases
    /// have it: what `doctor` and the preflight line count.
    pub needs: Vec<(Needs, usize)>,
}

impl Plan {
    /// The plan of `cases`, all in memory (a harness running a few).
    pub fn of(
        cases: Vec<Case>,
        spec: &Spec,
        filter: &[String],
        partition: Option<Partition>,
    ) -> Plan {
        let mut b = Builder::default();
        let mut selector = Selector::new(filter, partition);
        for c in cases {
            if selector.keep(&c) {
                let fp = schedule::footprint(&c, spec);
                b.need(Needs::of(&c, spec));
                b.push(Pending::Loaded(Box::new(c)), fp);
            }
        }
        b.finish()
    }

    /// The plan of the built-in suite (unless `builtin` is false), every case file under `dirs`
    /// and the generated checks `extra` gives, in that order, holding one loaded case at a time.
    pub fn load(
        spec: &Spec,
        builtin: bool,
        dirs: &[PathBuf],
        extra: impl FnOnce() -> Result<Vec<GeneratedCheck>, Diagnostics>,
        filter: &[String],
        partition: Option<Partition>,
    ) -> Result<Plan, Diagnostics> {
        let mut b = Builder::default();
        let mut selector = Selector::new(filter, partition);
        for_each_case(spec, builtin, dirs, |source, c| {
            if selector.keep(&c) {
                b.need(Needs::of(&c, spec));
                b.push(
                    Pending::Source(source.clone()),
                    schedule::footprint(&c, spec),
                );
            }
        })?;
        // Each generated check is loaded to be checked, selected and footprinted, then kept as
        // its text until its turn, as a case file is kept as its path.
        let mut problems = Vec::new();
        for g in extra()? {
            match g.load(spec) {
                Ok(c) if selector.keep(&c) => {
                    let fp = schedule::footprint(&c, spec);
                    b.need(Needs::of(&c, spec));
                    drop(c);
                    b.push(Pending::Generated(g), fp);
                }
                Ok(_) => {}
                Err(d) => problems.extend(d.0),
            }
        }
        if !problems.is_empty() {
            return Err(Diagnostics(problems));
        }
        Ok(b.finish())
    }

    pub fn len(&self) -> usize {
        self.cases.len()
    }

    pub fn is_empty(&self) -> bool {
        self.cases.is_empty()
    }

    /// What the run will do on a target with these facts: see [`super::preflight`].
    pub fn preflight(
        &self,
        facts: &super::TargetFacts,
        opts: &super::RunOptions,
    ) -> super::preflight::Preflight {
        super::preflight::Preflight::of(
            self.needs
                .iter()
                .flat_map(|(n, count)| std::iter::repeat_n(n, *count)),
            facts,
            opts,
        )
    }
}

#[derive(Default)]
struct Builder {
    cases: Vec<(Option<Pending>, u32)>,
    distinct: Vec<Footprint>,
    index: HashMap<String, u32>,
    needs: HashMap<Needs, usize>,
}

impl Builder {
    fn need(&mut self, needs: Needs) {
        *self.needs.entry(needs).or_default() += 1;
    }

    fn push(&mut self, pending: Pending, fp: Footprint) {
        let key = format!("{:?}", fp);
        let next = self.distinct.len() as u32;
        let at = *self.index.entry(key).or_insert(next);
        if at == next {
            self.distinct.push(fp);
        }
        self.cases.push((Some(pending), at));
    }

    fn finish(mut self) -> Plan {
        // Widening depends only on the set of settings some case writes, which the distinct
        // footprints have as the whole list does.
        schedule::widen_reads(&mut self.distinct);
        Plan {
            cases: self.cases,
            distinct: self.distinct.into_iter().map(Arc::new).collect(),
            needs: self.needs.into_iter().collect(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::case::load_suite;
    use crate::run::select::select;

    /// The plan of the suite kept as sources selects the cases `select` selects from the
    /// loaded suite, in the same order, with the same footprints, and each source loads the
    /// case it stands for.
    #[test]
    fn a_plan_of_sources_is_the_selection_of_the_loaded_suite() {
        let spec = Spec::load(None).unwrap();
        let filter = vec!["iscsi".to_string(), "security".to_string()];
        let partition: Partition = "count:2/3".parse().unwrap();
        let loaded = select(
            load_suite(&spec, true, &[]).unwrap(),
            &filter,
            Some(partition),
        );
        let plan = Plan::load(
            &spec,
            true,
            &[],
            || Ok(Vec::new()),
            &filter,
            Some(partition),
        )
        .unwrap();
        assert!(!loaded.is_empty());
        assert_eq!(plan.len(), loaded.len());
        let mut footprints: Vec<Footprint> = loaded
            .iter()
            .map(|c| schedule::footprint(c, &spec))
            .collect();
        schedule::widen_reads(&mut footprints);
        assert!(plan.distinct.len() < footprints.len(), "footprints repeat");
        for ((pending, fp), case) in plan.cases.into_iter().zip(&loaded) {
            assert_eq!(*plan.distinct[fp as usize], footprints.remove(0));
            let again = pending.unwrap().into_case(&spec).unwrap();
            assert_eq!(again.def.id, case.def.id);
            assert_eq!(again.file, case.file);
        }
    }
}
