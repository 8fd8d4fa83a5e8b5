//! `POST` and `PATCH` of an iSCSI credential: the checks in the order the module doc gives, then
//! the change.

use axum::http::StatusCode;
use serde_json::json;

use super::validate::{
    ChapInput, chap_with_none_or_deny, check_chap, check_initiator, default_unsupported,
    has_addresses, parse_addresses,
};
use super::{
    BODY_SHAPE, blank, check_scope, location, lookup, mismatch, not_found, record,
    resolve_body_svm, resolve_path_svm,
};
use crate::body;
use crate::context::{Ctx, Reply};
use crate::error::*;
use crate::state::{Chap, Credential};

pub fn create(ctx: &Ctx) -> ApiResult<Reply> {
    ctx.query.only(&["return_records", "return_timeout"])?;
    let return_records = ctx.query.bool_param("return_records", false)?;
    ctx.query.return_timeout(0)?;
    let req = ctx.json_body()?;
    body::check(&req, &BODY_SHAPE, "")?;
    let mut state = ctx.app.lock();
    let svm = resolve_body_svm(&state, &req)?;
    let initiator =
        body::str_at(&req, "initiator").ok_or_else(|| ApiError::missing_field("initiator"))?;
    let auth = body::str_at(&req, "authentication_type")
        .ok_or_else(|| ApiError::missing_field("authentication_type"))?
        .to_ascii_lowercase();
    check_scope(ctx, &svm)?;
    if !state.svm_has_iscsi(&svm) {
        return Err(
            ApiError::conflict(ISCSI_SERVICE_MISSING, "The iSCSI service does not exist.")
                .target("svm"),
        );
    }
    check_initiator(&initiator)?;
    let key = (svm.uuid.clone(), initiator.to_ascii_lowercase());
    if state.credentials.contains_key(&key) {
        return Err(ApiError::conflict(
            CREDENTIAL_EXISTS,
            "An iSCSI security credential already exists for the specified initiator.",
        )
        .target("initiator"));
    }
    let chap_in = ChapInput::from(&req);
    if auth != "chap" && chap_in.given() {
        return Err(chap_with_none_or_deny());
    }
    let chap = chap_in.overlay(Chap::default());
    check_chap(&auth, &chap)?;
    let (ranges, masks) = parse_addresses(&req)?;
    if key.1 == "default" && has_addresses(&req) {
        return Err(default_unsupported());
    }
    let cred = Credential {
        svm_uuid: svm.uuid.clone(),
        initiator: initiator.clone(),
        authentication_type: auth,
        chap,
        ranges,
        masks,
    };
    let body = if return_records {
        json!({ "num_records": 1, "records": [record(&state, &cred)] })
    } else {
        json!({})
    };
    state.credentials.insert(key, cred);
    Ok(Reply {
        status: StatusCode::CREATED,
        body: body.into(),
        location: Some(location(&svm.uuid, &initiator)),
    })
}

pub fn patch(ctx: &Ctx, svm: &str, initiator: &str) -> ApiResult<Reply> {
    ctx.query.only(&[
        "add_initiator_addresses",
        "remove_initiator_addresses",
        "return_timeout",
        "return_records",
    ])?;
    let add = ctx.query.bool_param("add_initiator_addresses", false)?;
    let remove = ctx.query.bool_param("remove_initiator_addresses", false)?;
    ctx.query.bool_param("return_records", false)?;
    ctx.query.return_timeout(0)?;
    if add && remove {
        return Err(ApiError::invalid_query(
            "remove_initiator_addresses",
            "true",
            "<false> when add_initiator_addresses is true",
        ));
    }
    let req = ctx.json_body()?;
    body::check(&req, &BODY_SHAPE, "")?;
    let mut state = ctx.app.lock();
    let svm = resolve_path_svm(&state, svm)?;
    // svm in the body: disagreeing with the path → 2621706; otherwise it may not be patched.
    if body::at(&req, "svm").is_some() {
        let bu = blank(&body::str_at(&req, "svm.uuid"));
        let bn = blank(&body::str_at(&req, "svm.name"));
        if bu
            .as_deref()
            .is_some_and(|u| !u.eq_ignore_ascii_case(&svm.uuid))
            || bn.as_deref().is_some_and(|n| n != svm.name)
        {
            return Err(mismatch());
        }
        return Err(ApiError::cannot_set("svm"));
    }
    if body::at(&req, "initiator").is_some() {
        return Err(ApiError::cannot_set("initiator"));
    }
    check_scope(ctx, &svm)?;
    let key = lookup(&state, &svm, initiator)?;
    let existing = state
        .credentials
        .get(&key)
        .cloned()
        .ok_or_else(|| not_found(initiator))?;
    let is_default = key.1 == "default";
    if is_default && (has_addresses(&req) || add || remove) {
        return Err(default_unsupported());
    }
    // A PATCH carrying `chap` must say `authentication_type` too, even when it does not
    // change: NetApp's na_ontap_iscsi_security always adds it, "PATCH fails if this is not
    // present, even though there is no change" (modify_initiator). ONTAP's answer is not
    // public; a missing field is code 2 (NetApp's common-code table).
    if body::at(&req, "chap").is_some() && body::at(&req, "authentication_type").is_none() {
        return Err(ApiError::missing_field("authentication_type"));
    }
    let auth = body::str_at(&req, "authentication_type")
        .map(|a| a.to_ascii_lowercase())
        .unwrap_or_else(|| existing.authentication_type.clone());
    // "To clear previously set outbound CHAP credentials, set property chap.outbound.user to an
    // empty string in PATCH" (ONTAP's model: trident `rest/models/iscsi_credentials.go`, py
    // `models/iscsi_credentials_chap_outbound.py`).
    let clear_outbound = body::str_at(&req, "chap.outbound.user").is_some_and(|u| u.is_empty());
    let chap_in = ChapInput::from(&req);
    let chap = if auth != "chap" {
        if chap_in.given() {
            return Err(chap_with_none_or_deny());
        }
        Chap::default()
    } else {
        let base = if existing.authentication_type == "chap" {
            existing.chap.clone()
        } else {
            Chap::default()
        };
        let mut chap = chap_in.overlay(base);
        if clear_outbound {
            chap.outbound_user = None;
            chap.outbound_password = None;
        }
        chap
    };
    check_chap(&auth, &chap)?;
    let (ranges, masks) = parse_addresses(&req)?;
    let mut updated = existing;
    updated.authentication_type = auth;
    updated.chap = chap;
    if has_addresses(&req) || add || remove {
        if add {
            for r in ranges {
                if !updated.ranges.contains(&r) {
                    updated.ranges.push(r);
                }
            }
            for m in masks {
                if !updated.masks.contains(&m) {
                    updated.masks.push(m);
                }
            }
        } else if remove {
            updated.ranges.retain(|r| !ranges.contains(r));
            updated.masks.retain(|m| !masks.contains(m));
        } else {
            updated.ranges = ranges;
            updated.masks = masks;
        }
    }
    state.credentials.insert(key, updated);
    Ok(Reply::ok(json!({})))
}
