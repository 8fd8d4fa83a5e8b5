//! The emulator's route table against the spec: under `/api` it serves exactly the documented
//! operations, plus the routes it marks as beyond the spec (each with its reason). A route the
//! spec documents and the emulator lacks, or one it serves unmarked, fails here by name.
//!
//! The route table is the curated spec's, but for the curated operations on paths the engine
//! keeps (the SVMs and the cluster, whose records and writes are the engine's); the spec-driven
//! engine serves the imported layer's operations on the paths the table does not know, exactly
//! those (compared by route: the two layers may name a path parameter differently).

use std::collections::BTreeSet;

use ontap_conform::emulator::{RouteInfo, engine_routes, routes};
use ontap_conform::spec::{Spec, route_of};

/// `"GET /api/cluster"` for every method and path.
type Ops = BTreeSet<String>;

/// What is wrong between the table and the spec, or None when they agree.
///
/// `table` is every `/api` route the emulator serves; `beyond` those it marks as not documented.
fn difference(table: &Ops, beyond: &Ops, spec: &Ops) -> Option<String> {
    let documented: Ops = table.difference(beyond).cloned().collect();
    let mut problems = Vec::new();
    for op in spec.difference(&documented) {
        if beyond.contains(op) {
            problems.push(format!(
                "{op}: the spec documents it now; drop its beyond_spec mark in the route table"
            ));
        } else {
            problems.push(format!(
                "{op}: in the spec, not in the emulator's route table"
            ));
        }
    }
    for op in documented.difference(spec) {
        problems.push(format!(
            "{op}: in the emulator's route table, not in the spec (document it, or mark it beyond_spec with the reason)"
        ));
    }
    (!problems.is_empty()).then(|| problems.join("\n"))
}

fn key(method: &str, path: &str) -> String {
    format!("{} {path}", method.to_uppercase())
}

fn table() -> (Ops, Ops) {
    let api: Vec<RouteInfo> = routes()
        .into_iter()
        .filter(|r| r.path.starts_with("/api/") || r.path == "/api")
        .collect();
    let all = api.iter().map(|r| key(r.method, r.path)).collect();
    let beyond = api
        .iter()
        .filter(|r| r.beyond_spec.is_some())
        .map(|r| key(r.method, r.path))
        .collect();
    (all, beyond)
}

/// The curated spec's operations the route table serves: those on paths the engine does not
/// keep (the imported layer is the engine's, and so are the curated operations on its paths).
fn spec_ops() -> Ops {
    let spec = Spec::load(None).unwrap_or_else(|d| panic!("the embedded spec loads: {d:?}"));
    let engine: BTreeSet<String> = engine_routes().iter().map(|r| route_of(r.path)).collect();
    spec.gated()
        .filter(|op| !engine.contains(&op.route()))
        .map(|op| key(&op.method, &op.path))
        .collect()
}

#[test]
fn route_table_covers_exactly_the_spec() {
    let (table, beyond) = table();
    let spec = spec_ops();
    assert!(!spec.is_empty(), "the spec has operations");
    if let Some(problems) = difference(&table, &beyond, &spec) {
        panic!("the emulator's routes and the spec disagree:\n{problems}");
    }
}

#[test]
fn a_missing_or_extra_route_is_named() {
    let (table, beyond) = table();
    let spec = spec_ops();
    let removed = "GET /api/security".to_string();
    assert!(table.contains(&removed));

    let mut fewer = table.clone();
    fewer.remove(&removed);
    let problems = difference(&fewer, &beyond, &spec).expect("a removed route is reported");
    assert_eq!(
        problems,
        "GET /api/security: in the spec, not in the emulator's route table"
    );

    let mut more = table.clone();
    more.insert("PUT /api/security".to_string());
    let problems = difference(&more, &beyond, &spec).expect("an extra route is reported");
    assert!(
        problems.starts_with("PUT /api/security: in the emulator's route table, not in the spec")
    );

    let mut documented = spec.clone();
    let marked = beyond
        .iter()
        .next()
        .expect("the table marks a route beyond the spec")
        .clone();
    documented.insert(marked.clone());
    let problems = difference(&table, &beyond, &documented).expect("a stale mark is reported");
    assert!(problems.starts_with(&format!("{marked}: the spec documents it now")));
}

#[test]
fn the_engine_serves_exactly_the_imported_operations_on_paths_the_table_does_not_know() {
    let spec = Spec::load(None).unwrap_or_else(|d| panic!("the embedded spec loads: {d:?}"));
    let by_hand: BTreeSet<String> = routes().into_iter().map(|r| route_of(r.path)).collect();
    // NetApp's imported layer, and the curated operations on the paths the engine keeps (the
    // SVMs, the cluster), which the curated layer documents in place of the imported one.
    let expected: Ops = spec
        .operations
        .iter()
        .filter(|op| !by_hand.contains(&op.route()))
        .map(|op| key(&op.method, &op.path))
        .collect();
    // A later release's path (the engine's later.json) is marked beyond the spec, with why.
    let engine: Vec<String> = engine_routes()
        .iter()
        .filter(|r| r.beyond_spec.is_none())
        .map(|r| key(r.method, r.path))
        .collect();
    assert!(engine_routes().iter().any(|r| r.beyond_spec.is_some()));
    let served: Ops = engine.iter().cloned().collect();
    assert_eq!(served.len(), engine.len(), "the engine lists a route twice");
    let missing: Vec<&String> = expected.difference(&served).collect();
    let extra: Vec<&String> = served.difference(&expected).collect();
    assert!(
        missing.is_empty() && extra.is_empty(),
        "imported operations the engine does not serve: {missing:#?}\nengine routes not in the imported layer (or served by hand): {extra:#?}"
    );
    let gets = served.iter().filter(|op| op.starts_with("GET ")).count();
    assert!(gets > 240, "the engine serves NetApp's GETs: {gets}");
    assert!(
        served.len() - gets > 280,
        "the engine serves NetApp's writes: {}",
        served.len() - gets
    );
}
