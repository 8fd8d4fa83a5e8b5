//! `/api/security/accounts`: list, create, read and delete accounts (so tests can work on
//! throwaway accounts).

use axum::http::StatusCode;
use serde_json::{Map, Value, json};

use super::body::{self, Shape};
use super::collection::{self, CollectionSpec};
use super::context::{Ctx, Reply};
use super::error::*;
use super::password::{OWNER_SHAPE, check_policy, owner_uuid, resolve_owner, set_password};
use super::state::{Account, Application, CLUSTER_NAME, CLUSTER_UUID, NdmpAuth, State};

const BASE: &str = "/api/security/accounts";

const KNOWN: &[&str] = &[
    "owner",
    "owner.uuid",
    "owner.name",
    "name",
    "applications",
    "applications.application",
    "applications.authentication_methods",
    "applications.second_authentication_method",
    "role",
    "role.name",
    "locked",
    "comment",
    "scope",
];

const CLUSTER_ROLES: &[&str] = &["admin", "readonly", "backup", "autosupport", "none"];
const SVM_ROLES: &[&str] = &[
    "vsadmin",
    "vsadmin-readonly",
    "vsadmin-backup",
    "vsadmin-protocol",
    "vsadmin-volume",
    "vsadmin-snaplock",
];
const APPLICATIONS: &[&str] = &[
    "amqp",
    "console",
    "http",
    "ontapi",
    "service_processor",
    "ssh",
];
const AUTH_METHODS: &[&str] = &[
    "password",
    "publickey",
    "domain",
    "nsswitch",
    "certificate",
    "saml",
];
const SECOND_METHODS: &[&str] = &["none", "password", "publickey", "nsswitch"];

const APP_SHAPE: Shape = Shape::Obj(&[
    ("application", Shape::Enum(APPLICATIONS)),
    (
        "authentication_methods",
        Shape::Arr(&Shape::Enum(AUTH_METHODS)),
    ),
    ("second_authentication_method", Shape::Enum(SECOND_METHODS)),
]);
const ROLE_SHAPE: Shape = Shape::Obj(&[("name", Shape::Str), ("_links", Shape::ReadOnly)]);
const SHAPE: Shape = Shape::Obj(&[
    ("name", Shape::Str),
    ("owner", OWNER_SHAPE),
    ("role", Shape::StrOr(&ROLE_SHAPE)),
    ("applications", Shape::Arr(&APP_SHAPE)),
    ("password", Shape::Str),
    ("locked", Shape::Bool),
    ("comment", Shape::Str),
    ("scope", Shape::ReadOnly),
    ("_links", Shape::ReadOnly),
]);

fn record(state: &State, a: &Account) -> Value {
    let owner_id = owner_uuid(&a.owner);
    let owner = match &a.owner {
        Some(u) => super::state::svm_ref(u, &state.svm_name(u)),
        None => json!({ "uuid": CLUSTER_UUID, "name": CLUSTER_NAME }),
    };
    let apps: Vec<Value> = a
        .applications
        .iter()
        .map(|ap| {
            json!({
                "application": ap.application,
                "authentication_methods": ap.authentication_methods,
                "second_authentication_method": ap.second_authentication_method,
            })
        })
        .collect();
    let mut m = Map::new();
    m.insert("owner".into(), owner);
    m.insert("name".into(), json!(a.name));
    m.insert("applications".into(), Value::Array(apps));
    m.insert(
        "role".into(),
        json!({ "name": a.role, "_links": { "self": { "href": format!("/api/security/roles/{owner_id}/{}", a.role) } } }),
    );
    // ONTAP leaves `locked` out for an account without a password (NetApp's na_ontap_user:
    // "REST does not return locked if password is not set").
    if a.password.is_some() {
        m.insert("locked".into(), json!(a.locked));
    }
    if let Some(c) = &a.comment {
        m.insert("comment".into(), json!(c));
    }
    m.insert(
        "scope".into(),
        json!(if a.owner.is_some() { "svm" } else { "cluster" }),
    );
    m.insert(
        "_links".into(),
        json!({ "self": { "href": format!("{BASE}/{owner_id}/{}", a.name) } }),
    );
    Value::Object(m)
}

fn visible<'a>(ctx: &Ctx, state: &'a State) -> Vec<&'a Account> {
    state
        .accounts
        .iter()
        .filter(|a| ctx.caller.owner.is_none() || ctx.caller.owner == a.owner)
        .collect()
}

