//! The 9.8 import's error codes against ONTAP 9.19.1's error tables
//! (`spec/sources/ontap-api/errors-9.19.1.tsv`): for every operation both releases have, is every
//! code the 9.8 file documents still in 9.19.1's table? Codes added after 9.8 are expected, and
//! only counted.
//!
//! They do not all agree, and the differences are recorded, with what each is, in
//! `tests/fixtures/import/9.8-codes-not-in-9.19.1.tsv`, with the comparison's counts in its head:
//! this test computes the comparison afresh and asserts that file exactly, so a change on either
//! side shows as a difference to read. `IMPORT_ERRORS_WRITE=1 cargo test --test import_errors`
//! writes the file again from the sources.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;

use ontap_conform::spec::import::builtin_layer;

const TABLES: &str = "spec/sources/ontap-api/errors-9.19.1.tsv";
const OPERATIONS: &str = "spec/sources/ontap-api/operations-9.19.1.txt";
const RECORD: &str = "tests/fixtures/import/9.8-codes-not-in-9.19.1.tsv";

fn read(path: &str) -> String {
    std::fs::read_to_string(std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(path)).unwrap()
}

/// `METHOD /api/path` to its codes, in the import.
fn codes_9_8() -> BTreeMap<String, Vec<String>> {
    let layer = builtin_layer();
    let mut out = BTreeMap::new();
    for (path, item) in layer["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            let codes = op["x-ontap-errors"]
                .as_array()
                .map(|e| {
                    e.iter()
                        .map(|e| e["code"].as_str().unwrap().to_string())
                        .collect()
                })
                .unwrap_or_default();
            out.insert(format!("{} {path}", method.to_uppercase()), codes);
        }
    }
    out
}

/// `METHOD /api/path` to its codes, in 9.19.1's tables.
fn codes_9_19_1() -> BTreeMap<String, BTreeSet<String>> {
    let mut out: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for line in read(TABLES).lines().filter(|l| !l.starts_with('#')) {
        let mut cells = line.splitn(4, '\t');
        let (Some(method), Some(path), Some(code)) = (cells.next(), cells.next(), cells.next())
        else {
            panic!("{TABLES}: not `method path code description`: {line:?}");
        };
        out.entry(format!("{method} {path}"))
            .or_default()
            .insert(code.to_string());
    }
    out
}

/// The comparison, as the record writes it.
fn comparison() -> String {
    let old = codes_9_8();
    let new = codes_9_19_1();
    let operations: BTreeSet<String> = read(OPERATIONS).lines().map(str::to_string).collect();
    // Where each code is listed in 9.19.1, for a code that moved.
    let mut where_listed: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for (op, codes) in &new {
        for c in codes {
            where_listed.entry(c).or_default().push(op);
        }
    }
    let in_both: Vec<&String> = old.keys().filter(|op| operations.contains(*op)).collect();
    let with_table: Vec<&String> = in_both
        .iter()
        .copied()
        .filter(|op| !old[*op].is_empty())
        .collect();
    let (mut agree, mut added) = (0, 0);
    let mut rows = Vec::new();
    let mut no_table_ops = 0;
    for op in &with_table {
        let Some(now) = new.get(*op) else {
            no_table_ops += 1;
            for code in &old[*op] {
                rows.push(format!(
                    "{}\t{code}\tno table: 9.19.1 lists no error for the operation",
                    op.replacen(' ', "\t", 1)
                ));
            }
            continue;
        };
        added += now.iter().filter(|c| !old[*op].contains(*c)).count();
        for code in &old[*op] {
            if now.contains(code) {
                agree += 1;
                continue;
            }
            let why = match where_listed.get(code.as_str()) {
                Some(ops) => format!("moved: 9.19.1 lists it on {}", ops.join(", ")),
                None => "gone: no 9.19.1 table lists the code".to_string(),
            };
            rows.push(format!("{}\t{code}\t{why}", op.replacen(' ', "\t", 1)));
        }
    }
    let codes: usize = with_table.iter().map(|op| old[*op].len()).sum();
    let mut out = String::new();
    let _ = writeln!(
        out,
        "# The 9.8 import's error codes (spec/imported/ontap-9.8.json.gz) that {TABLES} does not list on the same operation."
    );
    let _ = writeln!(
        out,
        "# Written by tests/import_errors.rs (IMPORT_ERRORS_WRITE=1), which asserts this file exactly."
    );
    let _ = writeln!(
        out,
        "# operations: {} imported, {} of them in {OPERATIONS}, {} of those with a 9.8 error table ({no_table_ops} with no 9.19.1 table)",
        old.len(),
        in_both.len(),
        with_table.len()
    );
    let _ = writeln!(
        out,
        "# codes: {codes} in those 9.8 tables: {agree} listed by 9.19.1 on the same operation, {} not (below); {added} codes added by 9.19.1 on those operations",
        codes - agree
    );
    let _ = writeln!(out, "# method\tpath\tcode\twhat 9.19.1 shows");
    for r in rows {
        let _ = writeln!(out, "{r}");
    }
    out
}

#[test]
fn the_9_8_codes_agree_with_9_19_1_but_for_the_recorded_exceptions() {
    let now = comparison();
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(RECORD);
    if std::env::var_os("IMPORT_ERRORS_WRITE").is_some() {
        std::fs::write(&path, &now).unwrap();
    }
    // The counts, for the test's output (`--nocapture`).
    for line in now
        .lines()
        .filter(|l| l.starts_with("# operations") || l.starts_with("# codes"))
    {
        println!("{line}");
    }
    let recorded = std::fs::read_to_string(&path).unwrap_or_default();
    if recorded != now {
        let diff: Vec<String> = diff_lines(&recorded, &now);
        panic!(
            "the comparison is not {RECORD} (IMPORT_ERRORS_WRITE=1 writes it again; read the difference first):\n{}",
            diff.join("\n")
        );
    }
}

/// Lines only in `a` (`-`) or only in `b` (`+`).
fn diff_lines(a: &str, b: &str) -> Vec<String> {
    let (a_set, b_set): (BTreeSet<&str>, BTreeSet<&str>) =
        (a.lines().collect(), b.lines().collect());
    a_set
        .difference(&b_set)
        .map(|l| format!("- {l}"))
        .chain(b_set.difference(&a_set).map(|l| format!("+ {l}")))
        .collect()
}
