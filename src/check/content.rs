//! Whether a response body is JSON at all, before anything in it is compared.

use serde_json::Value;

use super::{Problem, Response, Says};

/// Whether a Content-Type announces JSON: ONTAP answers `application/hal+json`, some proxies
/// and older releases `application/json`; any `+json` type is JSON too.
pub fn is_json_content_type(value: &str) -> bool {
    let media = value
        .split(';')
        .next()
        .unwrap_or_default()
        .trim()
        .to_ascii_lowercase();
    media == "application/json" || (media.starts_with("application/") && media.ends_with("+json"))
}

/// Problems with a response body as JSON at all, before anything in it is compared: a body
/// that is not JSON, or JSON under another Content-Type (an HTML error page from a proxy, a
/// server that happens to print braces). ONTAP's clients dispatch on the Content-Type, so a
/// JSON-looking body labelled `text/html` is broken for them even when it parses.
pub fn body_problems(resp: &Response) -> Vec<Problem> {
    let mut out = Vec::new();
    let has_body = resp.body.is_some() || resp.body_error.is_some();
    if has_body {
        match resp.header("content-type") {
            Some(ct) if is_json_content_type(ct) => {}
            Some(ct) => out.push(Problem {
                expected: Some("application/hal+json".into()),
                actual: Some(ct.to_string()),
                ..Problem::msg(format!(
                    "the response's Content-Type is `{ct}`, not JSON (ONTAP answers application/hal+json)"
                ))
            }),
            None => out.push(Problem {
                expected: Some("application/hal+json".into()),
                actual: Some("(absent)".into()),
                says: Says::Nothing,
                ..Problem::msg("the response has a body but no Content-Type")
            }),
        }
    }
    if let Some(err) = &resp.body_error {
        // The parser's words and the body's first characters (`starts with "<html>..."`) are
        // what came; the body itself was never parsed into a value.
        out.push(Problem {
            expected: Some("a JSON body".into()),
            actual: Some(err.clone()),
            ..Problem::msg(format!("the body is not JSON: {err}"))
        });
    }
    out
}

/// ` (ONTAP error CODE: MESSAGE)` for a status mismatch, so a failure says what the target meant.
pub(super) fn error_hint(resp: &Response) -> String {
    resp.body
        .as_ref()
        .and_then(|b| b.get("error"))
        .map(|e| {
            format!(
                " (ONTAP error {}: {})",
                e.get("code").and_then(Value::as_str).unwrap_or("?"),
                e.get("message").and_then(Value::as_str).unwrap_or("")
            )
        })
        .unwrap_or_default()
}
