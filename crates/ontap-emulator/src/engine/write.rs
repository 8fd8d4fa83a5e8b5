//! The engine's POST, PATCH and DELETE: every one NetApp's file documents on a path the engine
//! serves, carried out on its records the same way for every resource.
//!
//! - POST to a collection creates a record ([`super::build`]); PATCH and DELETE of a record
//!   change or remove it (and every record nested under it); on a collection with a query they
//!   apply to the records the query selects ([`super::bulk`]).
//! - POST to an object the file lets a client DELETE (`/api/security/authentication/cluster/
//!   ldap`) creates it, 409 code 1 while one exists; POST to any other object
//!   (`/api/cluster/software/download`) sets the fields it gives that the object has.
//! - A path that documents writes and no GET is an action: its record must exist, its body is
//!   checked, and it answers the documented success having changed nothing the engine keeps
//!   (convention: what an action does is a behaviour's to say).
//! - The answer is the one the operation documents: 201 with `Location` (and with
//!   `return_records=true` the record, as a GET shows it); 200 with `{}`; or, where the file
//!   documents only 202, 202 with a job that carries the write out ([`crate::jobs`]).
//! - Query parameters: the ones the operation documents, `return_records` and
//!   `return_timeout`; on one record's path a field of the record is a matcher (404 code 4 when
//!   the record's value differs), as on a GET; anything else is 262179.
//! - A record the caller may not see (another SVM's) is 404 code 4, as on a GET; a resource of
//!   the cluster's is 403 for an SVM's administrator.

use std::sync::Arc;

use axum::http::{Method, StatusCode};
use serde_json::{Value, json};

use super::build::{Builder, kept};
use super::change::{self, Change};
use super::resources::{Resource, Write, Writes};
use super::serve::{parent_record, record_under, visible};
use super::store::{RecordId, href};
use super::validate::{self, Mode};
use super::{Found, Target, engine};
use crate::collection::filter_matches;
use crate::context::{Ctx, Reply};
use crate::error::{ApiError, ApiResult};
use crate::jobs;
use crate::state::{JobFailure, State};

/// Answers a POST, PATCH or DELETE of a path [`super::find`] found.
pub async fn write(ctx: &Ctx, found: &Found, method: &Method) -> ApiResult<Reply> {
    let eng = engine();
    if found.target == Target::Action {
        return action(ctx, found, method).await;
    }
    let res = &eng.resources.list[found.res];
    let on_path = pick(&res.writes, method);
    let on_record = pick(&res.record_writes, method);
    let w = match found.target {
        Target::Record => on_record,
        Target::Collection if *method != Method::POST => on_path.or(on_record),
        _ => on_path,
    }
    .ok_or_else(|| ApiError::method_not_allowed(method.as_str()))?;
    // NetApp's SVM doc: "SVM administrators cannot create, modify, or delete SVMs".
    if ctx.caller.owner.is_some() && (!eng.scoped[found.res] || eng.svms == Some(found.res)) {
        return Err(ApiError::forbidden());
    }
    match (found.target, method.as_str()) {
        (Target::Collection, "POST") => create(ctx, found, w).await,
        (Target::Object, "POST") if res.writes.delete.is_some() => create(ctx, found, w).await,
        (Target::Collection, _) => super::bulk::run(ctx, found, w, method).await,
        (_, "DELETE") => one(ctx, found, w, None).await,
        (_, "POST") => one(ctx, found, w, Some(Mode::Post)).await,
        _ => one(ctx, found, w, Some(Mode::Patch)).await,
    }
}

pub(super) fn pick(writes: &Writes, method: &Method) -> Option<Write> {
    match method.as_str() {
        "POST" => writes.post,
        "PATCH" => writes.patch,
        "DELETE" => writes.delete,
        _ => None,
    }
}

/// The request's body, checked against the operation's request schema for `mode`.
pub(super) fn body(ctx: &Ctx, w: Write, mode: Mode) -> ApiResult<Value> {
    let mut body = ctx.json_body()?;
    match engine().doc.request_schema(w.op) {
        Some(schema) => validate::check(engine().doc, schema, &mut body, mode)?,
        None => validate::empty(&body)?,
    }
    Ok(body)
}

