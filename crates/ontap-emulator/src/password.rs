//! `POST /api/security/authentication/password` and the password policy.
//!
//! Policy (ONTAP's default role policy, adjustable through `/emulator/conditions`): composition
//! (`min_special_chars + min_uppercase + min_lowercase + min_digits` > 128 → 7077941), maximum
//! length (7077940), minimum length (7077919), letters and digits (7077920), special characters
//! (7077921), different from the current password (7077925) and from the last `history` ones
//! (7077924), no user name inside (7077918).
//!
//! Messages are the seed's descriptions, except for 7077924 and 7077925, which use the text real
//! clusters send ("New password must be different than last 6 passwords." / "... than the old
//! password."): ansible's `na_ontap_user.py` (`is_repeated_password`) recognises a repeated
//! password by those prefixes, so the seed wording would break its idempotency check.

use axum::http::StatusCode;
use serde_json::{Value, json};

use super::body::{self, Shape};
use super::context::{Ctx, Reply};
use super::error::*;
use super::state::{Account, CLUSTER_NAME, CLUSTER_UUID, PasswordPolicy, State};

pub const HASH_ALGORITHMS: &[&str] = &["sha512", "sha256", "md5"];

pub const OWNER_SHAPE: Shape = Shape::Obj(&[
    ("name", Shape::Str),
    ("uuid", Shape::Str),
    ("_links", Shape::ReadOnly),
]);

const SHAPE: Shape = Shape::Obj(&[
    ("name", Shape::Str),
    ("owner", OWNER_SHAPE),
    ("password", Shape::Str),
    ("password_hash_algorithm", Shape::Enum(HASH_ALGORITHMS)),
]);

fn pw_err(code: &str, msg: &str) -> ApiError {
    ApiError::bad_request(code, msg).target("password")
}

/// Checks a new password against the policy. `current`/`previous` are the account's current
/// password and earlier ones (oldest first); both empty for a new account.
pub fn check_policy(
    policy: &PasswordPolicy,
    username: &str,
    new: &str,
    current: Option<&str>,
    previous: &[String],
) -> ApiResult<()> {
    let composition = policy.min_special_chars as u64
        + policy.min_uppercase as u64
        + policy.min_lowercase as u64
        + policy.min_digits as u64;
    if composition > 128 {
        return Err(pw_err(
            PW_COMPOSITION_TOO_LONG,
            "Defined password composition exceeds the maximum password length of 128 characters.",
        ));
    }
    let len = new.chars().count() as u64;
    if len > policy.max_length.min(128) as u64 {
        return Err(pw_err(
            PW_TOO_LONG,
            "The password exceeds maximum supported length.",
        ));
    }
    if len < policy.min_length as u64 {
        return Err(pw_err(
            PW_TOO_SHORT,
            "The minimum length for new password does not meet the policy.",
        ));
    }
    let letters = new.chars().filter(|c| c.is_alphabetic()).count();
    let digits = new.chars().filter(|c| c.is_ascii_digit()).count();
    if policy.alphanumeric && (letters == 0 || digits == 0) {
        return Err(pw_err(
            PW_NEEDS_ALNUM,
            "The new password must have both letters and numbers.",
        ));
    }
    let special = new.chars().filter(|c| !c.is_alphanumeric()).count() as u64;
    if special < policy.min_special_chars as u64 {
        return Err(pw_err(
            PW_SPECIAL_CHARS,
            "The minimum number of special characters required do not meet the policy.",
        ));
    }
    let upper = new.chars().filter(|c| c.is_uppercase()).count() as u64;
    let lower = new.chars().filter(|c| c.is_lowercase()).count() as u64;
    if upper < policy.min_uppercase as u64
        || lower < policy.min_lowercase as u64
        || (digits as u64) < policy.min_digits as u64
    {
        return Err(pw_err(
            PW_TOO_SHORT,
            "The new password does not meet the policy's composition rules.",
        ));
    }
    if current == Some(new) {
        return Err(pw_err(
            PW_SAME_AS_OLD,
            "New password must be different than the old password.",
        ));
    }
    let n = policy.history as usize;
    if n > 0 && previous.iter().rev().take(n).any(|p| p == new) {
        return Err(pw_err(
            PW_IN_HISTORY,
            &format!("New password must be different than last {n} passwords."),
        ));
    }
    if !username.is_empty() && new.to_lowercase().contains(&username.to_lowercase()) {
        return Err(pw_err(
            PW_CONTAINS_USERNAME,
            "The password cannot contain the username.",
        ));
    }
    Ok(())
}

