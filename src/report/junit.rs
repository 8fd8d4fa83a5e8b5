//! `junit.xml`: a test suite per area (the generated checks one per tag of their operations:
//! `generated::storage`), a test case per case, for CI dashboards. A case that
//! failed is a `<failure>`, one that could not be judged an `<error>` (as Hurl and nextest
//! write them), so a dashboard tells a wrong answer from a check that did not run.

use std::collections::BTreeMap;
use std::io::{self, Write};
use std::path::Path;
use std::time::Duration;

use quick_junit::{NonSuccessKind, Report, TestCase, TestCaseStatus, TestSuite};

use super::model::{CaseResult, Outcome, RunReport};
use super::store::Cases;

fn failure_text(c: &CaseResult) -> String {
    let mut out = String::new();
    for f in &c.failures {
        out.push_str(&f.headline());
        if let Some(p) = &f.pointer {
            out.push_str(&format!("\n  at {p}"));
        }
        if let Some(e) = &f.expected {
            out.push_str(&format!("\n  expected: {e}"));
        }
        if let Some(a) = &f.actual {
            out.push_str(&format!("\n  actual:   {a}"));
        }
        if let Some(curl) = &f.curl {
            out.push_str(&format!("\n  reproduce: {curl}"));
        }
        out.push('\n');
    }
    out
}

/// A `<failure>` or `<error>`: the first problem as the message (its headline says what was
/// expected and what came), every problem in the text with its values on lines of their own.
fn non_success(c: &CaseResult, kind: NonSuccessKind) -> TestCaseStatus {
    let mut s = TestCaseStatus::non_success(kind);
    if let Some(f) = c.failures.first() {
        s.set_message(f.headline());
    }
    s.set_type("conformance");
    s.set_description(failure_text(c));
    s
}

pub fn render(report: &RunReport) -> String {
    let mut out = Vec::new();
    match write_to(&mut out, report, &report.cases) {
        Ok(()) => String::from_utf8_lossy(&out).into_owned(),
        Err(e) => format!("<!-- cannot serialize: {e} -->"),
    }
}

/// The report for `head`'s run with `cases` as its cases. Only the test-case lines are kept
/// (id, class, time, the failure's text), never a case's steps.
///
/// Written one suite (area) at a time: quick-junit serializes a whole in-memory report, and at
/// 100,000 cases that report was the run's peak memory. Each suite is serialized alone and cut
/// out of its one-suite document; the `<testsuites>` line is serialized from the totals. The
/// bytes are what serializing the whole report gives (a test holds them to it).
pub fn write_to(out: &mut dyn Write, head: &RunReport, cases: &dyn Cases) -> io::Result<()> {
    let mut areas: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
    for i in 0..cases.len() {
        areas.entry(cases.group(i)).or_default().push(i);
    }
    let mut top = Report::new("ontap-conform");
    top.set_time(Duration::from_millis(head.duration_ms));
    top.tests = cases.len();
    for i in 0..cases.len() {
        match cases.outcome(i) {
            Outcome::Pass => {}
            Outcome::Fail => top.failures += 1,
            Outcome::Error => top.errors += 1,
            Outcome::Skip => top.skipped += 1,
        }
    }
    let opening = serialized(&top)?;
    let end = opening
        .find("<testsuites")
        .and_then(|at| opening[at..].find('>').map(|n| at + n + 1))
        .ok_or_else(|| io::Error::other("quick-junit wrote no <testsuites> tag"))?;
    out.write_all(&opening.as_bytes()[..end])?;
    for (area, indexes) in areas {
        let mut one = Report::new("ontap-conform");
        one.add_test_suite(suite(area, &indexes, cases)?);
        let text = serialized(&one)?;
        let (Some(from), Some(to)) = (text.find("\n    <testsuite"), text.rfind("\n</testsuites>"))
        else {
            return Err(io::Error::other("quick-junit wrote no <testsuite> element"));
        };
        out.write_all(&text.as_bytes()[from..to])?;
    }
    out.write_all(b"\n</testsuites>\n")
}

/// The suite of one group (an area, or the generated checks of one tag).
fn suite(area: &str, indexes: &[usize], cases: &dyn Cases) -> io::Result<TestSuite> {
    let mut suite = TestSuite::new(area);
    for &i in indexes {
        let c = cases.case(i)?;
        let c: &CaseResult = &c;
        let status = match c.outcome {
            Outcome::Pass => TestCaseStatus::success(),
            Outcome::Fail => non_success(c, NonSuccessKind::Failure),
            Outcome::Error => non_success(c, NonSuccessKind::Error),
            Outcome::Skip => {
                let mut s = TestCaseStatus::skipped();
                if let Some(r) = &c.skip_reason {
                    s.set_message(r.clone());
                }
                s
            }
        };
        let mut tc = TestCase::new(c.id.clone(), status);
        tc.set_classname(format!(
            "{area}.{} {}",
            c.operation.method, c.operation.path
        ));
        tc.set_time(Duration::from_millis(c.duration_ms));
        suite.add_test_case(tc);
    }
    Ok(suite)
}

fn serialized(report: &Report) -> io::Result<String> {
    let mut buf = Vec::new();
    report.serialize(&mut buf).map_err(io::Error::other)?;
    String::from_utf8(buf).map_err(io::Error::other)
}

/// The whole report built in memory and serialized at once: what [`write_to`] must equal.
#[cfg(test)]
pub(super) fn write_whole(head: &RunReport, cases: &Vec<CaseResult>) -> String {
    let mut junit = Report::new("ontap-conform");
    junit.set_time(Duration::from_millis(head.duration_ms));
    let mut areas: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
    for (i, c) in cases.iter().enumerate() {
        areas.entry(super::store::group_of(c)).or_default().push(i);
    }
    for (area, indexes) in areas {
        junit.add_test_suite(suite(area, &indexes, cases).expect("in memory"));
    }
    serialized(&junit).expect("serializes")
}

pub fn write_report(path: &Path, report: &RunReport) -> std::io::Result<()> {
    super::write_atomic(path, render(report).as_bytes())
}
