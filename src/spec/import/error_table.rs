//! NetApp's error tables, read as they are written: each operation's `responses.default
//! .description` holds a markdown table, `| Error Code | Description |`, usually under the
//! heading "ONTAP Error Response Codes".
//!
//! What the 9.8 file does and this reader takes: the heading in any case or number ("codes",
//! "Code"), or none; the header cell "Error code(s)" and "Description" or "Message"; two tables
//! in one description; a table inside a code fence with `<br/>` around it; a row continued on
//! the next line with an empty code cell (`|            | Delete and recreate ...|`); a row
//! without its closing `|`; a description wrapped in quotes with escaped quotes inside
//! (`"Bucket name \\\"{bucket name}\\\" ..."`), read without the quoting. Whatever else is in the
//! description (a stray `schema:` line) is not a row, and is returned so the caller can say so.

/// One row of a table: a code and NetApp's description of it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Row {
    pub code: String,
    pub description: String,
}

/// What one description holds.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Table {
    /// The rows, in NetApp's order (a continued row is one row).
    pub rows: Vec<Row>,
    /// Lines inside a table that are not a row of it: a first cell that is not a code.
    pub bad_rows: Vec<String>,
    /// Text outside any table, headings, fences and `<br/>` aside.
    pub other_text: Vec<String>,
}

/// Reads every error table of one `default` description.
pub fn read_table(description: &str) -> Table {
    let mut table = Table::default();
    let mut in_table = false;
    // Whether the last row ended with its `|`: a line after one that did not continues it.
    let mut open_row = false;
    for raw in description.lines() {
        let line = raw.trim();
        if let Some(cells) = line.strip_prefix('|') {
            let (first, rest) = match cells.split_once('|') {
                Some((a, b)) => (a.trim(), b),
                None => (cells.trim(), ""),
            };
            let first_lower = first.to_ascii_lowercase();
            if first_lower.starts_with("error code") {
                in_table = true;
                open_row = false;
                continue;
            }
            if first.chars().all(|c| c == '-' || c == ':') && !first.is_empty() {
                continue; // the `| --- | --- |` line under the header
            }
            let (text, closed) = match rest.trim_end().strip_suffix('|') {
                Some(t) => (t, true),
                None => (rest, false),
            };
            let text = clean(text);
            if first.is_empty() {
                // A row continued on the next line, its code cell left empty.
                match table.rows.last_mut() {
                    Some(last) if in_table => append(&mut last.description, &text),
                    _ => table.bad_rows.push(line.to_string()),
                }
            } else if first.bytes().all(|b| b.is_ascii_digit()) {
                table.rows.push(Row {
                    code: first.to_string(),
                    description: text,
                });
                in_table = true;
            } else {
                table.bad_rows.push(line.to_string());
                open_row = false;
                continue;
            }
            open_row = !closed;
        } else if open_row && !line.is_empty() && !is_markup(line) {
            // A row's description wrapped onto a line of its own.
            let text = line.strip_suffix('|').unwrap_or(line);
            open_row = !line.ends_with('|');
            if let Some(last) = table.rows.last_mut() {
                append(&mut last.description, &clean(text));
            }
        } else {
            open_row = false;
            if !line.is_empty() && !is_markup(line) && !is_heading(line) {
                table.other_text.push(line.to_string());
            }
        }
    }
    table
}

fn append(description: &mut String, more: &str) {
    if more.is_empty() {
        return;
    }
    if !description.is_empty() {
        description.push(' ');
    }
    description.push_str(more);
}

/// "ONTAP Error Response Codes" in any of the file's spellings, or the bare "Error" of an
/// operation without a table.
fn is_heading(line: &str) -> bool {
    let l = line.to_ascii_lowercase();
    l.starts_with("ontap error response code") || l == "error" || l == "default"
}

/// Markup around a table: a code fence, a line break.
fn is_markup(line: &str) -> bool {
    line.starts_with("```") || line.eq_ignore_ascii_case("<br/>") || line == "<br>"
}

