//! `GET /api/cluster` and the SVMs (`/api/svm/svms`).

use serde_json::{Value, json};

use super::collection::{self, CollectionSpec};
use super::context::{Ctx, Reply};
use super::error::{ApiError, ApiResult};
use super::state::{CLUSTER_NAME, CLUSTER_UUID, State};

/// `{"uuid", "name", "_links"}` for an SVM reference.
pub fn svm_ref(uuid: &str, name: &str) -> Value {
    json!({ "uuid": uuid, "name": name, "_links": { "self": { "href": format!("/api/svm/svms/{uuid}") } } })
}

pub fn get_cluster(ctx: &Ctx) -> ApiResult<Reply> {
    let v = &ctx.app.version;
    let record = json!({
        "name": CLUSTER_NAME,
        "uuid": CLUSTER_UUID,
        "version": {
            "full": format!("NetApp Release {v}: Mon Mar 04 05:46:21 UTC 2024"),
            "generation": v.generation(),
            "major": v.major(),
            "minor": v.minor(),
        },
        "_links": { "self": { "href": "/api/cluster" } },
    });
    ctx.query.only(&["fields", "return_timeout"])?;
    let known = [
        "name",
        "uuid",
        "version",
        "version.full",
        "version.generation",
        "version.major",
        "version.minor",
    ];
    Ok(Reply::ok(collection::select_fields(
        record,
        &ctx.query,
        &[],
        &known,
    )?))
}

fn svm_record(uuid: &str, name: &str) -> Value {
    json!({
        "uuid": uuid,
        "name": name,
        "state": "running",
        "subtype": "default",
        "_links": { "self": { "href": format!("/api/svm/svms/{uuid}") } },
    })
}

const SVM_FIELDS: &[&str] = &["uuid", "name", "state", "subtype"];

/// The SVMs the caller may see: all for cluster accounts, its own for SVM accounts.
fn visible(ctx: &Ctx, state: &State) -> Vec<Value> {
    state
        .svms
        .iter()
        .filter(|s| ctx.caller.owner.as_deref().is_none_or(|o| o == s.uuid))
        .map(|s| svm_record(&s.uuid, &s.name))
        .collect()
}

pub fn list_svms(ctx: &Ctx) -> ApiResult<Reply> {
    let records = visible(ctx, &ctx.app.lock());
    let spec = CollectionSpec {
        path: "/api/svm/svms",
        default_fields: &["uuid", "name"],
        known_fields: SVM_FIELDS,
        extra_params: &[],
    };
    Ok(Reply::ok(collection::render(records, &ctx.query, &spec)?))
}

pub fn get_svm(ctx: &Ctx, uuid: &str) -> ApiResult<Reply> {
    ctx.query.only(&["fields", "return_timeout"])?;
    let records = visible(ctx, &ctx.app.lock());
    let rec = records
        .into_iter()
        .find(|r| {
            r.get("uuid")
                .and_then(Value::as_str)
                .is_some_and(|u| u.eq_ignore_ascii_case(uuid))
        })
        .ok_or_else(|| ApiError::entry_missing("uuid"))?;
    Ok(Reply::ok(collection::select_fields(
        rec,
        &ctx.query,
        &["uuid", "name"],
        SVM_FIELDS,
    )?))
}
