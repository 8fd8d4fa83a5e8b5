//! The CI templates in `examples/ci/` are what a pipeline pastes: their YAML parses, every
//! `ontap-conform` command they call exists with every flag they give it, every Rust image they
//! (and the `Dockerfile`) build on can build the crate, no step that runs `ontap-conform` hides
//! its failure, and each pipeline builds the binary once and can trust a cluster's own CA.

mod common;

use std::path::{Path, PathBuf};

use regex::Regex;
use serde_json::Value;

/// The templates, each with its parsed YAML.
fn templates() -> Vec<(PathBuf, String, Value)> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/ci");
    let mut out: Vec<(PathBuf, String, Value)> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|entry| {
            let name = entry.unwrap().file_name();
            let text = std::fs::read_to_string(dir.join(&name)).unwrap();
            // Named as from the repository's root, as messages show it.
            let path = Path::new("examples/ci").join(&name);
            let (doc, _) = ontap_conform::yaml::parse(&text)
                .unwrap_or_else(|e| panic!("{}: {e:?}", path.display()));
            (path, text, doc)
        })
        .collect();
    out.sort_by(|a, b| a.0.cmp(&b.0));
    assert_eq!(out.len(), 2, "{out:?}");
    out
}

/// A shell script's lines with `\`-continued lines joined: one command per line.
fn command_lines(script: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    for line in script.lines() {
        match line.trim_end().strip_suffix('\\') {
            Some(head) => {
                cur.push_str(head);
                cur.push(' ');
            }
            None => {
                cur.push_str(line);
                out.push(std::mem::take(&mut cur));
            }
        }
    }
    if !cur.is_empty() {
        out.push(cur);
    }
    out
}

/// Where a command line runs the tool, and with which command: `ontap-conform run ...`, also
/// as `bin/ontap-conform run`; not the line that installs it, nor one that only names the file
/// (`chmod +x bin/ontap-conform`).
fn tool_call(line: &str) -> Option<(usize, String)> {
    let call = Regex::new(r"(?:^|[\s;&|(/])(ontap-conform\s+([a-z][a-z-]*))\b").unwrap();
    if line.contains("cargo install") {
        return None;
    }
    let c = call.captures(line)?;
    Some((c.get(1).unwrap().start(), c[2].to_string()))
}

fn runs_the_tool(line: &str) -> bool {
    tool_call(line).is_some()
}

/// Every string under a `run:` (GitHub Actions) or `script:`, `before_script:` or `after_script:`
/// (GitLab CI) key: the commands a pipeline runs, not the names of its steps.
fn commands(v: &serde_json::Value, inside: bool, out: &mut Vec<String>) {
    match v {
        serde_json::Value::String(s) if inside => out.push(s.clone()),
        serde_json::Value::Array(a) => a.iter().for_each(|x| commands(x, inside, out)),
        serde_json::Value::Object(m) => {
            for (k, x) in m {
                commands(x, inside || k == "run" || k.ends_with("script"), out);
            }
        }
        _ => {}
    }
}