/// Refuses a query parameter the operation does not take; on one record, a field of it is a
/// matcher of `record`.
fn check_query(ctx: &Ctx, w: Write, res: Option<(usize, &Value)>) -> ApiResult<()> {
    let documented: Vec<&str> = w.query().collect();
    for (k, v) in &ctx.query.pairs {
        if matches!(k.as_str(), "return_records" | "return_timeout") || documented.contains(&&**k) {
            continue;
        }
        match res {
            Some((id, record)) if engine().fields[id].known.contains(k) => {
                if !filter_matches(record, k, v) {
                    return Err(ApiError::entry_missing(k));
                }
            }
            _ => return Err(ApiError::unexpected_argument(k)),
        }
    }
    Ok(())
}

/// POST: a new record (or object).
async fn create(ctx: &Ctx, found: &Found, w: Write) -> ApiResult<Reply> {
    check_query(ctx, w, None)?;
    let return_records = ctx.query.bool_param("return_records", false)?;
    let timeout = ctx.query.return_timeout(0)?;
    let given = body(ctx, w, Mode::Post)?;
    let (done, location, views) = insert(ctx, found, w, given)?;
    let status = match done {
        Done::Now(status) => status,
        Done::Job(uuid) => return job_answer(ctx, &uuid, timeout, location).await,
    };
    // With `return_records=true` the records made, as a collection answers them, whether or
    // not the operation documents an answer's schema: NetApp's file, "If set to true, the
    // records are returned" (`return_records_update_param`), in the shape its documented POST
    // answers have (`export_rule_response`: `num_records`, `records`); observed through
    // NetApp's own client, `na_ontap_interface` reads `records[0].uuid` of its POST's answer,
    // whose 9.8 operation documents no schema for it.
    let answer = if return_records {
        json!({"num_records": views.len(), "records": views})
    } else {
        json!({})
    };
    Ok(Reply {
        status,
        body: answer.into(),
        location,
    })
}

/// The records a POST makes, inserted (or their job started), with the path of the one made
/// (not of several) and their bodies.
fn insert(
    ctx: &Ctx,
    found: &Found,
    w: Write,
    given: Value,
) -> ApiResult<(Done, Option<String>, Vec<Value>)> {
    let eng = engine();
    let res = &eng.resources.list[found.res];
    let mut state = ctx.app.lock();
    let records = {
        let store = &state.engine;
        let parent = parent_record(store, res, &found.params, &ctx.caller)?;
        let parent = res
            .parent
            .zip(parent)
            .and_then(|(p, id)| store.by_id(p, id));
        let builder = Builder {
            engine: eng,
            res: found.res,
            store,
            parent,
            caller: &ctx.caller,
        };
        let referents = referents(&state, w, found.res);
        let call = super::behaviours::Call::of(&state, &ctx.query, "POST");
        let mut records = Vec::new();
        for mut one in several(w, given) {
            if let Some(schema) = eng.doc.request_schema(w.op) {
                referents.resolve(schema, &mut one)?;
            }
            super::behaviours::given(&call, found.res, &mut one)?;
            records.push(builder.record(one, &found.params)?);
        }
        records
    };
    let location = match &records[..] {
        [one] => href(res, &one.params).filter(|_| res.instance.is_some()),
        _ => None,
    };
    let views = records.iter().map(|r| r.body.clone()).collect();
    let changes = records
        .into_iter()
        .map(|record| Change::Insert {
            res: found.res,
            record,
        })
        .collect();
    let description = format!("POST {}", res.template);
    let done = finish(ctx, &mut state, w, changes, description)?;
    Ok((done, location, views))
}

/// The bodies of the records a POST makes: where its schema has `records` and the body gives
/// them, one per item (the rest of the body under each), as NetApp documents for the three
/// POSTs that take it (igroup initiators, NVMe subsystem hosts, key servers: "An array of
/// initiators specified to add multiple initiators to an initiator group in a single API
/// call", 9.8 file); else the body itself.
fn several(w: Write, mut given: Value) -> Vec<Value> {
    let takes = engine()
        .doc
        .request_schema(w.op)
        .is_some_and(|s| engine().doc.property(s, "records").is_some());
    let items = match given
        .as_object_mut()
        .and_then(|m| m.shift_remove("records"))
    {
        Some(Value::Array(items)) if takes && !items.is_empty() => items,
        Some(other) => {
            given["records"] = other;
            return vec![given];
        }
        None => return vec![given],
    };
    items
        .into_iter()
        .map(|item| {
            let mut one = given.clone();
            super::change::merge(&mut one, item);
            one
        })
        .collect()
}

