//! The plain-text lines a run prints: what a CI log shows, so it is rendered from the result
//! model like every other report and snapshot-tested like them.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use super::model::{CaseResult, Outcome, RunReport};
use super::store::Cases;

/// The target's version as people say it. ONTAP's `version.full` already reads "NetApp Release
/// 9.14.1: <date>"; `--ontap-version` gives a bare number.
pub fn version_label(report: &RunReport) -> String {
    version_text(report.ontap_version.as_deref())
}

/// [`version_label`] of a version alone.
pub fn version_text(version: Option<&str>) -> String {
    match version {
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
    summary_from(report, &report.cases, report_dir)
        .unwrap_or_else(|e| format!("cannot read the run's results back: {e}\n"))
}

/// [`summary`] for `head`'s run with `cases` as its cases (`head.cases` is not read).
pub fn summary_from(
    head: &RunReport,
    cases: &dyn Cases,
    report_dir: &str,
) -> std::io::Result<String> {
    let report = head;
    let mut out = String::new();
    for (title, outcome) in [
        ("failed cases", Outcome::Fail),
        ("cases that could not be judged", Outcome::Error),
    ] {
        // By operation, so a broken convention on one resource reads as one place, not a
        // hundred lines in id order.
        let mut by_op: BTreeMap<(String, String), Vec<String>> = BTreeMap::new();
        for i in (0..cases.len()).filter(|i| cases.outcome(*i) == outcome) {
            let c = cases.case(i)?;
            by_op
                .entry((c.operation.path.clone(), c.operation.method.clone()))
                .or_default()
                .push(fail_line(&c));
        }
        if !by_op.is_empty() {
            let _ = writeln!(out, "{title}, by operation:");
            for ((path, method), lines) in by_op {
                let _ = writeln!(out, "  {method} {path} ({}):", lines.len());
                for line in lines {
                    let _ = writeln!(out, "    {line}");
                }
            }
        }
    }
    let mut reasons: BTreeMap<String, usize> = BTreeMap::new();
    for i in 0..cases.len() {
        if cases.outcome(i) == Outcome::Skip {
            let c = cases.case(i)?;
            *reasons
                .entry(
                    c.skip_reason
                        .clone()
                        .unwrap_or_else(|| "no reason given".into()),
                )
                .or_default() += 1;
        }
    }
    if !reasons.is_empty() {
        let _ = writeln!(out, "skipped cases:");
        for (reason, n) in reasons {
            let _ = writeln!(out, "  {n:>3}  {reason}");
        }
    }
    let mut deviations = Vec::new();
    for i in (0..cases.len()).filter(|i| cases.deviations(*i) > 0) {
        let c = cases.case(i)?;
        for d in &c.deviations {
            deviations.push(format!("  {}::{}  {}", c.area, c.id, d.message));
        }
    }
    if !deviations.is_empty() {
        let _ = writeln!(
            out,
            "deviations from this suite's conventions (reported, not failures, in lenient mode):"
        );
        for line in deviations {
            let _ = writeln!(out, "{line}");
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
    if let Some(sched) = report
        .schedule
        .filter(|s| s.busy_retries > 0 || s.rate.is_some())
    {
        let rate = sched
            .rate
            .map(|r| format!("at most {r} requests a second; "))
            .unwrap_or_default();
        let _ = writeln!(
            out,
            "{rate}the target answered busy {} time(s) (429, 503 or a refused connection), and the run waited and sent again",
            sched.busy_retries
        );
    }
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
    Ok(out)
}
