//! What an expectation rests on: a seed page, a captured real-cluster response, or this project's
//! own choice.
//!
//! The suite is a CI gate against real clusters, and a gate that fails a correct cluster is
//! switched off. So every check says why it is there: a `documented` or `observed` expectation
//! is a failure when broken, a `convention` one is only a deviation against a real target (the
//! runner decides; this type only names the kind). The spec's error entries carry one for the code
//! and one for its HTTP status, because NetApp documents codes but not the status of each.
//!
//! Two written forms, one type:
//! - in YAML (the spec, the cases), a one-key map: `{documented: 004_69967a64eae5f293.txt}`,
//!   `{observed: "tf issue #290: ..."}`, `{convention: "409: ..."}`;
//! - in reports, `{"kind": "documented", "source": "004_…txt"}`, which a reader can filter by
//!   kind without knowing the three keys.
//!
//! A `documented` basis must name a file that is in the repository (a seed page of
//! `spec/sources/seeds/`, or a file of NetApp's own definition in `spec/sources/ontap-api/`, both
//! listed at build time: [`super::seeds`]), so every citation can be followed. This is checked here, where
//! the spec's error entries and the cases' expectations are both read, so the two cannot differ.
//! A report read back is held only to the form of the name: it may come from a build that knew
//! other pages, and reading a baseline must not fail for that.
//!
//! [`Basis::from_value`] reads the YAML form with errors a person can act on;
//! [`parse_basis_at`] turns them into `(pointer, message)` for the `file:line: field: problem`
//! diagnostics of the spec and case loaders. `Deserialize` accepts both forms, so a report read
//! back and a case field deserialized by serde both work.

use std::fmt;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::seeds::not_a_source;

/// What an expectation rests on.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Basis {
    /// A seed page or NetApp's own definition says so; `seed` is the file's name in
    /// `spec/sources/seeds/` (`NNN_<16 hex>.txt`) or `spec/sources/ontap-api/`
    /// (`swagger-9.8.yaml.gz`).
    Documented { seed: String },
    /// A captured response from a real cluster; `source` names where it is public (an issue
    /// thread, a repository file) and what it showed.
    Observed { source: String },
    /// This project's choice where the documents are silent; `why` gives the reason.
    Convention { why: String },
}

/// The three keys of the YAML form, in the order they are offered in messages.
pub const KINDS: [&str; 3] = ["documented", "observed", "convention"];

/// Why a written basis was refused. The messages are whole sentences that say what to write.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BasisError {
    #[error(
        "a basis is a one-key map: {{documented: <seed file>}}, {{observed: <public source>}} or {{convention: <why>}}, found {0}"
    )]
    NotAMap(String),
    #[error(
        "a basis has exactly one key (documented, observed or convention), found {0}: split it or pick the one the check rests on"
    )]
    NotOneKey(String),
    #[error("`{0}` is not a kind of basis: use documented, observed or convention")]
    UnknownKind(String),
    #[error("the {0} basis must be text, found {1}")]
    NotText(&'static str, String),
    #[error("the {0} basis is empty: {1}")]
    EmptyText(&'static str, &'static str),
    #[error(
        "`{0}` is not a seed file: a documented basis names a seed page as `NNN_<16 hex digits>.txt` (e.g. 004_69967a64eae5f293.txt) or a file of spec/sources/ontap-api/ (e.g. swagger-9.8.yaml.gz); for anything else use observed or convention"
    )]
    NotASeedFile(String),
    /// The message of [`not_a_source`](crate::spec::not_a_source), and what to do.
    #[error(
        "{0}: a documented basis names a page that is in the repository (add a new page there first), or use observed or convention"
    )]
    UnknownSeedPage(String),
}

impl BasisError {
    /// Whether the problem is in the value of the one key (shown at that key's line) rather than
    /// in the map itself.
    fn is_in_value(&self) -> bool {
        matches!(
            self,
            BasisError::NotText(..)
                | BasisError::EmptyText(..)
                | BasisError::NotASeedFile(_)
                | BasisError::UnknownSeedPage(_)
        )
    }
}

impl Basis {
    /// A convention is this project's choice: against a real cluster, breaking it is a deviation,
    /// not a failure.
    pub fn is_convention(&self) -> bool {
        matches!(self, Basis::Convention { .. })
    }

