//! ONTAP's REST conventions that hold on every path, applied by the server around the route
//! table's handlers so that no handler has to know them: SVM tunnelling, field matchers on an
//! instance path, PATCH and DELETE on a collection with a query, the plain-JSON answer for
//! `Accept: application/json`, and the deletion of finished jobs after their retention time.
//!
//! Sources: NetApp's "Input variables controlling an API request" (Accept, HEAD/OPTIONS,
//! `null` filters, default page), "Object references and access" (collection PATCH/DELETE),
//! and NetApp's own clients: the Ansible collection's `netapp.py` `build_headers` (tunnelling)
//! and `na_ontap_user.py` (a query on an account's instance path), py `resources/job.py` (jobs
//! deleted 300 s after they finish).

use axum::http::{HeaderMap, Method, StatusCode, header};
use serde_json::{Map, Value, json};

use super::collection::{Query, RESERVED, filter_matches};
use super::context::{App, Caller, Ctx, Reply};
use super::error::{ApiError, ApiResult, INTERNAL_ERROR, INVALID_FIELD};
use super::routes::{self, Params, Route};
use super::state::Job;

/// The headers a cluster account sends to run a request in an SVM's context.
const SVM_NAME_HEADER: &str = "x-dot-svm-name";
const SVM_UUID_HEADER: &str = "x-dot-svm-uuid";

/// Parameters of a collection PATCH/DELETE that choose how it runs, not which records.
const BULK_PARAMS: &[&str] = &["continue_on_failure", "serial_records"];

/// The caller as the request runs: a cluster account naming an SVM in `X-Dot-SVM-Name` or
/// `X-Dot-SVM-UUID` acts as that SVM's administrator (`vsadmin`, or `vsadmin-readonly` for a
/// read-only account), so it sees and changes only that SVM's records. An SVM account may
/// name only its own SVM (403 otherwise); an SVM that does not exist, or a name and uuid of
/// two different SVMs, is 400 code 2 naming the header (the code is this project's
/// convention: no capture of ONTAP's answer is known).
pub fn tunnel(app: &App, mut caller: Caller, headers: &HeaderMap) -> ApiResult<Caller> {
    let read = |name: &str| {
        headers
            .get(name)
            .map(|v| v.to_str().map(str::trim).unwrap_or(""))
    };
    let (name, uuid) = (read(SVM_NAME_HEADER), read(SVM_UUID_HEADER));
    if name.is_none() && uuid.is_none() {
        return Ok(caller);
    }
    let state = app.lock();
    let svm = state.svms().into_iter().find(|s| {
        uuid.is_none_or(|u| s.uuid.eq_ignore_ascii_case(u)) && name.is_none_or(|n| s.name == n)
    });
    let Some(svm) = svm else {
        let (header, value) = match uuid {
            Some(u) => ("X-Dot-SVM-UUID", u),
            None => ("X-Dot-SVM-Name", name.unwrap_or("")),
        };
        return Err(ApiError::bad_request(
            INVALID_FIELD,
            format!("SVM \"{value}\" named in {header} does not exist."),
        )
        .target(header));
    };
    match &caller.owner {
        Some(own) if *own == svm.uuid => {}
        Some(_) => return Err(ApiError::forbidden()),
        None => {
            caller.role = if caller.is_readonly() {
                "vsadmin-readonly".into()
            } else {
                "vsadmin".into()
            };
            caller.owner = Some(svm.uuid.clone());
        }
    }
    Ok(caller)
}

/// A request like `ctx`'s with another query and body, for running a handler on the caller's
/// behalf.
fn sub_ctx(ctx: &Ctx, pairs: Vec<(String, String)>, reading: bool, body: bool) -> Ctx {
    Ctx {
        app: ctx.app.clone(),
        query: Query { pairs, reading },
        body: if body {
            ctx.body.clone()
        } else {
            Default::default()
        },
        caller: ctx.caller.clone(),
        // The answer is read as a tree, links included (a collection's records name their
        // paths), never sent.
        plain: false,
    }
}

