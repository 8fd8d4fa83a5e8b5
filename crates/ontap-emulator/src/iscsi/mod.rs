//! iSCSI credentials: `/api/protocols/san/iscsi/credentials[/{svm.uuid}/{initiator}]`.
//!
//! Checks, in order: body shape; SVM (2621707 none given, 2621462 unknown, 2621706 uuid/name
//! disagree); role scope; iSCSI service (5374078); initiator name (IQN/EUI codes); duplicate
//! (5374142); CHAP rules (5374900, 5374149, 5374150, 5374145, 5374147); address ranges
//! (5374855, 5374856); default credential rules (5374148, 5374155); missing credential
//! (5374895). Passwords are stored but never returned.
//!
//! Split by purpose: this file has the routes' reads and deletes and what they share (the
//! record, the SVM in a path or body, the role scope); [`validate`] the rules for names, CHAP
//! and address ranges; [`write`] create and patch; [`record`] the record as the API shows it.

mod record;
mod validate;
mod write;

use record::{Out, record};

pub use write::{create, patch};

use std::net::IpAddr;

use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};
use serde_json::{Value, json};

use super::body::{self, Shape};
use super::collection::{self, CollectionSpec};
use super::context::{Ctx, Reply};
use super::error::*;
use super::state::{Credential, State, Svm};

const BASE: &str = "/api/protocols/san/iscsi/credentials";

const KNOWN_FIELDS: &[&str] = &[
    "svm",
    "svm.uuid",
    "svm.name",
    "initiator",
    "authentication_type",
    "chap",
    "chap.inbound",
    "chap.inbound.user",
    "chap.outbound",
    "chap.outbound.user",
    "initiator_address",
    "initiator_address.masks",
    "initiator_address.masks.address",
    "initiator_address.masks.family",
    "initiator_address.masks.netmask",
    "initiator_address.ranges",
    "initiator_address.ranges.start",
    "initiator_address.ranges.end",
    "initiator_address.ranges.family",
];

const AUTH_TYPES: &[&str] = &["chap", "none", "deny"];

const FAMILIES: &[&str] = &["ipv4", "ipv6"];

const SVM_SHAPE: Shape = Shape::Obj(&[
    ("name", Shape::Str),
    ("uuid", Shape::Str),
    ("_links", Shape::ReadOnly),
]);

const CHAP_SIDE: Shape = Shape::Obj(&[("user", Shape::Str), ("password", Shape::Str)]);

const CHAP_SHAPE: Shape = Shape::Obj(&[("inbound", CHAP_SIDE), ("outbound", CHAP_SIDE)]);

const RANGE_SHAPE: Shape = Shape::Obj(&[
    ("start", Shape::Str),
    ("end", Shape::Str),
    ("family", Shape::Enum(FAMILIES)),
]);

const MASK_SHAPE: Shape = Shape::Obj(&[
    ("address", Shape::Str),
    ("netmask", Shape::Str),
    ("family", Shape::Enum(FAMILIES)),
]);

const ADDR_SHAPE: Shape = Shape::Obj(&[
    ("masks", Shape::Arr(&MASK_SHAPE)),
    ("ranges", Shape::Arr(&RANGE_SHAPE)),
]);

const BODY_SHAPE: Shape = Shape::Obj(&[
    ("svm", SVM_SHAPE),
    ("initiator", Shape::Str),
    ("authentication_type", Shape::Enum(AUTH_TYPES)),
    ("chap", CHAP_SHAPE),
    ("initiator_address", ADDR_SHAPE),
    ("_links", Shape::ReadOnly),
]);

/// Characters escaped in the Location header's initiator segment.
const SEGMENT: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'_')
    .remove(b'.')
    .remove(b'~');

fn family(ip: &IpAddr) -> &'static str {
    if ip.is_ipv4() { "ipv4" } else { "ipv6" }
}

/// Credentials the caller may see (own SVM for SVM accounts; SVMs with the iSCSI service).
///
/// Which SVMs have the service is worked out once, not per credential: with 100,000 credentials
/// the per-credential lookups were most of a page's time.
fn visible<'a>(ctx: &Ctx, state: &'a State) -> Vec<&'a Credential> {
    let with_iscsi: Vec<String> = state
        .svms()
        .into_iter()
        .filter(|s| state.svm_has_iscsi(s))
        .map(|s| s.uuid)
        .collect();
    state
        .credentials
        .values()
        .filter(|c| ctx.caller.owner.as_deref().is_none_or(|o| o == c.svm_uuid))
        .filter(|c| {
            with_iscsi
                .iter()
                .any(|u| u.eq_ignore_ascii_case(&c.svm_uuid))
        })
        .collect()
}

/// Records are built while the state is locked, and only those the answer needs (the page's,
/// unless the query filters or orders): a cluster can hold 100,000 credentials. A page of
/// whole records is written as text and kept until the state changes ([`crate::rendered`]):
/// it depends on the state, the caller's scope and the request alone.
pub fn list(ctx: &Ctx) -> ApiResult<Reply> {
    let spec = CollectionSpec {
        path: BASE,
        default_fields: &["svm", "initiator"],
        known_fields: KNOWN_FIELDS,
        extra_params: &[],
    };
    if let Some(text) = ctx.app.rendered.get(ctx.app.generation(), BASE, ctx) {
        return Ok(Reply::json(text));
    }
    let state = ctx.app.lock();
    let generation = ctx.app.generation();
    let creds = visible(ctx, &state);
    let write = |i: usize, out: &mut Vec<u8>| {
        serde_json::to_writer(out, &Out::new(&state, creds[i], !ctx.plain))
    };
    if let Some(text) = collection::render_text(creds.len(), write, &ctx.query, &spec, !ctx.plain)?
    {
        let text = axum::body::Bytes::from(text);
        ctx.app.rendered.put(generation, BASE, ctx, text.clone());
        return Ok(Reply::json(text));
    }
    let body =
        collection::render_lazy(creds.len(), |i| record(&state, creds[i]), &ctx.query, &spec)?;
    Ok(Reply::ok(body))
}

