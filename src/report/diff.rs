//! What changed between two builds' reports: the per-build gate a CI keeps.
//!
//! Cases are matched by id (ids are unique across the case files). A case that passed before and
//! fails or errors now is a regression, and only regressions make `ontap-conform diff` exit 1: a
//! new failing case, or one that went from skipped to failing, is reported but judged by the
//! run's own exit code, so a CI that keeps yesterday's report is not blocked by today's new cases.
//! An error (the case could not be judged) counts with the failures: a check that no longer runs
//! protects nothing. Reports are read by [`super::json::read_report`].

use std::collections::BTreeMap;
use std::fmt::Write as _;

use serde::Serialize;

use super::model::{CaseResult, Outcome, RunReport};

/// One case whose outcome differs between the two reports (or that exists in only one).
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Change {
    pub id: String,
    pub area: String,
    /// `None` when the case is new.
    pub before: Option<Outcome>,
    /// `None` when the case was removed.
    pub after: Option<Outcome>,
    /// The first failure of the new run, or the skip reason, for the reader who must act.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
}

/// The differences, each list sorted by area then id.
#[derive(Debug, Clone, Default, Serialize, PartialEq, Eq)]
pub struct Diff {
    /// Passed before, fails or errors now: these make the gate fail.
    pub newly_failing: Vec<Change>,
    /// Failed or was skipped before, passes now.
    pub newly_passing: Vec<Change>,
    /// Ran before (pass or fail), skipped now: coverage lost without a failure.
    pub newly_skipped: Vec<Change>,
    /// Skipped before, fails or errors now.
    pub skip_to_fail: Vec<Change>,
    /// Failed before and errors now, or the other way: still failing, another way.
    pub failing_otherwise: Vec<Change>,
    pub added: Vec<Change>,
    pub removed: Vec<Change>,
    /// Cases failing (or erroring) the same way in both reports.
    pub still_failing: usize,
    /// Cases with the same outcome in both reports.
    pub unchanged: usize,
}

impl Diff {
    /// True when a case that passed before fails or errors now.
    pub fn has_regression(&self) -> bool {
        !self.newly_failing.is_empty()
    }
}

fn detail(c: &CaseResult) -> Option<String> {
    match c.outcome {
        Outcome::Fail | Outcome::Error => c.failures.first().map(|f| f.headline()),
        Outcome::Skip => c.skip_reason.clone(),
        Outcome::Pass => None,
    }
}

/// Compares two reports case by case.
pub fn diff(old: &RunReport, new: &RunReport) -> Diff {
    let before: BTreeMap<(&str, &str), &CaseResult> = old
        .cases
        .iter()
        .map(|c| ((c.area.as_str(), c.id.as_str()), c))
        .collect();
    let after: BTreeMap<(&str, &str), &CaseResult> = new
        .cases
        .iter()
        .map(|c| ((c.area.as_str(), c.id.as_str()), c))
        .collect();
    let mut d = Diff::default();
    for (key, b) in &before {
        let Some(a) = after.get(key) else {
            d.removed.push(Change {
                id: b.id.clone(),
                area: b.area.clone(),
                before: Some(b.outcome),
                after: None,
                detail: None,
            });
            continue;
        };
        let change = Change {
            id: a.id.clone(),
            area: a.area.clone(),
            before: Some(b.outcome),
            after: Some(a.outcome),
            detail: detail(a),
        };
        use Outcome::*;
        match (b.outcome, a.outcome) {
            (x, y) if x == y => {
                d.unchanged += 1;
                if x.is_failing() {
                    d.still_failing += 1;
                }
            }
            (Pass, Fail | Error) => d.newly_failing.push(change),
            (_, Pass) => d.newly_passing.push(change),
            (_, Skip) => d.newly_skipped.push(change),
            (Skip, Fail | Error) => d.skip_to_fail.push(change),
            (Fail | Error, Fail | Error) => d.failing_otherwise.push(change),
        }
    }
    for (key, a) in &after {
        if !before.contains_key(key) {
            d.added.push(Change {
                id: a.id.clone(),
                area: a.area.clone(),
                before: None,
                after: Some(a.outcome),
                detail: detail(a),
            });
        }
    }
    d
}

fn outcome(o: Option<Outcome>) -> &'static str {
    o.map_or("-", Outcome::as_str)
}

/// The text `ontap-conform diff` prints: one section per non-empty list, then one closing line.
pub fn render_text(d: &Diff, old: &RunReport, new: &RunReport) -> String {
    let mut out = String::new();
    let section = |out: &mut String, title: &str, list: &[Change]| {
        if list.is_empty() {
            return;
        }
        let _ = writeln!(out, "{title} ({}):", list.len());
        for c in list {
            let _ = write!(
                out,
                "  {}::{}  {} -> {}",
                c.area,
                c.id,
                outcome(c.before),
                outcome(c.after)
            );
            if let Some(detail) = &c.detail {
                let _ = write!(out, "  {detail}");
            }
            out.push('\n');
        }
    };
    section(&mut out, "newly failing", &d.newly_failing);
    section(&mut out, "failing, was skipped", &d.skip_to_fail);
    section(&mut out, "still failing, another way", &d.failing_otherwise);
    section(&mut out, "newly skipped", &d.newly_skipped);
    section(&mut out, "newly passing", &d.newly_passing);
    section(&mut out, "new cases", &d.added);
    section(&mut out, "removed cases", &d.removed);
    let _ = writeln!(
        out,
        "{} newly failing, {} newly passing, {} newly skipped, {} failing after a skip, {} new, {} removed, {} unchanged ({} still failing); before {}/{} passed, now {}/{}",
        d.newly_failing.len(),
        d.newly_passing.len(),
        d.newly_skipped.len(),
        d.skip_to_fail.len(),
        d.added.len(),
        d.removed.len(),
        d.unchanged,
        d.still_failing,
        old.summary.passed,
        old.summary.total,
        new.summary.passed,
        new.summary.total,
    );
    out
}
