//! One report from the reports of a suite's shards (`run --partition K/N` on N machines, or one
//! suite spread over several clusters).
//!
//! The coverage matrix is merged cell by cell from the shards' own matrices (each lists every
//! documented status and code, with the cases of its shard), so merging needs neither the spec
//! nor the case files: only the reports, as a CI's last job has them. The shards may be of
//! `schema_version` 1 or 2 (read by [`super::json::read_report`]); the merged report is the
//! current version.

use std::collections::{BTreeMap, BTreeSet};

use super::coverage::cell_state;
use super::model::{CaseResult, CellKind, CoverageCell, Mode, Outcome, RunReport, SCHEMA_VERSION};

/// Why reports cannot be merged.
#[derive(Debug, thiserror::Error)]
pub enum MergeError {
    #[error("nothing to merge: give at least one conformance.json")]
    Empty,
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

    let outcome: BTreeMap<&str, Outcome> =
        cases.iter().map(|c| (c.id.as_str(), c.outcome)).collect();
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
        let outcomes: Vec<Outcome> = ids
            .iter()
            .filter_map(|id| outcome.get(id.as_str()).copied())
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
        // Shards of one suite run in one mode; if they differ, the merged report says lenient,
        // the weaker of the two, so it never claims more than every shard checked.
        // Shards were scheduled apart; no one schedule describes the merged run.
        schedule: None,
        // Shards of one run share their seed; shards that differ keep none.
        generated_seed: distinct_seed(reports.iter().map(|(_, r)| r.generated_seed)),
        mode: if reports.iter().all(|(_, r)| r.mode == Mode::Strict) {
            Mode::Strict
        } else {
            Mode::Lenient
        },
        summary: RunReport::summarize(&cases),
        coverage: cells,
        cases,
    })
}

/// The one seed every report names, if they all name the same.
fn distinct_seed(mut seeds: impl Iterator<Item = Option<u64>>) -> Option<u64> {
    let first = seeds.next()??;
    seeds.all(|s| s == Some(first)).then_some(first)
}
