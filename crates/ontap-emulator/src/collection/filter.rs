//! Query filters on records: values at a dotted field (through arrays), `*` globs, `|`
//! alternatives, `!` negation, `<`/`>` comparisons, `null` (the field is not set; `!null`: it
//! is, as "Input variables controlling an API request" documents), and the sort key for
//! `order_by`.

use std::cmp::Ordering;

use serde_json::Value;

fn values_at<'a>(v: &'a Value, parts: &[&str], out: &mut Vec<&'a Value>) {
    match v {
        Value::Array(items) => {
            for i in items {
                values_at(i, parts, out);
            }
        }
        _ => match parts.split_first() {
            None => out.push(v),
            Some((first, rest)) => {
                if let Some(next) = v.get(*first) {
                    values_at(next, rest, out);
                }
            }
        },
    }
}

fn scalar_string(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

/// Glob with `*`, case-insensitive.
pub fn glob(pattern: &str, text: &str) -> bool {
    let p: Vec<char> = pattern.to_lowercase().chars().collect();
    let t: Vec<char> = text.to_lowercase().chars().collect();
    let (mut pi, mut ti) = (0usize, 0usize);
    let (mut star, mut mark) = (None::<usize>, 0usize);
    while ti < t.len() {
        if pi < p.len() && p[pi] != '*' && p[pi] == t[ti] {
            pi += 1;
            ti += 1;
        } else if pi < p.len() && p[pi] == '*' {
            star = Some(pi);
            mark = ti;
            pi += 1;
        } else if let Some(s) = star {
            pi = s + 1;
            mark += 1;
            ti = mark;
        } else {
            return false;
        }
    }
    while pi < p.len() && p[pi] == '*' {
        pi += 1;
    }
    pi == p.len()
}

pub(super) fn compare_scalar(a: &str, b: &str) -> Ordering {
    match (a.parse::<f64>(), b.parse::<f64>()) {
        (Ok(x), Ok(y)) => x.partial_cmp(&y).unwrap_or(Ordering::Equal),
        _ => a.to_lowercase().cmp(&b.to_lowercase()),
    }
}

/// `set`: the field has a value other than JSON null (objects and arrays count).
fn alt_matches(alt: &str, values: &[String], set: bool) -> bool {
    if let Some(neg) = alt.strip_prefix('!') {
        return !alt_matches(neg, values, set);
    }
    if alt == "null" {
        return !set;
    }
    for (op, want) in [("<=", Ordering::Greater), (">=", Ordering::Less)] {
        if let Some(rest) = alt.strip_prefix(op) {
            return values.iter().any(|v| compare_scalar(v, rest) != want);
        }
    }
    if let Some(rest) = alt.strip_prefix('<') {
        return values
            .iter()
            .any(|v| compare_scalar(v, rest) == Ordering::Less);
    }
    if let Some(rest) = alt.strip_prefix('>') {
        return values
            .iter()
            .any(|v| compare_scalar(v, rest) == Ordering::Greater);
    }
    values.iter().any(|v| glob(alt, v))
}

/// Whether a record passes the filter `field=pattern`.
///
/// - A pattern in double quotes is the text between them, taken literally (no `*`, `|`, `!`
///   or comparison): convention, ONTAP's CLI query syntax, on which its REST filters rest,
///   quotes a value so; `na_ontap_qtree` reads its qtree with `name="<name>"`.
/// - A reference (an object with a `name`: `volume`) filtered by a value matches on its name:
///   observed through NetApp's own client, `na_ontap_qtree` reads its qtree with
///   `volume=<volume name>` and finds it on clusters.
pub fn filter_matches(record: &Value, field: &str, pattern: &str) -> bool {
    let parts: Vec<&str> = field.split('.').collect();
    let mut found = Vec::new();
    values_at(record, &parts, &mut found);
    let set = found.iter().any(|v| !v.is_null());
    let values: Vec<String> = found
        .into_iter()
        .filter_map(|v| scalar_string(v).or_else(|| v.get("name").and_then(scalar_string)))
        .collect();
    if let Some(literal) = pattern.strip_prefix('"').and_then(|p| p.strip_suffix('"')) {
        return values.iter().any(|v| v.eq_ignore_ascii_case(literal));
    }
    pattern.split('|').any(|alt| alt_matches(alt, &values, set))
}

pub(super) fn sort_key(record: &Value, field: &str) -> Option<String> {
    let parts: Vec<&str> = field.split('.').collect();
    let mut found = Vec::new();
    values_at(record, &parts, &mut found);
    found.into_iter().find_map(scalar_string)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn glob_works() {
        assert!(glob("iqn.*", "iqn.1992-08.com.netapp:x"));
        assert!(glob("*initiator1", "iqn.1992-08.com.netapp:initiator1"));
        assert!(!glob("iqn.*2", "iqn.1992-08.com.netapp:initiator1"));
        assert!(glob("*", ""));
    }

    #[test]
    fn null_selects_unset_fields_and_not_null_set_ones() {
        let with = serde_json::json!({"chap": {"inbound": {"user": "u"}}, "name": "a"});
        let without = serde_json::json!({"name": "b", "comment": null});
        assert!(filter_matches(&with, "chap", "!null"));
        assert!(filter_matches(&with, "chap.inbound.user", "!null"));
        assert!(!filter_matches(&with, "chap", "null"));
        assert!(filter_matches(&without, "chap", "null"));
        assert!(filter_matches(&without, "comment", "null"));
        assert!(filter_matches(&without, "chap.inbound.user", "null|x"));
    }

    #[test]
    fn a_quoted_value_is_literal_and_a_reference_matches_by_name() {
        let qtree = serde_json::json!({"name": "q*1", "volume": {"name": "v1", "uuid": "u"}});
        assert!(filter_matches(&qtree, "name", "\"q*1\""));
        assert!(!filter_matches(&qtree, "name", "\"q\""));
        assert!(!filter_matches(
            &serde_json::json!({"name": "qa1"}),
            "name",
            "\"q*1\""
        ));
        assert!(filter_matches(&qtree, "volume", "v1"));
        assert!(!filter_matches(&qtree, "volume", "v2"));
        assert!(filter_matches(&qtree, "volume.name", "v1"));
    }
}
