//! The basis of every error entry: the written forms of [`Basis`], and `spec check` failing on an
//! entry without one, with a malformed one, or with a documented one that names no seed page.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use serde_json::json;

use super::tests::{MINI, load};
use super::*;

const ENTRY_BASES: &str = "basis: {documented: 004_69967a64eae5f293.txt}, status_basis: {convention: \"400: the status rule\"}";
/// The field of the fixture's one error entry, as diagnostics name it.
const ENTRY: &str =
    "paths./api/protocols/san/iscsi/credentials/{svm.uuid}/{initiator}.delete.x-ontap-errors[0]";

/// The fixture with its entry's bases replaced by `bases` (the entry is on line 26).
fn with_bases(bases: &str) -> String {
    assert!(
        MINI.contains(ENTRY_BASES),
        "fixture lacks the entry's bases"
    );
    MINI.replacen(ENTRY_BASES, bases, 1)
}

/// The one problem the changed fixture has.
fn one_problem(text: &str) -> String {
    let d = load(text).unwrap_err();
    assert_eq!(d.0.len(), 1, "one problem expected: {d}");
    d.0[0].to_string()
}

#[test]
fn an_entry_without_a_basis_fails_at_its_line() {
    assert_eq!(
        one_problem(&with_bases(
            "status_basis: {convention: \"400: the status rule\"}"
        )),
        format!(
            "spec/openapi.yaml:26: `{ENTRY}`: missing `basis`: {{documented: <seed file>}}, {{observed: <public source>}} or {{convention: <why>}}"
        )
    );
}

#[test]
fn an_entry_without_a_status_basis_fails_at_its_line() {
    assert_eq!(
        one_problem(&with_bases("basis: {documented: 004_69967a64eae5f293.txt}")),
        format!(
            "spec/openapi.yaml:26: `{ENTRY}`: missing `status_basis`: {{documented: <seed file>}}, {{observed: <public source>}} or {{convention: <why>}}"
        )
    );
}

#[test]
fn malformed_bases_fail_with_file_line_and_field() {
    let status = "status_basis: {convention: \"400: the status rule\"}";
    let cases = [
        (
            format!("basis: {{documneted: 004_69967a64eae5f293.txt}}, {status}"),
            format!(
                "`{ENTRY}.basis.documneted`: `documneted` is not a kind of basis: use documented, observed or convention"
            ),
        ),
        (
            format!("basis: 004_69967a64eae5f293.txt, {status}"),
            format!(
                "`{ENTRY}.basis`: a basis is a one-key map: {{documented: <seed file>}}, {{observed: <public source>}} or {{convention: <why>}}, found \"004_69967a64eae5f293.txt\""
            ),
        ),
        (
            format!("basis: {{documented: 004_69967a64eae5f293.txt, observed: x}}, {status}"),
            format!(
                "`{ENTRY}.basis`: a basis has exactly one key (documented, observed or convention), found documented, observed: split it or pick the one the check rests on"
            ),
        ),
        (
            "basis: {documented: 004_69967a64eae5f293.txt}, status_basis: {convention: \" \"}"
                .to_string(),
            format!(
                "`{ENTRY}.status_basis.convention`: the convention basis is empty: say why this project chose it"
            ),
        ),
        (
            format!("basis: {{observed: [a]}}, {status}"),
            format!("`{ENTRY}.basis.observed`: the observed basis must be text, found [\"a\"]"),
        ),
    ];
    for (bases, expected) in cases {
        assert_eq!(
            one_problem(&with_bases(&bases)),
            format!("spec/openapi.yaml:26: {expected}"),
            "{bases}"
        );
    }
}

#[test]
fn a_documented_basis_must_name_a_seed_file() {
    assert_eq!(
        one_problem(&with_bases(
            "basis: {documented: \"NetApp docs\"}, status_basis: {convention: \"400\"}"
        )),
        format!(
            "spec/openapi.yaml:26: `{ENTRY}.basis.documented`: `NetApp docs` is not a seed file: a documented basis names a seed page as `NNN_<16 hex digits>.txt` (e.g. 004_69967a64eae5f293.txt); for anything else use observed or convention"
        )
    );
}

/// A seed directory of the given files, without touching the disk.
fn seeds(names: &[&str]) -> Seeds {
    Seeds {
        dir: PathBuf::from("../shared/seeds"),
        names: names.iter().map(|n| n.to_string()).collect::<BTreeSet<_>>(),
    }
}

