//! Following an ONTAP job to its end: a 202 (or a 200 with `return_timeout`) links a job, and a
//! step with `job_state` polls `GET /api/cluster/jobs/{uuid}` until it succeeds or fails.

use std::time::{Duration, Instant};

use serde_json::Value;

use super::case_run::CaseRun;
use crate::check::{self, Response};

/// The operation every job is read through.
const JOB_OPERATION: (&str, &str) = ("GET", "/api/cluster/jobs/{uuid}");

impl CaseRun<'_> {
    /// Polls the job `resp` links to until it ends, bounded by the job timeout. Each read is
    /// checked against the spec like any response. The delay doubles from 10 ms to 500 ms: a
    /// job on the emulator ends in milliseconds, one on a cluster in seconds.
    pub(super) async fn poll_job(&self, resp: &Response) -> Result<Value, String> {
        self.follow_job(resp, true).await
    }

    /// Waits for the job `resp` links to end, its reads not judged: for a job no expectation
    /// follows (a teardown's, or one whose answer already failed its checks). A case does not
    /// end while work it started is still changing the cluster under the cases after it.
    pub(super) async fn wait_job(&self, resp: &Response) -> Result<Value, String> {
        self.follow_job(resp, false).await
    }

    async fn follow_job(&self, resp: &Response, judged: bool) -> Result<Value, String> {
        let uuid = resp
            .body
            .as_ref()
            .and_then(|b| b.pointer("/job/uuid"))
            .and_then(Value::as_str)
            .ok_or("the response links no job (`job.uuid`)")?
            .to_string();
        let (method, path) = JOB_OPERATION;
        let op = self
            .ctx
            .spec
            .operation(method, path)
            .ok_or("the spec has no GET /api/cluster/jobs/{uuid}")?;
        // Judged, the job is read at its documented `uuid`; only waited for, at its own link
        // where it has one, as NetApp's Ansible modules follow a job (`netapp.py`,
        // `wait_on_job`: `job['_links']['self']['href']`), so a job whose `uuid` is wrong is
        // still waited for.
        let href = resp
            .body
            .as_ref()
            .and_then(|b| b.pointer("/job/_links/self/href"))
            .and_then(Value::as_str)
            .filter(|h| !judged && h.starts_with("/api/cluster/jobs/"));
        let path = href.map_or_else(|| format!("/api/cluster/jobs/{uuid}"), str::to_string);
        let timeout = self.ctx.opts.job_timeout;
        let deadline = Instant::now() + timeout;
        let mut delay = Duration::from_millis(10);
        loop {
            let target = &self.ctx.target;
            let req = target.request("GET", &path, None, target.run_auth());
            let r = target.send(&req).await;
            self.record_poll(&req, &r);
            let r = r?;
            if judged {
                let verdict = check::check(op, None, &r);
                if let Some(p) = verdict.problems.first() {
                    return Err(format!("reading job {uuid}: {}", p.message));
                }
            } else if !(200..300).contains(&r.status) {
                return Err(format!("reading job {uuid}: status {}", r.status));
            }
            let job = r.body.unwrap_or(Value::Null);
            match job.get("state").and_then(Value::as_str) {
                // A job someone cancelled, or one ONTAP gave up on, has ended too (NetApp's
                // Python client treats both as final: `netapp_ontap/utils.py`, `watch_job`); the
                // step's `job_state` then says whether that is what it expected.
                Some("success" | "failure" | "cancelled" | "expired") => return Ok(job),
                _ if Instant::now() >= deadline => {
                    return Err(format!(
                        "job {uuid} did not end within {}s (last state {})",
                        timeout.as_secs(),
                        job.get("state").unwrap_or(&Value::Null)
                    ));
                }
                _ => {}
            }
            tokio::time::sleep(delay).await;
            delay = (delay * 2).min(Duration::from_millis(500));
        }
    }
}
