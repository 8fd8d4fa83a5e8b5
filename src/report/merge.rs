//! One report from the reports of a suite's shards (`run --partition K/N` on N machines).
//!
//! Only the shards of one run merge: every share of one partition once, the same target, mode
//! and seed ([`super::shards`]); anything else is refused, naming what is missing or differs, so
//! a merge never passes a run that checked part of the suite.
//!
//! The coverage matrix is merged cell by cell from the shards' own matrices (each lists every
//! documented status and code, with the cases of its shard), so merging needs neither the spec
//! nor the case files: only the reports, as a CI's last job has them. The shards may be of
//! `schema_version` 1 or 2 (read by [`super::json::read_report`]); the merged report is the
//! current version.

use std::collections::{BTreeMap, BTreeSet};

use super::coverage::{self, cell_state};
use super::model::{CaseResult, CellKind, CoverageCell, Outcome, RunReport, SCHEMA_VERSION};

/// Why reports cannot be merged.
#[derive(Debug, thiserror::Error)]
pub enum MergeError {
    #[error("nothing to merge: give at least one conformance.json")]
    Empty,
    /// Every reason, one per line.
    #[error("these reports are not the shards of one run:\n  {}", .0.join("\n  "))]
    NotOneRun(Vec<String>),
    #[error(
        "case `{id}` is in both {first} and {second}: were the same shard's reports given twice?"
    )]
    Duplicate {
        id: String,
        first: String,
        second: String,
    },
}

/// Merges `(name, report)` pairs; `name` (the file) is only used in messages.
pub fn merge(reports: &[(String, RunReport)]) -> Result<RunReport, MergeError> {
    let (_, first) = reports.first().ok_or(MergeError::Empty)?;
    let problems = super::shards::problems(reports);
    if !problems.is_empty() {
        return Err(MergeError::NotOneRun(problems));
    }
    let mut owner: BTreeMap<&str, &str> = BTreeMap::new();
    let mut cases: Vec<CaseResult> = Vec::new();
    for (name, r) in reports {
        for c in &r.cases {
            if let Some(prev) = owner.insert(&c.id, name) {
                return Err(MergeError::Duplicate {
                    id: c.id.clone(),
                    first: prev.to_string(),
                    second: name.clone(),
                });
            }
            cases.push(c.clone());
        }
    }
    // Shards ran the cases in file order each; the merged report lists them in file order too.
    cases.sort_by(|a, b| a.file.cmp(&b.file).then_with(|| a.id.cmp(&b.id)));

    let by_id: BTreeMap<&str, &CaseResult> = cases.iter().map(|c| (c.id.as_str(), c)).collect();
    let mut cells: Vec<CoverageCell> = Vec::new();
    let mut index: BTreeMap<(String, String, CellKind, String), usize> = BTreeMap::new();
    let mut members: Vec<BTreeSet<String>> = Vec::new();
    for (_, r) in reports {
        for cell in &r.coverage {
            let key = (
                cell.method.clone(),
                cell.path.clone(),
                cell.kind,
                cell.value.clone(),
            );
            let i = *index.entry(key).or_insert_with(|| {
                cells.push(cell.clone());
                members.push(BTreeSet::new());
                cells.len() - 1
            });
            members[i].extend(cell.cases.iter().cloned());
        }
    }
    for (cell, ids) in cells.iter_mut().zip(members) {
        let this: &CoverageCell = cell;
        // Each case as it fared in this cell; a case from a report without `covers` (version 1)
        // counts with its outcome, as that report's own matrix did.
        let outcomes: Vec<Outcome> = ids
            .iter()
            .filter_map(|id| by_id.get(id.as_str()))
            .map(|c| {
                coverage::cell_outcome(c, |cv| coverage::counts_in(cv, this)).unwrap_or(c.outcome)
            })
            .collect();
        cell.state = cell_state(&outcomes);
        // Keep the cases in file order, as a single run lists them.
        cell.cases = cases
            .iter()
            .filter(|c| ids.contains(&c.id))
            .map(|c| c.id.clone())
            .collect();
    }

    let distinct = |f: &dyn Fn(&RunReport) -> String| {
        let mut seen: Vec<String> = Vec::new();
        for (_, r) in reports {
            let v = f(r);
            if !seen.contains(&v) {
                seen.push(v);
            }
        }
        seen.join(", ")
    };
    let versions: Vec<String> = reports
        .iter()
        .filter_map(|(_, r)| r.ontap_version.clone())
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    let partitions: Vec<String> = reports
        .iter()
        .filter_map(|(_, r)| r.partition.clone())
        .collect();
    Ok(RunReport {
        schema_version: SCHEMA_VERSION,
        tool: distinct(&|r| r.tool.clone()),
        target: distinct(&|r| r.target.clone()),
        embedded_emulator: reports.iter().all(|(_, r)| r.embedded_emulator),
        ontap_version: (!versions.is_empty()).then(|| versions.join(", ")),
        started_at: reports
            .iter()
            .map(|(_, r)| r.started_at.clone())
            .min()
            .unwrap_or_else(|| first.started_at.clone()),
        // Shards run side by side: the merged run took as long as its longest shard.
        duration_ms: reports
            .iter()
            .map(|(_, r)| r.duration_ms)
            .max()
            .unwrap_or(0),
        partition: (!partitions.is_empty()).then(|| partitions.join("+")),
        interrupted: reports.iter().any(|(_, r)| r.interrupted),
        // The weaker claim when shards differ: destructive cases did not all run.
        allow_destructive: reports
            .iter()
            .map(|(_, r)| r.allow_destructive)
            .reduce(|a, b| Some(a? && b?))
            .flatten(),
        // Shards were scheduled apart; no one schedule describes the merged run.
        schedule: None,
        // Shards of one run share their seed and mode (checked above).
        generated_seed: first.generated_seed,
        mode: first.mode,
        summary: RunReport::summarize(&cases),
        coverage: cells,
        // Counted again over every shard's cases, against the built-in spec the shards' own
        // counts came from (only a run with the built-in spec has an imported layer).
        imported_coverage: reports
            .iter()
            .any(|(_, r)| r.imported_coverage.is_some())
            .then(|| {
                let covers: Vec<coverage::Covers> = cases
                    .iter()
                    .flat_map(|c| c.covers.iter().cloned())
                    .collect();
                crate::spec::Spec::load(None)
                    .map(|spec| coverage::ImportedCoverage::of(&spec, &covers))
                    .unwrap_or_default()
            }),
        cases,
    })
}
