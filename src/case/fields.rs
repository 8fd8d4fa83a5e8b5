//! Every body field a step names, checked against the response schemas the spec documents for
//! the statuses the step admits: the fields of `expect`, of its `any_of` alternatives and of its
//! `convention` block (and the fields their `each`, `fields`, `not` and `ordered_by` matchers
//! name below them), its `absent` fields, and its captures.
//!
//! A path no admitted response can hold is a typo: as a field to match it fails every run, and
//! as an `absent` field it passes every run while checking nothing (`chap.inbound.pasword`). So
//! it is a load error at its line, with the nearest documented path as a "did you mean". An
//! `absent` field the schema does have is the point of `absent` (a `writeOnly` password).
//!
//! Which responses count: those of the block's `status` (an error status: the `default`
//! response, the `error` body); without one, those of its alternatives' statuses; without any,
//! 2xx for `expect` (what the checker then requires) and the `expect` block's for `convention`
//! and captures. A status class counts the documented responses of that class. An alternative
//! that states no status, and a status the operation does not document, let every documented
//! response count. When none of the responses that count documents a body, there is nothing to
//! check against and the fields pass (the spec says nothing of what a DELETE's 200 carries).

use serde_json::Value;

use super::def::{ExpectDef, StepDef};
use super::expect::{Report, compile_status};
use super::plan::StatusExpect;
use super::{did_you_mean, field_pointer};
use crate::spec::{CompiledSchema, Operation, PathMiss};
use crate::yaml::escape_segment;

/// Checks every field path of `step` (at the case-file pointer `at`) against `op`'s responses.
pub(super) fn check_step_fields(op: &Operation, step: &StepDef, at: &str, report: Report) {
    let success = Admits::Rules(vec![StatusExpect::Class(2)]);
    let expect_admits = step
        .expect
        .as_ref()
        .map(|e| admits(e, &success))
        .unwrap_or_else(|| success.clone());
    if let Some(e) = &step.expect {
        check_block(op, e, &expect_admits, &format!("{at}/expect"), report);
        for (i, alt) in e.any_of.iter().enumerate() {
            let alt_admits = admits(alt, &Admits::Any);
            check_block(
                op,
                alt,
                &alt_admits,
                &format!("{at}/expect/any_of/{i}"),
                report,
            );
        }
    }
    if let Some(c) = &step.convention {
        let conv_admits = admits(c, &expect_admits);
        check_block(op, c, &conv_admits, &format!("{at}/convention"), report);
    }
    let schemas = Responses::of(op, &expect_admits);
    for (name, from) in &step.capture {
        let (field, p) = match from {
            Value::String(s) => (s.as_str(), format!("{at}/capture/{}", escape_segment(name))),
            Value::Object(m) => match m.get("from").and_then(Value::as_str) {
                Some(s) => (s, format!("{at}/capture/{}/from", escape_segment(name))),
                None => continue,
            },
            _ => continue,
        };
        if field.starts_with("header:") {
            continue;
        }
        if let Err(m) = schemas.check(&[], field) {
            report(p, m);
        }
    }
}

/// The statuses a block's checks can meet.
#[derive(Debug, Clone)]
enum Admits {
    /// Any the operation documents.
    Any,
    /// Those one of these admits.
    Rules(Vec<StatusExpect>),
}

/// A block's own status, else its alternatives' (all of them, or any status when one states
/// none), else `inherited`. A status that does not parse is reported by `expect.rs`.
fn admits(e: &ExpectDef, inherited: &Admits) -> Admits {
    let status = |e: &ExpectDef| {
        e.status
            .as_ref()
            .and_then(|v| compile_status(v, "", &mut |_, _| {}))
    };
    if let Some(s) = status(e) {
        return Admits::Rules(vec![s]);
    }
    if !e.any_of.is_empty() {
        return e
            .any_of
            .iter()
            .map(status)
            .collect::<Option<Vec<_>>>()
            .map_or(Admits::Any, Admits::Rules);
    }
    inherited.clone()
}

fn check_block(op: &Operation, e: &ExpectDef, admits: &Admits, at: &str, report: Report) {
    let schemas = Responses::of(op, admits);
    for (field, want) in &e.fields {
        let p = format!("{at}/fields/{}", escape_segment(field));
        match schemas.check(&[], field) {
            Ok(()) => schemas.check_matcher(want, &segments(field), &p, report),
            Err(m) => report(p, m),
        }
    }
    for (i, field) in e.absent.iter().enumerate() {
        if let Err(m) = schemas.check(&[], field) {
            report(format!("{at}/absent/{i}"), m);
        }
    }
}