/// Resolves an `owner` object: `Ok(None)` = the cluster, `Ok(Some(uuid))` = an SVM.
pub fn resolve_owner(
    state: &State,
    req: &Value,
    default: Option<String>,
) -> ApiResult<Option<String>> {
    let uuid = body::str_at(req, "owner.uuid").filter(|s| !s.trim().is_empty());
    let name = body::str_at(req, "owner.name").filter(|s| !s.trim().is_empty());
    let by_uuid = |u: &str| -> ApiResult<Option<String>> {
        if u.eq_ignore_ascii_case(CLUSTER_UUID) {
            return Ok(None);
        }
        state
            .svm_by_uuid(u)
            .map(|s| Some(s.uuid.clone()))
            .ok_or_else(|| ApiError::entry_missing("owner.uuid"))
    };
    let by_name = |n: &str| -> ApiResult<Option<String>> {
        if n == CLUSTER_NAME {
            return Ok(None);
        }
        state
            .svm_by_name(n)
            .map(|s| Some(s.uuid.clone()))
            .ok_or_else(|| ApiError::entry_missing("owner.name"))
    };
    match (uuid, name) {
        (None, None) => Ok(default),
        (Some(u), None) => by_uuid(&u),
        (None, Some(n)) => by_name(&n),
        (Some(u), Some(n)) => {
            let a = by_uuid(&u)?;
            let b = by_name(&n)?;
            if a != b {
                return Err(ApiError::invalid_value(
                    "owner.name",
                    "owner.name and owner.uuid do not refer to the same owner",
                ));
            }
            Ok(a)
        }
    }
}

pub fn owner_uuid(owner: &Option<String>) -> String {
    owner.clone().unwrap_or_else(|| CLUSTER_UUID.to_string())
}

/// Makes `new` the account's password (already checked against the policy), keeping the old
/// one in its history. Shared by this endpoint and `PATCH /api/security/accounts/...`.
pub fn set_password(account: &mut Account, new: String) {
    if let Some(old) = account.password.take() {
        account.previous_passwords.push(old);
        let keep = 32usize;
        if account.previous_passwords.len() > keep {
            let cut = account.previous_passwords.len() - keep;
            account.previous_passwords.drain(..cut);
        }
    }
    account.password = Some(new);
}

pub fn change(ctx: &Ctx) -> ApiResult<Reply> {
    ctx.query.only(&["return_records", "return_timeout"])?;
    ctx.query.bool_param("return_records", false)?;
    ctx.query.return_timeout(0)?;
    let req = ctx.json_body()?;
    body::check(&req, &SHAPE, "")?;
    let name = body::str_at(&req, "name").ok_or_else(|| ApiError::missing_field("name"))?;
    let new = body::str_at(&req, "password").ok_or_else(|| ApiError::missing_field("password"))?;
    let mut state = ctx.app.lock();
    let owner = resolve_owner(&state, &req, ctx.caller.owner.clone())?;
    let idx = state
        .account_index(owner.as_deref(), &name)
        .ok_or_else(|| ApiError::entry_missing("name"))?;
    let is_self = ctx.caller.owner == owner && ctx.caller.name == name;
    if !(ctx.caller.is_cluster_admin() || is_self) {
        return Err(ApiError::forbidden());
    }
    let policy = state.conditions.password_policy.clone();
    let account = &state.accounts[idx];
    check_policy(
        &policy,
        &name,
        &new,
        account.password.as_deref(),
        &account.previous_passwords,
    )?;
    let account = &mut state.accounts[idx];
    set_password(account, new);
    if let Some(alg) = body::str_at(&req, "password_hash_algorithm") {
        account.password_hash_algorithm = alg.to_ascii_lowercase();
    }
    Ok(Reply {
        status: StatusCode::CREATED,
        body: json!({}).into(),
        location: Some(format!(
            "/api/security/accounts/{}/{}",
            owner_uuid(&owner),
            name
        )),
    })
}
