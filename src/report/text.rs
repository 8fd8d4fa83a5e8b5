//! The plain-text lines a run prints: what a CI log shows, so it is rendered from the result
//! model like every other report and snapshot-tested like them.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use super::model::{CaseResult, Outcome, RunReport};

/// The target's version as people say it. ONTAP's `version.full` already reads "NetApp Release
/// 9.14.1: <date>"; `--ontap-version` gives a bare number.
pub fn version_label(report: &RunReport) -> String {
    match report.ontap_version.as_deref() {
        Some(v) if v.starts_with("NetApp") => v.to_string(),
        Some(v) => format!("ONTAP {v}"),
        None => "ONTAP version unknown".into(),
    }
}

/// The line printed as soon as a case fails (`FAIL`) or could not be judged (`ERROR`): enough to
/// find it (`area::id`, the case file's line) and see why.
pub fn fail_line(c: &CaseResult) -> String {
    let first = c.failures.first().map(|f| f.headline()).unwrap_or_default();
    let word = if c.outcome == Outcome::Error {
        "ERROR"
    } else {
        "FAIL"
    };
    format!("{word} {}::{}  {first}", c.area, c.id)
}

/// The closing summary: the failing and errored cases again (so they are at the end of a long
/// log), the skip reasons grouped with their counts, where the reports are, and the `N passed,
/// N failed, N skipped` line last, where CI log viewers and `tail -1` look. That line keeps the
/// shape it had before errors existed, for the log parsers that read it; errors get a line of
/// their own just above it, only when there are some, and fail the run's exit code.
pub fn summary(report: &RunReport, report_dir: &str) -> String {
    let mut out = String::new();
    let list = |out: &mut String, title: &str, outcome: Outcome| {
        let cases = report.cases_with(outcome);
        if !cases.is_empty() {
            let _ = writeln!(out, "{title}:");
            for c in cases {
                let _ = writeln!(out, "  {}", fail_line(c));
            }
        }
    };
    list(&mut out, "failed cases", Outcome::Fail);
    list(&mut out, "cases that could not be judged", Outcome::Error);
    let mut reasons: BTreeMap<&str, usize> = BTreeMap::new();
    for c in &report.cases {
        if c.outcome == Outcome::Skip {
            *reasons
                .entry(c.skip_reason.as_deref().unwrap_or("no reason given"))
                .or_default() += 1;
        }
    }
    if !reasons.is_empty() {
        let _ = writeln!(out, "skipped cases:");
        for (reason, n) in reasons {
            let _ = writeln!(out, "  {n:>3}  {reason}");
        }
    }
    let deviations: Vec<(&CaseResult, &str)> = report
        .cases
        .iter()
        .flat_map(|c| c.deviations.iter().map(move |d| (c, d.message.as_str())))
        .collect();
    if !deviations.is_empty() {
        let _ = writeln!(
            out,
            "deviations from this suite's conventions (reported, not failures, in lenient mode):"
        );
        for (c, message) in deviations {
            let _ = writeln!(out, "  {}::{}  {message}", c.area, c.id);
        }
    }
    let version = version_label(report);
    let _ = writeln!(
        out,
        "target {} ({version}), {} mode, {} ms; reports in {report_dir}",
        report.target,
        report.mode.as_str(),
        report.duration_ms,
    );
    let s = &report.summary;
    if s.deviations > 0 {
        let plural = if s.deviations == 1 { "" } else { "s" };
        let _ = writeln!(
            out,
            "{} deviation{plural} from this suite's conventions",
            s.deviations
        );
    }
    if s.errors > 0 {
        let plural = if s.errors == 1 { "" } else { "s" };
        let _ = writeln!(out, "{} error{plural}: could not be judged", s.errors);
    }
    let _ = writeln!(
        out,
        "{} passed, {} failed, {} skipped",
        s.passed, s.failed, s.skipped
    );
    out
}