/// The response schemas a block is checked against, and how to name them in a message.
struct Responses<'a> {
    op: &'a Operation,
    schemas: Vec<&'a CompiledSchema>,
    /// ` 200`, ` 4xx`: the statuses they were chosen by, or nothing when all count.
    statuses: String,
}

impl<'a> Responses<'a> {
    fn of(op: &'a Operation, admits: &Admits) -> Responses<'a> {
        let all = || op.responses.values().collect::<Vec<_>>();
        let (chosen, statuses) = match admits {
            Admits::Any => (all(), String::new()),
            Admits::Rules(rules) => {
                let chosen: Vec<_> = op
                    .responses
                    .values()
                    .filter(|r| rules.iter().any(|rule| covers(op, rule, &r.status)))
                    .collect();
                let named: Vec<String> = rules
                    .iter()
                    .map(|r| match r {
                        StatusExpect::OneOf(list) => list
                            .iter()
                            .map(u16::to_string)
                            .collect::<Vec<_>>()
                            .join(" or "),
                        r => r.to_string(),
                    })
                    .collect();
                if chosen.is_empty() {
                    (all(), String::new())
                } else {
                    (chosen, format!(" {}", named.join(" or ")))
                }
            }
        };
        Responses {
            op,
            schemas: chosen.iter().filter_map(|r| r.schema()).collect(),
            statuses,
        }
    }

    /// Whether `field`, below the body path `base` (segments), can be in one of the responses;
    /// the message when it cannot. With no schema to go by, anything can.
    fn check(&self, base: &[String], field: &str) -> Result<(), String> {
        if self.schemas.is_empty() {
            return Ok(());
        }
        let rel = segments(field);
        let full: Vec<String> = base.iter().chain(&rel).cloned().collect();
        let pointer = pointer_of(&full);
        let mut deepest: Option<PathMiss> = None;
        for s in &self.schemas {
            match s.locate(&pointer) {
                Ok(()) => return Ok(()),
                Err(m) if deepest.is_none_or(|d| m.at() > d.at()) => deepest = Some(m),
                Err(_) => {}
            }
        }
        let style = Style::of(field);
        let under = crate::yaml::pointer_to_field(&pointer_of(base));
        let why = match deepest {
            Some(miss) if miss.at() >= base.len() => {
                let i = miss.at() - base.len();
                let before = if i == 0 {
                    under.clone()
                } else {
                    style.render(&rel[..i])
                };
                let seg = &rel[i];
                match miss {
                    PathMiss::NoField { .. } if before.is_empty() => {
                        format!("the body has no field `{seg}`")
                    }
                    PathMiss::NoField { .. } => format!("`{before}` has no field `{seg}`"),
                    PathMiss::NotAnIndex { .. } => {
                        format!("`{before}` is a list: name an element by its index first")
                    }
                    PathMiss::BelowScalar { .. } => {
                        format!("`{before}` is a single value: nothing is below it")
                    }
                }
            }
            _ => "the schema has no such field".to_string(),
        };
        let below = if base.is_empty() {
            String::new()
        } else {
            format!(" below `{under}`")
        };
        let candidates = self.near(base, &rel, style);
        let hint = did_you_mean(field, candidates.iter().map(String::as_str));
        Err(format!(
            "`{field}` cannot be in a{} response of `{}`{below}: {why}{hint}",
            self.statuses,
            self.op.key()
        ))
    }

    /// The documented paths below `base`, as `style` writes them (an array element by the index
    /// the case wrote at that place, else 0): what a misspelt path is compared with.
    fn near(&self, base: &[String], rel: &[String], style: Style) -> Vec<String> {
        let depth = base.len() + rel.len() + 1;
        let mut out = Vec::new();
        for s in &self.schemas {
            for path in s.field_paths(depth) {
                let Some(below) = below(&path, base) else {
                    continue;
                };
                let segs: Vec<String> = below
                    .iter()
                    .enumerate()
                    .map(|(i, seg)| match seg {
                        Some(name) => name.clone(),
                        None => rel
                            .get(i)
                            .filter(|s| s.parse::<usize>().is_ok())
                            .cloned()
                            .unwrap_or_else(|| "0".into()),
                    })
                    .collect();
                out.push(style.render(&segs));
            }
        }
        out
    }

    /// The fields a matcher names below the field it is on (`each`, `fields`, `not`,
    /// `ordered_by`). A matcher that is not well-formed is `expect.rs`'s to report.
    fn check_matcher(&self, m: &Value, base: &[String], at: &str, report: Report) {
        let Some((key, arg)) = m
            .as_object()
            .filter(|o| o.len() == 1)
            .and_then(|o| o.iter().next())
        else {
            return;
        };
        let element = || {
            base.iter()
                .cloned()
                .chain(["0".to_string()])
                .collect::<Vec<_>>()
        };
        match key.as_str() {
            "each" => self.check_matcher(arg, &element(), &format!("{at}/each"), report),
            "not" => self.check_matcher(arg, base, &format!("{at}/not"), report),
            "fields" => {
                for (field, want) in arg.as_object().into_iter().flatten() {
                    let p = format!("{at}/fields/{}", escape_segment(field));
                    match self.check(base, field) {
                        Ok(()) => {
                            let below: Vec<String> =
                                base.iter().cloned().chain(segments(field)).collect();
                            self.check_matcher(want, &below, &p, report);
                        }
                        Err(e) => report(p, e),
                    }
                }
            }
            "ordered_by" => {
                let spec = arg.as_str().unwrap_or_default().trim();
                let field = spec.split_once(' ').map_or(spec, |(f, _)| f);
                if !field.is_empty()
                    && let Err(e) = self.check(&element(), field)
                {
                    report(format!("{at}/ordered_by"), e);
                }
            }
            _ => {}
        }
    }
}

/// Whether the documented response `status` (`"200"`, `"default"`) is one `rule` admits:
/// `default` stands for every error status the operation documents no response of its own for.
fn covers(op: &Operation, rule: &StatusExpect, status: &str) -> bool {
    if let Ok(s) = status.parse::<u16>() {
        return rule.admits(s);
    }
    let undocumented_error = |s: &u16| *s >= 400 && !op.responses.contains_key(&s.to_string());
    status == "default"
        && match rule {
            StatusExpect::Exact(s) => undocumented_error(s),
            StatusExpect::Class(c) => *c >= 4,
            StatusExpect::OneOf(list) => list.iter().any(undocumented_error),
        }
}

/// The part of a documented path below `base`, when the path runs through it (an array element
/// of the path stands for any index of `base`).
fn below<'p>(path: &'p [Option<String>], base: &[String]) -> Option<&'p [Option<String>]> {
    if path.len() <= base.len() {
        return None;
    }
    let through = path.iter().zip(base).all(|(p, b)| match p {
        Some(name) => name == b,
        None => b.parse::<usize>().is_ok(),
    });
    through.then(|| &path[base.len()..])
}

