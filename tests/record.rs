//! `run --record`, `evidence` and `emulate --check-recording` end to end: the suite recorded
//! against the embedded emulator, summarised, replayed clean, and an edited copy replayed with
//! exactly its planted differences found.

mod common;

use std::path::{Path, PathBuf};
use std::process::Output;
use std::sync::OnceLock;

use common::{bin, temp_dir};
use regex::Regex;
use serde_json::Value;

fn text(o: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

/// The whole suite, recorded once against the embedded emulator, for every test here.
fn recording() -> &'static Path {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        let dir = temp_dir("recording");
        let reports = temp_dir("recording-reports");
        let out = bin()
            .args(["run", "--record"])
            .arg(&dir)
            .arg("--report-dir")
            .arg(&reports)
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(0), "{}", text(&out));
        dir
    })
}

fn files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            out.extend(files(&p));
        } else {
            out.push(p);
        }
    }
    out.sort();
    out
}

fn read(p: &Path) -> Value {
    serde_json::from_str(&std::fs::read_to_string(p).unwrap()).unwrap()
}

/// The one file of `case` (under `area`) whose name ends with `suffix`.
fn exchange(dir: &Path, area: &str, case: &str, suffix: &str) -> PathBuf {
    let found: Vec<PathBuf> = files(&dir.join(area).join(case))
        .into_iter()
        .filter(|p| p.to_string_lossy().ends_with(suffix))
        .collect();
    assert_eq!(found.len(), 1, "{area}/{case}/*{suffix}: {found:?}");
    found[0].clone()
}

#[test]
fn a_recording_holds_every_exchange_without_credentials_or_run_id() {
    let dir = recording();
    let target = read(&dir.join("target.json"));
    assert_eq!(target["cluster"]["name"], "cluster1");
    assert_eq!(target["svms"].as_array().unwrap().len(), 2);
    assert_eq!(target["ontap_release"], "9.14.1");

    let all = files(dir);
    assert!(all.len() > 150, "{} files", all.len());
    // A case's setup, step and teardown, in the order they were sent.
    let dup: Vec<String> = files(&dir.join("iscsi/iscsi-create-5374142-duplicate"))
        .iter()
        .map(|p| p.file_name().unwrap().to_string_lossy().into_owned())
        .collect();
    assert_eq!(
        dup,
        [
            "00-setup-POST.json",
            "01-step-POST.json",
            "02-teardown-DELETE.json"
        ]
    );
    let x = read(&exchange(
        dir,
        "iscsi",
        "iscsi-create-5374142-duplicate",
        "01-step-POST.json",
    ));
    assert_eq!(x["response"]["status"], 409);
    assert_eq!(x["response"]["body"]["error"]["code"], "5374142");
    assert_eq!(x["request"]["auth"]["secret"], "run");
    assert!(
        x["request"]["body"]["initiator"]
            .as_str()
            .unwrap()
            .contains("{{run_id}}")
    );
    // A job's polls sit beside the request that started it.
    assert!(
        files(&dir.join("flows/flow-security-fips-job"))
            .iter()
            .any(|p| p.to_string_lossy().ends_with("-step-job01-GET.json"))
    );

    let run_id = Regex::new(r"\boc[0-9a-f]{6}\b").unwrap();
    for p in &all {
        let t = std::fs::read_to_string(p).unwrap();
        assert!(!run_id.is_match(&t), "{} holds the run id", p.display());
        assert!(
            !t.to_ascii_lowercase().contains("authorization"),
            "{} holds an Authorization header",
            p.display()
        );
    }
}

#[test]
fn evidence_summarises_a_recording_as_observed_sources() {
    let dir = recording();
    let out = bin().arg("evidence").arg(dir).output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let yaml = String::from_utf8(out.stdout).unwrap();
    // It pastes: it is YAML.
    let (v, _) = ontap_conform::yaml::parse(&yaml).unwrap();
    let group = v["errors"]
        .as_array()
        .unwrap()
        .iter()
        .find(|g| {
            g["operation"] == "POST /api/protocols/san/iscsi/credentials" && g["code"] == "5374142"
        })
        .expect("the duplicate's code is summarised");
    assert_eq!(group["kind"], "documented");
    assert_eq!(group["spec_status"], 409);
    let answer = &group["answers"][0];
    assert_eq!(answer["status"], 409);
    assert_eq!(answer["target"], "initiator");
    assert_eq!(answer["keys"], serde_json::json!(["error"]));
    let observed = answer["observed"].as_str().unwrap();
    assert!(
        observed.starts_with(&format!(
            "recording {} of cluster1 (ONTAP 9.14.1), ",
            dir.display()
        )),
        "{observed}"
    );
    assert!(
        observed.contains(
            "POST /api/protocols/san/iscsi/credentials answered 409 {code: \"5374142\", message: "
        ),
        "{observed}"
    );
    // The common codes (an unknown account's 404) are there too.
    assert!(yaml.contains("kind: \"common\""), "{yaml}");
    // The emulator answers every code with the spec's status.
    assert_eq!(v["mismatches"], serde_json::json!([]), "{yaml}");

    let out = bin()
        .args(["evidence", "--json"])
        .arg(dir)
        .output()
        .unwrap();
    let j: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(j["errors"], v["errors"]);
}