pub fn list(ctx: &Ctx) -> ApiResult<Reply> {
    let state = ctx.app.lock();
    let records = visible(ctx, &state)
        .into_iter()
        .map(|a| record(&state, a))
        .collect();
    drop(state);
    let spec = CollectionSpec {
        path: BASE,
        default_fields: &["owner", "name"],
        known_fields: KNOWN,
        extra_params: &[],
    };
    Ok(Reply::ok(collection::render(records, &ctx.query, &spec)?))
}

/// The owner segment of a path: the cluster uuid or an SVM uuid.
fn path_owner(state: &State, owner: &str) -> ApiResult<Option<String>> {
    if owner.eq_ignore_ascii_case(CLUSTER_UUID) || owner == CLUSTER_NAME {
        return Ok(None);
    }
    state
        .svm_by_uuid(owner)
        .or_else(|| state.svm_by_name(owner))
        .map(|s| Some(s.uuid.clone()))
        .ok_or_else(|| ApiError::entry_missing("owner.uuid"))
}

pub fn get_one(ctx: &Ctx, owner: &str, name: &str) -> ApiResult<Reply> {
    ctx.query.only(&["fields", "return_timeout"])?;
    let state = ctx.app.lock();
    let owner = path_owner(&state, owner)?;
    if ctx.caller.owner.is_some() && ctx.caller.owner != owner {
        return Err(ApiError::forbidden());
    }
    let idx = state
        .account_index(owner.as_deref(), name)
        .ok_or_else(|| ApiError::entry_missing("name"))?;
    let rec = record(&state, &state.accounts[idx]);
    drop(state);
    Ok(Reply::ok(collection::select_fields(
        rec,
        &ctx.query,
        &["owner", "name"],
        KNOWN,
    )?))
}

fn may_manage(ctx: &Ctx, owner: &Option<String>) -> bool {
    ctx.caller.is_cluster_admin()
        || (ctx.caller.role == "vsadmin"
            && ctx.caller.owner.is_some()
            && &ctx.caller.owner == owner)
}

/// The body's role (`"admin"` or `{"name": "admin"}`), checked against the owner's roles.
fn role_in(req: &Value, owner: &Option<String>) -> ApiResult<Option<String>> {
    let role = match body::at(req, "role") {
        Some(Value::String(s)) => s.clone(),
        Some(v) => body::str_at(v, "name").ok_or_else(|| ApiError::missing_field("role.name"))?,
        None => return Ok(None),
    };
    let roles = if owner.is_some() {
        SVM_ROLES
    } else {
        CLUSTER_ROLES
    };
    if !roles.contains(&role.as_str()) {
        return Err(ApiError::invalid_value(
            "role.name",
            format!("expected one of: {}", roles.join(", ")),
        ));
    }
    Ok(Some(role))
}

/// The body's applications (shape already checked); an application without
/// `authentication_methods` logs in with a password.
fn applications_in(req: &Value) -> ApiResult<Option<Vec<Application>>> {
    let Some(Value::Array(items)) = body::at(req, "applications") else {
        return Ok(None);
    };
    if items.is_empty() {
        return Err(ApiError::invalid_value(
            "applications",
            "at least one application",
        ));
    }
    items
        .iter()
        .map(|i| {
            let application = body::str_at(i, "application")
                .ok_or_else(|| ApiError::missing_field("applications.application"))?
                .to_ascii_lowercase();
            let methods = match body::at(i, "authentication_methods") {
                Some(Value::Array(ms)) => ms
                    .iter()
                    .filter_map(|m| m.as_str().map(str::to_ascii_lowercase))
                    .collect(),
                _ => vec!["password".to_string()],
            };
            let second =
                body::str_at(i, "second_authentication_method").unwrap_or_else(|| "none".into());
            Ok(Application {
                application,
                authentication_methods: methods,
                second_authentication_method: second,
            })
        })
        .collect::<ApiResult<Vec<_>>>()
        .map(Some)
}

