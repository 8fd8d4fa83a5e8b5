//! Fault injection: the emulator with one documented behaviour broken in front of it
//! (`emulate --fault NAME`), and the generated checks run against it. Each of the twelve faults must
//! fail the checks that look at that behaviour, and only those; each harmless change (keys
//! reordered, an undocumented field, pretty-printed JSON, another message text for the same
//! code, an absolute `Location`) must fail nothing. The same faults are what the README's
//! comparison with Schemathesis runs (`scripts/bench/faults.sh`).

mod common;
#[path = "common/rewrite.rs"]
mod rewrite;

use common::{EmulatorProcess, temp_dir};
use serde_json::Value;

/// (id, first failure message) of every case that neither passed nor was skipped (a check
/// whose target holds nothing to judge, an empty jobs collection, is skipped saying so).
fn not_passing(json: &Value) -> Vec<(String, String)> {
    json["cases"]
        .as_array()
        .expect("cases")
        .iter()
        .filter(|c| c["outcome"] != "pass" && c["outcome"] != "skip")
        .map(|c| {
            let first = c["failures"][0]["message"].as_str().unwrap_or_default();
            (
                c["id"].as_str().unwrap_or_default().to_string(),
                first.to_string(),
            )
        })
        .collect()
}

/// The generated checks, strict, against the emulator with `fault` in front of it.
fn run_with(fault: &str, dir: &std::path::Path) -> (Option<i32>, String, Vec<(String, String)>) {
    let (code, out, json) = run_json(fault, dir);
    (code, out, not_passing(&json))
}

/// [`run_with`], with the whole `conformance.json`.
fn run_json(fault: &str, dir: &std::path::Path) -> (Option<i32>, String, Value) {
    let emu = EmulatorProcess::start("127.0.0.1:0", &["--fault", fault], &[]);
    let args = ["--generated", "--no-builtin-cases", "--strict"].map(std::ffi::OsStr::new);
    let (code, out, json) = rewrite::run_against(&emu.url, &dir.join(fault), &args);
    emu.stop();
    assert!(
        json["summary"]["total"].as_u64().unwrap_or(0) > 100,
        "{out}"
    );
    (code, out, json)
}

/// The checks of one kind (`.one-record-page`) that ran (not skipped) and that `applies` says
/// can see the fault, with whether each passed.
fn of_kind(json: &Value, kind: &str, applies: &dyn Fn(&Value) -> bool) -> Vec<(String, bool)> {
    json["cases"]
        .as_array()
        .expect("cases")
        .iter()
        .filter(|c| c["id"].as_str().is_some_and(|id| id.ends_with(kind)))
        .filter(|c| c["outcome"] != "skip" && applies(c))
        .map(|c| {
            (
                c["id"].as_str().unwrap_or_default().to_string(),
                c["outcome"] == "pass",
            )
        })
        .collect()
}

