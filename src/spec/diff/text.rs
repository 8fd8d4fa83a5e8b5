//! The text `spec diff` prints, for people: readable at thousands of lines because it is
//! grouped (per tag, else per path segment after `/api`) and counts come before details.
//!
//! Order: both sides; the counts; a table of the groups; each group's operations (added `+`,
//! removed `-`, changed `~` with what changed in them); what the cases rely on that is gone;
//! one closing line. `| head` shows the counts and `| tail` the verdict.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use super::{BodyChange, Delta, Field, OpChange, OpRef, SpecDiff};

/// An enum longer than this is cut in the text (`--json` has it whole): NetApp lists dozens of
/// values for some fields, and a line per field must stay a line.
const ENUM_SHOWN: usize = 8;

#[derive(Default)]
struct Group<'a> {
    added: Vec<&'a OpRef>,
    removed: Vec<&'a OpRef>,
    changed: Vec<&'a OpChange>,
}

/// Renders the whole diff.
pub fn render_text(d: &SpecDiff) -> String {
    let mut out = String::new();
    for (name, side) in [("old", &d.old), ("new", &d.new)] {
        let _ = writeln!(
            out,
            "{name}: {} ({} operations, {} schemas)",
            side.label, side.operations, side.schemas
        );
    }
    let s = &d.summary;
    let _ = writeln!(
        out,
        "operations: {} added, {} removed, {} changed, {} unchanged",
        s.operations_added, s.operations_removed, s.operations_changed, s.operations_unchanged
    );
    if s.operations_changed > 0 {
        let _ = writeln!(
            out,
            "in the changed operations: error codes +{} -{}, success statuses +{} -{}, query parameters +{} -{}, fields +{} -{} ~{}, introduced-in {}",
            s.error_codes_added,
            s.error_codes_removed,
            s.success_statuses_added,
            s.success_statuses_removed,
            s.query_parameters_added,
            s.query_parameters_removed,
            s.fields_added,
            s.fields_removed,
            s.fields_changed,
            s.introduced_in_changed
        );
    }
    if !d.common_error_codes.is_empty() {
        let _ = writeln!(
            out,
            "common error codes (any operation): {}",
            delta(&d.common_error_codes)
        );
    }

    let mut groups: BTreeMap<&str, Group> = BTreeMap::new();
    for o in &d.added {
        groups.entry(&o.group).or_default().added.push(o);
    }
    for o in &d.removed {
        groups.entry(&o.group).or_default().removed.push(o);
    }
    for c in &d.changed {
        groups.entry(&c.group).or_default().changed.push(c);
    }
    if !groups.is_empty() {
        let width = groups.keys().map(|g| g.len()).max().unwrap_or(0).max(5);
        let _ = writeln!(out, "\n{:width$}  added  removed  changed", "group");
        for (name, g) in &groups {
            let _ = writeln!(
                out,
                "{name:width$}  {:>5}  {:>7}  {:>7}",
                g.added.len(),
                g.removed.len(),
                g.changed.len()
            );
        }
    }
    for (name, g) in &groups {
        let _ = writeln!(
            out,
            "\n{name}: {} added, {} removed, {} changed",
            g.added.len(),
            g.removed.len(),
            g.changed.len()
        );
        for o in &g.added {
            let _ = writeln!(out, "  + {}", o.operation);
        }
        for o in &g.removed {
            let _ = writeln!(out, "  - {}", o.operation);
        }
        for c in &g.changed {
            op_change(&mut out, c);
        }
    }

    let c = &d.cases;
    out.push('\n');
    let against = match &c.why_not_old {
        None => "OLD".to_string(),
        Some(why) => format!("the built-in spec, since they do not load against OLD ({why})"),
    };
    if c.from.is_empty() {
        let _ = writeln!(out, "cases: none (--no-builtin-cases and no --cases)");
    } else {
        let _ = writeln!(
            out,
            "cases: {} from {}, loaded against {against}",
            c.count, c.from
        );
    }
    if !d.gone.is_empty() {
        let _ = writeln!(
            out,
            "gone from NEW, relied on by a case ({}):",
            d.gone.len()
        );
        for g in &d.gone {
            let what = if g.kind == "operation" {
                g.operation.clone()
            } else {
                format!("{} of {}", g.what, g.operation)
            };
            let _ = writeln!(out, "  {}:{}  {}: {what}", g.file, g.line, g.case);
        }
    }
    let _ = writeln!(
        out,
        "operations: {} added, {} removed, {} changed; {}",
        s.operations_added,
        s.operations_removed,
        s.operations_changed,
        match s.gone {
            0 => "nothing a case relies on is gone".to_string(),
            1 => "1 thing a case relies on is gone".to_string(),
            n => format!("{n} things cases rely on are gone"),
        }
    );
    out
}

