//! `GET/PATCH /api/security` and the jobs PATCH starts (`/api/cluster/jobs`).
//!
//! A valid PATCH answers 202 with a job that is `queued` for `job_step_ms`, `running` for
//! `job_step_ms`, then `success` (the setting changes only then) or `failure`.
//!
//! The four preconditions of seed 003 (52428830, 52559974, 196608081, 196608082) are reported in
//! the job, not in the PATCH's answer: the job ends `failure` with `error.code` the code and
//! `code` its number (ONTAP's job schema: trident `rest/models/job.go`, py `resources/job.py`),
//! `message` the seed's description, and the setting stays as it was. Why: NetApp documents that
//! "for valid requests, ONTAP returns a 202 … You must retrieve the state of the job to determine
//! if the request completed successfully" ("How asynchronous processing works using the Job
//! object"), and the async failures captured from real clusters came back in the job (trident
//! `ontap_rest.go`: `"state": "failure", "code": 4` on a volume PATCH). A PATCH whose body is
//! valid is such a request; that the cluster's state forbids it is the job's outcome. The
//! `job_failure` condition makes any job fail the same way.
//!
//! `return_timeout=N` waits up to N seconds for the job: still running → 202; success → 200 with
//! the same body (NetApp's page above, and ansible's `rest_generic.py`: "with return_timeout,
//! REST returns quickly with a 200 and a job link and the job status is 'success'"); failure →
//! the job's error as an error answer (409 for the four preconditions, the status this project
//! gives them; 400 for a `job_failure`). Nothing public shows a job failing within
//! `return_timeout`; NetApp's page makes the 200 conditional on the request "completes
//! successfully", and the 202 on the timer expiring, so neither fits a job that failed in time,
//! and the answer left is an error carrying the job's code, which is how NetApp's clients read
//! such a call (ansible checks the answer's `error` before the job's). Kept as it was.

use serde_json::{Value, json};

use super::body::{self, Shape};
use super::collection::{self, CollectionSpec};
use super::context::{Ctx, Reply};
use super::error::*;
use super::jobs;
use super::security_settings::{self as later, MANAGEMENT_SHAPE, TLS_SHAPE};
use super::state::{Conditions, Job, JobFailure, State};

const SECURITY_FIELDS: &[&str] = &[
    "fips",
    "fips.enabled",
    "onboard_key_manager_configurable_status",
    "onboard_key_manager_configurable_status.supported",
    "onboard_key_manager_configurable_status.message",
    "onboard_key_manager_configurable_status.code",
    "software_data_encryption",
    "software_data_encryption.conversion_enabled",
];

pub fn get_security(ctx: &Ctx) -> ApiResult<Reply> {
    if ctx.caller.owner.is_some() {
        return Err(ApiError::forbidden());
    }
    ctx.query.only(&[
        "fields",
        "return_timeout",
        "max_records",
        "return_records",
        "order_by",
    ])?;
    ctx.query.bool_param("return_records", true)?;
    ctx.query.return_timeout(15)?;
    ctx.query.max_records()?;
    let state = ctx.app.lock();
    let record = json!({
        "fips": { "enabled": state.fips_enabled },
        "onboard_key_manager_configurable_status": {
            "supported": false,
            "message": "Onboard Key Manager cannot be configured on the cluster. There are no self-encrypting disks in the cluster, and the following nodes do not support volume granular encryption: cluster1-01.",
            "code": 65537300,
        },
        "software_data_encryption": { "conversion_enabled": state.conversion_enabled },
        "_links": { "self": { "href": "/api/security" } },
    });
    let mut record = record;
    let mut known = SECURITY_FIELDS.to_vec();
    if later::served(&ctx.app.version) {
        later::add_to(&mut record, &state.security);
        known.extend_from_slice(later::FIELDS);
    }
    drop(state);
    Ok(Reply::ok(collection::select_fields(
        record,
        &ctx.query,
        &[],
        &known,
    )?))
}

/// The PATCH body of seed 003 (9.8): what an earlier release accepts.
const PATCH_SHAPE: Shape = Shape::Obj(&[
    ("fips", Shape::Obj(&[("enabled", Shape::Bool)])),
    (
        "software_data_encryption",
        Shape::Obj(&[("conversion_enabled", Shape::Bool)]),
    ),
    ("onboard_key_manager_configurable_status", Shape::ReadOnly),
    ("_links", Shape::ReadOnly),
]);

/// The PATCH body from 9.10.1 on ([`later`]).
const PATCH_SHAPE_LATER: Shape = Shape::Obj(&[
    ("fips", Shape::Obj(&[("enabled", Shape::Bool)])),
    (
        "software_data_encryption",
        Shape::Obj(&[
            ("conversion_enabled", Shape::Bool),
            ("disabled_by_default", Shape::Bool),
        ]),
    ),
    ("tls", TLS_SHAPE),
    ("management_protocols", MANAGEMENT_SHAPE),
    ("onboard_key_manager_configurable_status", Shape::ReadOnly),
    ("_links", Shape::ReadOnly),
]);

