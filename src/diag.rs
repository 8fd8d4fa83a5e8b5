//! Problems found in a file a person wrote (the spec, a case), pointing at where to fix them.

use std::fmt;
use std::path::{Path, PathBuf};

/// One problem: the file, the line, the field, and what is wrong.
///
/// Kept as data rather than a formatted string so `spec check` can list every problem at once and
/// tests can assert on the field, not on wording.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    pub file: PathBuf,
    pub line: usize,
    /// The field in dotted form (`paths./api/security.patch.x-ontap-errors[2].status`); empty
    /// when the problem is the whole file.
    pub field: String,
    pub message: String,
}

impl Diagnostic {
    pub fn new(
        file: &Path,
        line: usize,
        field: impl Into<String>,
        message: impl Into<String>,
    ) -> Self {
        Diagnostic {
            file: file.to_path_buf(),
            line,
            field: field.into(),
            message: message.into(),
        }
    }
}

impl Diagnostic {
    /// A problem at a JSON pointer of a parsed file: the line comes from the file's line map and
    /// the field is shown in dotted form.
    pub fn at(
        file: &Path,
        lines: &crate::yaml::LineMap,
        pointer: &str,
        message: impl Into<String>,
    ) -> Self {
        Diagnostic::new(
            file,
            lines.line_of(pointer),
            crate::yaml::pointer_to_field(pointer),
            message,
        )
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}: ", self.file.display(), self.line)?;
        if !self.field.is_empty() {
            write!(f, "`{}`: ", self.field)?;
        }
        f.write_str(&self.message)
    }
}

/// Several problems, shown one per line.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Diagnostics(pub Vec<Diagnostic>);

impl fmt::Display for Diagnostics {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, d) in self.0.iter().enumerate() {
            if i > 0 {
                writeln!(f)?;
            }
            write!(f, "{d}")?;
        }
        Ok(())
    }
}

impl std::error::Error for Diagnostics {}

/// ` (did you mean `x`?)` when one of `candidates` is close to `word`, else nothing.
pub(crate) fn did_you_mean<'a>(word: &str, candidates: impl Iterator<Item = &'a str>) -> String {
    closest(word, candidates)
        .map(|c| format!(" (did you mean `{c}`?)"))
        .unwrap_or_default()
}

/// The candidate closest to `word` when it is close enough to be what was meant: within a third
/// of the word's length, so a typo is caught and an unrelated name is not offered.
pub(crate) fn closest<'a>(
    word: &str,
    candidates: impl Iterator<Item = &'a str>,
) -> Option<&'a str> {
    candidates
        .map(|c| (edit_distance(c, word), c))
        .min()
        .filter(|(d, _)| *d > 0 && *d <= word.chars().count().div_ceil(3).max(1))
        .map(|(_, c)| c)
}

/// Levenshtein distance, for "did you mean" hints.
fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut cur = vec![i + 1];
        for (j, cb) in b.iter().enumerate() {
            let sub = prev[j] + usize::from(ca != *cb);
            cur.push(sub.min(prev[j + 1] + 1).min(cur[j] + 1));
        }
        prev = cur;
    }
    prev[b.len()]
}