fn op_change(out: &mut String, c: &OpChange) {
    let _ = writeln!(out, "  ~ {}", c.operation);
    if let Some(was) = &c.old_path {
        let _ = writeln!(out, "      path parameters renamed: {was} -> {}", c.path);
    }
    if let Some(m) = &c.introduced_in {
        let _ = writeln!(
            out,
            "      introduced in: {} -> {}",
            m.old.as_deref().unwrap_or("(none)"),
            m.new.as_deref().unwrap_or("(none)")
        );
    }
    for (title, d) in [
        ("error codes", &c.error_codes),
        ("success statuses", &c.success_statuses),
        ("query parameters", &c.query_parameters),
    ] {
        if !d.is_empty() {
            let _ = writeln!(out, "      {title}: {}", delta(d));
        }
    }
    // One schema often serves the request and a response (a volume is POSTed and returned):
    // bodies that changed alike are listed once, under all their names.
    let mut alike: Vec<(Vec<&str>, &BodyChange)> = Vec::new();
    for b in &c.bodies {
        let name = if b.body == super::REQUEST {
            "request"
        } else {
            b.body.as_str()
        };
        match alike.iter_mut().find(|(_, a)| same_change(a, b)) {
            Some((names, _)) => names.push(name),
            None => alike.push((vec![name], b)),
        }
    }
    for (names, b) in alike {
        let title = match names.as_slice() {
            [one] => format!("{one} body"),
            [init @ .., last] => format!("{} and {last} bodies", init.join(", ")),
            [] => continue,
        };
        body(out, &title, b);
    }
}

fn same_change(a: &BodyChange, b: &BodyChange) -> bool {
    a.change == b.change && a.added == b.added && a.removed == b.removed && a.changed == b.changed
}

fn body(out: &mut String, title: &str, b: &BodyChange) {
    if b.change != "changed" {
        let _ = writeln!(out, "      {title}: {}", b.change);
        return;
    }
    let _ = writeln!(
        out,
        "      {title}: {} added, {} removed, {} changed",
        b.added.len(),
        b.removed.len(),
        b.changed.len()
    );
    for f in &b.added {
        let _ = writeln!(out, "        + {}  {}", f.path, describe(&f.field));
    }
    for f in &b.removed {
        let _ = writeln!(out, "        - {}  {}", f.path, describe(&f.field));
    }
    for f in &b.changed {
        let mut parts = Vec::new();
        for what in &f.differs {
            let (a, n) = (&f.old, &f.new);
            parts.push(match *what {
                "type" => format!("type {} -> {}", a.kind, n.kind),
                "format" => format!(
                    "format {} -> {}",
                    a.format.as_deref().unwrap_or("(none)"),
                    n.format.as_deref().unwrap_or("(none)")
                ),
                "access" => format!("access {} -> {}", access(a), access(n)),
                "enum" => format!(
                    "enum {}",
                    delta(&Delta {
                        added: minus(&n.enum_values, &a.enum_values),
                        removed: minus(&a.enum_values, &n.enum_values),
                    })
                ),
                _ => format!(
                    "introduced in {} -> {}",
                    a.introduced_in.as_deref().unwrap_or("(none)"),
                    n.introduced_in.as_deref().unwrap_or("(none)")
                ),
            });
        }
        let _ = writeln!(out, "        ~ {}  {}", f.path, parts.join("; "));
    }
}

/// `+ a, b  - c`: what was added, then what was removed.
fn delta(d: &Delta) -> String {
    let mut parts = Vec::new();
    if !d.added.is_empty() {
        parts.push(format!("+ {}", d.added.join(", ")));
    }
    if !d.removed.is_empty() {
        parts.push(format!("- {}", d.removed.join(", ")));
    }
    parts.join("  ")
}

fn minus(a: &[String], b: &[String]) -> Vec<String> {
    a.iter().filter(|v| !b.contains(v)).cloned().collect()
}

fn access(f: &Field) -> String {
    if f.access.is_empty() {
        "read-write".into()
    } else {
        f.access.join(", ")
    }
}

/// `string (uuid), read-only, enum [a, b], introduced in 9.10`.
fn describe(f: &Field) -> String {
    let mut out = f.kind.clone();
    if let Some(fmt) = &f.format {
        let _ = write!(out, " ({fmt})");
    }
    if !f.access.is_empty() {
        let _ = write!(out, ", {}", f.access.join(", "));
    }
    if !f.enum_values.is_empty() {
        let shown: Vec<&str> = f
            .enum_values
            .iter()
            .take(ENUM_SHOWN)
            .map(String::as_str)
            .collect();
        let more = f.enum_values.len().saturating_sub(ENUM_SHOWN);
        let _ = write!(out, ", enum [{}", shown.join(", "));
        if more > 0 {
            let _ = write!(out, ", ... {more} more");
        }
        out.push(']');
    }
    if let Some(v) = &f.introduced_in {
        let _ = write!(out, ", introduced in {v}");
    }
    out
}
