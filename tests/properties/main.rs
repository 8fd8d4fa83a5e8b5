//! Property tests: the case loader and the emulator given input nobody wrote on purpose.
//!
//! - The case loader, given arbitrary bytes, YAML-looking junk, and structured mutations of real
//!   case files (keys dropped, renamed or added, values replaced with any JSON, lines deleted,
//!   duplicated or re-indented), never panics, and every error names the file, and a line
//!   within the text when the text was YAML.
//! - The emulator, given any body bytes, JSON of any shape with the keys it knows, any query
//!   string and odd path segments on every endpoint, over a real socket, never answers 5xx and
//!   keeps answering `GET /api/cluster`.
//!
//! Each property runs 256 cases by default (64 for the one that writes files), a few seconds in
//! all. A longer hunt: `PROPTEST_CASES=100000 cargo test --release --test properties`.
//! A failure prints the smallest input proptest shrank it to. `PROPS_TRACE=1` with
//! `--nocapture` prints every emulator request and its status.
//!
//! One module per subject: `loader` (the case loader), `emulator` (the emulator, its endpoint
//! table read from the spec), `vocabulary` (the keys and values both draw on); the strategies they
//! share (any JSON, tree mutations) are here.

#[path = "../common/mod.rs"]
mod common;

mod emulator;
mod loader;
mod vocabulary;

use std::sync::LazyLock;

use ontap_conform::spec::Spec;
use proptest::prelude::*;
use proptest::sample::select;
use proptest::test_runner::{Config, TestCaseError, TestRunner};
use serde_json::{Map, Value};

use vocabulary::{KEYS, STRINGS};

static SPEC: LazyLock<Spec> = LazyLock::new(|| Spec::curated().expect("the shipped spec loads"));

/// Cases per property: `PROPTEST_CASES` when set, else `default`.
fn config(default: u32) -> Config {
    let cases = std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default);
    Config {
        cases,
        // Failures print their shrunk input; no regression files are written into tests/.
        failure_persistence: None,
        ..Config::default()
    }
}

fn run<S: Strategy>(
    default_cases: u32,
    strategy: S,
    test: impl Fn(S::Value) -> Result<(), TestCaseError>,
) {
    let mut runner = TestRunner::new(config(default_cases));
    if let Err(e) = runner.run(&strategy, test) {
        panic!("{e}");
    }
}

/// Any JSON value, with keys that case files and ONTAP bodies use mixed among arbitrary ones.
fn json_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        (-1e6f64..1e6).prop_map(Value::from),
        ".{0,16}".prop_map(Value::from),
        select(STRINGS).prop_map(Value::from),
    ];
    leaf.prop_recursive(4, 40, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..5).prop_map(Value::Array),
            prop::collection::vec((key(), inner), 0..6)
                .prop_map(|kv| Value::Object(kv.into_iter().collect::<Map<_, _>>())),
        ]
    })
}

fn key() -> impl Strategy<Value = String> {
    prop_oneof![3 => select(KEYS).prop_map(String::from), 1 => ".{0,10}"]
}

#[derive(Debug, Clone)]
enum Mutation {
    Replace(Vec<u32>, Value),
    DeleteKey(Vec<u32>, u32),
    RenameKey(Vec<u32>, u32, String),
    InsertKey(Vec<u32>, String, Value),
    WrapInList(Vec<u32>),
}

fn mutation() -> impl Strategy<Value = Mutation> {
    let route = prop::collection::vec(any::<u32>(), 0..6);
    prop_oneof![
        (route.clone(), json_value()).prop_map(|(r, v)| Mutation::Replace(r, v)),
        (route.clone(), any::<u32>()).prop_map(|(r, i)| Mutation::DeleteKey(r, i)),
        (route.clone(), any::<u32>(), key()).prop_map(|(r, i, k)| Mutation::RenameKey(r, i, k)),
        (route.clone(), key(), json_value()).prop_map(|(r, k, v)| Mutation::InsertKey(r, k, v)),
        route.prop_map(Mutation::WrapInList),
    ]
}

/// The node a route of arbitrary numbers leads to: each number picks a child, modulo their count.
fn walk<'a>(mut v: &'a mut Value, route: &[u32]) -> &'a mut Value {
    for &r in route {
        let len = match &*v {
            Value::Array(a) => a.len(),
            Value::Object(o) => o.len(),
            _ => 0,
        };
        if len == 0 {
            break;
        }
        let i = r as usize % len;
        v = match v {
            Value::Array(a) => &mut a[i],
            Value::Object(o) => o.values_mut().nth(i).expect("index < len"),
            _ => unreachable!("len > 0 only for containers"),
        };
    }
    v
}

fn apply(v: &mut Value, m: &Mutation) {
    match m {
        Mutation::Replace(r, new) => *walk(v, r) = new.clone(),
        Mutation::DeleteKey(r, i) => {
            if let Value::Object(o) = walk(v, r)
                && !o.is_empty()
            {
                let k = o.keys().nth(*i as usize % o.len()).cloned();
                if let Some(k) = k {
                    o.shift_remove(&k);
                }
            }
        }
        Mutation::RenameKey(r, i, new) => {
            if let Value::Object(o) = walk(v, r)
                && !o.is_empty()
            {
                let k = o.keys().nth(*i as usize % o.len()).cloned();
                if let Some(k) = k
                    && let Some(val) = o.shift_remove(&k)
                {
                    o.insert(new.clone(), val);
                }
            }
        }
        Mutation::InsertKey(r, k, new) => {
            if let Value::Object(o) = walk(v, r) {
                o.insert(k.clone(), new.clone());
            }
        }
        Mutation::WrapInList(r) => {
            let node = walk(v, r);
            *node = Value::Array(vec![node.take()]);
        }
    }
}
