//! GET answers already written, kept for the next identical request while the state is
//! unchanged.
//!
//! A client paging through or polling a collection asks the same thing again and again; under
//! `wrk` (`scripts/bench/load.sh`) writing the same page again was, with its allocations, the
//! largest part of the emulator's own work that the request did not need (`benches/README.md`).
//!
//! An answer is kept under everything it depends on: the path and the decoded query, plain JSON
//! or HAL, the caller's scope (owner) and role, and the state's generation
//! ([`super::context::App::generation`]), which every change of the state moves on, whether a
//! request, a job's task or job retention made it. A handler caches only answers that depend on
//! nothing else (not the clock): today the iSCSI credential collection. Authentication, the log
//! line and every check before the handler still run for every request; only the writing of
//! the answer is skipped.

use std::sync::{Mutex, MutexGuard};

use axum::body::Bytes;

use super::context::Ctx;

/// At most this many answers are kept; more distinct requests at one generation start over.
/// A benchmark or a client's polling repeats one or two.
const CAPACITY: usize = 32;

/// The kept answers, all of one generation.
#[derive(Default)]
pub struct Rendered {
    kept: Mutex<Generation<Vec<(Key, Bytes)>>>,
    records: Mutex<Generation<Records>>,
}

/// The engine's records as a plain GET of one answers them (no query, HAL), by the path as sent
/// and then the caller's scope: a GET of each of a collection's records in turn repeats none of
/// them in a row, which the answers above (a few pages) do not cover. Bounded by [`RECORDS`].
/// Looked up by the path as a `&str`, so a hit allocates nothing.
type Records = std::collections::HashMap<String, Vec<(Option<String>, Bytes)>>;

/// At most this many records' paths are kept: more than a fresh cluster's records of any one
/// collection, few enough that the memory is a few MB.
const RECORDS: usize = 4096;

/// Answers rendered from one generation of the state.
#[derive(Default)]
struct Generation<A> {
    generation: u64,
    answers: A,
}

impl<A: Default> Generation<A> {
    /// The answers, if they were rendered at `generation`.
    fn at(&self, generation: u64) -> Option<&A> {
        (self.generation == generation).then_some(&self.answers)
    }

    /// Where to keep an answer rendered at `generation`: nowhere when the state has changed
    /// since (it is never to be served); emptied first when the answers are of an older
    /// generation, or `full`.
    fn keeping(&mut self, generation: u64, full: impl Fn(&A) -> bool) -> Option<&mut A> {
        if self.generation > generation {
            return None;
        }
        if self.generation < generation || full(&self.answers) {
            self.answers = A::default();
            self.generation = generation;
        }
        Some(&mut self.answers)
    }
}

/// What an answer depends on besides the generation.
#[derive(PartialEq)]
struct Key {
    path: &'static str,
    query: Vec<(String, String)>,
    plain: bool,
    owner: Option<String>,
    role: String,
}

impl Key {
    /// Whether this is the key of `ctx`'s request to `path`, compared without building a key.
    fn is(&self, path: &str, ctx: &Ctx) -> bool {
        self.path == path
            && self.plain == ctx.plain
            && self.owner == ctx.caller.owner
            && self.role == ctx.caller.role
            && self.query == ctx.query.pairs
    }
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

impl Rendered {
    /// The answer kept for `ctx`'s request to `path` at `generation`, if any.
    pub fn get(&self, generation: u64, path: &str, ctx: &Ctx) -> Option<Bytes> {
        lock(&self.kept)
            .at(generation)?
            .iter()
            .find(|(key, _)| key.is(path, ctx))
            .map(|(_, body)| body.clone())
    }

    /// Keeps `body`, the answer to `ctx`'s request to `path` rendered from the state at
    /// `generation` (read while the state was locked for rendering it).
    pub fn put(&self, generation: u64, path: &'static str, ctx: &Ctx, body: Bytes) {
        let mut kept = lock(&self.kept);
        let Some(answers) = kept.keeping(generation, |a| a.len() >= CAPACITY) else {
            return;
        };
        if answers.iter().any(|(key, _)| key.is(path, ctx)) {
            return;
        }
        answers.push((
            Key {
                path,
                query: ctx.query.pairs.clone(),
                plain: ctx.plain,
                owner: ctx.caller.owner.clone(),
                role: ctx.caller.role.clone(),
            },
            body,
        ));
    }

    /// The answer kept for a plain GET of the record at `path` (as sent) by a caller of scope
    /// `owner`, at `generation`.
    pub fn record(&self, generation: u64, owner: &Option<String>, path: &str) -> Option<Bytes> {
        lock(&self.records)
            .at(generation)?
            .get(path)?
            .iter()
            .find(|(o, _)| o == owner)
            .map(|(_, body)| body.clone())
    }

