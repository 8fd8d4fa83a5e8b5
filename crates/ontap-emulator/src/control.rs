//! The emulator-only control surface, outside `/api` (cluster admin only):
//! `GET/PATCH /emulator/conditions`, `POST /emulator/reset`, `GET /emulator/state`.

use serde_json::{Map, Value, json};

use super::context::{Ctx, Reply};
use super::error::{ApiError, ApiResult, UNEXPECTED_ARGUMENT};
use super::state::{Conditions, State};

pub fn get_conditions(ctx: &Ctx) -> ApiResult<Reply> {
    let c = ctx.app.lock().conditions.clone();
    Ok(Reply::ok(serde_json::to_value(c).unwrap_or(Value::Null)))
}

/// RFC 7386 JSON merge patch.
fn merge(target: &mut Value, patch: Value) {
    match patch {
        Value::Object(p) => {
            if !target.is_object() {
                *target = Value::Object(Map::new());
            }
            if let Value::Object(t) = target {
                for (k, v) in p {
                    if v.is_null() {
                        // `null` resets optional keys (job_failure) but keeps the key present.
                        t.insert(k, Value::Null);
                    } else {
                        merge(t.entry(k).or_insert(Value::Null), v);
                    }
                }
            }
        }
        other => *target = other,
    }
}

pub fn patch_conditions(ctx: &Ctx) -> ApiResult<Reply> {
    let patch: Value = serde_json::from_slice(&ctx.body)
        .map_err(|e| ApiError::invalid_json(format!("invalid JSON: {e}")))?;
    if !patch.is_object() {
        return Err(ApiError::invalid_json("expected a JSON object"));
    }
    let mut state = ctx.app.lock();
    let mut current = serde_json::to_value(&state.conditions).unwrap_or(Value::Null);
    merge(&mut current, patch);
    let new: Conditions = serde_json::from_value(current).map_err(|e| {
        ApiError::bad_request(UNEXPECTED_ARGUMENT, format!("invalid conditions: {e}"))
    })?;
    ctx.app
        .latency_ms
        .store(new.latency_ms, std::sync::atomic::Ordering::Relaxed);
    state.conditions = new.clone();
    Ok(Reply::ok(serde_json::to_value(new).unwrap_or(Value::Null)))
}

pub fn reset(ctx: &Ctx) -> ApiResult<Reply> {
    *ctx.app.lock() = State::initial();
    ctx.app
        .latency_ms
        .store(0, std::sync::atomic::Ordering::Relaxed);
    Ok(Reply::ok(json!({})))
}

pub fn state(ctx: &Ctx) -> ApiResult<Reply> {
    let state = ctx.app.lock();
    let mut per_svm = Map::new();
    for svm in &state.svms() {
        let n = state
            .credentials
            .values()
            .filter(|c| c.svm_uuid == svm.uuid)
            .count();
        per_svm.insert(svm.name.clone(), json!(n));
    }
    let accounts: Vec<Value> = state
        .accounts
        .iter()
        .map(|a| {
            let owner = a
                .owner
                .as_deref()
                .map(|o| state.svm_name(o))
                .unwrap_or_else(|| super::state::CLUSTER_NAME.into());
            json!({ "owner": owner, "name": a.name, "role": a.role })
        })
        .collect();
    Ok(Reply::ok(json!({
        "credentials_per_svm": per_svm,
        "accounts": accounts,
        "fips": { "enabled": state.fips_enabled },
        "software_data_encryption": { "conversion_enabled": state.conversion_enabled },
        "jobs": state.jobs.len(),
        "conditions": serde_json::to_value(&state.conditions).unwrap_or(Value::Null),
    })))
}
