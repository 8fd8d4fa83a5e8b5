//! Plausible values for one field, from its schema alone: NetApp's `example` where it fits the
//! schema, else its `default`, else an `enum` value a healthy cluster shows, else a value built
//! from the type and format within the bounds. Everything is a function of its inputs (no clock, no randomness),
//! so the seeded cluster is the same on every start.

use serde_json::{Number, Value};

use super::document::Schema;

/// The instant every generated `date-time` without a usable example is set to: the build date
/// `GET /api/cluster` reports for its release, so the cluster reads as one point in time.
/// With a numeric offset, as ONTAP writes its times (observed: NetApp's examples captured from
/// clusters, `"create_time": "2018-01-01T12:00:00-04:00"`); NetApp's Python client writes a time
/// back so, and a `Z` it read would look changed to it and be sent again in a PATCH.
pub const INSTANT: &str = "2024-03-04T05:46:21+00:00";

/// A `date-time` ending in `Z` with ONTAP's numeric offset instead (see [`INSTANT`]).
fn offset(schema: &Schema, value: Value) -> Value {
    match (&value, schema.format.as_deref()) {
        (Value::String(s), Some("date-time")) if s.ends_with('Z') => {
            Value::String(format!("{}+00:00", &s[..s.len() - 1]))
        }
        _ => value,
    }
}