#[test]
fn each_fault_is_caught_by_the_checks_that_look_at_it_and_only_those() {
    let dir = temp_dir("faults");
    // (fault, the checks that must fail, what every failure must be about)
    let cases: [(&str, &[&str], &str); 12] = [
        (
            "error-without-message",
            &[
                ".missing-key",
                ".unknown-query",
                ".no-credentials",
                ".malformed-json",
            ],
            "message",
        ),
        ("job-uuid-not-uuid", &["patch-security.accepted"], "uuid"),
        (
            "password-echoed",
            &["post-security-authentication-password.accepted"],
            "secret",
        ),
        (
            "read-only-write-carried-out",
            &[
                "post-protocols-san-iscsi-credentials.read-only-refused",
                "delete-security-accounts-by-key.read-only-refused",
                "patch-security.read-only-refused",
            ],
            // `where one of 403, 404 was expected` on an imported write (either refusal of
            // another SVM's administrator passes there).
            "403",
        ),
        (
            "order-by-ignored",
            &["get-security-accounts.order-by-name-desc"],
            "`records` does not match",
        ),
        (
            "next-link-loops",
            &[
                "get-security-accounts.walk",
                "get-protocols-san-iscsi-credentials.walk",
            ],
            "was served already",
        ),
        // The promises of a collection answer (docs/conventions.md), each on several resources.
        (
            "max-records-ignored",
            &[
                "get-security-accounts.one-record-page",
                "get-svm-svms.one-record-page",
                "get-protocols-san-iscsi-credentials.one-record-page",
            ],
            "num_records",
        ),
        (
            "num-records-off",
            &[
                "get-security-accounts.one-record-page",
                "get-protocols-ndmp-svms.one-record-page",
                "get-svm-svms.walk",
            ],
            "num_records",
        ),
        (
            "keys-dropped-by-fields",
            &[
                "get-security-accounts.keys-kept",
                "get-svm-svms.keys-kept",
                "get-protocols-san-iscsi-credentials.keys-kept",
                "get-protocols-ndmp-svms.keys-kept",
            ],
            "present: true",
        ),
        (
            "self-link-elsewhere",
            &[
                "get-security-accounts.listed-record",
                "get-svm-svms.listed-record",
                "get-protocols-san-iscsi-credentials.listed-record",
                "get-protocols-ndmp-svms.listed-record",
            ],
            "status 404 where 200 was expected",
        ),
        (
            "head-refused",
            &[
                "get-security-accounts.head-and-options",
                "get-cluster.head-and-options",
                "get-security.head-and-options",
            ],
            "405",
        ),
        (
            "options-without-allow",
            &[
                "get-svm-svms.head-and-options",
                "get-cluster.head-and-options",
            ],
            "Allow",
        ),
    ];
    for (fault, must_fail, about) in cases {
        let (code, out, failing) = run_with(fault, &dir);
        assert_eq!(code, Some(1), "{fault}: {out}");
        for id in must_fail {
            assert!(
                failing.iter().any(|(f, _)| f.contains(id)),
                "{fault}: no failing check matches `{id}`: {failing:?}"
            );
        }
        for (id, message) in &failing {
            assert!(
                message.contains(about),
                "{fault}: {id} failed for something else: {message}"
            );
        }
    }
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn harmless_changes_fail_nothing() {
    let dir = temp_dir("harmless");
    for fault in [
        "reordered-keys",
        "extra-field",
        "pretty-json",
        "other-message",
        "absolute-location",
    ] {
        let (code, out, failing) = run_with(fault, &dir);
        assert!(failing.is_empty(), "{fault}: {failing:?}");
        assert_eq!(code, Some(0), "{fault}: {out}");
    }
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn an_unknown_fault_is_refused_with_the_names() {
    let o = common::bin()
        .args(["emulate", "--fault", "everything"])
        .output()
        .expect("the binary runs");
    assert_eq!(o.status.code(), Some(2));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("unknown fault `everything`"), "{err}");
    assert!(err.contains("order-by-ignored"), "{err}");
}

/// Faults that break one convention on one resource of NetApp's imported API: each fails checks
/// of that resource, the named ones among them, and no check of any other resource.
#[test]
fn a_fault_on_one_imported_resource_fails_that_resource_only() {
    let dir = temp_dir("faults-imported");
    // (fault, checks that must fail, the prefix every failing check's id has)
    let cases: [(&str, &[&str], &str); 6] = [
        (
            "volumes-fields-ignored",
            &[
                "get-storage-volumes.fields-star",
                "get-storage-volumes.bad-fields",
            ],
            "get-storage-volumes.",
        ),
        (
            "interfaces-order-by-ignored",
            &["get-network-ip-interfaces.order-by-name-desc"],
            "get-network-ip-interfaces.order-by-",
        ),
        (
            "luns-error-without-message",
            &[
                "get-storage-luns.unknown-query",
                "get-storage-luns.bad-fields",
                "get-storage-luns-by-key.missing-key",
            ],
            "get-storage-luns",
        ),
        (
            "snapshots-next-link-loops",
            &["get-storage-volumes-by-key-snapshots.walk"],
            "get-storage-volumes-by-key-snapshots.walk",
        ),
        (
            "ldap-bind-password-returned",
            &[
                "get-name-services-ldap.walk",
                "get-name-services-ldap.listed-record",
            ],
            "get-name-services-ldap",
        ),
        (
            "applications-advanced-shown",
            &["get-application-applications.advanced-under-two-stars"],
            "get-application-applications.advanced-under-two-stars",
        ),
    ];
    for (fault, must_fail, prefix) in cases {
        let (code, out, failing) = run_with(fault, &dir);
        assert_eq!(code, Some(1), "{fault}: {out}");
        for id in must_fail {
            assert!(
                failing.iter().any(|(f, _)| f == id),
                "{fault}: `{id}` did not fail: {failing:?}"
            );
        }
        // The resource's own checks, whatever the method (`post-storage-luns.` as well as
        // `get-storage-luns.`).
        let resource = |id: &str| id.split_once('-').map_or(id, |(_, rest)| rest).to_string();
        for (id, message) in &failing {
            assert!(
                resource(id).starts_with(&resource(prefix)),
                "{fault}: {id} (another resource's check) failed: {message}"
            );
        }
    }
    let _ = std::fs::remove_dir_all(dir);
}

/// Which checks of a kind can see a fault.
type Applies = dyn Fn(&Value) -> bool;

/// Each convention check of the inventory (docs/conventions.md) fails its fault on every
/// resource it applies to, curated and imported alike, not only on the few the test above names:
/// every `one-record-page` when `max_records` is ignored, every `listed-record` that follows a
/// record's own link when the links lead elsewhere, and so on.
#[test]
fn each_convention_check_fails_its_fault_on_every_resource_it_applies_to() {
    let dir = temp_dir("faults-everywhere");
    let always = |_: &Value| true;
    // `listed-record` follows a record's own link only where the record schema has `_links`.
    let follows_link = |c: &Value| {
        c["steps"].as_array().is_some_and(|s| {
            s.iter().any(|s| {
                s["name"]
                    .as_str()
                    .is_some_and(|n| n.contains("its own link"))
            })
        })
    };
    let cases: [(&str, &str, &Applies); 6] = [
        ("max-records-ignored", ".one-record-page", &always),
        ("num-records-off", ".one-record-page", &always),
        ("keys-dropped-by-fields", ".keys-kept", &always),
        ("self-link-elsewhere", ".listed-record", &follows_link),
        ("head-refused", ".head-and-options", &always),
        ("options-without-allow", ".head-and-options", &always),
    ];
    for (fault, kind, applies) in cases {
        let (_, out, json) = run_json(fault, &dir);
        let checks = of_kind(&json, kind, applies);
        assert!(
            checks.len() > 50,
            "{fault}: only {} {kind} checks ran: {out}",
            checks.len()
        );
        let passed: Vec<&String> = checks
            .iter()
            .filter(|(_, p)| *p)
            .map(|(id, _)| id)
            .collect();
        assert!(
            passed.is_empty(),
            "{fault}: these {kind} checks passed: {passed:?}"
        );
    }
    let _ = std::fs::remove_dir_all(dir);
}
