//! Loading case files: YAML parse with line numbers, deserializing, and checking every step
//! against the spec (operations, path parameters, request bodies, variables).
//!
//! A run and `spec check` both pay this before the first request; it grows with the number of
//! case files, so it is the part of start-up that a large suite makes visible.

use std::path::Path;
use std::time::Duration;

use criterion::{Criterion, criterion_group, criterion_main};
use ontap_conform::case;
use ontap_conform::spec::Spec;

const CASES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/cases");
/// One of the longest case files: a create, read, patch and delete flow with captures and a teardown.
const ONE: &str = "flows/iscsi-crud.yaml";

fn bench(c: &mut Criterion) {
    let spec = Spec::load(None).expect("the embedded spec loads");
    let dir = Path::new(CASES);
    let file = dir.join(ONE);
    let text = std::fs::read_to_string(&file).expect("the case file is readable");
    let shown = Path::new("cases").join(ONE);
    case::load_case(&shown, "flows", &text, &spec).expect("the case loads");
    let all = case::load_dir(dir, &spec).expect("the shipped cases load");

    let mut g = c.benchmark_group("cases");
    g.measurement_time(Duration::from_secs(3))
        .warm_up_time(Duration::from_secs(1))
        .sample_size(50);
    g.bench_function("load_case_iscsi_crud", |b| {
        b.iter(|| case::load_case(&shown, "flows", &text, &spec))
    });
    g.bench_function(format!("load_dir_{}_files", all.len()), |b| {
        b.iter(|| case::load_dir(dir, &spec))
    });
    // The other half of start-up: the embedded spec parsed, $refs resolved, every schema compiled.
    g.bench_function("spec_load_embedded", |b| b.iter(|| Spec::load(None)));
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
