//! PATCH and DELETE on a collection with a query (NetApp's "Object references and access"): the
//! change applied to every record the query selects, as the route table's collections do
//! ([`crate::conventions::on_collection`]):
//!
//! - the query's fields select the records, with the collection filters' syntax; a name that is
//!   no field is 262179, as on a GET; a query that selects nothing is refused (400 code 2), so a
//!   bare `DELETE /api/storage/volumes` never empties a collection;
//! - the operation's own parameters (`allow_delete_while_mapped`), `continue_on_failure`,
//!   `serial_records`, `return_timeout` and `return_records` shape the call, they select nothing;
//! - the records are changed in order, and the first failure is the answer (ONTAP's
//!   `continue_on_failure` is false by default); success is 200 with `num_records`, and the
//!   records' keys with `return_records=true`; where the operation documents only 202, one job
//!   changes them all.

use axum::http::Method;
use serde_json::{Value, json};

use super::change::Change;
use super::resources::Write;
use super::serve::{parent_record, visible};
use super::validate::Mode;
use super::write::{Done, body, finish, job_answer, patch_of};
use super::{Found, engine};
use crate::collection::{RESERVED, filter_matches};
use crate::context::{Ctx, Reply};
use crate::error::{ApiError, ApiResult, INVALID_FIELD};

/// Parameters of a collection PATCH/DELETE that choose how it runs, not which records.
const BULK_PARAMS: &[&str] = &["continue_on_failure", "serial_records"];

pub async fn run(ctx: &Ctx, found: &Found, w: Write, method: &Method) -> ApiResult<Reply> {
    let eng = engine();
    let fields = &eng.fields[found.res];
    let documented: Vec<&str> = w.query().collect();
    let mut filters = Vec::new();
    for (k, v) in &ctx.query.pairs {
        let known = fields.known.contains(k);
        if RESERVED.contains(&k.as_str())
            || BULK_PARAMS.contains(&k.as_str())
            || (documented.contains(&k.as_str()) && !known)
        {
            continue;
        }
        if !known {
            return Err(ApiError::unexpected_argument(k));
        }
        filters.push((k.clone(), v.clone()));
    }
    if filters.is_empty() {
        return Err(ApiError::bad_request(
            INVALID_FIELD,
            format!("A {method} on a collection needs a query that selects the records."),
        ));
    }
    let return_records = ctx.query.bool_param("return_records", false)?;
    let timeout = ctx.query.return_timeout(0)?;
    let given = body(ctx, w, Mode::Patch)?;
    match change_all(ctx, found, w, method, &filters, given)? {
        (Done::Job(uuid), _) => job_answer(ctx, &uuid, timeout, None).await,
        (Done::Now(status), chosen) => {
            let mut answer = json!({ "num_records": chosen.len() });
            if return_records {
                answer["records"] = Value::Array(chosen);
            }
            Ok(Reply::with_status(status, answer))
        }
    }
}

/// The change of [`run`] on every record the filters select, carried out (or its job
/// started), with the records' keys.
fn change_all(
    ctx: &Ctx,
    found: &Found,
    w: Write,
    method: &Method,
    filters: &[(String, String)],
    given: Value,
) -> ApiResult<(Done, Vec<Value>)> {
    let eng = engine();
    let res = &eng.resources.list[found.res];
    let fields = &eng.fields[found.res];
    let deleting = *method == Method::DELETE;
    let mut state = ctx.app.lock();
    let store = &state.engine;
    let parent = parent_record(store, res, &found.params, &ctx.caller)?;
    let chosen: Vec<(u64, Value)> = store
        .under(found.res, parent)
        .filter(|r| visible(&ctx.caller, r))
        .filter(|r| filters.iter().all(|(k, v)| filter_matches(&r.body, k, v)))
        .map(|r| (r.id, keys(&r.body, &fields.defaults)))
        .collect();
    let patch = match deleting {
        true => Value::Null,
        false => patch_of(ctx, &state, w, found.res, given)?,
    };
    let changes = chosen
        .iter()
        .map(|(id, _)| match deleting {
            true => Change::Remove {
                res: found.res,
                id: *id,
            },
            false => Change::Patch {
                res: found.res,
                id: *id,
                patch: patch.clone(),
            },
        })
        .collect();
    let description = format!("{method} {}", res.template);
    let done = finish(ctx, &mut state, w, changes, description)?;
    Ok((done, chosen.into_iter().map(|(_, k)| k).collect()))
}

/// A record's keys and name, as a collection GET without `fields` answers it.
fn keys(body: &Value, defaults: &[String]) -> Value {
    let mut out = serde_json::Map::new();
    for f in defaults.iter().map(String::as_str).chain(["_links"]) {
        if let Some(v) = body.get(f) {
            out.insert(f.to_string(), v.clone());
        }
    }
    Value::Object(out)
}
