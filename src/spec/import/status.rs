//! The status rule (`spec/openapi.yaml`'s header) applied to NetApp's description of an error
//! code: NetApp's tables give a code and a sentence, never an HTTP status, so the status of an
//! imported code is this suite's convention, read from the sentence's words.
//!
//! The words, checked in this order (case does not matter), first match wins:
//! - **404**, a named thing does not exist: "not found", "does not exist", "do not exist",
//!   "doesn't exist", "no such", "could not be found", "cannot be found", "is not present";
//! - **409**, the request is valid but the cluster's state forbids it: "already exist",
//!   "duplicate", "in use", "is being used", "in progress", "not allowed while", "not supported
//!   while", "not permitted while", "cannot ... because", "must be disabled", "must be offline",
//!   "is currently", "conflict";
//! - **400**, the request itself is wrong: everything else ("is invalid", "must be specified",
//!   "not supported", "failed to ..."). NetApp's "Internal error" rows land here too: the rule
//!   has no 5xx, and the code, which ONTAP's own clients key on, is what a case checks first.
//!
//! Why 404 before 409: a sentence that names a missing thing is about that thing even when it
//! gives a state too ("cannot delete X because it does not exist"). Why a short list: each phrase
//! was read against the 9.8 file's 2,080 rows, and a phrase that only sometimes means the class
//! (a bare "enabled", "not valid") would make the rule a guess twice over.

/// A status and the words that chose it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StatusRule {
    pub status: u16,
    /// The phrase of the description that decided (`"does not exist"`), or `None` for the 400
    /// that nothing else matched.
    pub phrase: Option<&'static str>,
}

impl StatusRule {
    /// What the status rule says of this class: the `status_basis` text before its source.
    pub fn why(&self) -> String {
        match (self.status, self.phrase) {
            (404, Some(p)) => format!(
                "404 by this suite's status rule: NetApp's description says a named thing does \
                 not exist (\"{p}\")"
            ),
            (409, Some(p)) => format!(
                "409 by this suite's status rule: NetApp's description says the cluster's state \
                 forbids the request (\"{p}\")"
            ),
            _ => "400 by this suite's status rule: NetApp's description names no missing thing \
                  and no state, so the request itself is wrong"
                .to_string(),
        }
    }
}

const NOT_FOUND: &[&str] = &[
    "not found",
    "does not exist",
    "do not exist",
    "doesn't exist",
    "no such",
    "could not be found",
    "cannot be found",
    "is not present",
];

const CONFLICT: &[&str] = &[
    "already exist",
    "duplicate",
    "in use",
    "is being used",
    "in progress",
    "not allowed while",
    "not supported while",
    "not permitted while",
    "must be disabled",
    "must be offline",
    "is currently",
    "conflict",
];

/// The status the rule gives NetApp's `description` of a code.
pub fn classify(description: &str) -> StatusRule {
    let text = description.to_ascii_lowercase();
    if let Some(p) = NOT_FOUND.iter().find(|p| says(&text, p)) {
        return StatusRule {
            status: 404,
            phrase: Some(p),
        };
    }
    if let Some(p) = CONFLICT.iter().find(|p| says(&text, p)) {
        return StatusRule {
            status: 409,
            phrase: Some(p),
        };
    }
    // "cannot <verb> ... because <state>": refused for what the cluster is, not what was sent.
    if let Some(at) = find_words(&text, "cannot")
        && text[at..].contains(" because ")
    {
        return StatusRule {
            status: 409,
            phrase: Some("cannot ... because"),
        };
    }
    StatusRule {
        status: 400,
        phrase: None,
    }
}

/// Whether `text` says `phrase` as words: not inside a longer word ("in use" is not in "in
/// user"), though an ending may follow ("already exists", "duplicated").
fn says(text: &str, phrase: &str) -> bool {
    find_words(text, phrase).is_some()
}

/// Where `phrase` first starts as words in `text`: a letter neither before it nor after it, but
/// for an `s`, `d` or `ed` ending.
fn find_words(text: &str, phrase: &str) -> Option<usize> {
    let letter = |c: Option<char>| c.is_some_and(|c| c.is_ascii_alphabetic());
    let mut from = 0;
    while let Some(i) = text[from..].find(phrase).map(|i| from + i) {
        let after = &text[i + phrase.len()..];
        let rest = ["ed", "s", "d"]
            .iter()
            .find_map(|e| after.strip_prefix(e))
            .filter(|r| !letter(r.chars().next()))
            .unwrap_or(after);
        if !letter(text[..i].chars().next_back()) && !letter(rest.chars().next()) {
            return Some(i);
        }
        from = i + 1;
    }
    None
}
