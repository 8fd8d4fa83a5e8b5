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

use super::model::{CaseResult, Mode, Outcome, RunReport};

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

/// How one of the two runs was made: what a reader needs before trusting a difference, since a
/// run against another cluster, in lenient mode or without the destructive cases checks other
/// things.
#[derive(Debug, Clone, Default, Serialize, PartialEq, Eq)]
pub struct RunInfo {
    pub target: String,
    pub embedded_emulator: bool,
    pub ontap_version: Option<String>,
    pub mode: Mode,
    /// `None` when the report does not say (written before the field).
    pub allow_destructive: Option<bool>,
    pub partition: Option<String>,
    pub generated_seed: Option<u64>,
    pub started_at: String,
    pub passed: usize,
    pub total: usize,
}

impl RunInfo {
    pub fn of(r: &RunReport) -> Self {
        RunInfo {
            target: r.target.clone(),
            embedded_emulator: r.embedded_emulator,
            ontap_version: r.ontap_version.clone(),
            mode: r.mode,
            allow_destructive: r.allow_destructive,
            partition: r.partition.clone(),
            generated_seed: r.generated_seed,
            started_at: r.started_at.clone(),
            passed: r.summary.passed,
            total: r.summary.total,
        }
    }

    /// One line: `target https://a (NetApp Release 9.14.1: ...), lenient mode, destructive cases
    /// not run, whole suite, started 2026-01-01T00:00:00Z`.
    fn line(&self) -> String {
        let version = super::text::version_text(self.ontap_version.as_deref());
        let emulator = if self.embedded_emulator {
            "embedded emulator, "
        } else {
            ""
        };
        let mut parts = vec![
            format!("target {} ({emulator}{version})", self.target),
            format!("{} mode", self.mode.as_str()),
        ];
        match self.allow_destructive {
            Some(true) => parts.push("destructive cases run".into()),
            Some(false) => parts.push("destructive cases not run".into()),
            None => {}
        }
        parts.push(match &self.partition {
            Some(p) => format!("partition {p}"),
            None => "whole suite".into(),
        });
        if let Some(seed) = self.generated_seed {
            parts.push(format!("generated checks seed {seed}"));
        }
        parts.push(format!("started {}", self.started_at));
        parts.join(", ")
    }
}

/// The differences, each list sorted by area then id.
#[derive(Debug, Clone, Default, Serialize, PartialEq, Eq)]
pub struct Diff {
    /// The run compared against (OLD).
    pub old: RunInfo,
    /// The run being judged (NEW).
    pub new: RunInfo,
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

    /// What differs in how the two runs were made and can change outcomes by itself: the
    /// target, its version, the mode, whether destructive cases ran, and the generated checks.
    /// The partition and start time differ between any two shards or days, and are only shown.
    pub fn differs(&self) -> Vec<&'static str> {
        let (a, b) = (&self.old, &self.new);
        let mut out = Vec::new();
        // Two runs on the embedded emulator ran against the same thing, on different ports.
        if !(a.embedded_emulator && b.embedded_emulator) && a.target != b.target {
            out.push("target");
        }
        if a.ontap_version != b.ontap_version {
            out.push("ONTAP version");
        }
        if a.mode != b.mode {
            out.push("mode");
        }
        if a.allow_destructive.is_some()
            && b.allow_destructive.is_some()
            && a.allow_destructive != b.allow_destructive
        {
            out.push("destructive cases");
        }
        if a.generated_seed != b.generated_seed {
            out.push("generated checks");
        }
        out
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
    let mut d = Diff {
        old: RunInfo::of(old),
        new: RunInfo::of(new),
        ..Diff::default()
    };
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

/// The text `ontap-conform diff` prints: how each run was made (and a line naming what differs
/// when that can explain a change), one section per non-empty list, then one closing line.
pub fn render_text(d: &Diff) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "old: {}", d.old.line());
    let _ = writeln!(out, "new: {}", d.new.line());
    let differs = d.differs();
    if !differs.is_empty() {
        let _ = writeln!(
            out,
            "the runs differ in {}: a change below may come from that",
            differs.join(", ")
        );
    }
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
        d.old.passed,
        d.old.total,
        d.new.passed,
        d.new.total,
    );
    out
}
