//! NetApp's file as bytes to a document: gzip recognised by its magic bytes (a cluster's file is
//! plain, the repository's copy and many downloads are gzipped, and a name says nothing reliable),
//! YAML or JSON (JSON is YAML), and the refusal of anything that is not NetApp's swagger with the
//! reason, before a single operation is read.

use std::io::Read;

use serde_json::Value;

use crate::spec::Version;
use crate::yaml::LineMap;

/// The first two bytes of every gzip stream (RFC 1952).
const GZIP_MAGIC: [u8; 2] = [0x1f, 0x8b];

/// Most bytes a gzipped definition may unpack to. NetApp's files are 3 to 10 MiB; a stream that
/// unpacks to more is refused rather than allowed to fill memory (a gzip bomb is a few KiB).
pub const MAX_UNPACKED: u64 = 256 * 1024 * 1024;

/// Why a file could not be imported at all. Everything short of these is read, or skipped with a
/// [`Warning`](super::Warning).
#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    #[error(
        "{file}: the gzip stream is damaged or cut short ({why}): download the file again, or \
         give it unpacked"
    )]
    Gzip { file: String, why: String },
    #[error("{file}: unpacks to more than {} MiB: not a definition NetApp serves", MAX_UNPACKED / 1024 / 1024)]
    TooLarge { file: String },
    #[error(
        "{file}: not text (byte {offset} is not UTF-8): NetApp's swagger is YAML or JSON; a \
         gzipped file is recognised by its first bytes"
    )]
    NotText { file: String, offset: usize },
    #[error("{file}:{line}: not YAML or JSON (column {column}: {message})")]
    Syntax {
        file: String,
        line: usize,
        column: usize,
        message: String,
    },
    #[error(
        "{file}: not NetApp's swagger: {why} (a cluster serves its definition at \
         /docs/api/swagger.yaml: Swagger 2.0 with `swagger: \"2.0\"` and `paths`)"
    )]
    NotSwagger { file: String, why: String },
    #[error(
        "{file}: cannot tell which ONTAP release it documents ({why}): give --release, e.g. --release 9.8"
    )]
    NoRelease { file: String, why: String },
    #[error("--release `{0}` is not an ONTAP release: write it as 9.8 or 9.14.1")]
    BadRelease(String),
}

/// Whether `bytes` start as a gzip stream does.
pub fn is_gzip(bytes: &[u8]) -> bool {
    bytes.starts_with(&GZIP_MAGIC)
}

/// `bytes` unpacked when they are gzipped (every member of the stream, as `gzip -d` does), else
/// as they are.
pub fn unpack<'a>(
    bytes: &'a [u8],
    source: &str,
) -> Result<std::borrow::Cow<'a, [u8]>, ImportError> {
    if !is_gzip(bytes) {
        return Ok(std::borrow::Cow::Borrowed(bytes));
    }
    let mut out = Vec::with_capacity(bytes.len().saturating_mul(8));
    flate2::read::MultiGzDecoder::new(bytes)
        .take(MAX_UNPACKED + 1)
        .read_to_end(&mut out)
        .map_err(|e| ImportError::Gzip {
            file: source.to_string(),
            why: match e.kind() {
                std::io::ErrorKind::UnexpectedEof => "it ends before its last block".into(),
                _ => e.to_string(),
            },
        })?;
    if out.len() as u64 > MAX_UNPACKED {
        return Err(ImportError::TooLarge {
            file: source.to_string(),
        });
    }
    Ok(std::borrow::Cow::Owned(out))
}

/// Reads NetApp's file into a document and the line of each node, refusing what is not NetApp's
/// swagger.
pub(super) fn read(bytes: &[u8], source: &str) -> Result<(Value, LineMap), ImportError> {
    let started = std::time::Instant::now();
    let bytes = unpack(bytes, source)?;
    let unpacked = started.elapsed();
    let text = std::str::from_utf8(&bytes).map_err(|e| ImportError::NotText {
        file: source.to_string(),
        offset: e.valid_up_to(),
    })?;
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let (doc, lines) = crate::yaml::parse(text).map_err(|e| ImportError::Syntax {
        file: source.to_string(),
        line: e.line,
        column: e.column,
        message: e.message,
    })?;
    // The stages' times, for `ONTAP_CONFORM_LOG=ontap_conform=debug` (scripts/bench/import.sh).
    tracing::debug!(
        "{source}: unpacked in {} ms ({} bytes), YAML read in {} ms",
        unpacked.as_millis(),
        bytes.len(),
        (started.elapsed() - unpacked).as_millis()
    );
    is_swagger(&doc).map_err(|why| ImportError::NotSwagger {
        file: source.to_string(),
        why,
    })?;
    Ok((doc, lines))
}

