//! `TODO` placeholders: what `cases new` writes where the spec cannot say the value (a title, a
//! variable, a basis), and what a person writes for "later". A case file still holding one is
//! not finished, and a run of it would send or expect the word `TODO`; so it does not load.
//!
//! The rule (also in `cases/README.md`): a string value, anywhere in the file, holding the word
//! `TODO` in capitals (on its own: `TODO`, `TODO: why`, `iqn.TODO`, not `TODOS` or `todo`). Keys
//! and comments are not values: `# TODO: check the page` stays a note to the reader.

use serde_json::Value;

use crate::yaml::escape_segment;

/// The word a placeholder holds.
pub const PLACEHOLDER: &str = "TODO";

/// Whether `s` holds the placeholder word (not inside a longer word).
pub fn is_placeholder(s: &str) -> bool {
    let word = |c: Option<char>| c.is_some_and(|c| c.is_alphanumeric() || c == '_');
    s.match_indices(PLACEHOLDER)
        .any(|(i, w)| !word(s[..i].chars().next_back()) && !word(s[i + w.len()..].chars().next()))
}

/// Reports every string value of `v` (at the pointer `at`) holding a placeholder.
pub(super) fn check_placeholders(v: &Value, at: &str, report: &mut dyn FnMut(String, String)) {
    match v {
        Value::String(s) if is_placeholder(s) => {
            let shown = if s.trim() == PLACEHOLDER {
                String::new()
            } else {
                format!(": `{s}`")
            };
            report(
                at.to_string(),
                format!(
                    "`{PLACEHOLDER}` left to fill in{shown} (a value holding `{PLACEHOLDER}` does not load)"
                ),
            )
        }
        Value::Array(items) => {
            for (i, x) in items.iter().enumerate() {
                check_placeholders(x, &format!("{at}/{i}"), report);
            }
        }
        Value::Object(m) => {
            for (k, x) in m {
                check_placeholders(x, &format!("{at}/{}", escape_segment(k)), report);
            }
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_word_in_capitals_is_a_placeholder() {
        for yes in [
            "TODO",
            "TODO: the source",
            "iqn.1992-08.com.netapp:TODO",
            "a TODO b",
        ] {
            assert!(is_placeholder(yes), "{yes}");
        }
        for no in ["todo", "TODOS", "MYTODO", "TODO_LIST", "to do", ""] {
            assert!(!is_placeholder(no), "{no}");
        }
    }
}
