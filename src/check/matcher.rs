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
        Matcher::Each(inner) => match actual {
            Some(Value::Array(items)) => {
                if let Some((i, why)) = items
                    .iter()
                    .enumerate()
                    .find_map(|(i, x)| holds(inner, Some(x)).err().map(|e| (i, e)))
                {
                    return Err(format!("each: {why} (element {i} is {})", show(&items[i])));
                }
                true
            }
            _ => false,
        },
        Matcher::Fields(fields) => {
            let Some(obj @ Value::Object(_)) = actual else {
                return Err(describe(m));
            };
            for (at, inner) in fields {
                if let Err(why) = holds(inner, obj.pointer(&at.pointer)) {
                    return Err(format!("{}: {why}", at.field));
                }
            }
            true
        }
        Matcher::KeysWithin(names) => match actual {
            Some(Value::Object(o)) => {
                if let Some(k) = o.keys().find(|k| !names.contains(k)) {
                    return Err(format!("{} (`{k}` is not one of them)", describe(m)));
                }
                true
            }
            _ => false,
        },
        Matcher::OrderedBy { field, descending } => match actual {
            Some(Value::Array(items)) => {
                let keys: Vec<&Value> = items
                    .iter()
                    .filter_map(|x| x.pointer(&field.pointer))
                    .collect();
                if let Some(w) = keys
                    .windows(2)
                    .find(|w| out_of_order(w[0], w[1], *descending))
                {
                    return Err(format!(
                        "{} ({} comes before {})",
                        describe(m),
                        show(w[0]),
                        show(w[1])
                    ));
                }
                true
            }
            _ => false,
        },
        Matcher::Distinct => match actual {
            Some(Value::Array(items)) => {
                let mut seen = std::collections::HashSet::new();
                if let Some(x) = items.iter().find(|x| !seen.insert(x.to_string())) {
                    return Err(format!("distinct: true ({} is there twice)", show(x)));
                }
                true
            }
            _ => false,
        },
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
        Matcher::Each(inner) => format!("each: {}", describe(inner)),
        Matcher::Fields(fs) => {
            let parts: Vec<String> = fs
                .iter()
                .map(|(at, m)| format!("{}: {}", at.field, describe(m)))
                .collect();
            format!("fields: {{{}}}", parts.join(", "))
        }
        Matcher::KeysWithin(names) => format!("keys_within: [{}]", names.join(", ")),
        Matcher::OrderedBy { field, descending } => format!(
            "ordered_by: {}{}",
            field.field,
            if *descending { " desc" } else { "" }
        ),
        Matcher::Distinct => "distinct: true".into(),
    }
}

/// Whether `a` may not come before `b` in the order asked for. Numbers compare as numbers;
/// strings as ONTAP's captures show neither byte nor case order for sure, so a pair is out of
/// order only when it is in both (a case-insensitive tie is never out of order).
fn out_of_order(a: &Value, b: &Value, descending: bool) -> bool {
    use std::cmp::Ordering;
    let ord = match (a, b) {
        (Value::Number(x), Value::Number(y)) => x
            .as_f64()
            .zip(y.as_f64())
            .and_then(|(x, y)| x.partial_cmp(&y))
            .unwrap_or(Ordering::Equal),
        // Where orders people could mean disagree, the pair is in order either way: letters by
        // byte or case-folded, and strings of digits (`error.code` is a string) by number or by
        // text. Nothing public says which ONTAP uses.
        (Value::String(x), Value::String(y)) => {
            let bytes = x.cmp(y);
            let folded = x.to_lowercase().cmp(&y.to_lowercase());
            let numeric = x
                .parse::<f64>()
                .ok()
                .zip(y.parse::<f64>().ok())
                .and_then(|(x, y)| x.partial_cmp(&y))
                .unwrap_or(bytes);
            if bytes == folded && bytes == numeric {
                bytes
            } else {
                Ordering::Equal
            }
        }
        (Value::Bool(x), Value::Bool(y)) => x.cmp(y),
        _ => Ordering::Equal,
    };
    if descending {
        ord == Ordering::Less
    } else {
        ord == Ordering::Greater
    }
}
