use std::path::{Path, PathBuf};

use serde_json::{Value, json};

use super::*;
use crate::case::{is_placeholder, load_case};

fn spec() -> Spec {
    Spec::load(None).unwrap()
}

/// The shipped spec with the worked example's overlay (an operation with no sample, and the
/// collection of `GET /api/cluster/jobs/{uuid}`).
fn spec_with_overlay() -> Spec {
    let overlay = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/overlay/jobs.yaml");
    spec().with_overlays(&[overlay]).unwrap()
}

/// Every (operation, code) a skeleton can be asked for: each operation of every layer, and each
/// of its codes.
fn every_request(spec: &Spec) -> Vec<(&Operation, Option<&OntapError>)> {
    spec.operations
        .iter()
        .flat_map(|op| {
            std::iter::once((op, None)).chain(op.errors.iter().map(move |e| (op, Some(e))))
        })
        .collect()
}

/// What an author does: every placeholder replaced by a value.
fn filled(text: &str) -> String {
    text.replace("TODO", "filled in")
}

fn file(n: usize) -> PathBuf {
    PathBuf::from(format!("cases/new/{n}.yaml"))
}

#[test]
fn every_skeleton_loads_once_its_todos_are_filled() {
    for spec in [spec(), spec_with_overlay()] {
        let all = every_request(&spec);
        assert!(all.len() > 60, "{}", all.len());
        for (n, (op, code)) in all.into_iter().enumerate() {
            let text = skeleton(&spec, op, code).unwrap();
            assert!(text.starts_with(HEADER), "{text}");
            let loaded = load_case(&file(n), "new", &filled(&text), &spec);
            let case = loaded.unwrap_or_else(|e| panic!("{}:\n{text}\n{e}", op.key()));
            assert_eq!(case.operation_key(), op.key());
            assert_eq!(
                case.expected_error_code(),
                code.map(|c| c.code.as_str()),
                "{text}"
            );
        }
    }
}

#[test]
fn an_unfilled_skeleton_fails_naming_each_todo_at_its_line() {
    let spec = spec_with_overlay();
    for (n, (op, code)) in every_request(&spec).into_iter().enumerate() {
        let text = skeleton(&spec, op, code).unwrap();
        let (raw, _) = crate::yaml::parse(&text).unwrap();
        let placeholders = count_placeholders(&raw);
        assert!(placeholders >= 1, "the title at least:\n{text}");
        let e = load_case(&file(n), "new", &text, &spec).unwrap_err();
        assert_eq!(e.0.len(), placeholders, "{}:\n{text}\n{e}", op.key());
        let lines: Vec<&str> = text.lines().collect();
        for d in &e.0 {
            assert!(d.message.contains("`TODO` left to fill in"), "{d}");
            assert!(lines[d.line - 1].contains("TODO"), "{d}:\n{text}");
        }
    }
}

fn count_placeholders(v: &Value) -> usize {
    match v {
        Value::String(s) => usize::from(is_placeholder(s)),
        Value::Array(items) => items.iter().map(count_placeholders).sum(),
        Value::Object(m) => m.values().map(count_placeholders).sum(),
        _ => 0,
    }
}

#[test]
fn ids_are_unique_per_operation_and_code_and_never_a_built_in_one() {
    let spec = spec_with_overlay();
    let builtin: Vec<String> = crate::case::load_suite(&spec, true, &[])
        .unwrap()
        .into_iter()
        .map(|c| c.def.id)
        .collect();
    let mut seen = std::collections::HashMap::new();
    for (op, code) in every_request(&spec) {
        let text = skeleton(&spec, op, code).unwrap();
        let id = text
            .lines()
            .nth(1)
            .unwrap()
            .strip_prefix("id: ")
            .unwrap()
            .to_string();
        assert!(!builtin.contains(&id), "{id}");
        let key = format!("{} {:?}", op.key(), code.map(|c| &c.code));
        if let Some(other) = seen.insert(id.clone(), key.clone()) {
            panic!("{id} for both {other} and {key}");
        }
    }
    let op = |m, p| spec.operation(m, p).unwrap();
    assert_eq!(id(op("GET", "/api/svm/svms"), None), "get-svm-svms");
    assert_eq!(
        id(op("GET", "/api/svm/svms/{uuid}"), None),
        "get-svm-svms-by-uuid"
    );
    assert_eq!(
        id(
            op(
                "DELETE",
                "/api/protocols/san/iscsi/credentials/{svm.uuid}/{initiator}"
            ),
            Some("5374148")
        ),
        "delete-protocols-san-iscsi-credentials-by-svm-uuid-initiator-5374148"
    );
}