/// PATCH (or an object's POST, in `mode`) or DELETE (`mode` None) of one record or object.
async fn one(ctx: &Ctx, found: &Found, w: Write, mode: Option<Mode>) -> ApiResult<Reply> {
    ctx.query.bool_param("return_records", false)?;
    let timeout = ctx.query.return_timeout(0)?;
    let given = body(ctx, w, mode.unwrap_or(Mode::Patch))?;
    match change_one(ctx, found, w, mode, given)? {
        Done::Now(status) => Ok(Reply::with_status(status, json!({}))),
        Done::Job(uuid) => job_answer(ctx, &uuid, timeout, None).await,
    }
}

/// The change of [`one`], carried out (or its job started).
fn change_one(
    ctx: &Ctx,
    found: &Found,
    w: Write,
    mode: Option<Mode>,
    given: Value,
) -> ApiResult<Done> {
    let eng = engine();
    let res = &eng.resources.list[found.res];
    let mut state = ctx.app.lock();
    let id = locate(&state, found, res, ctx)?;
    let record = state.engine.by_id(found.res, id).map(|r| r.body.clone());
    check_query(ctx, w, record.as_ref().map(|r| (found.res, r)))?;
    let change = match mode {
        None => Change::Remove { res: found.res, id },
        Some(_) => Change::Patch {
            res: found.res,
            id,
            patch: patch_of(ctx, &state, w, found.res, given)?,
        },
    };
    let method = if mode.is_some() { "PATCH" } else { "DELETE" };
    let template = match (found.target, &res.instance) {
        (Target::Record, Some(i)) => &i.template,
        _ => &res.template,
    };
    let description = format!("{method} {template}");
    finish(ctx, &mut state, w, vec![change], description)
}

/// What a PATCH's checked body changes: its references resolved, the fields the record keeps
/// (not the `writeOnly` ones); an SVM's administrator may not move a record to another SVM.
pub(super) fn patch_of(
    ctx: &Ctx,
    state: &State,
    w: Write,
    res: usize,
    mut given: Value,
) -> ApiResult<Value> {
    if let Some(schema) = engine().doc.request_schema(w.op) {
        referents(state, w, res).resolve(schema, &mut given)?;
    }
    if let (Some(own), Some(u)) = (
        &ctx.caller.owner,
        given.pointer("/svm/uuid").and_then(Value::as_str),
    ) && !u.eq_ignore_ascii_case(own)
    {
        return Err(ApiError::forbidden());
    }
    Ok(kept(engine(), engine().resources.list[res].record, given))
}

/// The id of the record (or object) at the path, if the caller may see it (404 code 4).
fn locate(state: &State, found: &Found, res: &Resource, ctx: &Ctx) -> ApiResult<RecordId> {
    let store = &state.engine;
    let id = match found.target {
        Target::Record => {
            let params: Vec<&str> = found.params.iter().map(String::as_str).collect();
            store
                .find(found.res, &params)
                .map(|i| &store.records[found.res][i])
                .filter(|r| visible(&ctx.caller, r))
                .map(|r| r.id)
        }
        _ => {
            // A free parameter that names a record (`{volume.uuid}` of a SnapLock file's path)
            // must name one, as for a GET: a key that names nothing is 404 code 4.
            super::serve::free_values(store, res, &found.params)?;
            let parent = parent_record(store, res, &found.params, &ctx.caller)?;
            store
                .under(found.res, parent)
                .find(|r| visible(&ctx.caller, r))
                .map(|r| r.id)
        }
    };
    id.ok_or_else(|| change::missing(engine(), found.res))
}

pub(super) fn referents<'a>(state: &'a State, w: Write, res: usize) -> super::refs::Referents<'a> {
    super::refs::Referents {
        engine: engine(),
        store: &state.engine,
        op: w.op,
        res,
    }
}

/// How a write was carried out.
pub(super) enum Done {
    /// Now: the status to answer.
    Now(StatusCode),
    /// By the job with this uuid ([`job_answer`], once the state is unlocked).
    Job(String),
}

