//! The jobs an asynchronous operation starts (`PATCH /api/security`, and every write NetApp's
//! file documents with a 202 only): accepted at once, `queued` for `job_step_ms`, `running` for
//! `job_step_ms`, then the work is done under the state's lock and the job ends `success`, or
//! `failure` with the work's error (the state as it was).
//!
//! One job's work runs at a time, in the order the jobs were accepted, so two requests in a row
//! end in the second one's change even when the timers of their tasks fire together.
//!
//! `return_timeout=N` waits up to N seconds for the job: still running → 202; success → 200 with
//! the same body (NetApp's "Asynchronous processing using the Job object": "If the request is
//! valid and completes successfully before the time expires, ONTAP returns a 200 HTTP status
//! code along with the job object"); failure → the job's error as the answer (see
//! [`super::security`] for why).

use std::sync::Arc;
use std::time::Duration;

use axum::http::StatusCode;
use serde_json::{Value, json};

use super::context::{App, Ctx, Reply};
use super::error::{ApiResult, INTERNAL_ERROR};
use super::state::{Job, JobFailure, JobState, State};

/// What a job does when it has waited its turn: changes the state, or says why it cannot.
pub type Work = Box<dyn FnOnce(&mut State) -> Result<(), JobFailure> + Send>;

pub fn href(uuid: &str) -> String {
    format!("/api/cluster/jobs/{uuid}")
}

/// The time as a job's `start_time` and `end_time` give it.
pub fn now() -> String {
    chrono::Local::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, false)
}

/// The body of a 202: the job's link.
pub fn accepted(uuid: &str) -> Value {
    json!({ "job": { "uuid": uuid, "_links": { "self": { "href": href(uuid) } } } })
}

/// Starts a job in `state` (which the caller holds locked) and answers its uuid. `failure`, when
/// given, is how the job ends instead of doing its work (a precondition read when the request
/// was accepted, or the `job_failure` condition).
pub fn start(
    app: &Arc<App>,
    state: &mut State,
    description: impl Into<String>,
    failure: Option<JobFailure>,
    work: Work,
) -> String {
    let step_ms = state.conditions.job_step_ms;
    let uuid = uuid::Uuid::new_v4().to_string();
    state.job_seq += 1;
    let seq = state.job_seq;
    state.jobs.insert(
        uuid.clone(),
        Job {
            uuid: uuid.clone(),
            description: description.into(),
            state: JobState::Queued,
            message: "Queued".into(),
            code: 0,
            error: None,
            start_time: now(),
            end_time: None,
            seq,
        },
    );
    tokio::spawn(run(app.clone(), uuid.clone(), step_ms, failure, work));
    uuid
}

async fn run(app: Arc<App>, uuid: String, step_ms: u64, failure: Option<JobFailure>, work: Work) {
    tokio::time::sleep(Duration::from_millis(step_ms)).await;
    loop {
        let waiting = {
            let state = app.lock();
            let Some(seq) = state.jobs.get(&uuid).map(|j| j.seq) else {
                return; // reset meanwhile
            };
            state
                .jobs
                .values()
                .any(|j| j.seq < seq && !j.state.finished())
        };
        if !waiting {
            break;
        }
        tokio::time::sleep(Duration::from_millis(2)).await;
    }
    {
        let mut state = app.lock();
        let Some(job) = state.jobs.get_mut(&uuid) else {
            return;
        };
        job.state = JobState::Running;
        job.message = "Running".into();
    }
    tokio::time::sleep(Duration::from_millis(step_ms)).await;
    let mut state = app.lock();
    if !state.jobs.contains_key(&uuid) {
        return; // reset meanwhile
    }
    let outcome = match failure {
        Some(f) => Err(f),
        None => work(&mut state),
    };
    let Some(job) = state.jobs.get_mut(&uuid) else {
        return;
    };
    job.end_time = Some(now());
    match outcome {
        Ok(()) => {
            job.state = JobState::Success;
            job.message = "success".into();
            job.code = 0;
        }
        Err(f) => {
            job.state = JobState::Failure;
            job.message = f.message.clone();
            job.code = f.code.parse::<i64>().unwrap_or(1);
            job.error = Some(f);
        }
    }
}

/// The answer to a request that started the job `uuid`: 202 with the job's link at once when
/// `timeout` is 0, else after waiting up to `timeout` seconds for it (see the module's doc);
/// `failed` turns a job's failure into the answer's error. `location`, when given, goes with
/// either success.
pub async fn answer(
    ctx: &Ctx,
    uuid: &str,
    timeout: u64,
    failed: fn(JobFailure) -> super::error::ApiError,
    location: Option<String>,
) -> ApiResult<Reply> {
    let body = accepted(uuid);
    let reply = |status| Reply {
        status,
        body: body.clone().into(),
        location: location.clone(),
    };
    if timeout == 0 {
        return Ok(reply(StatusCode::ACCEPTED));
    }
    let deadline = tokio::time::Instant::now() + Duration::from_secs(timeout);
    loop {
        let finished = ctx
            .app
            .lock()
            .jobs
            .get(uuid)
            .filter(|j| j.state.finished())
            .cloned();
        if let Some(job) = finished {
            if job.state == JobState::Failure {
                return Err(failed(job.error.unwrap_or(JobFailure {
                    code: INTERNAL_ERROR.into(),
                    message: job.message.clone(),
                })));
            }
            return Ok(reply(StatusCode::OK));
        }
        if !ctx.app.lock().jobs.contains_key(uuid) || tokio::time::Instant::now() >= deadline {
            return Ok(reply(StatusCode::ACCEPTED));
        }
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
}
