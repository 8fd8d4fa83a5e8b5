//! The spec-driven engine: every operation of NetApp's definition (the imported layer, ONTAP 9.8)
//! on a path no hand-written route serves, answered from a seeded cluster with ONTAP's
//! conventions: its GETs, and the POST, PATCH and DELETE the definition documents.
//!
//! The route table ([`super::routes`]) keeps priority: the server asks the engine only for a
//! path the table does not know. The engine's dispatch is data: the document's paths, read into
//! resources ([`resources`]), whose records are seeded from their schemas ([`seed`]) into the
//! cluster's state ([`store`]), read by one handler ([`serve`]) and written by another
//! ([`write`]): a body checked against the request schema and NetApp's access markers
//! ([`validate`]), its references resolved ([`refs`]), a new record filled as ONTAP fills one
//! ([`build`]), the change carried out under the state's lock or by a job where only 202 is
//! documented ([`change`], [`crate::jobs`]), on one record or on those a query selects
//! ([`bulk`]).
//!
//! Built once per process, when the first emulator starts (the document is read, the
//! resources found, the records made); each emulator's state starts from a shared copy of the
//! seeded records, copied once when it first changes.
//!
//! ONTAP's own rules per resource are [`behaviours`], run on every write before it is carried
//! out; the records a fresh cluster shows by name are [`fresh`]'s. Not yet: an action (a path
//! with writes and no GET) changes nothing the engine keeps.

mod behaviours;
mod build;
mod bulk;
mod change;
mod cli;
mod document;
mod fields;
mod fresh;
mod later;
mod members;
mod refs;
mod resources;
mod seed;
mod serve;
mod store;
mod validate;
mod values;
mod write;

use std::sync::{Arc, LazyLock};

use axum::http::HeaderValue;

pub use cli::{Ports, broadcast_domain_ports};
pub use fresh::load_state;
pub use serve::get;
pub use store::Store;
pub use write::write;

use document::Document;
use fields::Fields;
use resources::{ResId, Resources, Shape, same_shape};

/// What a path names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Target {
    /// A collection: its records.
    Collection,
    /// One record of a collection, by its keys.
    Record,
    /// A singleton, or an object under a parent record.
    Object,
    /// A path with writes and no GET ([`Found::res`] is then an index of the actions).
    Action,
}

/// A path the engine serves, with its parameters' values.
pub struct Found {
    pub res: ResId,
    pub target: Target,
    /// The decoded values of the path's parameters, in order.
    pub params: Vec<String>,
}

/// One path template and what it names.
struct Route {
    segments: Vec<String>,
    res: ResId,
    target: Target,
}

/// The engine, built once.
pub struct Engine {
    doc: &'static Document,
    resources: Resources,
    fields: Vec<Fields>,
    /// Whether a resource's records belong to SVMs (its records or a parent's have an `svm`);
    /// the others are the cluster's, which an SVM's administrator may not read.
    scoped: Vec<bool>,
    routes: Vec<Route>,
    /// The routes by their third segment ([`route_head`]); the few with a parameter in their
    /// first three are in `loose`. A GET matched every
    /// route in turn, a twentieth of the emulator's own work per request under `wrk`.
    by_head: std::collections::HashMap<Box<str>, Vec<usize>>,
    loose: Vec<usize>,
    seeded: Arc<Store>,
    /// The SVMs' collection ([`SVM_COLLECTION`]): the emulator's one list of SVMs, which the
    /// hand-written routes read through [`svm_records`].
    svms: Option<ResId>,
}

/// The SVMs' collection. The engine keeps the SVMs (not the route table): their POST, PATCH
/// and DELETE are jobs with validation, references and nested records like every other
/// resource's, so one source of truth serves both the engine's references and the
/// hand-written routes (iSCSI, NDMP, accounts).
pub const SVM_COLLECTION: &str = "/api/svm/svms";

/// The cluster's singleton, whose `version` is the emulator's configuration ([`crate::cluster`]).
pub const CLUSTER: &str = "/api/cluster";

static DOCUMENT: LazyLock<Document> = LazyLock::new(Document::builtin);

static ENGINE: LazyLock<Engine> = LazyLock::new(|| {
    let started = std::time::Instant::now();
    Engine::build(&DOCUMENT, started)
});

