//! The recording's files as types, and reading a recording back (`evidence`,
//! `emulate --check-recording`): every file that does not parse is an error naming its path
//! and line.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// `target.json`: the facts a replay maps onto its own cluster.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct TargetRecord {
    pub tool: String,
    /// The day the run started (UTC), for `evidence`'s `observed` lines.
    pub recorded_on: String,
    pub embedded_emulator: bool,
    /// The run's account (its requests say `auth.password: run`).
    pub user: String,
    /// As the cluster gives it (`NetApp Release 9.14.1: ...`).
    pub ontap_version: Option<String>,
    /// The release alone (`9.14.1`): what a replay starts its emulator with.
    pub ontap_release: Option<String>,
    pub cluster: NameUuid,
    /// Sorted by name, as the runner numbers them (`svm`, `svm2`).
    pub svms: Vec<NameUuid>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct NameUuid {
    pub name: Option<String>,
    pub uuid: Option<String>,
}

/// One request and what came back.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Exchange {
    pub case: String,
    /// The step as reports name it (`steps[0] (create)`).
    pub step: String,
    /// `setup`, `step`, `teardown` or `conditions`.
    pub phase: String,
    /// The poll's number when this is a read of the job the step's request started.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub job_poll: Option<usize>,
    pub request: RecordedRequest,
    /// `None`: no answer arrived (see `error`).
    pub response: Option<RecordedResponse>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct RecordedRequest {
    pub method: String,
    /// As sent (percent-encoded), without the query.
    pub path: String,
    /// Decoded query parameters.
    #[serde(default)]
    pub query: Map<String, Value>,
    #[serde(default)]
    pub headers: BTreeMap<String, String>,
    /// Who sent it; `None` for a request sent without credentials.
    #[serde(default)]
    pub auth: Option<RecordedAuth>,
    #[serde(default)]
    pub body: Option<Value>,
    /// A body that is not JSON (a case's `raw_body`), as text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub body_text: Option<String>,
    /// Where in `body` a password was redacted, and which secret it was. (A list, not a map
    /// keyed by pointer: the redactor hides the value of any key that names a password.)
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub stand_ins: Vec<StandIn>,
}

/// Who sent a request. The field is `secret`, not `password`: a key naming a password has its
/// value redacted.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct RecordedAuth {
    pub user: String,
    /// `run` (the run account's password) or `secret-N` (the case's N-th secret).
    pub secret: String,
}

/// A password redacted from a request body: where (a JSON pointer) and which secret.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StandIn {
    pub at: String,
    pub secret: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct RecordedResponse {
    pub status: u16,
    #[serde(default)]
    pub headers: BTreeMap<String, String>,
    #[serde(default)]
    pub body: Option<Value>,
    /// Why a body that arrived is not in `body` (not JSON).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub body_error: Option<String>,
}

/// One case's exchanges, in the order they were sent.
#[derive(Debug, Clone)]
pub struct RecordedCase {
    pub area: String,
    pub id: String,
    /// (file, relative to the recording's directory; exchange).
    pub exchanges: Vec<(PathBuf, Exchange)>,
}

/// A recording read back.
#[derive(Debug, Clone)]
pub struct Recording {
    pub dir: PathBuf,
    pub target: TargetRecord,
    /// Sorted by area, then case id.
    pub cases: Vec<RecordedCase>,
}

/// A file of a recording that cannot be read: `file:line: field: problem`.
#[derive(Debug, thiserror::Error)]
#[error("{}:{line}: {message}", file.display())]
pub struct RecordingError {
    pub file: PathBuf,
    pub line: usize,
    pub message: String,
}

impl Recording {
    /// Reads `dir/target.json` and every `dir/<area>/<case>/*.json`.
    pub fn read(dir: &Path) -> Result<Recording, RecordingError> {
        let target: TargetRecord = parse(&dir.join("target.json"))?;
        let mut cases = Vec::new();
        for area in sorted_entries(dir)? {
            if !area.is_dir() {
                continue;
            }
            for case in sorted_entries(&area)? {
                if !case.is_dir() {
                    continue;
                }
                let mut exchanges = Vec::new();
                for file in sorted_entries(&case)? {
                    let name = file_name(&file);
                    if name.starts_with('.') || !name.ends_with(".json") {
                        continue;
                    }
                    let rel = file.strip_prefix(dir).unwrap_or(&file).to_path_buf();
                    exchanges.push((rel, parse::<Exchange>(&file)?));
                }
                cases.push(RecordedCase {
                    area: file_name(&area),
                    id: file_name(&case),
                    exchanges,
                });
            }
        }
        Ok(Recording {
            dir: dir.to_path_buf(),
            target,
            cases,
        })
    }

    /// `cluster1 (ONTAP 9.14.1)`: the target as `evidence` and the replay name it.
    pub fn describe_target(&self) -> String {
        let t = &self.target;
        format!(
            "{} (ONTAP {})",
            t.cluster.name.as_deref().unwrap_or("an unnamed cluster"),
            t.ontap_release
                .as_deref()
                .or(t.ontap_version.as_deref())
                .unwrap_or("of unknown version")
        )
    }
}

impl Exchange {
    /// The answer's `error.code` (ONTAP writes it as a string; a number is read as its digits).
    pub fn error_code(&self) -> Option<String> {
        let body = self.response.as_ref()?.body.as_ref()?;
        code_text(body.pointer("/error/code")?)
    }
}

/// A code as text, whether the body gives it as a string or a number.
pub fn code_text(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

fn file_name(p: &Path) -> String {
    p.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default()
}

fn sorted_entries(dir: &Path) -> Result<Vec<PathBuf>, RecordingError> {
    let cannot = |e: std::io::Error| RecordingError {
        file: dir.to_path_buf(),
        line: 0,
        message: format!("cannot read the directory: {e}"),
    };
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).map_err(cannot)? {
        out.push(e.map_err(cannot)?.path());
    }
    out.sort();
    Ok(out)
}

/// Parses one file of the recording; a problem names the line and the field.
fn parse<T: serde::de::DeserializeOwned>(file: &Path) -> Result<T, RecordingError> {
    let text = std::fs::read_to_string(file).map_err(|e| RecordingError {
        file: file.to_path_buf(),
        line: 0,
        message: format!("cannot read it: {e}"),
    })?;
    let de = &mut serde_json::Deserializer::from_str(&text);
    serde_path_to_error::deserialize(de).map_err(|e| {
        let field = e.path().to_string();
        let inner = e.into_inner();
        // serde_json ends its message with the position, which the line already gives.
        let text = inner.to_string();
        let problem = text.split(" at line ").next().unwrap_or(&text);
        let message = if field == "." {
            problem.to_string()
        } else {
            format!("{field}: {problem}")
        };
        RecordingError {
            file: file.to_path_buf(),
            line: inner.line(),
            message,
        }
    })
}