/// A field named as a query parameter on one record's path (an instance, or a singleton such
/// as `/api/cluster`) is a matcher, as on ONTAP (NetApp's
/// user module sends `?name=…&owner.uuid=…` with the PATCH of an account): when the record
/// has the field and the value matches (with the collection filters' syntax) the request goes
/// on without it; when not, it is 404 code 4 naming the field. A parameter that names no field
/// of the record, or that the route's handlers read themselves, is left for the handler (an
/// unknown one is still 262179).
pub async fn apply_matchers(ctx: &mut Ctx, route: &Route, params: &Params<'_>) -> ApiResult<()> {
    let candidates: Vec<(String, String)> = ctx
        .query
        .pairs
        .iter()
        .filter(|(k, _)| {
            let k = k.as_str();
            !(RESERVED.contains(&k) || route.own_params.contains(&k) || route.options.contains(&k))
        })
        .cloned()
        .collect();
    if candidates.is_empty() {
        return Ok(());
    }
    let Some(get) = route.handler(&Method::GET) else {
        return Ok(());
    };
    let record = get
        .call(&sub_ctx(ctx, Vec::new(), true, false), params)
        .await?
        .body
        .into_value();
    let mut matched = Vec::new();
    for (k, v) in candidates {
        let top = k.split('.').next().unwrap_or("");
        if record.get(top).is_none() {
            continue;
        }
        if !filter_matches(&record, &k, &v) {
            return Err(ApiError::entry_missing(&k));
        }
        matched.push(k);
    }
    ctx.query.pairs.retain(|(k, _)| !matched.contains(k));
    Ok(())
}

/// PATCH or DELETE on a collection: the records a collection GET with the same filters finds
/// (one page, [`super::collection::DEFAULT_PAGE`] at most), each changed by the instance
/// handler with the request's body and the instance route's options, in order; the first failure is the answer (ONTAP's
/// `continue_on_failure` default is false). Success is 200 with `num_records`, and the
/// records' keys when `return_records=true`. A query with no filter is refused (400 code 2),
/// so that a bare `DELETE /api/security/accounts` never empties a collection.
pub async fn on_collection(ctx: &Ctx, route: &Route, method: &Method) -> ApiResult<Reply> {
    let options = route.instance(method).map_or(&[][..], |r| r.options);
    let (passed, filters): (Vec<_>, Vec<_>) = ctx
        .query
        .pairs
        .iter()
        .filter(|(k, _)| !RESERVED.contains(&k.as_str()) && !BULK_PARAMS.contains(&k.as_str()))
        .cloned()
        .partition(|(k, _)| options.contains(&k.as_str()));
    if filters.is_empty() {
        return Err(ApiError::bad_request(
            INVALID_FIELD,
            format!("A {method} on a collection needs a query that selects the records."),
        ));
    }
    let return_records = ctx.query.bool_param("return_records", false)?;
    ctx.query.return_timeout(0)?;
    let get = route
        .handler(&Method::GET)
        .ok_or_else(|| ApiError::entry_missing("path"))?;
    let page = get
        .call(&sub_ctx(ctx, filters, true, false), &routes::no_params())
        .await?
        .body
        .into_value();
    let records = page["records"].as_array().cloned().unwrap_or_default();
    let mut done = Vec::new();
    for record in records {
        // Each record names its own path; one that does not (or names another route) would be
        // left out of the count silently, so it is the emulator's error instead.
        let href = record["_links"]["self"]["href"].as_str().unwrap_or("");
        let segs = routes::segments(href);
        let segs: Vec<&str> = segs.iter().map(AsRef::as_ref).collect();
        let Some((handler, params)) = routes::find(&segs)
            .and_then(|(instance, params)| instance.handler(method).map(|h| (h, params)))
        else {
            return Err(ApiError::new(
                StatusCode::INTERNAL_SERVER_ERROR,
                INTERNAL_ERROR,
                format!("The record at \"{href}\" has no {method} in the emulator's route table."),
            ));
        };
        handler
            .call(&sub_ctx(ctx, passed.clone(), false, true), &params)
            .await?;
        let mut keys = record;
        if let Some(obj) = keys.as_object_mut() {
            obj.remove("_links");
        }
        done.push(keys);
    }
    let mut answer = json!({ "num_records": done.len() });
    if return_records {
        answer["records"] = Value::Array(done);
    }
    Ok(Reply::ok(answer))
}