fn engine() -> &'static Engine {
    &ENGINE
}

impl Engine {
    /// `started`: when the build began, the document's reading included, for the log line that
    /// says what a start pays for the engine.
    fn build(doc: &'static Document, started: std::time::Instant) -> Engine {
        let resources = Resources::of(doc, super::routes::serves_get, super::routes::serves);
        let fields: Vec<Fields> = resources.list.iter().map(|r| Fields::of(doc, r)).collect();
        let mut scoped: Vec<bool> = Vec::with_capacity(resources.list.len());
        for res in &resources.list {
            // An SVM's own record is its administrator's to read (its own SVM only: see
            // `serve::visible`).
            let own = doc.property(res.record, "svm").is_some() || res.template == SVM_COLLECTION;
            scoped.push(own || res.parent.is_some_and(|p| scoped[p]));
        }
        let mut routes = Vec::new();
        for (id, res) in resources.list.iter().enumerate() {
            let target = match res.shape {
                Shape::Collection => Target::Collection,
                Shape::Object => Target::Object,
            };
            routes.push(Route::new(&res.template, id, target));
            if let Some(instance) = &res.instance {
                routes.push(Route::new(&instance.template, id, Target::Record));
            }
        }
        for (id, action) in resources.actions.iter().enumerate() {
            routes.push(Route::new(&action.template, id, Target::Action));
        }
        let mut by_head: std::collections::HashMap<Box<str>, Vec<usize>> = Default::default();
        let mut loose = Vec::new();
        for (i, r) in routes.iter().enumerate() {
            let segs: Vec<&str> = r.segments.iter().map(String::as_str).collect();
            match route_head(&segs) {
                Some(head) if !segs.iter().take(3).any(|s| s.starts_with('{')) => {
                    by_head.entry(head.into()).or_default().push(i);
                }
                _ => loose.push(i),
            }
        }
        let seeded = Arc::new(seed::seed(doc, &resources));
        tracing::debug!(
            resources = resources.list.len(),
            records = seeded.records.iter().map(Vec::len).sum::<usize>(),
            ms = started.elapsed().as_millis() as u64,
            "engine built"
        );
        let svms = resources
            .list
            .iter()
            .position(|r| r.template == SVM_COLLECTION);
        Engine {
            svms,
            doc,
            resources,
            fields,
            scoped,
            routes,
            by_head,
            loose,
            seeded,
        }
    }
}

impl Route {
    fn new(template: &str, res: ResId, target: Target) -> Route {
        Route {
            segments: template
                .trim_start_matches('/')
                .split('/')
                .map(str::to_string)
                .collect(),
            res,
            target,
        }
    }

    fn params(&self) -> usize {
        self.segments.iter().filter(|s| s.starts_with('{')).count()
    }
}

/// The seeded records, for a fresh cluster's state. Shared: a state copies them only when it
/// changes them.
pub fn seeded() -> Arc<Store> {
    engine().seeded.clone()
}

/// The SVMs' records in `store`, in order.
pub fn svm_records(store: &Store) -> impl Iterator<Item = &serde_json::Value> {
    engine()
        .svms
        .and_then(|id| store.records.get(id))
        .into_iter()
        .flatten()
        .map(|r| &r.body)
}

/// What the engine serves at a path (split and decoded, as the route table splits it), if
/// anything: where several templates match, the one with the most literal segments
/// (`/api/protocols/vscan/server-status` is not the vscan record of an SVM of that name).
pub fn find(segs: &[&str]) -> Option<Found> {
    let eng = engine();
    let indexed = route_head(segs)
        .and_then(|h| eng.by_head.get(h))
        .map_or(&[][..], Vec::as_slice);
    let route = indexed
        .iter()
        .chain(&eng.loose)
        .map(|&i| &eng.routes[i])
        .filter(|r| {
            r.segments.len() == segs.len()
                && r.segments
                    .iter()
                    .zip(segs)
                    .all(|(t, s)| t.starts_with('{') || t == s)
        })
        .min_by_key(|r| r.params())?;
    let params = route
        .segments
        .iter()
        .zip(segs)
        .filter(|(t, _)| t.starts_with('{'))
        .map(|(_, s)| s.to_string())
        .collect();
    Some(Found {
        res: route.res,
        target: route.target,
        params,
    })
}

