//! The CI templates in `examples/ci/` are what a pipeline pastes: their YAML parses, and every
//! `ontap-conform` command they call exists with every flag they give it.

mod common;

use std::path::Path;

/// Every string under a `run:` (GitHub Actions) or `script:` (GitLab CI) key: the commands a
/// pipeline runs, not the names of its steps.
fn commands(v: &serde_json::Value, inside: bool, out: &mut Vec<String>) {
    match v {
        serde_json::Value::String(s) if inside => out.push(s.clone()),
        serde_json::Value::Array(a) => a.iter().for_each(|x| commands(x, inside, out)),
        serde_json::Value::Object(m) => {
            for (k, x) in m {
                commands(x, inside || k == "run" || k == "script", out);
            }
        }
        _ => {}
    }
}

#[test]
fn the_templates_parse_and_call_commands_and_flags_that_exist() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/ci");
    let mut calls = 0;
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        let text = std::fs::read_to_string(&path).unwrap();
        let (doc, _) = ontap_conform::yaml::parse(&text)
            .unwrap_or_else(|e| panic!("{}: {e:?}", path.display()));
        let mut all = Vec::new();
        commands(&doc, false, &mut all);
        for s in all {
            for line in s.lines() {
                let Some(at) = line.find("ontap-conform ") else {
                    continue;
                };
                if line.contains("cargo install") {
                    continue;
                }
                let words: Vec<&str> = line[at..].split_whitespace().collect();
                let command = words[1];
                let help = common::bin().args([command, "--help"]).output().unwrap();
                let help_text = String::from_utf8_lossy(&help.stdout).into_owned();
                assert!(
                    help.status.success(),
                    "{}: `ontap-conform {command}` does not exist",
                    path.display()
                );
                for flag in words.iter().filter(|w| w.starts_with("--")) {
                    assert!(
                        help_text.contains(flag),
                        "{}: `ontap-conform {command}` has no {flag}",
                        path.display()
                    );
                }
                calls += 1;
            }
        }
    }
    assert!(calls >= 6, "{calls} calls found: the parser lost some");
}
