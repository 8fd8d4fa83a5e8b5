//! `GET /api/protocols/ndmp/svms/{svm.uuid}/passwords/{user}`.
//!
//! 65601587 when the platform has no NDMP, 65601536 when SVM-aware mode is off, 65601560 for a
//! user whose NDMP authentication type is `plaintext_sso`. The password is derived from a
//! per-emulator secret, the SVM and the user: stable for the emulator's life.

use std::hash::{DefaultHasher, Hash, Hasher};

use serde_json::json;

use super::collection;
use super::context::{Ctx, Reply};
use super::error::*;
use super::state::NdmpAuth;
use super::state::svm_ref;

const ALPHABET: &[u8] = b"ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789";

/// 16 printable characters from secret + svm + user.
pub fn derive_password(secret: &str, svm: &str, user: &str) -> String {
    let mut out = String::with_capacity(16);
    for i in 0u32..16 {
        let mut h = DefaultHasher::new();
        (secret, svm, user, i).hash(&mut h);
        let idx = (h.finish() % ALPHABET.len() as u64) as usize;
        out.push(ALPHABET[idx] as char);
    }
    out
}

const KNOWN: &[&str] = &["password", "svm", "svm.uuid", "svm.name", "user"];

pub fn get_password(ctx: &Ctx, svm: &str, user: &str) -> ApiResult<Reply> {
    ctx.query.only(&["fields", "return_timeout"])?;
    let state = ctx.app.lock();
    if !state.conditions.ndmp_platform_supported {
        return Err(ApiError::conflict(
            NDMP_PLATFORM_UNSUPPORTED,
            "The NDMP protocol is not supported on this platform.",
        ));
    }
    let svm = state
        .svm_by_uuid(svm.trim())
        .ok_or_else(|| ApiError::entry_missing("svm.uuid"))?;
    let allowed = ctx.caller.is_cluster_admin()
        || (ctx.caller.owner.as_deref() == Some(svm.uuid.as_str()) && ctx.caller.role == "vsadmin");
    if !allowed {
        return Err(ApiError::forbidden());
    }
    if !state.conditions.ndmp_svm_aware_mode {
        return Err(ApiError::conflict(
            NDMP_SVM_AWARE_DISABLED,
            "The operation is not supported because NDMP SVM-aware mode is disabled.",
        ));
    }
    let account = state
        .accounts
        .iter()
        .find(|a| a.owner.as_deref() == Some(svm.uuid.as_str()) && a.name == user)
        .ok_or_else(|| ApiError::entry_missing("user"))?;
    if account.ndmp_auth == NdmpAuth::PlaintextSso {
        return Err(ApiError::conflict(
            NDMP_SSO_NO_PASSWORD,
            "An NDMP-specific password is not supported for authentication type \"plaintext_sso\".",
        )
        .target("user"));
    }
    let record = json!({
        "password": derive_password(&ctx.app.ndmp_secret, &svm.uuid, user),
        "svm": svm_ref(&svm.uuid, &svm.name),
        "user": user,
        "_links": { "self": { "href": format!("/api/protocols/ndmp/svms/{}/passwords/{}", svm.uuid, user) } },
    });
    drop(state);
    Ok(Reply::ok(collection::select_fields(
        record,
        &ctx.query,
        &["svm", "user"],
        KNOWN,
    )?))
}