#[test]
fn a_documented_basis_naming_a_missing_seed_fails_when_the_directory_is_known() {
    let text = with_bases(
        "basis: {documented: 005_0123456789abcdef.txt}, status_basis: {documented: 004_69967a64eae5f293.txt}",
    );
    let file = Path::new("spec/openapi.yaml");
    let d = Spec::parse_with_seeds(file, &text, Some(seeds(&["004_69967a64eae5f293.txt"])))
        .unwrap_err();
    assert_eq!(
        d.to_string(),
        format!(
            "spec/openapi.yaml:26: `{ENTRY}.basis.documented`: `005_0123456789abcdef.txt` is not in ../shared/seeds: a documented basis names an existing seed page"
        )
    );
    // Without a seed directory only the form is checked, so the same spec loads.
    let spec = Spec::parse_with_seeds(file, &text, None).unwrap();
    assert_eq!(
        spec.operations[1].errors[0].basis.seed(),
        Some("005_0123456789abcdef.txt")
    );
    assert_eq!(spec.seeds, None);
}

#[test]
fn the_seed_directory_is_beside_the_repository() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let beside = root.join(SEEDS_BESIDE_REPO);
    let for_file = Seeds::for_spec_file(&root.join("spec/openapi.yaml"));
    assert_eq!(
        for_file.as_ref().map(|s| s.dir.clone()),
        Seeds::read(&beside).map(|s| s.dir)
    );
    assert_eq!(Seeds::for_embedded(), Seeds::read(&beside));
    assert_eq!(Seeds::read(&root.join("no-such-directory")), None);
}

#[test]
fn every_entry_of_the_shipped_spec_has_both_bases_and_seed_entries_are_documented() {
    let spec = Spec::load(None).unwrap_or_else(|d| panic!("shipped spec is broken:\n{d}"));
    for (op, e) in spec.error_pairs() {
        // A seed operation's code is documented by the seed it is transcribed from; no seed gives
        // a status per code, so no status of a seed code is documented.
        assert_eq!(
            e.basis.seed(),
            Some(e.seed.as_str()),
            "{} {}",
            op.key(),
            e.code
        );
        assert!(
            !matches!(e.status_basis, Basis::Documented { .. }),
            "{} {}",
            op.key(),
            e.code
        );
    }
    // The status rule is a convention: every 400/404/409 of a seed code says so.
    assert!(
        spec.error_pairs()
            .all(|(_, e)| e.status_basis.is_convention())
    );
    assert!(!spec.common_errors.is_empty());
    for e in &spec.common_errors {
        assert!(!e.description.is_empty(), "{}", e.code);
    }
    // Where the seed pages are beside the checkout, every documented basis names one of them.
    if let Some(seeds) = &spec.seeds {
        let named = spec
            .error_pairs()
            .map(|(_, e)| e)
            .chain(&spec.common_errors)
            .flat_map(|e| [e.basis.seed(), e.status_basis.seed()])
            .flatten();
        for seed in named {
            assert!(seeds.contains(seed), "{seed}");
        }
    }
}

#[test]
fn a_basis_reads_both_written_forms_and_serializes_as_kind_and_source() {
    let yaml = json!({"documented": "004_69967a64eae5f293.txt"});
    let b = Basis::from_value(&yaml).unwrap();
    assert_eq!(
        b,
        Basis::Documented {
            seed: "004_69967a64eae5f293.txt".into()
        }
    );
    assert!(!b.is_convention());
    assert_eq!(b.to_string(), "documented (004_69967a64eae5f293.txt)");
    let report = serde_json::to_value(&b).unwrap();
    assert_eq!(
        report,
        json!({"kind": "documented", "source": "004_69967a64eae5f293.txt"})
    );
    assert_eq!(serde_json::from_value::<Basis>(report).unwrap(), b);
    assert_eq!(serde_json::from_value::<Basis>(yaml).unwrap(), b);

    let c: Basis = serde_json::from_value(json!({"convention": "409: the status rule"})).unwrap();
    assert!(c.is_convention());
    assert_eq!(c.to_string(), "convention (409: the status rule)");
    let o: Basis =
        serde_json::from_value(json!({"kind": "observed", "source": "tf issue #290"})).unwrap();
    assert_eq!(o.to_string(), "observed (tf issue #290)");

    let bad = serde_json::from_value::<Basis>(json!({"kind": "rumour", "source": "x"}));
    assert!(
        bad.unwrap_err()
            .to_string()
            .contains("`rumour` is not a kind of basis")
    );
}

#[test]
fn seed_file_names_have_one_form() {
    assert!(is_seed_file_name("000_a0fecf1d9628f24e.txt"));
    for not in [
        "004.txt",
        "004_69967a64eae5f29.txt",
        "004_69967A64EAE5F293.txt",
        "004-69967a64eae5f293.txt",
        "004_69967a64eae5f293.md",
        "../004_69967a64eae5f293.txt",
    ] {
        assert!(!is_seed_file_name(not), "{not}");
    }
}
