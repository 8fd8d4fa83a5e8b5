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

#[cfg(test)]
mod tests {
    use super::*;

    /// NetApp's own rows (the 9.8 file's words) and what the rule gives them.
    #[test]
    fn the_rule_on_netapps_words() {
        let table: &[(&str, u16, Option<&str>)] = &[
            ("Certificate does not exist.", 404, Some("does not exist")),
            (
                "The NVMe subsystem specified by `subsystem.uuid` was not found.",
                404,
                Some("not found"),
            ),
            (
                "The alias could not be found.",
                404,
                Some("could not be found"),
            ),
            (
                "One or more of the specified DNS servers do not exist or cannot be reached",
                404,
                Some("do not exist"),
            ),
            (
                "Object store server is not present for specified SVM.",
                404,
                Some("is not present"),
            ),
            (
                "License already exists on system",
                409,
                Some("already exist"),
            ),
            ("Duplicate IP address is specified.", 409, Some("duplicate")),
            (
                "License is still in use and cannot be removed",
                409,
                Some("in use"),
            ),
            (
                "The key cannot be deleted because it is being used by an NTP server.",
                409,
                Some("is being used"),
            ),
            (
                "A reboot or shutdown request is already in progress.",
                409,
                Some("in progress"),
            ),
            (
                "The NVMe service must be disabled before it can be deleted.",
                409,
                Some("must be disabled"),
            ),
            (
                "Port cannot be used because it is currently the home port of an interface.",
                409,
                Some("is currently"),
            ),
            (
                "Cannot remove node because it has foreign LUN Imports.",
                409,
                Some("cannot ... because"),
            ),
            (
                "Modifying the attributes is not allowed while the volume is offline",
                409,
                Some("not allowed while"),
            ),
            (
                "The specified broadcast domain UUID is not valid.",
                400,
                None,
            ),
            ("A name must be provided.", 400, None),
            ("FlexCache is not supported on this system", 400, None),
            (
                "Internal error. Failed to import Kerberos keytab file.",
                400,
                None,
            ),
            // Words inside longer words say nothing.
            ("The value is invalid in username context", 400, None),
            (
                "Cannot accept private key for server-ca or client-ca.",
                400,
                None,
            ),
            // A missing thing is named before a state.
            (
                "Cannot delete the share because it does not exist",
                404,
                Some("does not exist"),
            ),
        ];
        for (description, status, phrase) in table {
            let got = classify(description);
            assert_eq!(
                (got.status, got.phrase),
                (*status, *phrase),
                "{description}"
            );
        }
    }

    #[test]
    fn each_class_says_why() {
        assert!(
            classify("x does not exist")
                .why()
                .starts_with("404 by this suite's status rule")
        );
        assert!(
            classify("x already exists")
                .why()
                .contains("(\"already exist\")")
        );
        assert!(
            classify("bad")
                .why()
                .starts_with("400 by this suite's status rule")
        );
    }
}
