//! `emulate --state FILE`: a fresh cluster's records from a file, in the shape of the engine's
//! own `fresh.json`, replacing the seeded records of the collections it names, at start and
//! after a reset; a file that is wrong is refused at start (exit 2) naming the file and what.

mod common;

use common::{ADMIN, EmulatorProcess, bin, temp_dir};
use serde_json::Value;

fn volume_names(url: &str) -> Vec<String> {
    let out = std::process::Command::new("curl")
        .args(["-sS", "-u", &format!("{}:{}", ADMIN.0, ADMIN.1)])
        .arg(format!("{url}/api/storage/volumes?fields=name,size"))
        .output()
        .expect("curl runs");
    let body: Value = serde_json::from_slice(&out.stdout).expect("JSON");
    body["records"]
        .as_array()
        .expect("records")
        .iter()
        .filter_map(|r| r["name"].as_str().map(String::from))
        .collect()
}

#[test]
fn a_state_file_gives_a_fresh_clusters_records() {
    let dir = temp_dir("state");
    let file = dir.join("state.json");
    std::fs::write(
        &file,
        r#"{
  "/api/storage/volumes": {
    "basis": "observed: our lab cluster's volumes",
    "records": [
      {"name": "lab_root", "svm": {"name": "svm1"}, "size": 1073741824},
      {"name": "lab_data", "svm": {"name": "svm2"}, "size": 21474836480},
      {"name": "lab_logs", "svm": {"name": "svm1"}}
    ]
  }
}"#,
    )
    .unwrap();
    let emu = EmulatorProcess::start("127.0.0.1:0", &["--state", file.to_str().unwrap()], &[]);
    let names = volume_names(&emu.url);
    assert_eq!(names, ["lab_root", "lab_data", "lab_logs"]);
    emu.stop();
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn a_wrong_state_file_is_refused_naming_the_file_and_what() {
    let dir = temp_dir("state-bad");
    for (name, text, says) in [
        (
            "broken.json",
            "{\n  \"/api/storage/volumes\": [\n",
            "broken.json:3:",
        ),
        (
            "unknown.json",
            r#"{"/api/no/such": {"basis": "x", "records": []}}"#,
            "`/api/no/such` is not a top-level collection",
        ),
        (
            "nobasis.json",
            r#"{"/api/storage/volumes": {"basis": " ", "records": []}}"#,
            "has no basis",
        ),
    ] {
        let file = dir.join(name);
        std::fs::write(&file, text).unwrap();
        let out = bin()
            .args(["emulate", "--listen", "127.0.0.1:0", "--state"])
            .arg(&file)
            .output()
            .unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{name}: {err}");
        assert!(err.contains(says), "{name}: {err}");
        assert!(!err.contains("panicked"), "{name}: {err}");
    }
    let _ = std::fs::remove_dir_all(dir);
}
