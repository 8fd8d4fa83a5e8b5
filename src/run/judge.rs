//! Judging a step's response: the checker on its `expect` block, the job the response links, the
//! alternatives of `any_of`, and the step's `convention` block, each problem keeping the basis of
//! the check it breaks (the runner turns a broken convention into a deviation in lenient mode).

use serde_json::Value;

use super::case_run::CaseRun;
use crate::case::Expectation;
use crate::check::{self, Problem, Response, Verdict};
use crate::spec::Operation;

impl CaseRun<'_> {
    /// The verdict on `resp`, a note for the report (how the job ended, which alternative held),
    /// and whether the job it links was followed.
    pub(super) async fn judge(
        &self,
        op: &Operation,
        expect: Option<&Expectation>,
        convention: Option<&Expectation>,
        resp: &Response,
    ) -> (Verdict, Option<String>, bool) {
        let mut verdict = check::check(op, expect, resp);
        let blocks = || {
            expect
                .into_iter()
                .chain(convention)
                .flat_map(|e| std::iter::once(e).chain(&e.any_of))
        };
        // A job is followed only when a block names its end, and only once the response itself
        // passed its checks: a wrong status already says what is wrong.
        let job = if blocks().any(|e| e.job_state.is_some()) && verdict.problems.is_empty() {
            Some(self.poll_job(resp).await)
        } else {
            None
        };
        let mut notes = Vec::new();
        if let Some(Ok(j)) = &job {
            let state = j.get("state").and_then(Value::as_str).unwrap_or("?");
            notes.push(format!("job ended {state}"));
        }
        if let Some(e) = expect {
            if e.job_state.is_some()
                && let Some(job) = &job
            {
                verdict.problems.extend(check::job_problems(e, job));
            }
            if !e.any_of.is_empty() {
                match alternatives(e, resp, job.as_ref()) {
                    Ok(i) => notes.push(format!("any_of[{i}] held")),
                    Err(problems) => verdict.problems.extend(problems),
                }
            }
        }
        if let Some(c) = convention {
            for mut p in block_problems(c, resp, job.as_ref()) {
                // Everything in a convention block is held as a convention.
                p.basis = c.basis.clone();
                verdict.problems.push(p);
            }
        }
        let note = (!notes.is_empty()).then(|| notes.join("; "));
        (verdict, note, job.is_some())
    }
}

/// The problems of one block on `resp` and the job it linked (when one was followed).
fn block_problems(
    e: &Expectation,
    resp: &Response,
    job: Option<&Result<Value, String>>,
) -> Vec<Problem> {
    let mut out = check::expectation(e, resp);
    if let Some(state) = &e.job_state {
        match job {
            Some(job) => out.extend(check::job_problems(e, job)),
            None if out.is_empty() => out.push(Problem {
                line: Some(state.line),
                basis: e.basis.clone(),
                ..Problem::msg("the job was not followed: the response did not pass its checks")
            }),
            None => {}
        }
    }
    out
}

/// The index of the first alternative that holds, or the problems of the closest one (fewest
/// problems), each saying that none held.
fn alternatives(
    e: &Expectation,
    resp: &Response,
    job: Option<&Result<Value, String>>,
) -> Result<usize, Vec<Problem>> {
    let mut closest: Option<(usize, Vec<Problem>)> = None;
    for (i, alt) in e.any_of.iter().enumerate() {
        let problems = block_problems(alt, resp, job);
        if problems.is_empty() {
            return Ok(i);
        }
        if closest
            .as_ref()
            .is_none_or(|(_, p)| problems.len() < p.len())
        {
            closest = Some((i, problems));
        }
    }
    let n = e.any_of.len();
    let (i, problems) = closest.unwrap_or_default();
    Err(problems
        .into_iter()
        .map(|mut p| {
            p.message = format!(
                "none of the {n} alternatives held; the closest, any_of[{i}]: {}",
                p.message
            );
            p
        })
        .collect())
}