pub async fn patch_security(ctx: &Ctx) -> ApiResult<Reply> {
    if !ctx.caller.is_cluster_admin() {
        return Err(ApiError::forbidden());
    }
    ctx.query.only(&["return_timeout", "return_records"])?;
    ctx.query.bool_param("return_records", false)?;
    let timeout = ctx.query.return_timeout(0)?;
    let req = ctx.json_body()?;
    if later::served(&ctx.app.version) {
        body::check(&req, &PATCH_SHAPE_LATER, "")?;
        later::validate(&req)?;
    } else {
        body::check(&req, &PATCH_SHAPE, "")?;
    }
    let fips = body::bool_at(&req, "fips.enabled");
    let conversion = body::bool_at(&req, "software_data_encryption.conversion_enabled");

    let uuid = {
        let mut state = ctx.app.lock();
        let failure = precondition_failure(&state.conditions, fips, conversion)
            .or_else(|| state.conditions.job_failure.clone());
        let work: jobs::Work = Box::new(move |state| {
            apply(state, &req);
            Ok(())
        });
        jobs::start(&ctx.app, &mut state, "PATCH /api/security", failure, work)
    };
    jobs::answer(ctx, &uuid, timeout, failed_in_time, None).await
}

/// The four preconditions: the code, the field that asks for the change, the seed's description.
const PRECONDITIONS: [(&str, &str, &str); 4] = [
    (
        FIPS_CERT_STRENGTH,
        "fips.enabled",
        "Cannot enable FIPS-compliant mode because the configured minimum security strength for certificates is not compatible.",
    ),
    (
        FIPS_NON_FIPS_CERT,
        "fips.enabled",
        "Cannot enable FIPS-compliant mode because a certificate that is not FIPS-compliant is in use.",
    ),
    (
        METROCLUSTER_SWITCHOVER,
        "software_data_encryption.conversion_enabled",
        "The operation is not valid when the MetroCluster is in switchover mode.",
    ),
    (
        CONVERSION_DATA_VOLUMES,
        "software_data_encryption.conversion_enabled",
        "Cannot start software encryption conversion while there are data volumes in the cluster.",
    ),
];

/// The precondition the request breaks, read when the request is accepted (so that the job's
/// outcome does not depend on a condition changed while it runs), as the job's failure.
fn precondition_failure(
    c: &Conditions,
    fips: Option<bool>,
    conversion: Option<bool>,
) -> Option<JobFailure> {
    let broken = [
        fips == Some(true) && c.fips_incompatible_certificate_strength,
        fips == Some(true) && c.non_fips_certificate_in_use,
        conversion == Some(true) && c.metrocluster_switchover,
        conversion == Some(true) && c.data_volumes_present,
    ];
    PRECONDITIONS
        .iter()
        .zip(broken)
        .find(|(_, b)| *b)
        .map(|((code, _, message), _)| JobFailure {
            code: (*code).to_string(),
            message: (*message).to_string(),
        })
}

/// A job that failed within `return_timeout`, as the PATCH's own answer: a precondition with
/// the status this project gives it (409) and its field as the target; any other failure 400.
fn failed_in_time(err: JobFailure) -> ApiError {
    match PRECONDITIONS.iter().find(|(code, _, _)| *code == err.code) {
        Some((code, target, _)) => ApiError::conflict(code, err.message).target(*target),
        None => ApiError::bad_request(&err.code, err.message),
    }
}

/// The change a successful job makes.
fn apply(state: &mut State, req: &Value) {
    if let Some(v) = body::bool_at(req, "fips.enabled") {
        state.fips_enabled = v;
    }
    if let Some(v) = body::bool_at(req, "software_data_encryption.conversion_enabled") {
        state.conversion_enabled = v;
    }
    later::apply(&mut state.security, req);
}

fn job_record(job: &Job) -> Value {
    let mut v = json!({
        "uuid": job.uuid,
        "description": job.description,
        "state": job.state.as_str(),
        "message": job.message,
        "code": job.code,
        "start_time": job.start_time,
    });
    if let Some(obj) = v.as_object_mut() {
        if let Some(end) = &job.end_time {
            obj.insert("end_time".into(), json!(end));
        }
        if let Some(err) = &job.error {
            obj.insert(
                "error".into(),
                json!({ "code": err.code, "message": err.message }),
            );
        }
        obj.insert(
            "_links".into(),
            json!({ "self": { "href": jobs::href(&job.uuid) } }),
        );
    }
    v
}

/// Every field of the spec's `job` schema: a field the schema has is a field a client may name in
/// `fields`, a filter or `order_by`, whether or not this emulator's jobs ever carry it (they are
/// all cluster-scoped, so none has `svm`; a failed one's error has no `target`).
const JOB_FIELDS: &[&str] = &[
    "uuid",
    "description",
    "state",
    "message",
    "code",
    "start_time",
    "end_time",
    "error",
    "error.arguments",
    "error.code",
    "error.message",
    "error.target",
    "svm",
    "svm.name",
    "svm.uuid",
];

pub fn get_job(ctx: &Ctx, uuid: &str) -> ApiResult<Reply> {
    ctx.query.only(&["fields", "return_timeout"])?;
    let job = ctx
        .app
        .lock()
        .jobs
        .get(uuid)
        .cloned()
        .ok_or_else(|| ApiError::entry_missing("uuid"))?;
    Ok(Reply::ok(collection::select_fields(
        job_record(&job),
        &ctx.query,
        &["uuid"],
        JOB_FIELDS,
    )?))
}

pub fn list_jobs(ctx: &Ctx) -> ApiResult<Reply> {
    let mut jobs: Vec<Job> = ctx.app.lock().jobs.values().cloned().collect();
    jobs.sort_by_key(|j| j.seq);
    let records = jobs.iter().map(job_record).collect();
    let spec = CollectionSpec {
        path: "/api/cluster/jobs",
        default_fields: &["uuid"],
        known_fields: JOB_FIELDS,
        extra_params: &[],
    };
    Ok(Reply::ok(collection::render(records, &ctx.query, &spec)?))
}