/// A cell's text without NetApp's quoting: spaces collapsed, and a description wrapped as
/// `"...";` with its inner quotes escaped (`\"`, `\\\"`) read as the words it quotes. Nothing
/// else is changed: backticks and placeholders (`<file path>`) are NetApp's wording.
fn clean(cell: &str) -> String {
    let mut text: String = cell.split_whitespace().collect::<Vec<_>>().join(" ");
    if text.contains("\\\"") {
        let mut out = String::with_capacity(text.len());
        let mut chars = text.chars().peekable();
        while let Some(c) = chars.next() {
            if c == '\\' {
                let mut run = String::from('\\');
                while chars.peek() == Some(&'\\') {
                    run.push('\\');
                    chars.next();
                }
                if chars.peek() != Some(&'"') {
                    out.push_str(&run);
                }
                continue;
            }
            out.push(c);
        }
        text = out;
    }
    let unquoted = text
        .strip_suffix("\";")
        .or_else(|| text.strip_suffix('"'))
        .and_then(|t| t.strip_prefix('"'));
    match unquoted {
        Some(t) => t.trim().to_string(),
        None => text,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rows(t: &Table) -> Vec<(&str, &str)> {
        t.rows
            .iter()
            .map(|r| (r.code.as_str(), r.description.as_str()))
            .collect()
    }

    #[test]
    fn a_plain_table() {
        let t = read_table(
            "ONTAP Error Response Codes\n| Error Code | Description |\n| ---------- | ----------- |\n| 3604491 | Updating timezone failed. |\n| 8847361 | Too many   DNS domains provided. |\n",
        );
        assert_eq!(
            rows(&t),
            [
                ("3604491", "Updating timezone failed."),
                ("8847361", "Too many DNS domains provided.")
            ]
        );
        assert!(t.bad_rows.is_empty() && t.other_text.is_empty(), "{t:?}");
    }

    #[test]
    fn a_continued_row_and_a_stray_schema_line() {
        let t = read_table(
            "ONTAP Error Response Codes\n| Error Code | Description |\n| ---------- | ----------- |\n| 65798185   | Failed to resolve the specified hostname |\n| 65798179   | Cannot swap entries because one or both entries have hostname or address configured.|\n|            | Delete and recreate the new entry at the specified position.|\nschema:\n$ref: \"#/definitions/error_response\"\n",
        );
        assert_eq!(t.rows.len(), 2);
        assert_eq!(
            t.rows[1].description,
            "Cannot swap entries because one or both entries have hostname or address configured. Delete and recreate the new entry at the specified position."
        );
        assert_eq!(
            t.other_text,
            ["schema:", "$ref: \"#/definitions/error_response\""]
        );
    }

    #[test]
    fn fences_two_tables_and_other_headers() {
        let t = read_table(
            "ONTAP Error Response Codes\n<br/>\n```\n| Error codes | Description |\n| ----------- | ----------- |\n| 26345578    | Internal error. |\n```\n<br/>\nONTAP Error Response codes\n| Error code  |  Message |\n|-|-|\n| 1 | x |\n",
        );
        assert_eq!(rows(&t), [("26345578", "Internal error."), ("1", "x")]);
        assert!(t.other_text.is_empty(), "{t:?}");
    }

    #[test]
    fn quoted_and_unclosed_and_wrapped_rows() {
        let t = read_table(
            "| Error Code | Description |\n| --- | --- |\n| 92405785   | \"Bucket name \\\\\\\"{bucket name}\\\\\\\" contains invalid characters. \";\n| 2621462    | The specified SVM name is invalid\n| 7 | a description that\nwraps onto the next line |\n",
        );
        assert_eq!(
            rows(&t),
            [
                (
                    "92405785",
                    "Bucket name \"{bucket name}\" contains invalid characters."
                ),
                ("2621462", "The specified SVM name is invalid"),
                ("7", "a description that wraps onto the next line"),
            ]
        );
    }

    #[test]
    fn a_row_whose_code_is_not_a_number_is_set_aside() {
        let t = read_table("| Error Code | Description |\n| --- | --- |\n| 12x | what |\n");
        assert!(t.rows.is_empty());
        assert_eq!(t.bad_rows, ["| 12x | what |"]);
    }
}
