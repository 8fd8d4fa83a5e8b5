//! The basis of every error entry: the written forms of [`Basis`], and `spec check` failing on an
//! entry without one, with a malformed one, or with a documented one that names no seed page of
//! the repository.

use std::collections::BTreeSet;

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
            "spec/openapi.yaml:26: `{ENTRY}.basis.documented`: `NetApp docs` is not a seed file: a documented basis names a seed page as `NNN_<16 hex digits>.txt` (e.g. 004_69967a64eae5f293.txt) or a file of spec/sources/ontap-api/ (e.g. swagger-9.8.yaml.gz); for anything else use observed or convention"
        )
    );
}

#[test]
fn a_documented_basis_naming_a_page_not_in_the_repository_fails_at_its_line() {
    // A made-up hash on a real page number: pointed at the page the number names.
    assert_eq!(
        one_problem(&with_bases(
            "basis: {documented: 004_0000000000000000.txt}, status_basis: {convention: \"400\"}"
        )),
        format!(
            "spec/openapi.yaml:26: `{ENTRY}.basis.documented`: `004_0000000000000000.txt` is not a seed page in {SEED_DIR}/ (did you mean `004_69967a64eae5f293.txt`?): a documented basis names a page that is in the repository (add a new page there first), or use observed or convention"
        )
    );
    // A page number there is not: the pages there are, and the status basis is checked too.
    let e = one_problem(&with_bases(
        "basis: {convention: \"c\"}, status_basis: {documented: 005_0123456789abcdef.txt}",
    ));
    assert!(
        e.starts_with(&format!(
            "spec/openapi.yaml:26: `{ENTRY}.status_basis.documented`: `005_0123456789abcdef.txt` is not a seed page in {SEED_DIR}/ (the pages are 000_a0fecf1d9628f24e.txt, "
        )),
        "{e}"
    );
}

/// An entry's `seed` and a supporting operation's `pointed_at_by` cite pages too: each must be there.
#[test]
fn every_page_the_spec_cites_is_in_the_repository() {
    let text = MINI.replacen(
        "seed: 004_69967a64eae5f293.txt, basis",
        "seed: 004_0000000000000000.txt, basis",
        1,
    );
    assert_eq!(
        one_problem(&text),
        format!(
            "spec/openapi.yaml:26: `{ENTRY}.seed`: `004_0000000000000000.txt` is not a seed page in {SEED_DIR}/ (did you mean `004_69967a64eae5f293.txt`?)"
        )
    );
    let text = MINI.replacen(
        "      operationId: iscsi_credentials_get\n",
        "      operationId: iscsi_credentials_get\n      x-ontap-supporting: {reason: r, pointed_at_by: [004_69967a64eae5f293.txt, 004_69967a64eae5f239.txt]}\n",
        1,
    );
    assert_eq!(
        one_problem(&text),
        format!(
            "spec/openapi.yaml:7: `paths./api/protocols/san/iscsi/credentials/{{svm.uuid}}/{{initiator}}.get.x-ontap-supporting.pointed_at_by[1]`: `004_69967a64eae5f239.txt` is not a seed page in {SEED_DIR}/ (did you mean `004_69967a64eae5f293.txt`?)"
        )
    );
}

/// The rule does not depend on where the spec file is: a `--spec FILE` far from any checkout is
/// held to the pages the binary was built with, as the embedded spec is.
#[test]
fn a_spec_file_outside_a_checkout_is_checked_against_the_built_in_pages() {
    let dir = std::env::temp_dir().join(format!("oc-seed-rule-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("openapi.yaml");
    let made_up = with_bases(
        "basis: {documented: 004_0000000000000000.txt}, status_basis: {convention: \"400\"}",
    );
    std::fs::write(&file, &made_up).unwrap();
    let e = Spec::load(Some(&file)).unwrap_err().to_string();
    assert!(
        e.starts_with(&format!("{}:26: ", file.display()))
            && e.contains("`004_0000000000000000.txt` is not a seed page"),
        "{e}"
    );
    std::fs::write(&file, MINI).unwrap();
    assert!(Spec::load(Some(&file)).is_ok());
    std::fs::remove_dir_all(&dir).unwrap();
}

/// A report read back (a baseline from another build) is held only to the form of the name: a
/// build that knew other pages must not make `diff` and `merge` refuse it.
#[test]
fn a_report_naming_a_page_this_build_does_not_know_is_still_read() {
    let b: Basis =
        serde_json::from_value(json!({"kind": "documented", "source": "005_0123456789abcdef.txt"}))
            .unwrap();
    assert_eq!(b.seed(), Some("005_0123456789abcdef.txt"));
    assert!(
        serde_json::from_value::<Basis>(json!({"documented": "005_0123456789abcdef.txt"}))
            .unwrap_err()
            .to_string()
            .contains("is not a seed page")
    );
}

#[test]
fn every_entry_of_the_shipped_spec_has_both_bases_and_seed_entries_are_documented() {
    // The curated spec: the imported layer's entries keep NetApp's observed statuses for the
    // common codes (its own tests hold them).
    let spec = Spec::curated().unwrap_or_else(|d| panic!("shipped spec is broken:\n{d}"));
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
    // Every documented basis names a page of the repository, and every page is cited.
    let named: BTreeSet<&str> = spec
        .error_pairs()
        .map(|(_, e)| e)
        .chain(&spec.common_errors)
        .flat_map(|e| [e.basis.seed(), e.status_basis.seed()])
        .flatten()
        .collect();
    for seed in &named {
        assert!(is_seed_page(seed), "{seed}");
    }
    for page in SEED_PAGES {
        assert!(
            named.contains(page) || EMBEDDED_SPEC.contains(page),
            "{page} is cited nowhere in the spec"
        );
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