    /// `documented`, `observed` or `convention`.
    pub fn kind(&self) -> &'static str {
        match self {
            Basis::Documented { .. } => "documented",
            Basis::Observed { .. } => "observed",
            Basis::Convention { .. } => "convention",
        }
    }

    /// The seed file, a public source, or the reason: the text beside the kind.
    pub fn source(&self) -> &str {
        match self {
            Basis::Documented { seed } => seed,
            Basis::Observed { source } => source,
            Basis::Convention { why } => why,
        }
    }

    /// The seed file a `documented` basis names.
    pub fn seed(&self) -> Option<&str> {
        match self {
            Basis::Documented { seed } => Some(seed),
            _ => None,
        }
    }

    /// Builds a basis from its kind and text, checking the text as the YAML form is checked: a
    /// documented one names a seed page or a file of NetApp's definition in the repository.
    pub fn new(kind: &str, text: &str) -> Result<Basis, BasisError> {
        let b = Basis::of_form(kind, text)?;
        match b.seed().and_then(not_a_source) {
            Some(why) => Err(BasisError::UnknownSeedPage(why)),
            None => Ok(b),
        }
    }

    /// Builds a basis whose documented file need only have a citable file's name: the form a
    /// report read back is held to.
    fn of_form(kind: &str, text: &str) -> Result<Basis, BasisError> {
        let text = text.trim();
        let (kind, hint) = match KINDS.iter().find(|k| **k == kind) {
            Some(&k) => (k, empty_hint(k)),
            None => return Err(BasisError::UnknownKind(kind.to_string())),
        };
        if text.is_empty() {
            return Err(BasisError::EmptyText(kind, hint));
        }
        Ok(match kind {
            "documented" if !is_seed_file_name(text) && !is_source_file_name(text) => {
                return Err(BasisError::NotASeedFile(text.to_string()));
            }
            "documented" => Basis::Documented { seed: text.into() },
            "observed" => Basis::Observed {
                source: text.into(),
            },
            _ => Basis::Convention { why: text.into() },
        })
    }

    /// Reads the YAML one-key form (`{documented: 004_…txt}`).
    pub fn from_value(v: &Value) -> Result<Basis, BasisError> {
        let Some(map) = v.as_object() else {
            return Err(BasisError::NotAMap(v.to_string()));
        };
        let mut keys = map.iter();
        let (kind, text) = match (keys.next(), keys.next()) {
            (Some(one), None) => one,
            (None, _) => return Err(BasisError::NotOneKey("an empty map".into())),
            (Some(_), Some(_)) => {
                let names: Vec<&str> = map.keys().map(String::as_str).collect();
                return Err(BasisError::NotOneKey(names.join(", ")));
            }
        };
        let kind = KINDS
            .iter()
            .find(|k| **k == kind)
            .ok_or_else(|| BasisError::UnknownKind(kind.clone()))?;
        match text {
            Value::String(s) => Basis::new(kind, s),
            Value::Null => Err(BasisError::EmptyText(kind, empty_hint(kind))),
            other => Err(BasisError::NotText(kind, other.to_string())),
        }
    }
}

/// What an empty basis of this kind should have said.
fn empty_hint(kind: &str) -> &'static str {
    match kind {
        "documented" => "name the seed file (NNN_<16 hex>.txt)",
        "observed" => "name the public source (issue thread, repository file) and what it showed",
        _ => "say why this project chose it",
    }
}

/// `NNN_<16 hex digits>.txt`: how the seed pages in `spec/sources/seeds/` are named.
pub fn is_seed_file_name(name: &str) -> bool {
    let Some(stem) = name.strip_suffix(".txt") else {
        return false;
    };
    let b = stem.as_bytes();
    b.len() == 3 + 1 + 16
        && b[..3].iter().all(u8::is_ascii_digit)
        && b[3] == b'_'
        && b[4..]
            .iter()
            .all(|c| c.is_ascii_digit() || (b'a'..=b'f').contains(c))
}

/// The form of a file name in `spec/sources/ontap-api/` (`swagger-9.8.yaml.gz`,
/// `errors-9.19.1.tsv`): one plain file name, letters, digits, `.`, `_` and `-`, with an extension.
/// Only the form: a report written by a build that carried other files of NetApp's definition
/// still reads back.
pub fn is_source_file_name(name: &str) -> bool {
    (1..=100).contains(&name.len())
        && !name.starts_with('.')
        && name.contains('.')
        && !name.contains("..")
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-'))
}

/// Reads the basis at `at` (a JSON pointer) of a parsed YAML file. A missing or malformed one is
/// reported as `(pointer, message)`, the pointer at the key whose value is wrong where there is
/// one, so the loader's diagnostic names the exact line; `field` is the key's name, used in the
/// message for a missing basis.
pub fn parse_basis_at(
    v: Option<&Value>,
    at: &str,
    field: &str,
    report: &mut dyn FnMut(String, String),
) -> Option<Basis> {
    let Some(v) = v else {
        report(
            at.to_string(),
            format!(
                "missing `{field}`: {{documented: <seed file>}}, {{observed: <public source>}} or {{convention: <why>}}"
            ),
        );
        return None;
    };
    let at = format!("{at}/{}", crate::yaml::escape_segment(field));
    match Basis::from_value(v) {
        Ok(b) => Some(b),
        Err(e) => {
            let key = v.as_object().and_then(|m| m.keys().next());
            let pointer = match (
                key,
                e.is_in_value() || matches!(e, BasisError::UnknownKind(_)),
            ) {
                (Some(k), true) => format!("{at}/{}", crate::yaml::escape_segment(k)),
                _ => at,
            };
            report(pointer, e.to_string());
            None
        }
    }
}

impl fmt::Display for Basis {
    /// `documented (004_…txt)`, `observed (…)`, `convention (…)`: how reports print it.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} ({})", self.kind(), self.source())
    }
}

/// The report form.
#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct Tagged<'a> {
    kind: std::borrow::Cow<'a, str>,
    source: std::borrow::Cow<'a, str>,
}

impl Serialize for Basis {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        Tagged {
            kind: self.kind().into(),
            source: self.source().into(),
        }
        .serialize(s)
    }
}

impl<'de> Deserialize<'de> for Basis {
    /// The report form `{"kind", "source"}` (reports are read back by `diff` and `merge`) or the
    /// YAML one-key form (a case file deserialized by serde).
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        use serde::de::Error;
        let v = Value::deserialize(d)?;
        let tagged = v
            .as_object()
            .is_some_and(|m| m.contains_key("kind") && m.contains_key("source"));
        if tagged {
            let t = Tagged::deserialize(&v).map_err(D::Error::custom)?;
            Basis::of_form(&t.kind, &t.source).map_err(D::Error::custom)
        } else {
            Basis::from_value(&v).map_err(D::Error::custom)
        }
    }
}