/// A copy of the recording, for a test to edit.
fn copy(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let p = e.unwrap().path();
        let dest = to.join(p.file_name().unwrap());
        if p.is_dir() {
            copy(&p, &dest);
        } else {
            std::fs::copy(&p, &dest).unwrap();
        }
    }
}

#[test]
fn an_unreadable_recording_is_exit_2_with_its_file_and_line() {
    let dir = temp_dir("recording-broken");
    copy(recording(), &dir);
    let file = exchange(&dir, "cluster", "cluster-get", "00-step-GET.json");
    let t = std::fs::read_to_string(&file).unwrap();
    std::fs::write(
        &file,
        t.replacen("\"status\": 200", "\"status\": \"ok\"", 1),
    )
    .unwrap();
    for args in [vec!["evidence"], vec!["emulate", "--check-recording"]] {
        let out = bin().args(&args).arg(&dir).output().unwrap();
        assert_eq!(out.status.code(), Some(2), "{}", text(&out));
        let err = String::from_utf8_lossy(&out.stderr);
        let line = t
            .lines()
            .position(|l| l.contains("\"status\": 200"))
            .unwrap()
            + 1;
        assert!(
            err.contains(&format!(
                "{}:{line}: response.status: invalid type",
                file.display()
            )),
            "{args:?}: {err}"
        );
    }
}

#[test]
fn the_emulator_replays_its_own_recording_without_a_difference() {
    let out = bin()
        .args(["emulate", "--check-recording"])
        .arg(recording())
        .output()
        .unwrap();
    let t = text(&out);
    assert_eq!(out.status.code(), Some(0), "{t}");
    assert!(
        t.contains("no difference: the emulator answered every request as recorded"),
        "{t}"
    );
    // Redacted passwords are said to be stood in for.
    assert!(t.contains("stand-ins: "), "{t}");
}

/// Edits the JSON of one exchange file.
fn edit(file: &Path, f: impl FnOnce(&mut Value)) {
    let mut v = read(file);
    f(&mut v);
    std::fs::write(file, serde_json::to_string_pretty(&v).unwrap()).unwrap();
}

#[test]
fn an_edited_recording_shows_exactly_its_planted_differences() {
    let dir = temp_dir("recording-edited");
    copy(recording(), &dir);
    let status = exchange(
        &dir,
        "iscsi",
        "iscsi-create-5374142-duplicate",
        "01-step-POST.json",
    );
    edit(&status, |v| v["response"]["status"] = 400.into());
    let code = exchange(
        &dir,
        "iscsi",
        "iscsi-create-2621462-svm-not-found",
        "00-step-POST.json",
    );
    edit(&code, |v| {
        v["response"]["body"]["error"]["code"] = "4".into()
    });
    let key = exchange(&dir, "cluster", "cluster-get", "00-step-GET.json");
    edit(&key, |v| {
        v["response"]["body"]
            .as_object_mut()
            .unwrap()
            .remove("name");
    });

    let out = bin()
        .args(["emulate", "--check-recording"])
        .arg(&dir)
        .output()
        .unwrap();
    let t = text(&out);
    assert_eq!(out.status.code(), Some(1), "{t}");
    let diffs: Vec<&str> = t
        .split("differences (3):\n")
        .nth(1)
        .unwrap_or_else(|| panic!("three differences: {t}"))
        .lines()
        .collect();
    let rel = |p: &Path| p.strip_prefix(&dir).unwrap().display().to_string();
    assert_eq!(diffs.len(), 3, "{t}");
    let expected = [
        (
            rel(&key),
            "GET /api/cluster: keys only in the emulator's answer: name",
        ),
        (
            rel(&code),
            "POST /api/protocols/san/iscsi/credentials: error.code: recorded \"4\", emulator \"2621462\"",
        ),
        (
            rel(&status),
            "POST /api/protocols/san/iscsi/credentials: status: recorded 400, emulator 409",
        ),
    ];
    for (file, what) in expected {
        let want = format!("  {file}: {what}");
        assert!(diffs.contains(&want.as_str()), "{want}\nin\n{t}");
    }
}

#[test]
fn a_directory_that_holds_anything_is_refused() {
    let out = bin()
        .args(["run", "--filter", "cluster-get", "--record"])
        .arg(recording())
        .arg("--report-dir")
        .arg(temp_dir("recording-again"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    assert!(text(&out).contains("is not empty; record into a new one"));
}
