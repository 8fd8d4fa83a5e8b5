//! Secrets as a type, and the redactor every output passes through.
//!
//! Passwords reach reports only by accident, so both defences are mechanical: a [`Secret`] cannot
//! be printed, and everything a report or a log line holds goes through a [`Redactor`] that knows
//! every secret of the run.

use std::fmt;

use serde_json::Value;

/// A password. Its `Debug` and `Display` print `***`; only [`Secret::expose`] gives the text.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    pub fn new(s: impl Into<String>) -> Self {
        Secret(s.into())
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("***")
    }
}

impl fmt::Display for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("***")
    }
}

/// Replaces known secret values with `***`, and the value of any field named like a password.
#[derive(Debug, Clone, Default)]
pub struct Redactor {
    secrets: Vec<String>,
}

impl Redactor {
    pub fn add(&mut self, s: &str) {
        // Very short values would redact ordinary text; ONTAP's policy needs 8 characters anyway.
        if s.len() >= 4 && !self.secrets.iter().any(|x| x == s) {
            self.secrets.push(s.to_string());
            // Longest first, so a secret containing another is replaced whole.
            self.secrets.sort_by_key(|x| std::cmp::Reverse(x.len()));
        }
    }

    /// Learns every value under a `password` key of a request body.
    pub fn learn_from_body(&mut self, body: &Value) {
        match body {
            Value::Object(m) => {
                for (k, v) in m {
                    if is_password_key(k)
                        && let Some(s) = v.as_str()
                    {
                        self.add(s);
                    }
                    self.learn_from_body(v);
                }
            }
            Value::Array(items) => items.iter().for_each(|v| self.learn_from_body(v)),
            _ => {}
        }
    }

    /// Whether `body` carries, in any key or string, one of the secrets this run sent that is
    /// long enough to be a password (8 characters, ONTAP's shortest): a response echoing one
    /// leaks it to every log and client on the way. Shorter values (a deliberately bad `0xabc`)
    /// could appear in ordinary text by chance. The strings are searched where they are, not in
    /// the body serialized again (which also escapes a `"` or `\` a password may hold).
    pub fn leaked_in(&self, body: &Value) -> bool {
        let holds = |t: &str| {
            self.secrets
                .iter()
                .any(|s| s.chars().count() >= 8 && t.contains(s.as_str()))
        };
        match body {
            Value::String(t) => holds(t),
            Value::Number(n) => holds(&n.to_string()),
            Value::Array(items) => items.iter().any(|v| self.leaked_in(v)),
            Value::Object(m) => m.iter().any(|(k, v)| holds(k) || self.leaked_in(v)),
            _ => false,
        }
    }

    pub fn redact(&self, text: &str) -> String {
        let mut out = text.to_string();
        for s in &self.secrets {
            if out.contains(s.as_str()) {
                out = out.replace(s.as_str(), "***");
            }
        }
        out
    }

    pub fn redact_value(&self, v: &Value) -> Value {
        match v {
            Value::String(s) => Value::String(self.redact(s)),
            Value::Array(items) => {
                Value::Array(items.iter().map(|x| self.redact_value(x)).collect())
            }
            Value::Object(m) => Value::Object(
                m.iter()
                    .map(|(k, x)| {
                        let x = if is_password_key(k) && x.is_string() {
                            Value::String("***".into())
                        } else {
                            self.redact_value(x)
                        };
                        (self.redact(k), x)
                    })
                    .collect(),
            ),
            other => other.clone(),
        }
    }
}

/// A key whose string value is a password (`password`, `new_password`...).
pub(crate) fn is_password_key(k: &str) -> bool {
    k.to_ascii_lowercase().contains("password")
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_secret_sent_is_found_anywhere_in_a_body() {
        let mut r = Redactor::default();
        r.add("Pa\"ss-1234");
        r.add("0xabc");
        assert!(r.leaked_in(&json!({"records": [{"note": "was Pa\"ss-1234!"}]})));
        assert!(r.leaked_in(&json!({"Pa\"ss-1234": 1})), "in a key");
        assert!(
            !r.leaked_in(&json!({"error": {"message": "0xabc is odd"}})),
            "too short"
        );
        assert!(!r.leaked_in(&json!({"password": "something else"})));
        let mut digits = Redactor::default();
        digits.add("12345678");
        assert!(
            digits.leaked_in(&json!({"pin": 12345678})),
            "echoed as a number"
        );
    }

    #[test]
    fn secrets_never_print() {
        let s = Secret::new("Netapp1!");
        assert_eq!(format!("{s} {s:?}"), "*** ***");
        let mut r = Redactor::default();
        r.add("Netapp1!");
        r.learn_from_body(&json!({"chap": {"inbound": {"password": "chapsecret1"}}}));
        assert_eq!(
            r.redact("-u admin:Netapp1! x chapsecret1"),
            "-u admin:*** x ***"
        );
        assert_eq!(
            r.redact_value(&json!({"password": "other", "user": "u", "m": "chapsecret1 bad"})),
            json!({"password": "***", "user": "u", "m": "*** bad"})
        );
    }
}
