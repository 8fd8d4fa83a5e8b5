//! YAML documents as JSON values, with the line of every node.
//!
//! The spec and the case files are YAML, but everything downstream (the spec's checks, jsonschema,
//! the case model) speaks `serde_json::Value`. Loading through one event parser that records where
//! each node starts lets any later check, however far from the parser, name the file and line
//! of the field it rejects.

use std::collections::HashMap;

use saphyr_parser::{Event, Parser, ScalarStyle, Span};
use serde_json::{Map, Number, Value};

/// Where each node of a document starts, keyed by JSON pointer (`""` is the root).
#[derive(Debug, Default, Clone)]
pub struct LineMap {
    lines: HashMap<String, usize>,
}

impl LineMap {
    /// The line of the node at `pointer`, or of its nearest ancestor that has one: an error about
    /// a missing field is best shown at the object that lacks it.
    pub fn line_of(&self, pointer: &str) -> usize {
        let mut p = pointer;
        loop {
            if let Some(line) = self.lines.get(p) {
                return *line;
            }
            match p.rfind('/') {
                Some(i) => p = &p[..i],
                None => return self.lines.get("").copied().unwrap_or(1),
            }
        }
    }
}

/// A syntax error, with the position the parser stopped at.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SyntaxError {
    pub line: usize,
    pub column: usize,
    pub message: String,
}

/// Escapes one JSON pointer segment (RFC 6901).
pub fn escape_segment(s: &str) -> String {
    s.replace('~', "~0").replace('/', "~1")
}

/// Turns a JSON pointer into the dotted name people write (`/records/0/svm/name` → `records[0].svm.name`).
pub fn pointer_to_field(pointer: &str) -> String {
    let mut out = String::new();
    for seg in pointer.split('/').skip(1) {
        let seg = seg.replace("~1", "/").replace("~0", "~");
        if !seg.is_empty() && seg.bytes().all(|b| b.is_ascii_digit()) {
            out.push_str(&format!("[{seg}]"));
        } else {
            if !out.is_empty() {
                out.push('.');
            }
            out.push_str(&seg);
        }
    }
    out
}

/// Most nodes a document may expand to. Aliases copy their anchor's value, so a few lines that
/// nest aliases ("billion laughs") would otherwise build billions of nodes and exhaust memory;
/// the spec, the largest file read, has a few thousand.
const MAX_NODES: usize = 1_000_000;

enum Frame {
    Seq(Vec<Value>, String),
    Map(Map<String, Value>, String, Option<String>),
}