/// The credential POST's schema requires no `svm` (so a request without one reaches ONTAP's
/// own code), but no such request succeeds: the skeleton sends the sample's, with its own
/// initiator and a generated secret, and deletes what it made.
#[test]
fn a_skeleton_sends_what_the_sample_sends() {
    let spec = spec();
    let op = spec
        .operation("POST", "/api/protocols/san/iscsi/credentials")
        .unwrap();
    let text = skeleton(&spec, op, None).unwrap();
    let case = load_case(&file(0), "new", &filled(&text), &spec).unwrap();
    let body = case.steps[0].request.body.clone().unwrap();
    assert_eq!(body["svm"], json!({"uuid": "{{svm.uuid}}"}), "{text}");
    assert_eq!(body["initiator"], json!("{{initiator}}"));
    assert_eq!(
        case.def.vars["initiator"],
        json!("iqn.1992-08.com.netapp:{{case_uid}}")
    );
    assert!(case.def.secrets.contains(&"chap_in".to_string()), "{text}");
    assert_eq!(
        case.teardown[0].request.operation,
        "DELETE /api/protocols/san/iscsi/credentials/{svm.uuid}/{initiator}"
    );
    assert!(case.expected_status() == Some(201), "{text}");
}

/// A GET of one record reads one from the collection first; the PATCH of one record makes its
/// own (the sample's `needs`) rather than change someone's.
#[test]
fn a_skeleton_finds_the_record_it_reads_and_makes_the_one_it_changes() {
    let spec = spec_with_overlay();
    let op = spec.operation("GET", "/api/cluster/jobs/{uuid}").unwrap();
    let text = skeleton(&spec, op, None).unwrap();
    let case = load_case(&file(0), "new", &filled(&text), &spec).unwrap();
    assert_eq!(
        case.setup[0].request.operation, "GET /api/cluster/jobs",
        "{text}"
    );
    assert_eq!(case.steps[0].request.path["uuid"], json!("{{uuid}}"));
    assert!(!text.contains("uuid: TODO"), "{text}");

    let op = spec
        .operation(
            "PATCH",
            "/api/protocols/san/iscsi/credentials/{svm.uuid}/{initiator}",
        )
        .unwrap();
    let text = skeleton(&spec, op, None).unwrap();
    let case = load_case(&file(0), "new", &filled(&text), &spec).unwrap();
    assert_eq!(
        case.setup[0].request.operation, "POST /api/protocols/san/iscsi/credentials",
        "{text}"
    );
    assert!(case.def.destructive);
}

/// What the emitter writes reads back as the value it was given.
#[test]
fn emitted_yaml_reads_back_as_written() {
    let mut values = vec![
        json!({"s": ["", "~", "null", "true", "No", "9.6", "0x1F", "-x", ".5", "a: b", "a #b", "x "]}),
        json!({"operation": "GET /api/x/{svm.uuid}", "k": "{{a}}", "q": {"a,b": "[c]", "d": "e f"}}),
        json!({"list": [{"a": 1, "b": {"c": [1, 2]}}, [1, [2]], "x", {}], "empty": {}, "none": []}),
        json!({"long": {"a": "x".repeat(60), "b": "y".repeat(60)}}),
    ];
    for op in &spec().operations {
        values.extend(op.sample.clone());
    }
    for v in values {
        let mut out = String::new();
        emit::block(&mut out, 0, &v);
        let (back, _) = crate::yaml::parse(&out).unwrap_or_else(|e| panic!("{e:?} in:\n{out}"));
        assert_eq!(back, v, "{out}");
    }
}
