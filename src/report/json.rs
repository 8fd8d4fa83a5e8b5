//! `conformance.json`: the result model as it is, for machines; and its reader, beside the
//! writer so the two change together. `diff` and `merge` read reports through [`read_report`].

use std::io::{self, Write};
use std::path::Path;

use serde::Deserialize;

use super::model::{OLDEST_READABLE_VERSION, RunReport, SCHEMA_VERSION};
use super::store::Cases;

pub fn render(report: &RunReport) -> String {
    serde_json::to_string_pretty(report).unwrap_or_else(|e| format!("{{\"error\": \"{e}\"}}"))
}

/// What [`render`] prints for `head` with `cases` as its cases, written one case at a time:
/// `head` is rendered with no cases (`cases` is its last field, so its text ends in
/// `"cases": []` and the closing brace), and the array is written in place of that `[]` from
/// each case's own text, indented as the whole report indents it.
pub fn write_to(out: &mut dyn Write, head: &RunReport, cases: &dyn Cases) -> io::Result<()> {
    if !head.cases.is_empty() {
        return Err(io::Error::other(
            "json::write_to: the model's own cases would be written twice",
        ));
    }
    let text = serde_json::to_string_pretty(head).map_err(io::Error::other)?;
    let prefix = text
        .strip_suffix("[]\n}")
        .filter(|p| p.ends_with("\"cases\": "))
        .ok_or_else(|| io::Error::other("json::write_to: `cases` is not the model's last field"))?;
    out.write_all(prefix.as_bytes())?;
    if cases.is_empty() {
        return out.write_all(b"[]\n}");
    }
    out.write_all(b"[")?;
    for i in 0..cases.len() {
        out.write_all(if i == 0 { b"\n    " } else { b",\n    " })?;
        cases.write_json(i, out)?;
    }
    out.write_all(b"\n  ]\n}")
}

pub fn write_report(path: &Path, report: &RunReport) -> std::io::Result<()> {
    super::write_atomic(path, render(report).as_bytes())
}

/// Why a `conformance.json` could not be read.
#[derive(Debug, thiserror::Error)]
pub enum ReadError {
    #[error("{path}: cannot read: {source}")]
    Read {
        path: String,
        source: std::io::Error,
    },
    #[error("{path}: line {line}, column {column}: not a conformance.json report: {message}")]
    Parse {
        path: String,
        line: usize,
        column: usize,
        message: String,
    },
    #[error(
        "{path}: schema_version {found} (line {line}): this ontap-conform reads schema_version {OLDEST_READABLE_VERSION} to {SCHEMA_VERSION}; read it with the ontap-conform that wrote it"
    )]
    Version {
        path: String,
        line: usize,
        found: u64,
    },
}

/// Reads a `conformance.json` of any version from [`OLDEST_READABLE_VERSION`] to
/// [`SCHEMA_VERSION`], checking `schema_version` before the shape so that a report of another
/// version gets that message rather than a missing-field one. A version-1 report reads as is:
/// the fields version 2 added default to none (no errors, no locations, no `covers`).
pub fn read_report(path: &Path) -> Result<RunReport, ReadError> {
    let shown = path.display().to_string();
    let text = std::fs::read_to_string(path).map_err(|source| ReadError::Read {
        path: shown.clone(),
        source,
    })?;
    let value: serde_json::Value = serde_json::from_str(&text).map_err(|e| ReadError::Parse {
        path: shown.clone(),
        line: e.line(),
        column: e.column(),
        message: e.to_string(),
    })?;
    let readable = u64::from(OLDEST_READABLE_VERSION)..=u64::from(SCHEMA_VERSION);
    match value.get("schema_version").and_then(|v| v.as_u64()) {
        Some(v) if readable.contains(&v) => {}
        Some(found) => {
            return Err(ReadError::Version {
                path: shown,
                line: line_of_version(&text),
                found,
            });
        }
        None => {
            return Err(ReadError::Parse {
                path: shown,
                line: 1,
                column: 1,
                message: "no `schema_version` field".into(),
            });
        }
    }
    // From the text rather than the value, so that a shape error names its line too.
    let mut de = serde_json::Deserializer::from_str(&text);
    serde_path_to_error::deserialize(&mut de).map_err(|e| ReadError::Parse {
        path: shown.clone(),
        line: e.inner().line(),
        column: e.inner().column(),
        message: format!("at {}: {}", e.path(), e.inner()),
    })
}

/// The line of the top-level `schema_version`. serde_json tells the position of an error, so a
/// field type that refuses every value stops the parse at that field and names its line.
fn line_of_version(text: &str) -> usize {
    struct Stop;
    impl<'de> Deserialize<'de> for Stop {
        fn deserialize<D: serde::Deserializer<'de>>(_: D) -> Result<Self, D::Error> {
            Err(serde::de::Error::custom("stop"))
        }
    }
    #[derive(Deserialize)]
    struct Head {
        #[serde(rename = "schema_version")]
        _version: Stop,
    }
    serde_json::from_str::<Head>(text)
        .err()
        .map_or(1, |e| e.line())
}
