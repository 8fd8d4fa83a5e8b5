//! Evaluating a compiled [`Matcher`] on one value of a response.

use serde_json::Value;

use super::show;
use crate::case::Matcher;

/// Whether `actual` (absent when `None`) satisfies `m`; otherwise the expectation as text, for the
/// failure's `expected`.
pub fn holds(m: &Matcher, actual: Option<&Value>) -> Result<(), String> {
    let ok = match m {
        Matcher::Eq(v) => actual == Some(v),
        Matcher::Present(want) => actual.is_some() == *want,
        Matcher::Matches(re) => actual.is_some_and(|a| match a {
            Value::String(s) => re.is_match(s),
            other => re.is_match(&other.to_string()),
        }),
        Matcher::OneOf(options) => actual.is_some_and(|a| options.contains(a)),
        Matcher::Contains(v) => match actual {
            Some(Value::Array(items)) => items.contains(v),
            Some(Value::String(s)) => v.as_str().is_some_and(|n| s.contains(n)),
            _ => false,
        },
        Matcher::Length(n) => match actual {
            Some(Value::Array(items)) => items.len() as u64 == *n,
            Some(Value::String(s)) => s.chars().count() as u64 == *n,
            Some(Value::Object(o)) => o.len() as u64 == *n,
            _ => false,
        },
        Matcher::Not(inner) => holds(inner, actual).is_err(),
    };
    if ok { Ok(()) } else { Err(describe(m)) }
}

/// The matcher as a case would write it: `"a"`, `present: true`, `not: matches: ^x`.
pub fn describe(m: &Matcher) -> String {
    match m {
        Matcher::Eq(v) => show(v),
        Matcher::Present(b) => format!("present: {b}"),
        Matcher::Matches(re) => format!("matches: {}", show(&Value::String(re.to_string()))),
        Matcher::OneOf(vs) => format!("one_of: {}", show(&Value::Array(vs.clone()))),
        Matcher::Contains(v) => format!("contains: {}", show(v)),
        Matcher::Length(n) => format!("length: {n}"),
        Matcher::Not(inner) => format!("not: {}", describe(inner)),
    }
}