/// Whether the client asked for plain JSON: an `Accept` that names `application/json` and not
/// `application/hal+json`.
pub fn wants_plain_json(headers: &HeaderMap) -> bool {
    let Some(accept) = headers.get(header::ACCEPT).and_then(|v| v.to_str().ok()) else {
        return false;
    };
    let names = |wanted: &str| {
        accept.split(',').any(|t| {
            t.split(';')
                .next()
                .unwrap_or("")
                .trim()
                .eq_ignore_ascii_case(wanted)
        })
    };
    names("application/json") && !names("application/hal+json")
}

/// The plain-JSON form of an answer: no HAL `_links` anywhere except the answer's own `next`
/// ("Input variables controlling an API request": with `application/json` "the HAL links are
/// not returned except the `next` link").
///
/// A job link is kept too: NetApp's Ansible collection asks with `Accept: application/json` by
/// default and follows `job._links.self.href` to wait for a job (`netapp.py`, `wait_on_job`),
/// so a cluster that dropped it would break a documented feature of NetApp's own client (an
/// inference from the client's code: no capture shows it).
pub fn drop_links(body: &mut Value) {
    let next = body.get("_links").and_then(|l| l.get("next")).cloned();
    let job_links = body.pointer("/job/_links").cloned();
    strip(body);
    if let (Some(next), Some(obj)) = (next, body.as_object_mut()) {
        let mut links = Map::new();
        links.insert("next".into(), next);
        obj.insert("_links".into(), Value::Object(links));
    }
    if let (Some(links), Some(job)) = (
        job_links,
        body.get_mut("job").and_then(Value::as_object_mut),
    ) {
        job.insert("_links".into(), links);
    }
}

fn strip(v: &mut Value) {
    match v {
        Value::Object(map) => {
            map.remove("_links");
            map.values_mut().for_each(strip);
        }
        Value::Array(items) => items.iter_mut().for_each(strip),
        _ => {}
    }
}

/// Deletes the jobs that finished more than `job_retention_s` seconds ago (ONTAP's 300 s by
/// default). A job's `end_time` has whole seconds, so a job goes within a second after its
/// retention time, never before it.
pub fn expire_jobs(app: &App) {
    let seen = app.generation();
    if app.no_jobs_at.load(std::sync::atomic::Ordering::Acquire) == seen {
        return;
    }
    let state = app.lock();
    if state.jobs.is_empty() {
        // Read at `seen` or later; a job added since moved the generation past `seen`.
        app.no_jobs_at
            .store(seen, std::sync::atomic::Ordering::Release);
        return;
    }
    let keep_ms = (state.conditions.job_retention_s.min(1 << 40) as i64 + 1) * 1000;
    let now = chrono::Local::now();
    let expired = |job: &Job| {
        job.state.finished()
            && job
                .end_time
                .as_deref()
                .and_then(|e| chrono::DateTime::parse_from_rfc3339(e).ok())
                .is_some_and(|end| (now.fixed_offset() - end).num_milliseconds() >= keep_ms)
    };
    // Looked at first, changed only when a job is due: a change moves the state's generation
    // on, which would drop every kept answer ([`super::rendered`]) on every request.
    if !state.jobs.values().any(expired) {
        return;
    }
    let mut state = state;
    state.jobs.retain(|_, job| !expired(job));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_json_keeps_only_the_next_link() {
        let mut body = json!({
            "records": [{"name": "a", "svm": {"name": "s", "_links": {"self": {}}}, "_links": {}}],
            "_links": {"self": {"href": "/x"}, "next": {"href": "/x?start=1"}},
        });
        drop_links(&mut body);
        assert_eq!(
            body,
            json!({
                "records": [{"name": "a", "svm": {"name": "s"}}],
                "_links": {"next": {"href": "/x?start=1"}},
            })
        );
        let mut one = json!({"name": "c", "_links": {"self": {"href": "/c"}}});
        drop_links(&mut one);
        assert_eq!(one, json!({"name": "c"}));
    }

    #[test]
    fn accept_names_plain_json_only_without_hal() {
        let with = |v: &'static str| {
            let mut h = HeaderMap::new();
            h.insert(header::ACCEPT, axum::http::HeaderValue::from_static(v));
            wants_plain_json(&h)
        };
        assert!(with("application/json"));
        assert!(with("text/plain, application/json;q=0.9"));
        assert!(!with("application/hal+json"));
        assert!(!with("application/hal+json, application/json"));
        assert!(!wants_plain_json(&HeaderMap::new()));
    }
}
