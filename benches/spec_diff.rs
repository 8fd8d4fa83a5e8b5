//! `spec diff` of two whole-API-sized documents: each document read into its index (every body
//! schema resolved and flattened to field paths) and the two compared.
//!
//! The pair is built from the embedded spec: its 21 operations copied 72 times (1,512
//! operations in 30 tags; the first copy keeps the spec's own paths, so the built-in cases load
//! against it as they would against a cluster's definition, the others go under `/api/cN/`),
//! its schemas once per two copies (1,368 schemas), each with 6 more fields so that bodies are
//! at least as large as NetApp's (275,688 body fields over the operations, where the 9.8
//! definition has 20,313 over its 565). NEW is OLD perturbed: one operation in 50 removed and an
//! account's DELETE (which the built-in cases' teardowns send), codes and query parameters
//! added, fields added, removed and retyped in one schema copy in 10. Both are written to
//! `target/spec-diff-bench/{old,new}.json`, for timing the whole command from outside:
//! `farm-bench -- target/release/ontap-conform spec diff target/spec-diff-bench/old.json
//! target/spec-diff-bench/new.json` (exit 1: the DELETE is gone).

use std::time::Duration;

use criterion::{Criterion, criterion_group, criterion_main};
use ontap_conform::spec::{Spec, diff};
use serde_json::{Value, json};

const COPIES: usize = 72;
/// Fields added to every schema copy, so that a body has about as many fields as one of
/// NetApp's whole-API definition (9.8: 20,313 fields over 601 bodies).
const EXTRA: usize = 6;

/// Rewrites every `#/components/schemas/X` below `v` to `X_s{copy}`.
fn suffix_refs(v: &mut Value, copy: usize) {
    match v {
        Value::Object(m) => {
            for (k, x) in m.iter_mut() {
                match x {
                    Value::String(s) if k == "$ref" && s.starts_with("#/components/schemas/") => {
                        *s = format!("{s}_s{copy}");
                    }
                    _ => suffix_refs(x, copy),
                }
            }
        }
        Value::Array(a) => a.iter_mut().for_each(|x| suffix_refs(x, copy)),
        _ => {}
    }
}

fn build(base: &Value, perturb: bool) -> Value {
    let mut doc = base.clone();
    let mut paths = serde_json::Map::new();
    let mut schemas = serde_json::Map::new();
    let mut n = 0usize;
    for copy in 0..COPIES {
        for (path, item) in base["paths"].as_object().unwrap() {
            let mut item = item.clone();
            suffix_refs(&mut item, copy / 2);
            for (method, op) in item.as_object_mut().unwrap().iter_mut() {
                if method == "parameters" {
                    continue;
                }
                n += 1;
                op["tags"] = json!([format!("area{}", copy % 30)]);
                if perturb && n.is_multiple_of(40) {
                    let errors = op
                        .as_object_mut()
                        .unwrap()
                        .entry("x-ontap-errors")
                        .or_insert(json!([]));
                    errors
                        .as_array_mut()
                        .unwrap()
                        .push(json!({"code": format!("9{n}")}));
                    if let Some(p) = op["parameters"].as_array_mut() {
                        p.push(json!({"name": "new_filter", "in": "query", "schema": {"type": "string"}}));
                    }
                }
            }
            // One operation in 50 goes, and in the first copy an account's DELETE, which the
            // built-in cases' teardowns send.
            if perturb
                && (n.is_multiple_of(50) || (copy == 0 && path.contains("/accounts/{owner.uuid}")))
            {
                item.as_object_mut().unwrap().remove("delete");
            }
            // The first copy keeps the paths as they are, so the built-in cases load against it.
            let path = match copy {
                0 => path.clone(),
                _ => path.replacen("/api/", &format!("/api/c{copy}/"), 1),
            };
            paths.insert(path, item);
        }
    }
    for copy in 0..COPIES / 2 {
        for (name, schema) in base["components"]["schemas"].as_object().unwrap() {
            let mut schema = schema.clone();
            suffix_refs(&mut schema, copy);
            if let Some(props) = schema.get_mut("properties").and_then(Value::as_object_mut) {
                for i in 0..EXTRA {
                    props.insert(
                        format!("extra_{i}"),
                        json!({"type": "object", "properties": {
                            "name": {"type": "string"},
                            "state": {"type": "string", "enum": ["on", "off"], "readOnly": i % 3 == 0}
                        }}),
                    );
                }
                if perturb && copy % 10 == 0 {
                    props.remove("extra_0");
                    props.insert("extra_1".into(), json!({"type": "integer"}));
                    props.insert("added_in_new".into(), json!({"type": "string"}));
                }
            }
            schemas.insert(format!("{name}_s{copy}"), schema);
        }
    }
    doc["paths"] = Value::Object(paths);
    doc["components"]["schemas"] = Value::Object(schemas);
    doc
}

fn bench(c: &mut Criterion) {
    let base = Spec::load(None).expect("the embedded spec loads").raw;
    let old = build(&base, false);
    let new = build(&base, true);
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("target/spec-diff-bench");
    std::fs::create_dir_all(&dir).expect("target/ is writable");
    for (name, doc) in [("old.json", &old), ("new.json", &new)] {
        std::fs::write(dir.join(name), serde_json::to_vec(doc).unwrap()).unwrap();
    }
    let (a, b) = (
        diff::index("old", &old).unwrap(),
        diff::index("new", &new).unwrap(),
    );
    let fields: usize = a
        .ops
        .values()
        .flat_map(|o| o.bodies.values())
        .map(|f| f.len())
        .sum();
    let d = diff::compare(&a, &b);
    println!(
        "spec_diff: {} and {} operations, {} schemas, {fields} body fields in OLD; {} removed, {} changed",
        a.ops.len(),
        b.ops.len(),
        a.schemas,
        d.removed.len(),
        d.changed.len()
    );

    let mut g = c.benchmark_group("spec_diff");
    g.measurement_time(Duration::from_secs(5))
        .warm_up_time(Duration::from_secs(1))
        .sample_size(10);
    g.bench_function("index_one_side", |bch| {
        bch.iter(|| diff::index("old", &old).unwrap())
    });
    g.bench_function("compare", |bch| bch.iter(|| diff::compare(&a, &b)));
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
