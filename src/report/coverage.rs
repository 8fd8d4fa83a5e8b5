//! Coverage, in one place: which documented statuses and ONTAP error codes the cases expect.
//!
//! The runner's matrix ([`matrix`], in every report) and `spec check`'s gaps ([`gaps`]) are the
//! same question asked before and after a run, so both come from here: the spec says which cells
//! exist ([`documented`]), a case's [`Covers`] say which cells it counts in
//! ([`Documented::counted_by`]).
//! `merge` combines shards' matrices with the same [`cell_state`] rule.
//!
//! A cell is judged by the steps that count in it, not by their whole case ([`cell_outcome`]):
//! a case that failed at its POST says nothing against the GET it made before, so the GET's cell
//! stays green.

use serde::{Deserialize, Serialize};

use crate::spec::{Layer, Operation, Spec};

use super::model::{CaseResult, CellKind, CellState, CoverageCell, Outcome, StepPhase, Summary};

/// What one step of a case expects, as far as coverage goes: a status, an ONTAP error code or
/// both, from one operation.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct Covers {
    /// The step, named as its failures and its [`StepResult`](super::model::StepResult) name
    /// it (`steps[1] (read back)`): a failure in that step is about this expectation's cells and
    /// no other's. Absent in reports written before it; such a case counts in its cells with the
    /// outcome of the whole case.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub step: Option<String>,
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

/// How `case` fared in a cell, judged by its steps whose expectations `counts` (none: the case
/// does not count in the cell). A failing or erroring case marks a cell only through the step a
/// failure is about; its other steps count as what they were:
///
/// - a step with a failure: `fail` when the target answered it (an expectation or a rule of the
///   spec broke on that answer), `error` when it got no answer (a transport error, a variable
///   never set);
/// - a step that ran without one: `pass` (deviations are not failures);
/// - a step never reached: `skip` after an earlier step failed (nothing was asked of it), `error`
///   in a case that could not be judged (its setup or conditions failed before it);
///
/// and a case counting in the cell through several steps takes the worst of them, in the order of
/// [`cell_state`]. A pass or skip is the whole case's; so is every outcome of a case from a
/// report without [`Covers::step`].
pub fn cell_outcome(case: &CaseResult, counts: impl Fn(&Covers) -> bool) -> Option<Outcome> {
    let mut found: Option<Outcome> = None;
    for cv in case.covers.iter().filter(|cv| counts(cv)) {
        let o = match (&cv.step, case.outcome) {
            (Some(step), Outcome::Fail | Outcome::Error) => step_outcome(case, step),
            _ => case.outcome,
        };
        found = Some(match found {
            Some(prev) if rank(prev) >= rank(o) => prev,
            _ => o,
        });
    }
    found
}

/// How the step named `step` of a failing or erroring `case` fared: see [`cell_outcome`].
fn step_outcome(case: &CaseResult, step: &str) -> Outcome {
    let ran = case
        .steps
        .iter()
        .find(|s| s.phase == StepPhase::Step && s.name == step);
    if case.failures.iter().any(|f| f.step == step) {
        match ran {
            Some(s) if s.status.is_some() => Outcome::Fail,
            _ => Outcome::Error,
        }
    } else if ran.is_some() {
        Outcome::Pass
    } else if case.outcome == Outcome::Error {
        Outcome::Error
    } else {
        Outcome::Skip
    }
}

/// The order in which [`cell_state`] lets one outcome outrank another.
fn rank(o: Outcome) -> u8 {
    match o {
        Outcome::Skip => 0,
        Outcome::Pass => 1,
        Outcome::Error => 2,
        Outcome::Fail => 3,
    }
}

/// Whether a step expecting `c` counts in `cell`: [`Documented::counted_by`] for a cell read back
/// from a report (what `merge` has, without the spec).
pub fn counts_in(c: &Covers, cell: &CoverageCell) -> bool {
    c.method == cell.method
        && c.path == cell.path
        && match cell.kind {
            CellKind::Status => c.status.is_some_and(|s| s.to_string() == cell.value),
            CellKind::ErrorCode => c.error_code.as_deref() == Some(cell.value.as_str()),
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
///
/// The matrix holds every cell of the operations this project asserts (curated and overlays)
/// and, of NetApp's imported layer, the cells of the operations some case touched: at about
/// 1,500 operations and 7,000 codes, the untouched imported cells are counts
/// ([`ImportedCoverage`]), not rows.
pub struct Tally<'a> {
    cells: Vec<TallyCell<'a>>,
    /// The cells of each operation, by (method, path): a case looks up the operations its steps
    /// expect something of, not every cell of the spec.
    by_op: std::collections::HashMap<(&'a str, &'a str), Vec<usize>>,
    summary: Summary,
}

struct TallyCell<'a> {
    op: &'a Operation,
    cell: Documented<'a>,
    /// (index of the case, its id, its outcome in this cell).
    hits: Vec<(usize, String, Outcome)>,
}