#[test]
fn the_templates_parse_and_call_commands_and_flags_that_exist() {
    // A flag is also one given inside a shell expansion: `${CA:+--ca-cert ca.pem}`.
    let flag = Regex::new(r"(?:^|[\s{+:])(--[a-z][a-z0-9-]*)").unwrap();
    let mut calls = 0;
    for (path, _, doc) in templates() {
        let mut all = Vec::new();
        commands(&doc, false, &mut all);
        for s in all {
            for line in command_lines(&s) {
                let Some((at, command)) = tool_call(&line) else {
                    continue;
                };
                let help = common::bin()
                    .args([command.as_str(), "--help"])
                    .output()
                    .unwrap();
                let help_text = String::from_utf8_lossy(&help.stdout).into_owned();
                assert!(
                    help.status.success(),
                    "{}: `ontap-conform {command}` does not exist",
                    path.display()
                );
                let known: Vec<String> = flag
                    .captures_iter(&help_text)
                    .map(|c| c[1].to_string())
                    .collect();
                for flag in flag.captures_iter(&line[at..]).map(|c| c[1].to_string()) {
                    assert!(
                        known.contains(&flag),
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

/// `rust-version` of Cargo.toml, as numbers.
fn rust_version() -> Vec<u64> {
    let toml =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("Cargo.toml")).unwrap();
    let line = toml
        .lines()
        .find_map(|l| l.trim().strip_prefix("rust-version"))
        .expect("Cargo.toml names a rust-version");
    let v = line.trim_start_matches([' ', '=']).trim().trim_matches('"');
    numbers(v).unwrap_or_else(|| panic!("rust-version `{v}` is not a version"))
}

/// The leading `1.88.0` of a tag as numbers; `None` when the tag starts with none (`slim`,
/// `latest`, `stable`: the current release).
fn numbers(tag: &str) -> Option<Vec<u64>> {
    let lead: String = tag
        .chars()
        .take_while(|c| c.is_ascii_digit() || *c == '.')
        .collect();
    let parts: Vec<u64> = lead
        .split('.')
        .filter(|p| !p.is_empty())
        .map(|p| p.parse().ok())
        .collect::<Option<_>>()?;
    (!parts.is_empty()).then_some(parts)
}

/// Whether an image tagged `tag` can build a crate that needs `need`: a tag names a release line
/// (`1` is the newest 1.x, `1.88` the newest 1.88.x), so it is compared on the parts it gives.
fn new_enough(tag: &str, need: &[u64]) -> bool {
    match numbers(tag) {
        None => true,
        Some(have) => {
            let n = have.len().min(need.len());
            have[..n] >= need[..n]
        }
    }
}

/// Every Rust toolchain the CI templates, the `Dockerfile` and the local builder recipe name,
/// outside comments: `rust:<tag>` images, `dtolnay/rust-toolchain@<version>` and a pinned
/// `RUST_VERSION=`. Each is `(file:line, tag)`.
fn rust_images() -> Vec<(String, String)> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let image =
        Regex::new(r"(?:\brust:|rust-toolchain@|RUST_VERSION=|toolchain:\s*)([A-Za-z0-9._-]+)")
            .unwrap();
    let mut out = Vec::new();
    for file in [
        "examples/ci/github-actions.yml",
        "examples/ci/gitlab-ci.yml",
        "Dockerfile",
        "scripts/container/rust.Containerfile",
    ] {
        let text = std::fs::read_to_string(root.join(file)).unwrap();
        let before = out.len();
        for (i, line) in text.lines().enumerate() {
            if line.trim_start().starts_with('#') {
                continue;
            }
            for c in image.captures_iter(line) {
                out.push((format!("{file}:{}", i + 1), c[1].to_string()));
            }
        }
        assert!(
            out.len() > before,
            "{file}: no Rust image found: the parser lost it"
        );
    }
    out
}

#[test]
fn every_rust_image_can_build_the_crate() {
    let need = rust_version();
    let old: Vec<String> = rust_images()
        .into_iter()
        .filter(|(_, tag)| !new_enough(tag, &need))
        .map(|(at, tag)| format!("{at}: `{tag}`"))
        .collect();
    assert!(
        old.is_empty(),
        "older than Cargo.toml's rust-version {need:?}, so they cannot build the crate:\n{}",
        old.join("\n")
    );
    // The comparison itself.
    assert!(!new_enough("1.85-slim-bookworm", &[1, 88]));
    assert!(new_enough("1.88-slim-bookworm", &[1, 88]));
    assert!(new_enough("1-slim-bookworm", &[1, 88]));
    assert!(new_enough("slim-bookworm", &[1, 88]));
    assert!(new_enough("stable", &[1, 88]));
    assert!(!new_enough("1.87.1", &[1, 88]));
    assert!(new_enough("1.95.0", &[1, 88]));
}

/// A job or step of a pipeline: its name, its own keys, and the commands it runs.
struct Unit {
    name: String,
    keys: serde_json::Map<String, Value>,
    commands: Vec<String>,
}

/// The units of a template that run commands: GitHub Actions steps (with their job's keys
/// checked too) and GitLab CI jobs (with what they `extends`).
fn units(doc: &Value) -> Vec<Unit> {
    let mut out = Vec::new();
    let obj = doc.as_object().unwrap();
    if let Some(jobs) = obj.get("jobs").and_then(Value::as_object) {
        for (job, j) in jobs {
            let steps = j["steps"].as_array().cloned().unwrap_or_default();
            for (i, step) in steps.iter().enumerate() {
                let mut keys = step.as_object().cloned().unwrap_or_default();
                // A job that may fail without failing the workflow hides its steps' failures,
                // and a matrix runs its steps once per entry.
                for k in ["continue-on-error", "strategy"] {
                    if let Some(v) = j.get(k) {
                        keys.insert(k.into(), v.clone());
                    }
                }
                let mut commands = Vec::new();
                if let Some(run) = step.get("run").and_then(Value::as_str) {
                    commands = command_lines(run);
                }
                out.push(Unit {
                    name: format!("jobs.{job}.steps[{i}]"),
                    keys,
                    commands,
                });
            }
        }
        return out;
    }
    for (name, job) in obj {
        let Some(map) = job.as_object() else { continue };
        if name.starts_with('.') || !map.contains_key("script") {
            continue;
        }
        let mut keys = serde_json::Map::new();
        let bases = match map.get("extends") {
            Some(Value::String(b)) => vec![b.clone()],
            Some(Value::Array(bs)) => bs
                .iter()
                .filter_map(|b| b.as_str().map(String::from))
                .collect(),
            _ => Vec::new(),
        };
        for base in bases {
            if let Some(b) = obj.get(&base).and_then(Value::as_object) {
                keys.extend(b.clone());
            }
        }
        keys.extend(map.clone());
        let mut commands = Vec::new();
        for k in ["before_script", "script", "after_script"] {
            let mut lines = Vec::new();
            self::commands(
                &keys.get(k).cloned().unwrap_or(Value::Null),
                true,
                &mut lines,
            );
            commands.extend(lines.iter().flat_map(|l| command_lines(l)));
        }
        out.push(Unit {
            name: name.clone(),
            keys,
            commands,
        });
    }
    out
}

/// A failing shard must fail the pipeline: a run that failed a case and passed the gate anyway
/// is the green run that judged nothing. The reports are still published on failure through the
/// CI's own "always" mechanisms, which do not hide an exit code.
#[test]
fn no_step_that_runs_ontap_conform_hides_its_failure() {
    let swallowed = Regex::new(r"\|\|\s*(true|:|exit\s+0)\b|;\s*true\s*$").unwrap();
    let captured = Regex::new(r"\|\|\s*([A-Za-z_][A-Za-z0-9_]*)=\$\?").unwrap();
    for (path, _, doc) in templates() {
        let mut checked = 0;
        for unit in units(&doc) {
            if !unit.commands.iter().any(|c| runs_the_tool(c)) {
                continue;
            }
            checked += 1;
            // Anything but `false` may let it fail: `true`, an expression, a list of exit codes.
            for key in ["continue-on-error", "allow_failure"] {
                let v = unit.keys.get(key);
                assert!(
                    matches!(v, None | Some(Value::Bool(false))),
                    "{}: {}: `{key}: {}` hides a failing run",
                    path.display(),
                    unit.name,
                    v.unwrap()
                );
            }
            // GitLab ignores how an `after_script` ends.
            let mut after = Vec::new();
            commands(
                unit.keys.get("after_script").unwrap_or(&Value::Null),
                true,
                &mut after,
            );
            assert!(
                !after.iter().any(|c| runs_the_tool(c)),
                "{}: {}: ontap-conform in after_script, whose failure fails nothing",
                path.display(),
                unit.name
            );
            for c in unit.commands.iter().filter(|c| runs_the_tool(c)) {
                assert!(
                    !swallowed.is_match(c),
                    "{}: {}: `{}` swallows the exit code",
                    path.display(),
                    unit.name,
                    c.trim()
                );
                // An exit code kept for later (so the next command still runs) is the job's exit.
                for kept in captured.captures_iter(c) {
                    let var = &kept[1];
                    assert!(
                        unit.commands.iter().any(|l| {
                            let l = l.trim();
                            l == format!("exit \"${var}\"") || l == format!("exit ${var}")
                        }),
                        "{}: {}: `{}` keeps the exit code in `{var}`, but the job never exits with it",
                        path.display(),
                        unit.name,
                        c.trim()
                    );
                }
            }
        }
        // The shards, and the job that merges them.
        assert!(
            checked >= 2,
            "{}: {checked} units run ontap-conform",
            path.display()
        );
    }
}

/// The binary is built once per pipeline and handed to the shards, and every run can be given
/// the cluster's own CA certificate.
#[test]
fn each_pipeline_builds_once_and_can_trust_the_clusters_ca() {
    for (path, _, doc) in templates() {
        // Counted where it runs: a build in a shared template runs in every job that extends it.
        let builds: Vec<Unit> = units(&doc)
            .into_iter()
            .filter(|u| u.commands.iter().any(|c| c.contains("cargo install")))
            .collect();
        let names: Vec<&str> = builds.iter().map(|u| u.name.as_str()).collect();
        assert_eq!(names.len(), 1, "{}: built in {names:?}", path.display());
        let build = &builds[0];
        assert!(
            !build.keys.contains_key("parallel") && !build.keys.contains_key("strategy"),
            "{}: {} builds once per shard",
            path.display(),
            build.name
        );
        let install = build.commands.iter().find(|l| l.contains("cargo install"));
        assert!(
            install.is_some_and(|l| l.contains("--locked") && l.contains("--root")),
            "{}: {install:?}: install with --locked, into a --root the other jobs get",
            path.display()
        );
        let mut all = Vec::new();
        commands(&doc, false, &mut all);
        let lines: Vec<String> = all.iter().flat_map(|s| command_lines(s)).collect();
        let runs: Vec<&String> = lines
            .iter()
            .filter(|l| tool_call(l).is_some_and(|(_, c)| c == "run"))
            .collect();
        assert!(!runs.is_empty(), "{}", path.display());
        for run in runs {
            assert!(run.contains("--ca-cert"), "{}: {run}", path.display());
            assert!(run.contains("--partition"), "{}: {run}", path.display());
        }
    }
}
