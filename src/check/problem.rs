//! One problem with a response, and how it becomes a report's [`Failure`]: its values redacted
//! first and cut to a readable length after, so a secret is never cut in two and shown in part.

use serde_json::Value;

use crate::report::model::Failure;
use crate::secret::{Redactor, is_password_key};
use crate::spec::Basis;

/// The longest value a failure shows, in characters. A mismatched field can hold a whole
/// collection; 120 characters fit beside the rest of a `FAIL` line on a wide terminal and still
/// show a uuid, a name or an error code whole. The whole body is in the step's `response_body`.
pub const MAX_SHOWN_CHARS: usize = 120;

/// How a masked value is shown: what the [`Redactor`] writes for a secret.
pub const MASKED: &str = "\"***\"";

/// One problem found in a response.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// The case-file line of the expectation that does not hold; `None` for the spec's own rules
    /// (the step's line is named then).
    pub line: Option<usize>,
    /// What the broken check rests on; `None` for the spec's own rules (a failure always).
    pub basis: Option<Basis>,
    pub pointer: Option<String>,
    pub expected: Option<String>,
    /// What the target answered where the check looked: a JSON value, `(absent)`, `(no error
    /// code)`, a status. `None` only when nothing was answered (a transport error).
    pub actual: Option<String>,
    pub message: String,
    /// Which of the values the message already says in its own words; the failure's message
    /// gets the others.
    pub says: Says,
}

/// What a problem's message says of its expected and actual values, so that every failure line
/// shows both exactly once: `status 201 where 200 was expected` needs nothing more, ``field `x`
/// does not match`` needs `expected "a", got "b"`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Says {
    /// Both values, or the problem has none.
    All,
    /// What was expected, not what came: `got A` is added.
    Expectation,
    /// Neither: `expected E, got A` is added.
    Nothing,
}

impl Says {
    /// `message` with the values it does not say added after a colon.
    pub fn complete(self, message: String, expected: Option<&str>, actual: Option<&str>) -> String {
        let tail = match (self, expected, actual) {
            (Says::All, ..) | (_, _, None) => None,
            (Says::Nothing, Some(e), Some(a)) => Some(format!("expected {e}, got {a}")),
            (Says::Nothing, None, Some(a)) | (Says::Expectation, _, Some(a)) => {
                Some(format!("got {a}"))
            }
        };
        match tail {
            Some(t) => format!("{message}: {t}"),
            None => message,
        }
    }
}

impl Problem {
    /// A problem that is only a message (no field, no expected value), held as a failure.
    pub fn msg(message: impl Into<String>) -> Self {
        Problem {
            line: None,
            basis: None,
            pointer: None,
            expected: None,
            actual: None,
            message: message.into(),
            says: Says::All,
        }
    }

    /// The failure a report holds for this problem in `step`: every text redacted, then the
    /// values cut to [`MAX_SHOWN_CHARS`] and added to the message as [`Says`] asks. Cutting
    /// after redacting is the point: a secret cut first would no longer be found, and its first
    /// characters would be shown.
    pub fn into_failure(
        self,
        step: &str,
        location: Option<String>,
        curl: Option<String>,
        redactor: &Redactor,
    ) -> Failure {
        let expected = self.expected.map(|e| cut(&redactor.redact(&e)));
        let actual = self.actual.map(|a| cut(&redactor.redact(&a)));
        let message = self.says.complete(
            redactor.redact(&self.message),
            expected.as_deref(),
            actual.as_deref(),
        );
        Failure {
            step: step.to_string(),
            location,
            pointer: self.pointer.map(|p| redactor.redact(&p)),
            expected,
            actual,
            message,
            curl,
            basis: self.basis,
        }
    }
}

/// `text` as a failure shows it: whole up to [`MAX_SHOWN_CHARS`] characters, else its start, an
/// ellipsis and how long it was, so a reader knows what is left out.
pub fn cut(text: &str) -> String {
    let n = text.chars().count();
    if n <= MAX_SHOWN_CHARS {
        return text.to_string();
    }
    let end = text
        .char_indices()
        .nth(MAX_SHOWN_CHARS)
        .map_or(text.len(), |(i, _)| i);
    format!("{}… ({n} characters)", &text[..end])
}

/// A value as a failure shows it: compact JSON with the value of every field named like a
/// password masked, whatever its type. Not cut: the redactor must see it whole first.
pub fn show(v: &Value) -> String {
    masked(v).to_string()
}

/// The value of the field at `pointer` as a failure shows it: masked whole when the field itself
/// is named like a password (a write-only field must not be shown even in part).
pub fn show_at(pointer: &str, v: &Value) -> String {
    let name = pointer.rsplit('/').next().unwrap_or_default();
    if is_password_key(name) && !v.is_null() {
        MASKED.to_string()
    } else {
        show(v)
    }
}

/// `v` with the value of every password-named field replaced by `***`.
fn masked(v: &Value) -> Value {
    match v {
        Value::Object(m) => Value::Object(
            m.iter()
                .map(|(k, x)| {
                    let x = if is_password_key(k) && !x.is_null() {
                        Value::String("***".into())
                    } else {
                        masked(x)
                    };
                    (k.clone(), x)
                })
                .collect(),
        ),
        Value::Array(items) => Value::Array(items.iter().map(masked).collect()),
        other => other.clone(),
    }
}
