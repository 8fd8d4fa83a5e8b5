//! OLD and NEW as the command line names them: a spec file in this project's form (YAML or
//! JSON, as `spec/openapi.yaml` or what `spec import` writes), the word `builtin`, or NetApp's
//! own Swagger 2.0 definition as a cluster serves it (YAML or JSON). Any of them may be
//! gzip-compressed. Every input goes through [`read_spec_input`], so each kind is told apart
//! in one place.

use std::io::Read as _;
use std::path::Path;

use serde_json::Value;

use super::super::EMBEDDED_SPEC;
use crate::yaml;

/// The word that names the spec built into the binary.
pub const BUILTIN: &str = "builtin";

/// The most a gzip-compressed input may unpack to. NetApp's newest definitions are a few MiB;
/// a file that unpacks past this is not one, and reading on would only fill the memory.
const MAX_UNPACKED: u64 = 512 * 1024 * 1024;

/// Reads OLD or NEW: its label (the path as given, or `builtin`) and the document. The error
/// names the input and says what is wrong with it.
pub fn read_spec_input(input: &str) -> Result<(String, Value), String> {
    if input == BUILTIN {
        // The curated document over the imported layer's, as `Spec::builtin` layers them. Only
        // the documents are read: the tests hold both to the loader, and compiling the curated
        // spec's validators here would be for nothing.
        let (curated, _) = yaml::parse(EMBEDDED_SPEC)
            .map_err(|e| format!("the built-in spec, line {}: {}", e.line, e.message))?;
        let imported = super::super::import::builtin_layer();
        return Ok((BUILTIN.to_string(), super::layered(&curated, &[&imported])));
    }
    let bytes =
        std::fs::read(Path::new(input)).map_err(|e| format!("{input}: cannot read: {e}"))?;
    let bytes = if bytes.starts_with(&[0x1f, 0x8b]) {
        gunzip(&bytes).map_err(|e| format!("{input}: gzip-compressed, but {e}"))?
    } else {
        bytes
    };
    let doc = parse(&bytes).map_err(|e| format!("{input}: {e}"))?;
    // NetApp's own definition, as a cluster serves it: imported on the way in, so a cluster's
    // swagger.yaml compares with the built-in spec without a `spec import` first. (Read twice,
    // once to tell what it is and once by the importer, which keeps its lines for warnings.)
    if doc.get("swagger").and_then(Value::as_str) == Some("2.0") {
        let name = Path::new(input)
            .file_name()
            .map_or(input.to_string(), |n| n.to_string_lossy().into_owned());
        let imported = super::super::import::import(&bytes, &name, None)
            .map_err(|e| format!("{input}: NetApp's Swagger 2.0 definition, but {e}"))?;
        return Ok((input.to_string(), imported.doc));
    }
    let openapi = doc.get("openapi").and_then(Value::as_str);
    if openapi.is_some_and(|v| v.starts_with("3."))
        && doc.get("paths").is_some_and(Value::is_object)
    {
        return Ok((input.to_string(), doc));
    }
    let why = match (openapi, doc.get("paths")) {
        (Some(v), _) if !v.starts_with("3.") => format!("`openapi: {v}` is not OpenAPI 3"),
        (Some(_), _) => "it has no `paths`".to_string(),
        (None, Some(_)) => {
            "it has `paths` but no `openapi`: an overlay is given with --spec-overlay".to_string()
        }
        (None, None) => "it has neither `openapi: 3.0.x` nor `swagger: \"2.0\"`".to_string(),
    };
    Err(format!(
        "{input}: not a spec in this project's form nor NetApp's Swagger 2.0 definition: {why}"
    ))
}

fn gunzip(bytes: &[u8]) -> Result<Vec<u8>, String> {
    let mut out = Vec::new();
    flate2::read::MultiGzDecoder::new(bytes)
        .take(MAX_UNPACKED + 1)
        .read_to_end(&mut out)
        .map_err(|e| format!("it does not unpack: {e}"))?;
    if out.len() as u64 > MAX_UNPACKED {
        return Err(format!(
            "it unpacks to more than {} MiB",
            MAX_UNPACKED / 1024 / 1024
        ));
    }
    Ok(out)
}

/// JSON when it starts like JSON (the faster parser for the large files `spec import` and
/// clusters write), YAML otherwise.
fn parse(bytes: &[u8]) -> Result<Value, String> {
    let text = std::str::from_utf8(bytes).map_err(|e| format!("not UTF-8 text: {e}"))?;
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    if text.trim_start().starts_with('{') {
        return serde_json::from_str(text).map_err(|e| format!("not valid JSON: {e}"));
    }
    yaml::parse(text)
        .map(|(doc, _)| doc)
        .map_err(|e| format!("line {}: not valid YAML: {}", e.line, e.message))
}