    /// Keeps the answer to a plain GET of the record at `path`, rendered at `generation`.
    pub fn put_record(&self, generation: u64, owner: &Option<String>, path: &str, body: Bytes) {
        let mut kept = lock(&self.records);
        let Some(answers) = kept.keeping(generation, |a| a.len() >= RECORDS) else {
            return;
        };
        let scopes = answers.entry(path.to_string()).or_default();
        if !scopes.iter().any(|(o, _)| o == owner) {
            scopes.push((owner.clone(), body));
        }
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use axum::http::StatusCode;
    use serde_json::{Value, json};

    use crate::context::App;
    use crate::testing::call;

    const CREDS: &str = "/api/protocols/san/iscsi/credentials";
    const ALL: &str = "/api/protocols/san/iscsi/credentials?fields=*";

    fn app() -> Arc<App> {
        crate::testing::app("9.14.1")
    }

    async fn get(app: &Arc<App>, uri: &str, headers: &[(&str, &str)]) -> Value {
        let (status, body) = call(app, "GET", uri, headers, None).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        body
    }

    fn initiators(page: &Value) -> Vec<String> {
        page["records"]
            .as_array()
            .expect("records")
            .iter()
            .map(|r| format!("{}/{}", r["svm"]["name"], r["initiator"]))
            .collect()
    }

    fn kept(app: &App) -> usize {
        super::lock(&app.rendered.kept).answers.len()
    }

    #[tokio::test]
    async fn a_repeated_get_is_kept_and_reads_change_nothing() {
        let app = app();
        let first = get(&app, ALL, &[]).await;
        let generation = app.generation();
        assert_eq!(kept(&app), 1);
        assert_eq!(get(&app, ALL, &[]).await, first);
        assert_eq!(kept(&app), 1, "the second answer was the kept one");
        get(&app, "/api/cluster", &[]).await;
        get(&app, "/api/svm/svms", &[]).await;
        assert_eq!(app.generation(), generation, "reads are no change");
    }

    #[tokio::test]
    async fn a_write_is_seen_by_the_next_get() {
        let app = app();
        let before = initiators(&get(&app, ALL, &[]).await);
        let iqn = "iqn.1995-08.com.example:kept";
        let post =
            json!({"svm": {"name": "svm1"}, "initiator": iqn, "authentication_type": "none"});
        let (status, body) = call(&app, "POST", CREDS, &[], Some(post)).await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
        let after = get(&app, ALL, &[]).await;
        assert_eq!(initiators(&after).len(), before.len() + 1);
        assert!(initiators(&after).contains(&format!("\"svm1\"/\"{iqn}\"")));

        let mine = after["records"]
            .as_array()
            .expect("records")
            .iter()
            .find(|r| r["initiator"] == iqn)
            .expect("the new credential");
        let path = mine["_links"]["self"]["href"].as_str().expect("its path");
        let patch = json!({"authentication_type": "deny"});
        let (status, body) = call(&app, "PATCH", path, &[], Some(patch)).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        let patched = get(&app, ALL, &[]).await;
        let mine = patched["records"]
            .as_array()
            .expect("records")
            .iter()
            .find(|r| r["initiator"] == iqn)
            .expect("the credential");
        assert_eq!(mine["authentication_type"], "deny");

        let (status, body) = call(&app, "DELETE", path, &[], None).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert_eq!(initiators(&get(&app, ALL, &[]).await), before);
    }

    #[tokio::test]
    async fn a_caller_of_another_scope_or_format_never_gets_anothers_answer() {
        let app = app();
        let all = get(&app, ALL, &[]).await;
        let svm1 = get(&app, ALL, &[("x-dot-svm-name", "svm1")]).await;
        assert!(initiators(&svm1).len() < initiators(&all).len());
        assert!(initiators(&svm1).iter().all(|i| i.starts_with("\"svm1\"/")));
        let plain = get(&app, ALL, &[("accept", "application/json")]).await;
        assert!(plain.get("_links").is_none() && plain["records"][0].get("_links").is_none());
        assert!(all["records"][0].get("_links").is_some());
        // The same three again, each its own answer.
        assert_eq!(get(&app, ALL, &[]).await, all);
        assert_eq!(get(&app, ALL, &[("x-dot-svm-name", "svm1")]).await, svm1);
        assert_eq!(
            get(&app, ALL, &[("accept", "application/json")]).await,
            plain
        );
        assert_eq!(kept(&app), 3);
        // Another page is another request.
        let one = get(&app, &format!("{ALL}&max_records=1"), &[]).await;
        assert_eq!(one["num_records"], 1);
    }

    #[tokio::test]
    async fn a_condition_and_a_finishing_job_move_the_generation_on() {
        let app = app();
        let all = initiators(&get(&app, ALL, &[]).await);
        let hide = json!({"svms_without_iscsi": ["svm1"], "job_step_ms": 1});
        let (status, body) = call(&app, "PATCH", "/emulator/conditions", &[], Some(hide)).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        let hidden = initiators(&get(&app, ALL, &[]).await);
        assert!(hidden.len() < all.len());
        assert!(hidden.iter().all(|i| !i.starts_with("\"svm1\"/")));

        let patch = json!({"fips.enabled": true});
        let (status, body) = call(&app, "PATCH", "/api/security", &[], Some(patch)).await;
        assert_eq!(status, StatusCode::ACCEPTED, "{body}");
        let job = body["job"]["_links"]["self"]["href"]
            .as_str()
            .expect("a job link")
            .to_string();
        let mut seen = app.generation();
        let mut moved = false;
        // The job's task changes the state as it goes; each change is a new generation.
        for _ in 0..2000 {
            let state = get(&app, &job, &[]).await["state"].clone();
            moved |= app.generation() > seen;
            seen = app.generation();
            if state == "success" || state == "failure" {
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(1)).await;
        }
        assert!(moved, "the job's progress moved the generation on");
        let fips = get(&app, "/api/security", &[]).await;
        assert_eq!(fips["fips"]["enabled"], true);
    }
}