impl<'a> Tally<'a> {
    pub fn new(spec: &'a Spec) -> Self {
        let mut cells = Vec::new();
        let mut by_op: std::collections::HashMap<(&str, &str), Vec<usize>> =
            std::collections::HashMap::new();
        for op in &spec.operations {
            for cell in documented(op) {
                by_op
                    .entry((op.method.as_str(), op.path.as_str()))
                    .or_default()
                    .push(cells.len());
                cells.push(TallyCell {
                    op,
                    cell,
                    hits: Vec::new(),
                });
            }
        }
        Tally {
            cells,
            by_op,
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
        let mut touched: Vec<usize> = case
            .covers
            .iter()
            .filter_map(|c| self.by_op.get(&(c.method.as_str(), c.path.as_str())))
            .flatten()
            .copied()
            .collect();
        touched.sort_unstable();
        touched.dedup();
        for i in touched {
            let t = &mut self.cells[i];
            if let Some(o) = cell_outcome(case, |cv| t.cell.counted_by(cv, t.op)) {
                t.hits.push((index, case.id.clone(), o));
            }
        }
    }

    /// The summary and the matrix, each cell's cases in index order.
    pub fn finish(self) -> (Summary, Vec<CoverageCell>) {
        let (summary, cells, _) = self.finish_with_imported();
        (summary, cells)
    }

    /// [`Tally::finish`], and the counts of the imported layer.
    pub fn finish_with_imported(self) -> (Summary, Vec<CoverageCell>, ImportedCoverage) {
        let mut imported = ImportedCoverage::default();
        let touched: std::collections::HashSet<(&str, &str)> = self
            .cells
            .iter()
            .filter(|t| t.op.layer == Layer::Imported && !t.hits.is_empty())
            .map(|t| (t.op.method.as_str(), t.op.path.as_str()))
            .collect();
        let mut seen: std::collections::HashSet<(&str, &str)> = std::collections::HashSet::new();
        for t in self.cells.iter().filter(|t| t.op.layer == Layer::Imported) {
            let key = (t.op.method.as_str(), t.op.path.as_str());
            let row = imported
                .tags
                .entry(t.op.tags.first().cloned().unwrap_or_default())
                .or_default();
            if seen.insert(key) {
                row.operations += 1;
                if touched.contains(&key) {
                    row.operations_with_a_case += 1;
                }
            }
            row.cells += 1;
            if !t.hits.is_empty() {
                row.cells_with_a_case += 1;
            }
        }
        let cells = self
            .cells
            .into_iter()
            .filter(|t| {
                t.op.layer != Layer::Imported
                    || touched.contains(&(t.op.method.as_str(), t.op.path.as_str()))
            })
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
                    layer: Some(t.op.layer),
                    tag: t.op.tags.first().cloned(),
                }
            })
            .collect();
        (self.summary, cells, imported)
    }
}

/// The imported layer's coverage, per tag (`storage`, `san`, ...): how many documented cells
/// (success statuses and error codes) its operations have and how many a case expects. Reported,
/// not gated (`spec check --require-coverage imported` gates on it).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImportedCoverage {
    pub tags: std::collections::BTreeMap<String, ImportedRow>,
}

/// One tag's counts in [`ImportedCoverage`].
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImportedRow {
    pub operations: usize,
    pub operations_with_a_case: usize,
    pub cells: usize,
    pub cells_with_a_case: usize,
}

impl ImportedCoverage {
    /// The counts for `spec`'s imported layer before a run: what `spec check` reports from the
    /// cases' [`Covers`].
    pub fn of(spec: &Spec, covers: &[Covers]) -> ImportedCoverage {
        let mut out = ImportedCoverage::default();
        for op in spec.layer(Layer::Imported) {
            let row = out
                .tags
                .entry(op.tags.first().cloned().unwrap_or_default())
                .or_default();
            row.operations += 1;
            let mine: Vec<&Covers> = covers
                .iter()
                .filter(|c| c.method == op.method && c.path == op.path)
                .collect();
            let mut any = false;
            for cell in documented(op) {
                row.cells += 1;
                if mine.iter().any(|c| cell.counted_by(c, op)) {
                    row.cells_with_a_case += 1;
                    any = true;
                }
            }
            // As a run's tally counts it: an operation with a case in one of its cells.
            if any {
                row.operations_with_a_case += 1;
            }
        }
        out
    }

    /// The counts over every tag.
    pub fn total(&self) -> ImportedRow {
        let mut t = ImportedRow::default();
        for r in self.tags.values() {
            t.operations += r.operations;
            t.operations_with_a_case += r.operations_with_a_case;
            t.cells += r.cells;
            t.cells_with_a_case += r.cells_with_a_case;
        }
        t
    }

    pub fn is_empty(&self) -> bool {
        self.tags.is_empty()
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

    pub fn extend(&mut self, other: Gaps) {
        self.errors.extend(other.errors);
        self.statuses.extend(other.statuses);
    }
}

/// The documented cells of the curated spec and the overlays that no step in `covers` expects,
/// each list in the spec's order. The imported layer is reported ([`ImportedCoverage`]), not
/// gated, unless asked ([`gaps_in`]).
pub fn gaps(spec: &Spec, covers: &[Covers]) -> Gaps {
    gaps_in(spec.gated(), covers)
}

/// [`gaps`] over the operations `ops`.
pub fn gaps_in<'a>(ops: impl Iterator<Item = &'a Operation>, covers: &[Covers]) -> Gaps {
    let mut gaps = Gaps::default();
    for op in ops {
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
