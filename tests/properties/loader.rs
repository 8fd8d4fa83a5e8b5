//! The case loader given arbitrary bytes, YAML-looking junk, and structured mutations and line
//! edits of real case files: it never panics, and every error names the file and a line.

use std::path::{Path, PathBuf};
use std::sync::LazyLock;

use ontap_conform::case;
use ontap_conform::yaml;
use proptest::prelude::*;
use proptest::test_runner::TestCaseError;
use serde_json::Value;

use crate::{SPEC, apply, mutation, run};

/// Real case files the structured mutations start from.
const SEEDS: [&str; 5] = [
    "cases/flows/iscsi-crud.yaml",
    "cases/flows/security-fips-job.yaml",
    "cases/flows/iscsi-paging.yaml",
    "cases/iscsi/create-chap-passwords-never-returned.yaml",
    "cases/ndmp/get-65601536-svm-aware-disabled.yaml",
];

static SEED_TEXTS: LazyLock<Vec<String>> = LazyLock::new(|| {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    SEEDS
        .iter()
        .map(|s| std::fs::read_to_string(root.join(s)).expect("seed case readable"))
        .collect()
});

/// Loads `text` as a case file and checks what any answer must satisfy.
fn check_load(text: &str) -> Result<(), TestCaseError> {
    let file = Path::new("cases/fuzz/mutant.yaml");
    let result = case::load_case(file, "fuzz", text, &SPEC);
    let Err(diags) = result else {
        return Ok(());
    };
    prop_assert!(!diags.0.is_empty(), "an error with no diagnostic");
    let was_yaml = yaml::parse(text).is_ok();
    let last_line = text.lines().count().max(1) + 1;
    for d in &diags.0 {
        prop_assert_eq!(&d.file, file);
        let shown = d.to_string();
        prop_assert!(
            shown.starts_with("cases/fuzz/mutant.yaml:"),
            "not named by file: {}",
            shown
        );
        prop_assert!(!d.message.trim().is_empty(), "empty message: {}", shown);
        prop_assert!(d.line >= 1, "no line: {}", shown);
        if was_yaml {
            prop_assert!(d.line <= last_line, "line past the end: {}", shown);
        }
    }
    Ok(())
}

#[test]
fn case_loader_survives_arbitrary_bytes() {
    run(256, prop::collection::vec(any::<u8>(), 0..2048), |bytes| {
        check_load(&String::from_utf8_lossy(&bytes))
    });
}

#[test]
fn case_loader_survives_yaml_looking_junk() {
    run(
        256,
        "[a-z0-9_:{}\\[\\],&*!|>'\"#%@`?. \n\t-]{0,600}",
        |text| check_load(&text),
    );
}

/// A file of arbitrary bytes on disk (invalid UTF-8 included) is reported by its path.
#[test]
fn case_directory_with_arbitrary_files_names_them() {
    let dir = std::env::temp_dir().join(format!("oc-props-{}", std::process::id()));
    let cases = dir.join("cases");
    let area = cases.join("fuzz");
    std::fs::create_dir_all(&area).expect("temp dir");
    run(64, prop::collection::vec(any::<u8>(), 0..1024), |bytes| {
        std::fs::write(area.join("junk.yaml"), &bytes).expect("write");
        if let Err(d) = case::load_dir(&cases, &SPEC) {
            for d in &d.0 {
                prop_assert_eq!(&d.file, &PathBuf::from("cases/fuzz/junk.yaml"));
                prop_assert!(d.to_string().starts_with("cases/fuzz/junk.yaml:"));
            }
        }
        Ok(())
    });
    let _ = std::fs::remove_dir_all(&dir);
}

/// Block-style YAML for a JSON value (strings and keys double-quoted, which YAML reads as JSON
/// does), so a mutated tree becomes a file with lines and indentation like the real ones.
fn to_block_yaml(v: &Value) -> String {
    fn scalar(v: &Value) -> Option<String> {
        match v {
            Value::Array(a) if a.is_empty() => Some("[]".into()),
            Value::Object(o) if o.is_empty() => Some("{}".into()),
            Value::Array(_) | Value::Object(_) => None,
            other => Some(other.to_string()),
        }
    }
    fn emit(v: &Value, indent: usize, out: &mut String) {
        let pad = " ".repeat(indent);
        match v {
            Value::Object(o) if !o.is_empty() => {
                for (k, val) in o {
                    let k = Value::String(k.clone()).to_string();
                    match scalar(val) {
                        Some(s) => out.push_str(&format!("{pad}{k}: {s}\n")),
                        None => {
                            out.push_str(&format!("{pad}{k}:\n"));
                            emit(val, indent + 2, out);
                        }
                    }
                }
            }
            Value::Array(a) if !a.is_empty() => {
                for item in a {
                    match scalar(item) {
                        Some(s) => out.push_str(&format!("{pad}- {s}\n")),
                        None => {
                            out.push_str(&format!("{pad}-\n"));
                            emit(item, indent + 2, out);
                        }
                    }
                }
            }
            other => out.push_str(&format!("{pad}{}\n", scalar(other).unwrap_or_default())),
        }
    }
    let mut out = String::new();
    emit(v, 0, &mut out);
    out
}