/// Parses one YAML document (the first, if there are several) into a JSON value and its line map.
///
/// Scalars follow the YAML 1.2 core schema. Keys must be scalars; anchors and aliases are
/// supported; duplicate keys are an error, because a silently dropped field is a test that
/// checks less than its author thinks.
pub fn parse(text: &str) -> Result<(Value, LineMap), SyntaxError> {
    let mut parser = Parser::new_from_str(text);
    let mut lines = LineMap::default();
    let mut stack: Vec<Frame> = Vec::new();
    // An anchor's value and how many nodes it expands to.
    let mut anchors: HashMap<usize, (Value, usize)> = HashMap::new();
    // Each open collection's anchor id and the node count when it started.
    let mut anchor_of_frame: Vec<(usize, usize)> = Vec::new();
    let mut nodes: usize = 0;
    let mut root: Option<Value> = None;

    let err = |span: &Span, message: String| SyntaxError {
        line: span.start.line(),
        column: span.start.col() + 1,
        message,
    };

    loop {
        let (event, span) = match parser.next_event() {
            None => break,
            Some(Ok(e)) => e,
            Some(Err(e)) => {
                return Err(SyntaxError {
                    line: e.marker().line(),
                    column: e.marker().col() + 1,
                    message: e.info().to_string(),
                });
            }
        };
        // The pointer of the node this event starts, if it starts one.
        let node_pointer = |stack: &Vec<Frame>| -> Option<String> {
            match stack.last() {
                None => Some(String::new()),
                Some(Frame::Seq(items, p)) => Some(format!("{p}/{}", items.len())),
                Some(Frame::Map(_, p, Some(key))) => Some(format!("{p}/{}", escape_segment(key))),
                Some(Frame::Map(_, _, None)) => None, // this node is a key
            }
        };
        let value = match event {
            Event::StreamStart | Event::DocumentStart(_) | Event::Nothing => continue,
            Event::DocumentEnd | Event::StreamEnd => break,
            Event::SequenceStart(anchor, _) => {
                let p = node_pointer(&stack)
                    .ok_or_else(|| err(&span, "a sequence cannot be a mapping key".into()))?;
                lines.lines.entry(p.clone()).or_insert(span.start.line());
                stack.push(Frame::Seq(Vec::new(), p));
                anchor_of_frame.push((anchor, nodes));
                continue;
            }
            Event::MappingStart(anchor, _) => {
                let p = node_pointer(&stack)
                    .ok_or_else(|| err(&span, "a mapping cannot be a mapping key".into()))?;
                lines.lines.entry(p.clone()).or_insert(span.start.line());
                stack.push(Frame::Map(Map::new(), p, None));
                anchor_of_frame.push((anchor, nodes));
                continue;
            }
            Event::SequenceEnd => match stack.pop() {
                Some(Frame::Seq(items, _)) => {
                    let v = Value::Array(items);
                    nodes += 1;
                    if let Some((a, start)) = anchor_of_frame.pop().filter(|(a, _)| *a > 0) {
                        anchors.insert(a, (v.clone(), nodes - start));
                    }
                    v
                }
                _ => return Err(err(&span, "unbalanced sequence".into())),
            },
            Event::MappingEnd => match stack.pop() {
                Some(Frame::Map(map, _, _)) => {
                    let v = Value::Object(map);
                    nodes += 1;
                    if let Some((a, start)) = anchor_of_frame.pop().filter(|(a, _)| *a > 0) {
                        anchors.insert(a, (v.clone(), nodes - start));
                    }
                    v
                }
                _ => return Err(err(&span, "unbalanced mapping".into())),
            },
            Event::Alias(id) => {
                let (v, size) = anchors
                    .get(&id)
                    .ok_or_else(|| err(&span, "alias to an unknown anchor".into()))?;
                // Checked before the copy is made.
                if nodes.saturating_add(*size) > MAX_NODES {
                    return Err(err(
                        &span,
                        format!(
                            "the document expands to more than {MAX_NODES} nodes (aliases of aliases?)"
                        ),
                    ));
                }
                nodes += size;
                v.clone()
            }
            Event::Scalar(text, style, anchor, _) => {
                if let Some(p) = node_pointer(&stack) {
                    lines.lines.entry(p).or_insert(span.start.line());
                }
                let v = if style == ScalarStyle::Plain {
                    plain_scalar(&text)
                } else {
                    Value::String(text.into_owned())
                };
                nodes += 1;
                if anchor > 0 {
                    anchors.insert(anchor, (v.clone(), 1));
                }
                v
            }
        };
        // Attach the finished node to its parent.
        match stack.last_mut() {
            None => {
                root = Some(value);
            }
            Some(Frame::Seq(items, _)) => items.push(value),
            Some(Frame::Map(map, _, None)) => {
                let k = match value {
                    Value::String(s) => s,
                    Value::Null => "null".to_string(),
                    Value::Bool(b) => b.to_string(),
                    Value::Number(n) => n.to_string(),
                    _ => return Err(err(&span, "mapping keys must be scalars".into())),
                };
                if map.contains_key(&k) {
                    return Err(err(&span, format!("duplicate key `{k}`")));
                }
                // A field is shown at its key's line, where a person looks for it.
                if let Some(Frame::Map(_, p, _)) = stack.last() {
                    lines
                        .lines
                        .insert(format!("{p}/{}", escape_segment(&k)), span.start.line());
                }
                if let Some(Frame::Map(_, _, key)) = stack.last_mut() {
                    *key = Some(k);
                }
            }
            Some(Frame::Map(map, _, key @ Some(_))) => {
                if let Some(k) = key.take() {
                    map.insert(k, value);
                }
            }
        }
    }
    Ok((root.unwrap_or(Value::Null), lines))
}

/// [`parse`], with a syntax error reported as a [`Diagnostic`](crate::diag::Diagnostic) of `file`.
pub fn parse_file(
    file: &std::path::Path,
    text: &str,
) -> Result<(Value, LineMap), crate::diag::Diagnostics> {
    parse(text).map_err(|e| {
        crate::diag::Diagnostics(vec![crate::diag::Diagnostic::new(
            file,
            e.line,
            "",
            format!("YAML syntax error at column {}: {}", e.column, e.message),
        )])
    })
}

