//! The typed plan a case file compiles to: what the runner executes and the checker judges.
//!
//! Everything here was checked once, at load: each step's operation is an index into the spec,
//! statuses and matchers are parsed, regexes compiled, capture sources resolved to JSON pointers.
//! The runner never re-reads case text (as Hurl parses its predicates into a tree when a file is
//! loaded and only evaluates them when it runs). What can only be known at run time are the
//! `{{variables}}`: [`Expectation::resolve`] fills them in, nothing else changes.

use std::fmt;

use regex::Regex;
use serde_json::Value;

use super::def::RequestDef;
use super::template::{Vars, interpolate};
use crate::spec::Basis;

pub use crate::spec::OpId;

/// Where a step sits in a case.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Phase {
    Setup,
    Step,
    Teardown,
}

impl Phase {
    /// The key of the phase in a case file (`steps` for [`Phase::Step`]).
    pub fn key(self) -> &'static str {
        match self {
            Phase::Setup => "setup",
            Phase::Step => "steps",
            Phase::Teardown => "teardown",
        }
    }
}

/// One compiled step.
#[derive(Debug, Clone)]
pub struct Step {
    pub name: Option<String>,
    pub op: OpId,
    /// Path parameters, query, body and sender as written: they hold `{{variables}}` that only
    /// the run can fill in.
    pub request: RequestDef,
    pub expect: Option<Expectation>,
    /// The step's `convention` block: every check in it has a convention as its basis.
    pub convention: Option<Expectation>,
    pub captures: Vec<Capture>,
    /// The step's line in its file, named by every failure of the step.
    pub line: usize,
}

/// A value taken from a response into a variable.
#[derive(Debug, Clone)]
pub struct Capture {
    pub name: String,
    pub from: CaptureFrom,
    /// `{from: FIELD, or_skip: WHY}`: when the field is absent the case is skipped with this
    /// reason instead of failing (the target holds nothing the case can judge).
    pub or_skip: Option<String>,
    /// `literal: true` (with `or_skip`): the value is sent back as a query value, so one that
    /// ONTAP would read as a query operator (`|`, `*`, `!`, `<`, `>`, `..`, an empty string)
    /// skips the case as an absent one does: a filter cannot ask for it as it is.
    pub literal: bool,
    pub line: usize,
}

/// Whether a captured value would be read by ONTAP as a query expression rather than itself
/// (NetApp's "Input variables controlling an API request": `*` wildcard, `|` or, `!` not, `<`,
/// `>`, `<=`, `>=` and `..` ranges).
pub fn is_query_expression(v: &serde_json::Value) -> bool {
    match v {
        serde_json::Value::String(s) => {
            s.is_empty() || s.contains(['|', '*', '!', '<', '>']) || s.contains("..")
        }
        serde_json::Value::Array(_) | serde_json::Value::Object(_) | serde_json::Value::Null => {
            true
        }
        _ => false,
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CaptureFrom {
    /// `header:Location`
    Header(String),
    /// A field of the body: as written (for messages) and as a JSON pointer.
    Body { field: String, pointer: String },
}

impl fmt::Display for CaptureFrom {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CaptureFrom::Header(h) => write!(f, "header:{h}"),
            CaptureFrom::Body { field, .. } => f.write_str(field),
        }
    }
}

/// What a step's response must be, beyond the spec's own rules, and what each check rests on.
#[derive(Debug, Clone, Default)]
pub struct Expectation {
    pub status: Option<Located<StatusExpect>>,
    pub error_code: Option<Located<String>>,
    pub fields: Vec<FieldExpect>,
    pub absent: Vec<FieldRef>,
    pub headers: Vec<HeaderExpect>,
    pub job_state: Option<Located<String>>,
    /// With `job_state`: the ONTAP error code the job must report.
    pub job_error_code: Option<Located<String>>,
    /// What the block's own checks rest on (status, fields, absent, headers, job); `None` only
    /// where every check takes its basis from the spec (an error code and its status class).
    pub basis: Option<Basis>,
    /// The basis of `error_code`: the spec entry's for that code on this operation (or a common
    /// code), else the block's.
    pub code_basis: Option<Basis>,
    /// The status the spec gives `error_code`, with the entry's status basis: checked as its own
    /// expectation when the block names no exact status (so the exact status of an error is held
    /// only as strongly as the evidence for it).
    pub code_status: Option<(u16, Basis)>,
    /// Alternatives: the step passes when one of them holds.
    pub any_of: Vec<Expectation>,
}

/// A value with the line of the case file it was written on.
#[derive(Debug, Clone, PartialEq)]
pub struct Located<T> {
    pub value: T,
    pub line: usize,
}

/// A body field as written (`records.0.name`) and as a JSON pointer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldRef {
    pub field: String,
    pub pointer: String,
    pub line: usize,
}

#[derive(Debug, Clone)]
pub struct FieldExpect {
    pub at: FieldRef,
    pub matcher: Matcher,
}

#[derive(Debug, Clone)]
pub struct HeaderExpect {
    pub name: String,
    pub matcher: Matcher,
    pub line: usize,
}

/// The HTTP status a step expects.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StatusExpect {
    Exact(u16),
    /// `4xx`: the hundreds digit (4 admits 400..=499).
    Class(u16),
    /// `{one_of: [400, 409]}`
    OneOf(Vec<u16>),
}

