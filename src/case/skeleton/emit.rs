//! JSON values written as the YAML a person writes a case in: block mappings and lists, short
//! maps and lists of scalars on one line (`path: {svm.uuid: "{{svm.uuid}}"}`), scalars plain
//! where YAML reads them back as the same string, double-quoted otherwise.
//!
//! The skeleton is data from the spec (a sample's body and steps) plus lines only a person
//! needs (comments); the crate has a YAML reader but no writer, and the subset written here is
//! small enough that a test reads every output back (`tests.rs`).

use std::fmt::Write as _;

use serde_json::Value;

/// The widest a one-line (flow) map or list may make its line.
const FLOW_WIDTH: usize = 96;

/// The keys whose values are written as blocks however short, as in every case file: the
/// parts of a step.
const BLOCK_KEYS: [&str; 3] = ["request", "expect", "convention"];

/// `key: value` at `indent` spaces: a scalar, or a short map or list of scalars, on the same
/// line; anything else below it.
pub(super) fn entry(out: &mut String, indent: usize, key: &str, v: &Value) {
    let one_line = match v {
        Value::Object(m) if BLOCK_KEYS.contains(&key) && !m.is_empty() => None,
        Value::Object(_) | Value::Array(_) => {
            flow(v).filter(|f| indent + key.len() + 2 + f.len() <= FLOW_WIDTH)
        }
        scalar => flow(scalar),
    };
    write_entry(out, indent, key, v, one_line);
}

/// `key:` with a map's entries or a list's items below it, however short.
pub(super) fn block_entry(out: &mut String, indent: usize, key: &str, v: &Value) {
    let one_line = match v {
        Value::Object(m) if !m.is_empty() => None,
        Value::Array(a) if !a.is_empty() => None,
        other => flow(other),
    };
    write_entry(out, indent, key, v, one_line);
}

fn write_entry(out: &mut String, indent: usize, key: &str, v: &Value, one_line: Option<String>) {
    let pad = " ".repeat(indent);
    let key = scalar_str(key, false);
    match one_line {
        Some(flow) => {
            let _ = writeln!(out, "{pad}{key}: {flow}");
        }
        None => {
            let _ = writeln!(out, "{pad}{key}:");
            block(out, indent + 2, v);
        }
    }
}

/// The entries of a map, or the items of a list, at `indent`.
pub(super) fn block(out: &mut String, indent: usize, v: &Value) {
    match v {
        Value::Object(m) => {
            for (k, x) in m {
                entry(out, indent, k, x);
            }
        }
        Value::Array(items) => {
            for x in items {
                item(out, indent, x);
            }
        }
        scalar => {
            let _ = writeln!(
                out,
                "{}{}",
                " ".repeat(indent),
                flow(scalar).unwrap_or_default()
            );
        }
    }
}

/// `- value` at `indent`: a map's first entry on the dash's line, the rest under it.
pub(super) fn item(out: &mut String, indent: usize, v: &Value) {
    let pad = " ".repeat(indent);
    match v {
        Value::Object(m) if !m.is_empty() => {
            let mut inner = String::new();
            block(&mut inner, indent + 2, v);
            // The first line's indent becomes the dash.
            let _ = write!(out, "{pad}- {}", &inner[indent + 2..]);
        }
        _ => match flow(v).filter(|f| indent + 2 + f.len() <= FLOW_WIDTH) {
            Some(f) => {
                let _ = writeln!(out, "{pad}- {f}");
            }
            None => {
                let _ = writeln!(out, "{pad}-");
                block(out, indent + 2, v);
            }
        },
    }
}

/// The value on one line, when it is a scalar or a map or list of scalars.
fn flow(v: &Value) -> Option<String> {
    Some(match v {
        Value::Null => "null".into(),
        Value::Bool(b) => b.to_string(),
        Value::Number(n) => n.to_string(),
        Value::String(s) => scalar_str(s, false),
        Value::Array(items) => {
            let parts: Option<Vec<String>> = items.iter().map(flow_scalar).collect();
            format!("[{}]", parts?.join(", "))
        }
        Value::Object(m) => {
            let parts: Option<Vec<String>> = m
                .iter()
                .map(|(k, x)| Some(format!("{}: {}", scalar_str(k, true), flow_scalar(x)?)))
                .collect();
            format!("{{{}}}", parts?.join(", "))
        }
    })
}

/// A scalar inside a one-line map or list (where `,` `{` `}` `[` `]` end a plain scalar).
fn flow_scalar(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(scalar_str(s, true)),
        Value::Array(_) | Value::Object(_) => None,
        other => flow(other),
    }
}

/// A string plain when YAML reads it back as this very string, else double-quoted (JSON's
/// escapes are YAML's).
fn scalar_str(s: &str, in_flow: bool) -> String {
    let special = matches!(
        s.to_ascii_lowercase().as_str(),
        "" | "~" | "null" | "true" | "false" | "yes" | "no" | "on" | "off" | "y" | "n"
    );
    // A leading digit, sign or dot may read as a number (`9.6`, `0x1F`, `.5`).
    let first_ok = s.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_' || c == '/');
    let rest_ok = s.chars().all(|c| {
        c.is_ascii_alphanumeric()
            || matches!(c, '_' | '.' | '/' | '-')
            || (!in_flow && matches!(c, ' ' | '{' | '}'))
    });
    // A `{{variable}}` is quoted, as case files write it, though YAML would read it plain.
    if special || !first_ok || !rest_ok || s.ends_with(' ') || s.contains("{{") {
        serde_json::to_string(s).unwrap_or_default()
    } else {
        s.to_string()
    }
}
