//! Coverage, in one place: which documented statuses and ONTAP error codes the cases expect.
//!
//! The runner's matrix ([`matrix`], in every report) and `spec check`'s gaps ([`gaps`]) are the
//! same question asked before and after a run, so both come from here: the spec says which cells
//! exist ([`documented`]), a case's [`Covers`] say which cells it counts in
//! ([`Documented::counted_by`]).
//! `merge` combines shards' matrices with the same [`cell_state`] rule.

use serde::{Deserialize, Serialize};

use crate::spec::{Operation, Spec};

use super::model::{CaseResult, CellKind, CellState, CoverageCell, Outcome, Summary};

/// What one step of a case expects, as far as coverage goes: a status, an ONTAP error code or
/// both, from one operation.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct Covers {
    pub method: String,
    /// The spec's path template.
    pub path: String,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub status: Option<u16>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub error_code: Option<String>,
}

/// One cell the spec documents for an operation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Documented<'a> {
    Status(u16),
    ErrorCode(&'a str),
}

impl Documented<'_> {
    pub fn kind(self) -> CellKind {
        match self {
            Documented::Status(_) => CellKind::Status,
            Documented::ErrorCode(_) => CellKind::ErrorCode,
        }
    }

    /// The cell's `value` in the report: `"201"` or `"5374142"`.
    pub fn value(self) -> String {
        match self {
            Documented::Status(s) => s.to_string(),
            Documented::ErrorCode(c) => c.to_string(),
        }
    }

    /// True when a step expecting `c` counts in this cell of `op`.
    pub fn counted_by(self, c: &Covers, op: &Operation) -> bool {
        c.method == op.method
            && c.path == op.path
            && match self {
                Documented::Status(s) => c.status == Some(s),
                Documented::ErrorCode(code) => c.error_code.as_deref() == Some(code),
            }
    }
}

/// The cells the spec documents for `op`: success statuses first, then error codes, each in
/// the spec's order.
pub fn documented(op: &Operation) -> Vec<Documented<'_>> {
    let mut cells: Vec<Documented<'_>> = op
        .success_statuses()
        .into_iter()
        .map(Documented::Status)
        .collect();
    cells.extend(op.errors.iter().map(|e| Documented::ErrorCode(&e.code)));
    cells
}

/// The state of a cell from the outcomes of the cases that expect it. A failure outranks an
/// error: it is a verdict on the target, an error is the absence of one.
pub fn cell_state(outcomes: &[Outcome]) -> CellState {
    if outcomes.is_empty() {
        CellState::None
    } else if outcomes.contains(&Outcome::Fail) {
        CellState::Fail
    } else if outcomes.contains(&Outcome::Error) {
        CellState::Error
    } else if outcomes.iter().all(|o| *o == Outcome::Skip) {
        CellState::Skip
    } else {
        CellState::Pass
    }
}

/// The coverage matrix: every documented success status and error code of every operation,
/// with the cases whose steps expect it (in the order given) and how they fared.
pub fn matrix(spec: &Spec, cases: &[CaseResult]) -> Vec<CoverageCell> {
    let mut tally = Tally::new(spec);
    for (i, c) in cases.iter().enumerate() {
        tally.add(i, c);
    }
    tally.finish().1
}

/// The summary and the coverage matrix built one case at a time, as cases end in any order, so
/// a run need not keep its results to count them: [`Tally::finish`] gives what
/// [`RunReport::summarize`](super::model::RunReport::summarize) and [`matrix`] give for the
/// same cases in index order.
pub struct Tally<'a> {
    cells: Vec<TallyCell<'a>>,
    summary: Summary,
}

struct TallyCell<'a> {
    op: &'a Operation,
    cell: Documented<'a>,
    /// (index of the case, its id, its outcome).
    hits: Vec<(usize, String, Outcome)>,
}

impl<'a> Tally<'a> {
    pub fn new(spec: &'a Spec) -> Self {
        let cells = spec
            .operations
            .iter()
            .flat_map(|op| {
                documented(op).into_iter().map(move |cell| TallyCell {
                    op,
                    cell,
                    hits: Vec::new(),
                })
            })
            .collect();
        Tally {
            cells,
            summary: Summary::default(),
        }
    }

    /// Counts `case`, the `index`th of the run.
    pub fn add(&mut self, index: usize, case: &CaseResult) {
        let s = &mut self.summary;
        s.total += 1;
        match case.outcome {
            Outcome::Pass => s.passed += 1,
            Outcome::Fail => s.failed += 1,
            Outcome::Error => s.errors += 1,
            Outcome::Skip => s.skipped += 1,
        }
        s.deviations += case.deviations.len();
        for t in &mut self.cells {
            if case.covers.iter().any(|cv| t.cell.counted_by(cv, t.op)) {
                t.hits.push((index, case.id.clone(), case.outcome));
            }
        }
    }

    /// The summary and the matrix, each cell's cases in index order.
    pub fn finish(self) -> (Summary, Vec<CoverageCell>) {
        let cells = self
            .cells
            .into_iter()
            .map(|mut t| {
                t.hits.sort_by_key(|(i, _, _)| *i);
                let outcomes: Vec<Outcome> = t.hits.iter().map(|(_, _, o)| *o).collect();
                let entry = match t.cell {
                    Documented::ErrorCode(code) => t.op.error(code),
                    Documented::Status(_) => None,
                };
                CoverageCell {
                    basis: entry.map(|e| e.basis.clone()),
                    status_basis: entry.map(|e| e.status_basis.clone()),
                    method: t.op.method.clone(),
                    path: t.op.path.clone(),
                    kind: t.cell.kind(),
                    value: t.cell.value(),
                    state: cell_state(&outcomes),
                    cases: t.hits.into_iter().map(|(_, id, _)| id).collect(),
                }
            })
            .collect();
        (self.summary, cells)
    }
}

/// What the spec documents and no case expects: the matrix's `none` cells, before a run.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Gaps {
    /// (operation, error code) pairs without a case expecting that code on that operation.
    pub errors: Vec<(String, String)>,
    /// (operation, success status) pairs without a case expecting that status.
    pub statuses: Vec<(String, u16)>,
}

impl Gaps {
    pub fn is_empty(&self) -> bool {
        self.errors.is_empty() && self.statuses.is_empty()
    }
}

/// The documented cells that no step in `covers` expects, each list in the spec's order.
pub fn gaps(spec: &Spec, covers: &[Covers]) -> Gaps {
    let mut gaps = Gaps::default();
    for op in &spec.operations {
        for cell in documented(op) {
            if covers.iter().any(|c| cell.counted_by(c, op)) {
                continue;
            }
            match cell {
                Documented::ErrorCode(code) => gaps.errors.push((op.key(), code.to_string())),
                Documented::Status(s) => gaps.statuses.push((op.key(), s)),
            }
        }
    }
    gaps
}
