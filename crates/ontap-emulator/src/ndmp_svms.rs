//! `/api/protocols/ndmp/svms[/{svm.uuid}]`: each SVM's NDMP service (enabled, authentication
//! types), read and changed. NetApp's `na_ontap_ndmp` reads this first: the collection with
//! `svm.name=` for the SVM's uuid (also before it asks for an NDMP password), then the instance
//! with `fields=authentication_types,enabled`, and PATCHes the instance.
//!
//! The fields are those of NetApp's Python client (`netapp_ontap/resources/ndmp_svm.py`:
//! `enabled`, `authentication_types` from `challenge` and `plaintext`, `svm`). The service
//! exists only in SVM-aware mode: with `ndmp_svm_aware_mode: false` the same 409 65601536 as
//! the password endpoint, and 65601587 where the platform has no NDMP.

use serde_json::{Value, json};

use super::body::{self, Shape};
use super::collection::{self, CollectionSpec};
use super::context::{Ctx, Reply};
use super::error::*;
use super::state::State;
use super::state::svm_ref;

const BASE: &str = "/api/protocols/ndmp/svms";

const AUTH_TYPES: &[&str] = &["challenge", "plaintext"];

const KNOWN: &[&str] = &[
    "svm",
    "svm.uuid",
    "svm.name",
    "enabled",
    "authentication_types",
];

const PATCH_SHAPE: Shape = Shape::Obj(&[
    ("enabled", Shape::Bool),
    ("authentication_types", Shape::Arr(&Shape::Enum(AUTH_TYPES))),
    ("svm", Shape::ReadOnly),
    ("_links", Shape::ReadOnly),
]);

/// One SVM's NDMP service.
#[derive(Clone, Debug)]
pub struct NdmpSvm {
    pub enabled: bool,
    pub authentication_types: Vec<String>,
}

/// The NDMP service a new SVM has: enabled, challenge authentication (ONTAP's default).
pub fn service() -> NdmpSvm {
    NdmpSvm {
        enabled: true,
        authentication_types: vec!["challenge".into()],
    }
}

fn record(state: &State, uuid: &str, n: &NdmpSvm) -> Value {
    json!({
        "svm": svm_ref(uuid, &state.svm_name(uuid)),
        "enabled": n.enabled,
        "authentication_types": n.authentication_types,
        "_links": { "self": { "href": format!("{BASE}/{uuid}") } },
    })
}

/// The modes in which no NDMP SVM service can be read or changed.
fn service_available(state: &State) -> ApiResult<()> {
    if !state.conditions.ndmp_platform_supported {
        return Err(ApiError::conflict(
            NDMP_PLATFORM_UNSUPPORTED,
            "The NDMP protocol is not supported on this platform.",
        ));
    }
    if !state.conditions.ndmp_svm_aware_mode {
        return Err(ApiError::conflict(
            NDMP_SVM_AWARE_DISABLED,
            "The operation is not supported because NDMP SVM-aware mode is disabled.",
        ));
    }
    Ok(())
}

pub fn list(ctx: &Ctx) -> ApiResult<Reply> {
    let state = ctx.app.lock();
    service_available(&state)?;
    let records = state
        .ndmp_svms
        .iter()
        .filter(|(uuid, _)| ctx.caller.owner.as_deref().is_none_or(|o| o == *uuid))
        .map(|(uuid, n)| record(&state, uuid, n))
        .collect();
    drop(state);
    let spec = CollectionSpec {
        path: BASE,
        default_fields: &["svm"],
        known_fields: KNOWN,
        extra_params: &[],
    };
    Ok(Reply::ok(collection::render(records, &ctx.query, &spec)?))
}

/// The SVM of a path, visible to the caller.
fn path_svm(ctx: &Ctx, state: &State, uuid: &str) -> ApiResult<String> {
    let svm = state
        .svm_by_uuid(uuid.trim())
        .map(|s| s.uuid.clone())
        .ok_or_else(|| ApiError::entry_missing("svm.uuid"))?;
    if ctx.caller.owner.as_deref().is_some_and(|o| o != svm) {
        return Err(ApiError::forbidden());
    }
    Ok(svm)
}

pub fn get_one(ctx: &Ctx, uuid: &str) -> ApiResult<Reply> {
    ctx.query.only(&["fields", "return_timeout"])?;
    let state = ctx.app.lock();
    service_available(&state)?;
    let svm = path_svm(ctx, &state, uuid)?;
    let rec = state
        .ndmp_svms
        .get(&svm)
        .map(|n| record(&state, &svm, n))
        .ok_or_else(|| ApiError::entry_missing("svm.uuid"))?;
    drop(state);
    Ok(Reply::ok(collection::select_fields(
        rec,
        &ctx.query,
        &["svm"],
        KNOWN,
    )?))
}

pub fn patch(ctx: &Ctx, uuid: &str) -> ApiResult<Reply> {
    ctx.query.only(&["return_timeout"])?;
    let req = ctx.json_body()?;
    body::check(&req, &PATCH_SHAPE, "")?;
    let mut state = ctx.app.lock();
    service_available(&state)?;
    let svm = path_svm(ctx, &state, uuid)?;
    if !(ctx.caller.is_cluster_admin() || ctx.caller.role == "vsadmin") {
        return Err(ApiError::forbidden());
    }
    let types = match body::at(&req, "authentication_types") {
        Some(Value::Array(items)) if items.is_empty() => {
            return Err(ApiError::invalid_value(
                "authentication_types",
                "at least one authentication type",
            ));
        }
        Some(Value::Array(items)) => Some(
            items
                .iter()
                .filter_map(|i| i.as_str().map(str::to_ascii_lowercase))
                .collect::<Vec<_>>(),
        ),
        _ => None,
    };
    let service = state
        .ndmp_svms
        .get_mut(&svm)
        .ok_or_else(|| ApiError::entry_missing("svm.uuid"))?;
    if let Some(v) = body::bool_at(&req, "enabled") {
        service.enabled = v;
    }
    if let Some(t) = types {
        service.authentication_types = t;
    }
    Ok(Reply::ok(json!({})))
}