/// Segments as a JSON pointer.
fn pointer_of(segs: &[String]) -> String {
    segs.iter()
        .map(|s| format!("/{}", escape_segment(s)))
        .collect()
}

/// A field as written, as its unescaped segments (`records.0.svm.name` → records, 0, svm, name).
fn segments(field: &str) -> Vec<String> {
    field_pointer(field)
        .split('/')
        .skip(1)
        .map(|s| s.replace("~1", "/").replace("~0", "~"))
        .collect()
}

/// How a case wrote a field, so a suggestion reads the same way.
#[derive(Debug, Clone, Copy)]
enum Style {
    /// `/records/0/name`
    Pointer,
    /// `records[0].name`
    Brackets,
    /// `records.0.name`
    Dotted,
}

impl Style {
    fn of(field: &str) -> Style {
        if field.starts_with('/') {
            Style::Pointer
        } else if field.contains('[') {
            Style::Brackets
        } else {
            Style::Dotted
        }
    }

    fn render(self, segs: &[String]) -> String {
        let mut out = String::new();
        for s in segs {
            let index = s.parse::<usize>().is_ok();
            match self {
                Style::Pointer => {
                    out.push('/');
                    out.push_str(&escape_segment(s));
                }
                Style::Brackets if index => out.push_str(&format!("[{s}]")),
                _ => {
                    if !out.is_empty() {
                        out.push('.');
                    }
                    out.push_str(s);
                }
            }
        }
        out
    }
}