#[test]
fn case_loader_survives_structured_mutations_of_real_cases() {
    let strategy = (
        0..SEEDS.len(),
        prop::collection::vec(mutation(), 1..4),
        any::<bool>(),
    );
    run(256, strategy, |(seed, mutations, block)| {
        let (mut tree, _) = yaml::parse(&SEED_TEXTS[seed]).expect("seed parses");
        for m in &mutations {
            apply(&mut tree, m);
        }
        let text = if block {
            to_block_yaml(&tree)
        } else {
            serde_json::to_string_pretty(&tree).expect("json")
        };
        // The loader reads back what was written: a mutation that changed meaning on the way
        // would test less than it claims.
        let (back, _) =
            yaml::parse(&text).map_err(|e| TestCaseError::fail(format!("{e:?} in\n{text}")))?;
        prop_assert_eq!(&back, &tree, "round trip of\n{}", text);
        check_load(&text)
    });
}

#[derive(Debug, Clone)]
enum LineEdit {
    Delete(u32),
    Duplicate(u32),
    Swap(u32, u32),
    Indent(u32, u8),
    Dedent(u32),
    Insert(u32, String),
    Truncate(u32, u32),
}

fn line_edit() -> impl Strategy<Value = LineEdit> {
    prop_oneof![
        any::<u32>().prop_map(LineEdit::Delete),
        any::<u32>().prop_map(LineEdit::Duplicate),
        (any::<u32>(), any::<u32>()).prop_map(|(a, b)| LineEdit::Swap(a, b)),
        (any::<u32>(), 1u8..6).prop_map(|(a, n)| LineEdit::Indent(a, n)),
        any::<u32>().prop_map(LineEdit::Dedent),
        (any::<u32>(), "[ -~]{0,40}").prop_map(|(a, s)| LineEdit::Insert(a, s)),
        (any::<u32>(), any::<u32>()).prop_map(|(a, b)| LineEdit::Truncate(a, b)),
    ]
}

/// Edits a person makes by accident: a lost or doubled line, a wrong indent, a stray paste.
#[test]
fn case_loader_survives_line_edits_of_real_cases() {
    let strategy = (0..SEEDS.len(), prop::collection::vec(line_edit(), 1..5));
    run(256, strategy, |(seed, edits)| {
        let mut lines: Vec<String> = SEED_TEXTS[seed].lines().map(String::from).collect();
        for e in &edits {
            if lines.is_empty() {
                break;
            }
            let at = |i: &u32| *i as usize % lines.len();
            match e {
                LineEdit::Delete(i) => {
                    let i = at(i);
                    lines.remove(i);
                }
                LineEdit::Duplicate(i) => {
                    let i = at(i);
                    lines.insert(i, lines[i].clone());
                }
                LineEdit::Swap(a, b) => {
                    let (a, b) = (at(a), at(b));
                    lines.swap(a, b);
                }
                LineEdit::Indent(i, n) => {
                    let i = at(i);
                    lines[i] = format!("{}{}", " ".repeat(*n as usize), lines[i]);
                }
                LineEdit::Dedent(i) => {
                    let i = at(i);
                    lines[i] = lines[i].trim_start().to_string();
                }
                LineEdit::Insert(i, s) => {
                    let i = at(i);
                    lines.insert(i, s.clone());
                }
                LineEdit::Truncate(i, n) => {
                    let i = at(i);
                    let keep = lines[i]
                        .char_indices()
                        .nth(*n as usize % (lines[i].chars().count() + 1))
                        .map_or(lines[i].len(), |(b, _)| b);
                    lines[i].truncate(keep);
                }
            }
        }
        check_load(&(lines.join("\n") + "\n"))
    });
}