fn blank(s: &Option<String>) -> Option<String> {
    s.as_ref()
        .map(|v| v.trim().to_string())
        .filter(|v| !v.is_empty())
}

fn svm_missing(target: &str, what: &str) -> ApiError {
    ApiError::not_found(
        SVM_UUID_NOT_FOUND,
        format!("SVM \"{what}\" does not exist."),
    )
    .target(target)
}

/// Resolves `svm.uuid` / `svm.name` from a POST body.
fn resolve_body_svm(state: &State, req: &Value) -> ApiResult<Svm> {
    let uuid = blank(&body::str_at(req, "svm.uuid"));
    let name = blank(&body::str_at(req, "svm.name"));
    match (uuid, name) {
        (None, None) => Err(ApiError::bad_request(
            SVM_NOT_SPECIFIED,
            "No SVM was specified. Either \"svm.name\" or \"svm.uuid\" must be supplied.",
        )
        .target("svm")),
        (Some(u), None) => state
            .svm_by_uuid(&u)
            .ok_or_else(|| svm_missing("svm.uuid", &u)),
        (None, Some(n)) => state
            .svm_by_name(&n)
            .ok_or_else(|| svm_missing("svm.name", &n)),
        (Some(u), Some(n)) => {
            let by_uuid = state
                .svm_by_uuid(&u)
                .ok_or_else(|| svm_missing("svm.uuid", &u))?;
            if by_uuid.name != n {
                return Err(mismatch());
            }
            Ok(by_uuid)
        }
    }
}

fn mismatch() -> ApiError {
    ApiError::bad_request(
        SVM_NAME_UUID_MISMATCH,
        "Both the SVM UUID and SVM name were supplied, but they do not refer to the same SVM.",
    )
    .target("svm.name")
}

/// Resolves the path's `svm.uuid`.
fn resolve_path_svm(state: &State, svm: &str) -> ApiResult<Svm> {
    if svm.trim().is_empty() {
        return Err(ApiError::bad_request(
            SVM_NOT_SPECIFIED,
            "No SVM was specified. Either \"svm.name\" or \"svm.uuid\" must be supplied.",
        )
        .target("svm.uuid"));
    }
    state
        .svm_by_uuid(svm.trim())
        .ok_or_else(|| svm_missing("svm.uuid", svm))
}

fn check_scope(ctx: &Ctx, svm: &Svm) -> ApiResult<()> {
    match ctx.caller.owner.as_deref() {
        Some(o) if o != svm.uuid => Err(ApiError::forbidden()),
        _ => Ok(()),
    }
}

fn location(svm: &str, initiator: &str) -> String {
    format!("{BASE}/{svm}/{}", utf8_percent_encode(initiator, SEGMENT))
}

fn not_found(initiator: &str) -> ApiError {
    ApiError::not_found(
        CREDENTIAL_NOT_FOUND,
        format!(
            "The iSCSI security credential \"{initiator}\" does not exist on the specified SVM."
        ),
    )
    .target("initiator")
}

/// The credential at a path (visible only when the SVM has the iSCSI service).
fn lookup(state: &State, svm: &Svm, initiator: &str) -> ApiResult<(String, String)> {
    let key = (svm.uuid.clone(), initiator.to_ascii_lowercase());
    if !state.svm_has_iscsi(svm) || !state.credentials.contains_key(&key) {
        return Err(not_found(initiator));
    }
    Ok(key)
}

pub fn get_one(ctx: &Ctx, svm: &str, initiator: &str) -> ApiResult<Reply> {
    ctx.query.only(&["fields", "return_timeout"])?;
    let state = ctx.app.lock();
    let svm = resolve_path_svm(&state, svm)?;
    check_scope(ctx, &svm)?;
    let key = lookup(&state, &svm, initiator)?;
    let rec = state
        .credentials
        .get(&key)
        .map(|c| record(&state, c))
        .ok_or_else(|| not_found(initiator))?;
    drop(state);
    Ok(Reply::ok(collection::select_fields(
        rec,
        &ctx.query,
        &["svm", "initiator"],
        KNOWN_FIELDS,
    )?))
}

pub fn delete(ctx: &Ctx, svm: &str, initiator: &str) -> ApiResult<Reply> {
    ctx.query
        .only(&["svm.name", "return_timeout", "return_records"])?;
    ctx.query.bool_param("return_records", false)?;
    ctx.query.return_timeout(0)?;
    let mut state = ctx.app.lock();
    let svm = resolve_path_svm(&state, svm)?;
    if let Some(n) = ctx
        .query
        .get("svm.name")
        .map(str::trim)
        .filter(|n| !n.is_empty())
        && n != svm.name
    {
        return Err(mismatch());
    }
    check_scope(ctx, &svm)?;
    if initiator.eq_ignore_ascii_case("default") && state.svm_has_iscsi(&svm) {
        return Err(ApiError::bad_request(
            DEFAULT_CREDENTIAL_DELETE,
            "The default security credential cannot be deleted for an SVM.",
        )
        .target("initiator"));
    }
    let key = lookup(&state, &svm, initiator)?;
    state.credentials.remove(&key);
    Ok(Reply::ok(json!({})))
}