pub fn create(ctx: &Ctx) -> ApiResult<Reply> {
    ctx.query.only(&["return_records", "return_timeout"])?;
    let return_records = ctx.query.bool_param("return_records", false)?;
    ctx.query.return_timeout(0)?;
    let req = ctx.json_body()?;
    body::check(&req, &SHAPE, "")?;
    let name = body::str_at(&req, "name").ok_or_else(|| ApiError::missing_field("name"))?;
    let len = name.chars().count();
    if !(3..=64).contains(&len) || name.contains(':') || name.contains('\\') {
        return Err(ApiError::invalid_value(
            "name",
            "a user name of 3 to 64 characters",
        ));
    }
    let mut state = ctx.app.lock();
    let owner = resolve_owner(&state, &req, ctx.caller.owner.clone())?;
    if !may_manage(ctx, &owner) {
        return Err(ApiError::forbidden());
    }
    let role = role_in(&req, &owner)?
        .unwrap_or_else(|| if owner.is_some() { "vsadmin" } else { "admin" }.to_string());
    let applications = applications_in(&req)?;
    if state.account_index(owner.as_deref(), &name).is_some() {
        return Err(ApiError::duplicate("name"));
    }
    // Required (netapp_ontap resources/account.py: "Required parameters: name,
    // applications"); checked after the duplicate, so that a POST of an existing name still
    // answers 1 "duplicate entry" as the captures show (terraform-provider-netapp-ontap #598).
    let applications = applications.ok_or_else(|| ApiError::missing_field("applications"))?;
    let password = body::str_at(&req, "password");
    if let Some(p) = &password {
        let policy = state.conditions.password_policy.clone();
        check_policy(&policy, &name, p, None, &[])?;
    }
    let account = Account {
        owner: owner.clone(),
        name: name.clone(),
        role,
        password,
        previous_passwords: Vec::new(),
        password_hash_algorithm: "sha512".into(),
        applications,
        locked: body::bool_at(&req, "locked").unwrap_or(false),
        comment: body::str_at(&req, "comment"),
        ndmp_auth: NdmpAuth::Challenge,
    };
    let body = if return_records {
        json!({ "num_records": 1, "records": [record(&state, &account)] })
    } else {
        json!({})
    };
    state.accounts.push(account);
    Ok(Reply {
        status: StatusCode::CREATED,
        body: body.into(),
        location: Some(format!("{BASE}/{}/{}", owner_uuid(&owner), name)),
    })
}

/// The account a DELETE or PATCH names, once the caller may manage it: its owner (`None`, the
/// cluster) and its index. 403 before 404, so a caller learns nothing of others' accounts.
fn managed_account(
    ctx: &Ctx,
    state: &State,
    owner: &str,
    name: &str,
) -> ApiResult<(Option<String>, usize)> {
    let owner = path_owner(state, owner)?;
    if !may_manage(ctx, &owner) {
        return Err(ApiError::forbidden());
    }
    let idx = state
        .account_index(owner.as_deref(), name)
        .ok_or_else(|| ApiError::entry_missing("name"))?;
    Ok((owner, idx))
}

pub fn delete(ctx: &Ctx, owner: &str, name: &str) -> ApiResult<Reply> {
    ctx.query.only(&["return_timeout"])?;
    let mut state = ctx.app.lock();
    let (_, idx) = managed_account(ctx, &state, owner, name)?;
    state.accounts.remove(idx);
    Ok(Reply::ok(json!({})))
}

/// What a PATCH may change: password, lock, role, applications, comment.
const PATCH_SHAPE: Shape = Shape::Obj(&[
    ("role", Shape::StrOr(&ROLE_SHAPE)),
    ("applications", Shape::Arr(&APP_SHAPE)),
    ("password", Shape::Str),
    ("locked", Shape::Bool),
    ("comment", Shape::Str),
    ("name", Shape::ReadOnly),
    ("owner", Shape::ReadOnly),
    ("scope", Shape::ReadOnly),
    ("_links", Shape::ReadOnly),
]);

/// `PATCH /api/security/accounts/{owner.uuid}/{name}`: NetApp's `na_ontap_user` changes
/// passwords, the lock, the role and the applications this way (`patch_account`), and matches
/// a reused password by the start of ONTAP's message (`is_repeated_password`), which
/// [`check_policy`] gives. Everything is checked before anything changes.
pub fn patch(ctx: &Ctx, owner: &str, name: &str) -> ApiResult<Reply> {
    ctx.query.only(&["return_timeout", "return_records"])?;
    ctx.query.return_timeout(0)?;
    let req = ctx.json_body()?;
    body::check(&req, &PATCH_SHAPE, "")?;
    let mut state = ctx.app.lock();
    let (owner, idx) = managed_account(ctx, &state, owner, name)?;
    let role = role_in(&req, &owner)?;
    let applications = applications_in(&req)?;
    let password = body::str_at(&req, "password");
    if let Some(p) = &password {
        let policy = state.conditions.password_policy.clone();
        let account = &state.accounts[idx];
        check_policy(
            &policy,
            name,
            p,
            account.password.as_deref(),
            &account.previous_passwords,
        )?;
    }
    let account = &mut state.accounts[idx];
    if let Some(p) = password {
        set_password(account, p);
    }
    if let Some(r) = role {
        account.role = r;
    }
    if let Some(a) = applications {
        account.applications = a;
    }
    if let Some(l) = body::bool_at(&req, "locked") {
        account.locked = l;
    }
    if let Some(c) = body::str_at(&req, "comment") {
        account.comment = Some(c);
    }
    Ok(Reply::ok(json!({})))
}