/// `Ok` when `doc` is a Swagger 2.0 document with `paths`, else why not.
fn is_swagger(doc: &Value) -> Result<(), String> {
    let Some(map) = doc.as_object() else {
        return Err(format!(
            "the document is {}, not a map of `swagger`, `paths`, `definitions`",
            kind_of(doc)
        ));
    };
    if let Some(v) = map.get("openapi") {
        return Err(format!(
            "it is an OpenAPI 3 document (`openapi: {}`), already in this project's form: give \
             it to `spec check --spec` as it is",
            text_of(v)
        ));
    }
    match map.get("swagger") {
        None => return Err("there is no `swagger: \"2.0\"`".into()),
        Some(v) if text_of(v) == "2.0" || v.as_f64() == Some(2.0) => {}
        Some(v) => {
            return Err(format!(
                "`swagger: {}`: only Swagger 2.0 is read",
                text_of(v)
            ));
        }
    }
    match map.get("paths") {
        Some(Value::Object(_)) => Ok(()),
        None => Err("there is no `paths`".into()),
        Some(other) => Err(format!("`paths` is {}, not a map", kind_of(other))),
    }
}

/// The release the definition documents: `given` (`--release`), else the file's own
/// `info.version` when that is a release (NetApp's 9.8 file says `v1`), else the first
/// release-like number of `source` (`swagger-9.8.yaml.gz`).
pub(super) fn release(
    doc: &Value,
    source: &str,
    given: Option<&str>,
) -> Result<String, ImportError> {
    if let Some(r) = given {
        return Version::parse_release(r)
            .map(|v| v.to_string())
            .ok_or_else(|| ImportError::BadRelease(r.to_string()));
    }
    let info_version = doc
        .pointer("/info/version")
        .map(text_of)
        .unwrap_or_default();
    if let Some(v) = Version::parse_release(&info_version) {
        return Ok(v.to_string());
    }
    release_in_name(source).ok_or_else(|| ImportError::NoRelease {
        file: source.to_string(),
        why: format!(
            "its info.version is `{info_version}` and its name has no release number in it"
        ),
    })
}

/// The first `G.M` or `G.M.m` in `name` that stands alone (not part of a longer run of digits and
/// dots): `swagger-9.8.yaml.gz` gives 9.8, `ontap-9.14.1.json` 9.14.1.
fn release_in_name(name: &str) -> Option<String> {
    let b = name.as_bytes();
    let mut i = 0;
    while i < b.len() {
        if b[i].is_ascii_digit() && (i == 0 || !(b[i - 1].is_ascii_digit() || b[i - 1] == b'.')) {
            let end = b[i..]
                .iter()
                .position(|c| !(c.is_ascii_digit() || *c == b'.'))
                .map_or(b.len(), |n| i + n);
            if let Some(v) = Version::parse_release(name[i..end].trim_end_matches('.')) {
                return Some(v.to_string());
            }
            i = end;
        } else {
            i += 1;
        }
    }
    None
}

fn kind_of(v: &Value) -> &'static str {
    match v {
        Value::Null => "empty",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "one string (an HTML page or an error message?)",
        Value::Array(_) => "a list",
        Value::Object(_) => "a map",
    }
}

fn text_of(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_release_is_read_from_a_name() {
        assert_eq!(
            release_in_name("swagger-9.8.yaml.gz").as_deref(),
            Some("9.8")
        );
        assert_eq!(
            release_in_name("ontap-9.14.1.json").as_deref(),
            Some("9.14.1")
        );
        assert_eq!(release_in_name("v2/swagger.yaml"), None);
        assert_eq!(release_in_name("10.0.0.1 /docs/api/swagger.yaml"), None);
    }

    #[test]
    fn what_is_not_swagger_says_why() {
        let why = |text: &str| is_swagger(&crate::yaml::parse(text).unwrap().0).unwrap_err();
        assert!(why("<html><body>Login</body></html>").contains("one string"));
        assert!(why("openapi: 3.0.3\npaths: {}\n").contains("OpenAPI 3"));
        assert!(why("paths: {}\n").contains("no `swagger"));
        assert!(why("swagger: '1.2'\npaths: {}\n").contains("only Swagger 2.0"));
        assert!(why("swagger: '2.0'\n").contains("no `paths`"));
        assert!(is_swagger(&crate::yaml::parse("swagger: '2.0'\npaths: {}\n").unwrap().0).is_ok());
    }
}
