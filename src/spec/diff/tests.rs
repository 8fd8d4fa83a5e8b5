//! The diff of a hand-made pair (`tests/fixtures/spec-diff/`) that differs in every way the diff
//! reports, as text and JSON; what a case relies on judged against it; a spec against itself.

use serde_json::Value;

use super::*;

const OLD: &str = include_str!("../../../tests/fixtures/spec-diff/old.yaml");
const NEW: &str = include_str!("../../../tests/fixtures/spec-diff/new.yaml");

fn doc(text: &str) -> Value {
    crate::yaml::parse(text).unwrap().0
}

fn pair() -> (Index, Index) {
    (
        index("old.yaml", &doc(OLD)).unwrap(),
        index("new.yaml", &doc(NEW)).unwrap(),
    )
}

/// What the fixture's imagined cases rely on, judged: the gone ones as the diff lists them.
fn judged(old: &Index, new: &Index) -> Vec<Gone> {
    let needs = [
        ("DELETE", "/api/storage/volumes/{uuid}", Need::Operation, 3),
        (
            "DELETE",
            "/api/storage/volumes/{uuid}",
            Need::Field("/x".into()),
            4,
        ),
        (
            "POST",
            "/api/storage/volumes",
            Need::ErrorCode("917927".into()),
            10,
        ),
        (
            "POST",
            "/api/storage/volumes",
            Need::ErrorCode("918236".into()),
            11,
        ),
        (
            "POST",
            "/api/storage/volumes",
            Need::ErrorCode("4".into()),
            12,
        ),
        ("POST", "/api/storage/volumes", Need::Status(vec![201]), 13),
        (
            "PATCH",
            "/api/storage/volumes/{uuid}",
            Need::Status(vec![200]),
            20,
        ),
        (
            "PATCH",
            "/api/storage/volumes/{uuid}",
            Need::Status(vec![200, 202]),
            21,
        ),
        (
            "GET",
            "/api/storage/volumes",
            Need::Field("/records/0/comment".into()),
            30,
        ),
        (
            "GET",
            "/api/storage/volumes",
            Need::Field("/records/3/svm/name".into()),
            31,
        ),
        (
            "GET",
            "/api/storage/volumes",
            Need::Field("/records/0/labels/k".into()),
            32,
        ),
        (
            "GET",
            "/api/storage/volumes",
            Need::Field("/records/0/comment/below".into()),
            33,
        ),
        (
            "GET",
            "/api/storage/volumes",
            Need::Field("/records/0/nodes/0/children/0/name".into()),
            34,
        ),
        (
            "GET",
            "/api/storage/volumes",
            Need::Field("/error/code".into()),
            35,
        ),
        ("GET", "/api/nowhere", Need::Operation, 36),
    ];
    needs
        .into_iter()
        .filter_map(|(method, path, need, line)| {
            let (kind, what) = gone(old, new, method, path, &need)?;
            Some(Gone {
                file: "cases/volumes.yaml".into(),
                line,
                case: format!("case-{line}"),
                operation: format!("{method} {path}"),
                kind,
                what,
            })
        })
        .collect()
}

fn the_diff() -> SpecDiff {
    let (old, new) = pair();
    let mut d = compare(&old, &new);
    let gone = judged(&old, &new);
    d.set_gone(
        CasesInfo {
            count: 15,
            from: "cases".into(),
            loaded_against: "old".into(),
            why_not_old: None,
        },
        gone,
    );
    d
}

#[test]
fn every_kind_of_difference_as_text() {
    insta::assert_snapshot!("spec_diff_text", render_text(&the_diff()));
}

#[test]
fn every_kind_of_difference_as_json() {
    insta::assert_json_snapshot!("spec_diff_json", the_diff());
}

#[test]
fn only_what_old_had_and_new_lost_is_gone() {
    let (old, new) = pair();
    let what: Vec<(usize, &str, String)> = judged(&old, &new)
        .into_iter()
        .map(|g| (g.line, g.kind, g.what))
        .collect();
    assert_eq!(
        what,
        [
            (3, "operation", "the operation".to_string()),
            (10, "error_code", "error 917927".to_string()),
            (20, "success_status", "status 200".to_string()),
            (30, "field", "field records[].comment".to_string()),
            // Below a field that is gone, the field is what the case relied on.
            (33, "field", "field records[].comment".to_string()),
        ]
    );
}

#[test]
fn a_spec_against_itself_differs_in_nothing() {
    let (old, _) = pair();
    let again = index("again", &doc(OLD)).unwrap();
    let d = compare(&old, &again);
    assert!(d.added.is_empty() && d.removed.is_empty() && d.changed.is_empty());
    assert!(d.common_error_codes.is_empty());
    assert_eq!(d.summary.operations_unchanged, old.ops.len());
}

#[test]
fn a_broken_ref_names_the_document_and_where() {
    let mut broken = doc(OLD);
    broken["components"]["schemas"]
        .as_object_mut()
        .unwrap()
        .remove("svm_ref");
    let err = index("mine.yaml", &broken).unwrap_err();
    assert!(
        err.starts_with("mine.yaml: /components/schemas/volume/properties/svm/allOf/0/$ref: "),
        "{err}"
    );
    assert!(err.contains("does not resolve"), "{err}");
}