/// A UUID made from a label: the same label gives the same UUID on every start, different
/// labels different ones (FNV-1a, then splitmix64 to spread the bits; a v4-shaped UUID so every
/// client's parser takes it).
pub fn det_uuid(label: &str) -> String {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in label.bytes() {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    let mut bytes = [0u8; 16];
    let mut state = h;
    for chunk in bytes.chunks_mut(8) {
        state = state.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = state;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^= z >> 31;
        chunk.copy_from_slice(&z.to_be_bytes());
    }
    uuid::Builder::from_random_bytes(bytes)
        .into_uuid()
        .hyphenated()
        .to_string()
}

/// Whether `value` is one the schema accepts, as a validator of the schema would judge it: the
/// type, the enum, the bounds and the formats a validator checks. NetApp's examples do not
/// always fit their own schemas (a date without a `T`, a number in a string), and a value that
/// does not fit is never served.
pub fn fits(schema: &Schema, value: &Value) -> bool {
    if let Some(choices) = &schema.choices
        && !choices.contains(value)
    {
        return false;
    }
    match (schema.kind.as_deref(), value) {
        (Some("string") | None, Value::String(s)) => string_fits(schema, s),
        (Some("integer"), Value::Number(n)) => {
            (n.is_i64() || n.is_u64()) && n.as_f64().is_some_and(|x| number_fits(schema, x))
        }
        (Some("number"), Value::Number(n)) => n.as_f64().is_some_and(|x| number_fits(schema, x)),
        (Some("boolean"), Value::Bool(_)) => true,
        (Some("array"), Value::Array(items)) => {
            let n = items.len() as u64;
            schema.min_items.is_none_or(|m| n >= m)
                && schema.max_items.is_none_or(|m| n <= m)
                && schema.items.as_deref().is_some_and(|item| {
                    let plain = item.properties.is_empty()
                        && item.all_of.is_empty()
                        && item.reference.is_none();
                    plain && items.iter().all(|v| fits(item, v))
                })
        }
        _ => false,
    }
}

fn number_fits(schema: &Schema, x: f64) -> bool {
    schema.minimum.is_none_or(|m| x >= m) && schema.maximum.is_none_or(|m| x <= m)
}

fn string_fits(schema: &Schema, s: &str) -> bool {
    let n = s.chars().count() as u64;
    if schema.min_length.is_some_and(|m| n < m) || schema.max_length.is_some_and(|m| n > m) {
        return false;
    }
    format_fits(schema, s)
}

/// Whether `s` has the schema's `format`, where a validator checks one (`uuid`, `date-time`,
/// `email`, `uri`); any string for the others.
pub fn format_fits(schema: &Schema, s: &str) -> bool {
    match schema.format.as_deref() {
        Some("uuid") => is_uuid(s),
        Some("date-time") => is_date_time(s),
        Some("email") => s.split_once('@').is_some_and(|(u, d)| {
            !u.is_empty() && d.contains('.') && !s.contains(char::is_whitespace)
        }),
        Some("uri") => has_scheme(s) && !s.contains(char::is_whitespace),
        _ => true,
    }
}

/// `02c9e252-41be-11e9-81d5-00a0986138f7`: 8-4-4-4-12 hex digits.
pub fn is_uuid(s: &str) -> bool {
    let groups: Vec<&str> = s.split('-').collect();
    groups.len() == 5
        && groups
            .iter()
            .zip([8, 4, 4, 4, 12])
            .all(|(g, n)| g.len() == n && g.bytes().all(|b| b.is_ascii_hexdigit()))
}

/// RFC 3339, as JSON Schema's `date-time` is: a `T` between date and time, and an offset.
fn is_date_time(s: &str) -> bool {
    s.as_bytes().get(10) == Some(&b'T') && chrono::DateTime::parse_from_rfc3339(s).is_ok()
}

fn has_scheme(s: &str) -> bool {
    s.split_once(':').is_some_and(|(scheme, _)| {
        scheme.starts_with(|c: char| c.is_ascii_alphabetic())
            && scheme
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'))
    })
}

/// A value for a scalar field called `name` of record number `index` (from 0); `label` makes
/// its UUIDs its own: the example or default where it fits, else an enum value (a
/// [`HEALTHY`] one first), else one built from the type. `None` when the schema is not a
/// scalar one.
pub fn scalar(schema: &Schema, name: &str, index: usize, label: &str) -> Option<Value> {
    for documented in [&schema.example, &schema.default].into_iter().flatten() {
        if fits(schema, documented) {
            return Some(offset(schema, documented.clone()));
        }
    }
    let choices: Vec<&Value> = schema
        .choices
        .iter()
        .flatten()
        .filter(|c| fits(schema, c))
        .collect();
    if let Some(choice) = healthy(schema).or_else(|| choices.first().map(|c| (*c).clone())) {
        return Some(choice);
    }
    built(schema, name, index, label)
}

/// The first of the schema's enum values a healthy cluster shows ([`HEALTHY`]), if it has one.
pub fn healthy(schema: &Schema) -> Option<Value> {
    let choices = schema.choices.as_ref()?;
    HEALTHY.iter().find_map(|word| {
        choices
            .iter()
            .find(|c| c.as_str() == Some(word) && fits(schema, c))
            .cloned()
    })
}

/// The enum values a fresh, healthy cluster shows, in order of preference, where the schema
/// documents neither an example nor a default: NetApp's enums are sorted by name, so their
/// first value would make every volume `error` and every port `degraded`, which a client
/// reading state (an Ansible module waiting for `online`) takes at its word.
const HEALTHY: &[&str] = &[
    "online",
    "up",
    "ok",
    "healthy",
    "normal",
    "running",
    "ready",
    "idle",
    "enabled",
    "connected",
    "available",
    "success",
    "off",
];

/// A value built from the type, format and bounds, ignoring what the schema documents.
pub fn built(schema: &Schema, name: &str, index: usize, label: &str) -> Option<Value> {
    match schema.kind.as_deref() {
        Some("integer") => Some(Value::from(integer(schema, index as i64 + 1))),
        Some("number") => {
            Number::from_f64(integer(schema, index as i64 + 1) as f64).map(Value::Number)
        }
        Some("boolean") => Some(Value::Bool(false)),
        Some("string") | None => Some(Value::String(string(schema, name, index, label))),
        _ => None,
    }
}

/// `wanted`, moved into the schema's bounds.
pub fn integer(schema: &Schema, wanted: i64) -> i64 {
    let min = schema.minimum.map(|m| m.ceil() as i64);
    let max = schema.maximum.map(|m| m.floor() as i64);
    match (min, max) {
        (Some(lo), Some(hi)) if lo <= hi => {
            // Within small ranges (an index of 0..99) distinct wanted values stay distinct.
            lo + (wanted - lo).rem_euclid(hi - lo + 1)
        }
        (Some(lo), _) => wanted.max(lo),
        (_, Some(hi)) => wanted.min(hi),
        _ => wanted,
    }
}

fn string(schema: &Schema, name: &str, index: usize, label: &str) -> String {
    let made = match schema.format.as_deref() {
        Some("uuid") => return det_uuid(&format!("{label}|{name}|{index}")),
        Some("date-time") | Some("datetime") => return INSTANT.to_string(),
        Some("email") => format!("{name}{}@example.com", index + 1),
        Some("uri") => format!("https://{name}{}.example.com/", index + 1),
        _ => format!("{name}{}", index + 1),
    };
    bounded(schema, made)
}

/// `s` cut or padded to the schema's lengths.
pub fn bounded(schema: &Schema, s: String) -> String {
    let mut s = s;
    if let Some(max) = schema.max_length {
        s = s.chars().take(max as usize).collect();
    }
    if let Some(min) = schema.min_length {
        while (s.chars().count() as u64) < min {
            s.push('x');
        }
    }
    s
}

/// A value of a key field for record `index` that differs from every other record's in the
/// scope: an enum's values in turn, integers counted up, a documented example varied (its last
/// number counted up: `1.1.1.1`, `1.1.1.2`), else `<name><n>`.
pub fn distinct(schema: &Schema, name: &str, index: usize, label: &str) -> Value {
    if let Some(choices) = &schema.choices
        && !choices.is_empty()
    {
        return choices[index % choices.len()].clone();
    }
    match schema.kind.as_deref() {
        Some("integer") | Some("number") => Value::from(integer(schema, index as i64 + 1)),
        Some("boolean") => Value::Bool(index % 2 == 1),
        _ => {
            if schema.format.is_none()
                && let Some(Value::String(example)) = &schema.example
            {
                let varied = vary(example, index);
                if string_fits(schema, &varied) {
                    return Value::String(varied);
                }
            }
            built(schema, name, index, label).unwrap_or(Value::Null)
        }
    }
}

/// The example for the first record; for the others its last number counted up, or the record's
/// number appended when it has none.
fn vary(example: &str, index: usize) -> String {
    if index == 0 {
        return example.to_string();
    }
    let bytes = example.as_bytes();
    let Some(end) = bytes.iter().rposition(u8::is_ascii_digit).map(|e| e + 1) else {
        return format!("{example}{}", index + 1);
    };
    let start = bytes[..end]
        .iter()
        .rposition(|b| !b.is_ascii_digit())
        .map_or(0, |s| s + 1);
    match example[start..end].parse::<u64>() {
        Ok(n) => format!(
            "{}{}{}",
            &example[..start],
            n + index as u64,
            &example[end..]
        ),
        Err(_) => format!("{example}{}", index + 1),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn schema(v: Value) -> Schema {
        serde_json::from_value(v).expect("a schema")
    }

    #[test]
    fn uuids_are_stable_distinct_and_well_formed() {
        assert_eq!(det_uuid("a"), det_uuid("a"));
        assert_ne!(det_uuid("a"), det_uuid("b"));
        assert!(is_uuid(&det_uuid("a")));
    }

    #[test]
    fn examples_are_used_only_where_they_fit() {
        let s = schema(
            json!({"type": "string", "format": "date-time", "example": "2019-02-02 19:00:00"}),
        );
        assert_eq!(scalar(&s, "t", 0, "x"), Some(json!(INSTANT)));
        let s = schema(json!({"type": "integer", "example": "10", "minimum": 4}));
        assert_eq!(scalar(&s, "n", 0, "x"), Some(json!(4)));
        let s = schema(json!({"type": "string", "enum": ["a", "b"], "example": "c"}));
        assert_eq!(scalar(&s, "e", 0, "x"), Some(json!("a")));
        let s = schema(json!({"type": "string", "enum": ["error", "mixed", "offline", "online"]}));
        assert_eq!(scalar(&s, "state", 0, "x"), Some(json!("online")));
        let s = schema(json!({"type": "string", "example": "vol1", "maxLength": 3}));
        assert_eq!(scalar(&s, "name", 0, "x"), Some(json!("nam")));
    }

    #[test]
    fn key_values_differ_between_records() {
        let s = schema(json!({"type": "string", "example": "1.1.1.1"}));
        assert_eq!(distinct(&s, "address", 1, "x"), json!("1.1.1.2"));
        let s = schema(json!({"type": "integer", "minimum": 0, "maximum": 99}));
        assert_ne!(distinct(&s, "index", 0, "x"), distinct(&s, "index", 1, "x"));
        let s = schema(json!({"type": "string", "enum": ["windows", "unix_user"]}));
        assert_eq!(distinct(&s, "type", 1, "x"), json!("unix_user"));
        assert_eq!(vary("time.nist.gov", 1), "time.nist.gov2");
    }
}
