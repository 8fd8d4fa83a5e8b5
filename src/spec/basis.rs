//! What an expectation rests on: a seed page, a captured real-cluster answer, or this project's
//! own choice.
//!
//! The basis decides how hard a check is held: against a real cluster a broken `documented` or
//! `observed` expectation is a failure, a broken `convention` only a deviation (a gate that fails
//! a correct cluster is switched off). Written in YAML as a one-key map:
//! `{documented: 004_69967a64eae5f293.txt}`, `{observed: "issue #290: 404 code 4"}`,
//! `{convention: "why"}`.

use std::fmt;

use serde::{Deserialize, Serialize};
use serde_json::Value;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", content = "source", rename_all = "snake_case")]
pub enum Basis {
    /// A seed page (`../shared/seeds/<file>`).
    Documented(String),
    /// A public capture of a real cluster: the source and what it showed.
    Observed(String),
    /// This project's choice where the documents are silent: why.
    Convention(String),
}

impl Basis {
    pub fn is_convention(&self) -> bool {
        matches!(self, Basis::Convention(_))
    }

    /// `documented`, `observed` or `convention`.
    pub fn kind(&self) -> &'static str {
        match self {
            Basis::Documented(_) => "documented",
            Basis::Observed(_) => "observed",
            Basis::Convention(_) => "convention",
        }
    }

    /// The seed file, the source, or the reason.
    pub fn source(&self) -> &str {
        match self {
            Basis::Documented(s) | Basis::Observed(s) | Basis::Convention(s) => s,
        }
    }

    /// Reads the YAML form; the error says what is wrong, for a `file:line: field:` diagnostic.
    pub fn from_value(v: &Value) -> Result<Basis, String> {
        let hint = "a basis is {documented: SEED_FILE}, {observed: SOURCE} or {convention: WHY}";
        let Some((kind, text)) = v
            .as_object()
            .filter(|m| m.len() == 1)
            .and_then(|m| m.iter().next())
        else {
            return Err(hint.into());
        };
        let text = match text.as_str().map(str::trim) {
            Some(t) if !t.is_empty() => t.to_string(),
            _ => return Err(format!("`{kind}` needs a non-empty text: {hint}")),
        };
        match kind.as_str() {
            "documented" => {
                if !is_seed_name(&text) {
                    return Err(format!(
                        "`documented` names a seed page file (`NNN_<16 hex>.txt`), not `{text}`"
                    ));
                }
                Ok(Basis::Documented(text))
            }
            "observed" => Ok(Basis::Observed(text)),
            "convention" => Ok(Basis::Convention(text)),
            other => Err(format!("unknown basis `{other}`: {hint}")),
        }
    }
}

/// Whether `name` has the shape of a seed page's file name: `004_69967a64eae5f293.txt`.
pub fn is_seed_name(name: &str) -> bool {
    let Some(stem) = name.strip_suffix(".txt") else {
        return false;
    };
    let Some((n, hex)) = stem.split_once('_') else {
        return false;
    };
    n.len() == 3
        && n.bytes().all(|b| b.is_ascii_digit())
        && hex.len() == 16
        && hex.bytes().all(|b| b.is_ascii_hexdigit())
}

impl fmt::Display for Basis {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} ({})", self.kind(), self.source())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn the_three_kinds_and_what_is_refused() {
        assert_eq!(
            Basis::from_value(&json!({"documented": "004_69967a64eae5f293.txt"})),
            Ok(Basis::Documented("004_69967a64eae5f293.txt".into()))
        );
        assert!(
            Basis::from_value(&json!({"convention": "why"}))
                .unwrap()
                .is_convention()
        );
        for bad in [
            json!({"documented": "the seed page"}),
            json!({"guessed": "x"}),
            json!({"observed": ""}),
            json!("documented"),
            json!({"observed": "a", "convention": "b"}),
        ] {
            assert!(Basis::from_value(&bad).is_err(), "{bad}");
        }
        let b = Basis::Observed("tf #290".into());
        assert_eq!(
            serde_json::to_value(&b).unwrap(),
            json!({"kind": "observed", "source": "tf #290"})
        );
        assert_eq!(b.to_string(), "observed (tf #290)");
    }
}