impl StatusExpect {
    pub fn admits(&self, status: u16) -> bool {
        match self {
            StatusExpect::Exact(s) => *s == status,
            StatusExpect::Class(c) => status / 100 == *c,
            StatusExpect::OneOf(list) => list.contains(&status),
        }
    }

    /// The one status this admits, when it admits one: what coverage and the reports' `expected`
    /// count (a class covers no documented status by itself).
    pub fn exact(&self) -> Option<u16> {
        match self {
            StatusExpect::Exact(s) => Some(*s),
            _ => None,
        }
    }
}

impl fmt::Display for StatusExpect {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            StatusExpect::Exact(s) => write!(f, "{s}"),
            StatusExpect::Class(c) => write!(f, "{c}xx"),
            StatusExpect::OneOf(list) => {
                let l: Vec<String> = list.iter().map(u16::to_string).collect();
                write!(f, "one of {}", l.join(", "))
            }
        }
    }
}

/// A compiled predicate on one value of a response (a body field or a header).
///
/// Written in a case as a plain value (equality) or an object with exactly one of the keys in
/// [`Matcher::NAMES`]; anything else is a load error, so a misspelt matcher cannot silently become
/// a literal comparison.
#[derive(Debug, Clone)]
pub enum Matcher {
    /// `VALUE` or `{eq: VALUE}` (the only way to compare with an object).
    Eq(Value),
    /// `{present: true}` / `{present: false}`
    Present(bool),
    /// `{matches: REGEX}`, compiled at load; the text of a non-string value is matched.
    Matches(Regex),
    /// `{one_of: [..]}`
    OneOf(Vec<Value>),
    /// `{contains: VALUE}`: an array holding it, or a string holding it as a substring.
    Contains(Value),
    /// `{length: N}`: of an array, a string (in characters) or an object.
    Length(u64),
    /// `{not: VALUE or MATCHER}`
    Not(Box<Matcher>),
    /// `{each: VALUE or MATCHER}`: every element of an array holds it (an empty array does).
    Each(Box<Matcher>),
    /// `{fields: {FIELD: VALUE or MATCHER, ..}}`: on an object, each named (dotted) field holds
    /// its matcher, as a step's `fields` do on the whole body. With `each`, this is how a check
    /// says what every record of a collection must be (a filter honoured).
    Fields(Vec<(FieldRef, Matcher)>),
    /// `{keys_within: [NAME, ..]}`: an object with no key but these (a `fields` projection).
    KeysWithin(Vec<String>),
    /// `{ordered_by: "FIELD"}` or `{ordered_by: "FIELD desc"}`, ONTAP's `order_by` syntax: an
    /// array of records in that order (records without the field are not compared).
    OrderedBy { field: FieldRef, descending: bool },
    /// `{distinct: true}`: an array with no element twice (no record seen twice in a walk).
    Distinct,
}

impl Matcher {
    /// The keys that make an object a matcher.
    pub const NAMES: [&'static str; 12] = [
        "eq",
        "present",
        "matches",
        "one_of",
        "contains",
        "length",
        "not",
        "each",
        "fields",
        "keys_within",
        "ordered_by",
        "distinct",
    ];

    /// The matcher with its `{{variables}}` filled in; the first undefined name otherwise.
    pub fn resolve(&self, vars: &Vars) -> Result<Matcher, String> {
        Ok(match self {
            Matcher::Eq(v) => Matcher::Eq(interpolate(v, vars)?),
            Matcher::OneOf(vs) => Matcher::OneOf(
                vs.iter()
                    .map(|v| interpolate(v, vars))
                    .collect::<Result<_, _>>()?,
            ),
            Matcher::Contains(v) => Matcher::Contains(interpolate(v, vars)?),
            Matcher::Not(m) => Matcher::Not(Box::new(m.resolve(vars)?)),
            Matcher::Each(m) => Matcher::Each(Box::new(m.resolve(vars)?)),
            Matcher::Fields(fs) => Matcher::Fields(
                fs.iter()
                    .map(|(at, m)| Ok((at.clone(), m.resolve(vars)?)))
                    .collect::<Result<_, String>>()?,
            ),
            Matcher::Present(_)
            | Matcher::Matches(_)
            | Matcher::Length(_)
            | Matcher::KeysWithin(_)
            | Matcher::OrderedBy { .. }
            | Matcher::Distinct => self.clone(),
        })
    }
}

impl Expectation {
    /// The expectation with every `{{variable}}` in its values filled in.
    pub fn resolve(&self, vars: &Vars) -> Result<Expectation, String> {
        Ok(Expectation {
            fields: self
                .fields
                .iter()
                .map(|f| {
                    Ok(FieldExpect {
                        at: f.at.clone(),
                        matcher: f.matcher.resolve(vars)?,
                    })
                })
                .collect::<Result<_, String>>()?,
            headers: self
                .headers
                .iter()
                .map(|h| {
                    Ok(HeaderExpect {
                        name: h.name.clone(),
                        matcher: h.matcher.resolve(vars)?,
                        line: h.line,
                    })
                })
                .collect::<Result<_, String>>()?,
            any_of: self
                .any_of
                .iter()
                .map(|a| a.resolve(vars))
                .collect::<Result<_, String>>()?,
            ..self.clone()
        })
    }
}