/// The key of a path in [`Engine::by_head`]: its third segment (`volumes` of
/// `/api/storage/volumes`), looked up as it is, with no key made per request (a formatted key was
/// a third of what finding a route cost). Paths that share it are told apart by the match.
fn route_head<'a>(segs: &[&'a str]) -> Option<&'a str> {
    segs.get(2).copied().filter(|_| segs.len() >= 3)
}

/// Whether what `found` names came in a release later than `version` (a later path served only
/// from its release on: [`later`]).
pub fn too_new(found: &Found, version: &ontap_rest::Version) -> bool {
    let eng = engine();
    let template = match found.target {
        Target::Action => &eng.resources.actions[found.res].template,
        _ => &eng.resources.list[found.res].template,
    };
    later::introduced(template)
        .and_then(ontap_rest::Version::parse_release)
        .is_some_and(|r| *version < r)
}

/// Why the engine serves a path NetApp's 9.8 file lacks (a later release's), if it does.
pub fn later_path(template: &str) -> Option<&'static str> {
    later::introduced(template).map(|_| {
        "a later release's path (engine/later.json, from NetApp's reference for that release), \
         served from that release on"
    })
}

/// Every operation the engine serves, as `(method, path)` with the path as NetApp's file writes
/// it, in its order of resources (collections before their records), each path's GET first.
pub fn operations() -> Vec<(&'static str, &'static str)> {
    let eng = engine();
    let mut out = Vec::new();
    for r in &eng.routes {
        let (template, writes, get) = match r.target {
            Target::Action => {
                let a = &eng.resources.actions[r.res];
                (a.template.as_str(), &a.writes, false)
            }
            Target::Record => {
                let res = &eng.resources.list[r.res];
                let Some(i) = &res.instance else { continue };
                (i.template.as_str(), &res.record_writes, true)
            }
            _ => {
                let res = &eng.resources.list[r.res];
                (res.template.as_str(), &res.writes, true)
            }
        };
        if get {
            out.push(("GET", template));
        }
        let documented = [
            ("POST", writes.post),
            ("PATCH", writes.patch),
            ("DELETE", writes.delete),
        ];
        out.extend(
            documented
                .into_iter()
                .filter(|(_, w)| w.is_some())
                .map(|(m, _)| (m, template)),
        );
    }
    out
}

/// The methods a path the engine serves takes, for `Allow`: GET and HEAD where it has a GET,
/// the writes NetApp's file documents on it, PATCH and DELETE on a collection whose records
/// take them (they run on the records a query selects), and OPTIONS.
pub fn allow(found: &Found) -> HeaderValue {
    let eng = engine();
    let mut names: Vec<&str> = Vec::new();
    let (own, records) = match found.target {
        Target::Action => (eng.resources.actions[found.res].writes, Default::default()),
        Target::Record => (
            eng.resources.list[found.res].record_writes,
            Default::default(),
        ),
        _ => {
            let res = &eng.resources.list[found.res];
            (res.writes, res.record_writes)
        }
    };
    if found.target != Target::Action {
        names.extend(["GET", "HEAD"]);
    }
    let collection = found.target == Target::Collection;
    if own.post.is_some() {
        names.push("POST");
    }
    if own.patch.is_some() || (collection && records.patch.is_some()) {
        names.push("PATCH");
    }
    if own.delete.is_some() || (collection && records.delete.is_some()) {
        names.push("DELETE");
    }
    names.push("OPTIONS");
    HeaderValue::from_str(&names.join(", ")).unwrap_or(HeaderValue::from_static("OPTIONS"))
}

/// Whether two templates are the same path, parameters' names aside (for the route table's
/// check of which paths it serves by hand).
pub fn same_path(a: &str, b: &str) -> bool {
    let split = |t: &str| -> Vec<String> {
        t.trim_start_matches('/')
            .split('/')
            .map(str::to_string)
            .collect()
    };
    let (a, b) = (split(a), split(b));
    let a: Vec<&str> = a.iter().map(String::as_str).collect();
    let b: Vec<&str> = b.iter().map(String::as_str).collect();
    same_shape(&a, &b)
}

#[cfg(test)]
mod tests;