/// serde_path_to_error's path (`steps[0].request.bogus`) as a JSON pointer.
pub fn path_to_pointer(path: &serde_path_to_error::Path) -> String {
    use serde_path_to_error::Segment;
    let mut out = String::new();
    for seg in path.iter() {
        match seg {
            Segment::Seq { index } => out.push_str(&format!("/{index}")),
            Segment::Map { key } => out.push_str(&format!("/{}", escape_segment(key))),
            Segment::Enum { variant } => out.push_str(&format!("/{variant}")),
            Segment::Unknown => {}
        }
    }
    out
}

/// Resolves a plain scalar by the YAML 1.2 core schema.
fn plain_scalar(s: &str) -> Value {
    match s {
        "" | "~" | "null" | "Null" | "NULL" => return Value::Null,
        "true" | "True" | "TRUE" => return Value::Bool(true),
        "false" | "False" | "FALSE" => return Value::Bool(false),
        ".inf" | ".Inf" | ".INF" | "+.inf" | "-.inf" | ".nan" | ".NaN" | ".NAN" => {
            return Value::String(s.to_string());
        }
        _ => {}
    }
    let digits = s.strip_prefix(['-', '+']).unwrap_or(s);
    if !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()) {
        if let Ok(i) = s.parse::<i64>() {
            return Value::Number(i.into());
        }
        if let Ok(u) = s.parse::<u64>() {
            return Value::Number(u.into());
        }
    }
    if let Some(hex) = s.strip_prefix("0x")
        && let Ok(i) = i64::from_str_radix(hex, 16)
    {
        return Value::Number(i.into());
    }
    if let Some(oct) = s.strip_prefix("0o")
        && let Ok(i) = i64::from_str_radix(oct, 8)
    {
        return Value::Number(i.into());
    }
    let looks_float = s
        .bytes()
        .all(|b| b.is_ascii_digit() || matches!(b, b'.' | b'e' | b'E' | b'-' | b'+'))
        && s.bytes().any(|b| b.is_ascii_digit());
    if looks_float
        && let Ok(f) = s.parse::<f64>()
        && let Some(n) = Number::from_f64(f)
    {
        return Value::Number(n);
    }
    Value::String(s.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_and_lines() {
        let text = "a: 1\nb:\n  - x\n  - 'true'\n  - true\nc: {d: null}\n";
        let (v, lines) = parse(text).unwrap();
        assert_eq!(
            v,
            serde_json::json!({"a": 1, "b": ["x", "true", true], "c": {"d": null}})
        );
        assert_eq!(lines.line_of("/a"), 1);
        assert_eq!(lines.line_of("/b/1"), 4);
        assert_eq!(lines.line_of("/c/d"), 6);
        assert_eq!(lines.line_of("/c/d/missing"), 6);
    }

    #[test]
    fn anchors_and_duplicates() {
        let (v, _) = parse("a: &x {k: 1}\nb: *x\n").unwrap();
        assert_eq!(v["b"]["k"], 1);
        let e = parse("a: 1\na: 2\n").unwrap_err();
        assert_eq!(e.line, 2);
        assert!(e.message.contains("duplicate key"));
    }

    #[test]
    fn alias_bombs_are_refused_not_expanded() {
        // Ten levels of ten aliases each would be 10^10 nodes.
        let mut text = String::from("l0: &l0 [x, x, x, x, x, x, x, x, x, x]\n");
        for i in 1..10 {
            let prev = format!("*l{}", i - 1);
            text.push_str(&format!("l{i}: &l{i} [{}]\n", vec![prev; 10].join(", ")));
        }
        let e = parse(&text).unwrap_err();
        assert!(e.message.contains("more than"), "{e:?}");
        assert!(e.line >= 6, "{e:?}");
    }

    #[test]
    fn syntax_error_has_position() {
        let e = parse("a: [1, 2\nb: 3\n").unwrap_err();
        assert!(e.line >= 1, "{e:?}");
    }

    #[test]
    fn field_names() {
        assert_eq!(
            pointer_to_field("/records/0/svm/name"),
            "records[0].svm.name"
        );
        assert_eq!(pointer_to_field("/paths/~1api~1x/get"), "paths./api/x.get");
    }
}