/// Carries out `changes` now, answering the documented status; or, where the operation
/// documents only 202, starts the job that will.
pub(super) fn finish(
    ctx: &Ctx,
    state: &mut State,
    w: Write,
    changes: Vec<Change>,
    description: String,
) -> ApiResult<Done> {
    let mut changes = changes;
    super::behaviours::run(
        &super::behaviours::Call::of(state, &ctx.query, w.method()),
        &mut changes,
    )?;
    // The hand-written routes' records of each SVM follow the SVMs (`State::follow_svms`).
    let svms = changes.iter().any(|c| engine().svms == Some(c.res()));
    let success = w.op.success().unwrap_or(200);
    if success == 202 {
        for change in &changes {
            change::check(engine(), &state.engine, change)?;
        }
        let failure = state.conditions.job_failure.clone();
        let work: jobs::Work = Box::new(move |state| {
            let store = Arc::make_mut(&mut state.engine);
            for change in changes {
                change::apply(engine(), store, change).map_err(|e| JobFailure {
                    code: e.code,
                    message: e.message,
                })?;
            }
            if svms {
                state.follow_svms();
            }
            Ok(())
        });
        let uuid = jobs::start(&ctx.app, state, description, failure, work);
        return Ok(Done::Job(uuid));
    }
    let store = Arc::make_mut(&mut state.engine);
    for change in changes {
        change::apply(engine(), store, change)?;
    }
    if svms {
        state.follow_svms();
    }
    Ok(Done::Now(
        StatusCode::from_u16(success).unwrap_or(StatusCode::OK),
    ))
}

/// The answer to a write a job carries out.
pub(super) async fn job_answer(
    ctx: &Ctx,
    uuid: &str,
    timeout: u64,
    location: Option<String>,
) -> ApiResult<Reply> {
    jobs::answer(ctx, uuid, timeout, job_error, location).await
}

/// A failed job's error as the answer to a request that waited for it: its code with the
/// status the code has ([`crate::error`]'s rule).
fn job_error(f: JobFailure) -> ApiError {
    let status = match f.code.as_str() {
        crate::error::DUPLICATE_ENTRY => StatusCode::CONFLICT,
        crate::error::ENTRY_DOES_NOT_EXIST => StatusCode::NOT_FOUND,
        _ => StatusCode::BAD_REQUEST,
    };
    ApiError::new(status, &f.code, f.message)
}

/// A write on a path that documents no GET (see the module's doc).
async fn action(ctx: &Ctx, found: &Found, method: &Method) -> ApiResult<Reply> {
    let eng = engine();
    let act = &eng.resources.actions[found.res];
    let w =
        pick(&act.writes, method).ok_or_else(|| ApiError::method_not_allowed(method.as_str()))?;
    let scoped = act.parent.is_some_and(|p| eng.scoped[p]);
    if ctx.caller.owner.is_some() && !scoped {
        return Err(ApiError::forbidden());
    }
    check_query(ctx, w, None)?;
    ctx.query.bool_param("return_records", false)?;
    let timeout = ctx.query.return_timeout(0)?;
    let mode = if *method == Method::POST {
        Mode::Post
    } else {
        Mode::Patch
    };
    body(ctx, w, mode)?;
    let uuid = {
        let mut state = ctx.app.lock();
        record_under(
            &state.engine,
            (act.parent, act.parent_params),
            &act.template,
            &found.params,
            &ctx.caller,
        )?;
        let success = w.op.success().unwrap_or(200);
        if success != 202 {
            let status = StatusCode::from_u16(success).unwrap_or(StatusCode::OK);
            return Ok(Reply::with_status(status, json!({})));
        }
        let failure = state.conditions.job_failure.clone();
        let description = format!("{method} {}", act.template);
        let nothing: jobs::Work = Box::new(|_| Ok(()));
        jobs::start(&ctx.app, &mut state, description, failure, nothing)
    };
    job_answer(ctx, &uuid, timeout, None).await
}

#[cfg(test)]
mod tests {
    use axum::http::StatusCode;
    use serde_json::json;

    use crate::testing::{app, call};

    /// `na_ontap_interface` reads `records[0].uuid` of its POST's answer; 9.8 documents no
    /// schema for that answer.
    #[tokio::test]
    async fn a_post_with_return_records_answers_the_records_made() {
        let app = app("9.8.0");
        let lif = json!({"name": "lif9", "svm": {"name": "svm1"},
            "ip": {"address": "10.1.1.9", "netmask": "24"},
            "location": {"home_port": {"name": "e0c", "node": {"name": "cluster1-01"}}}});
        let uri = "/api/network/ip/interfaces?return_records=true";
        let (status, body) = call(&app, "POST", uri, &[], Some(lif.clone())).await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
        assert_eq!(body["num_records"], 1, "{body}");
        assert_eq!(body["records"][0]["name"], "lif9");
        assert!(body["records"][0]["uuid"].is_string());
        let mut again = lif;
        again["name"] = json!("lif10");
        again["ip"]["address"] = json!("10.1.1.10");
        let uri = "/api/network/ip/interfaces";
        let (status, body) = call(&app, "POST", uri, &[], Some(again)).await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
        assert_eq!(body, json!({}));
    }
}
