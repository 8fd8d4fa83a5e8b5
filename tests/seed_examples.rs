//! The seed pages' own examples, run against the emulator: every `curl` line and every "Example
//! request" in `spec/sources/seeds/` that targets an operation of the spec, read from the seed
//! files themselves, so a new seed page brings its examples along. The pages are part of the
//! repository: a missing page, or pages from which no example could be read, fail the test rather
//! than leave it with nothing to run.
//!
//! What "the documented kind of answer" means here:
//! - a `curl` line is a working call NetApp shows: it must get one of the operation's documented
//!   success statuses (a `GET /api/cluster/jobs/<uuid>` right after a call that started a job
//!   reads that job: the seeds' UUIDs are their own cluster's);
//! - an "Example request" is the request body's type template (`"password": "string"`, an SVM
//!   UUID of NetApp's lab, and objects where the tables say arrays: the seeds' README says the
//!   tables win): it must get what ONTAP documents for a request it refuses, an ONTAP error body
//!   (`error.code`, `error.message`) with a 4xx status, never a 5xx or another kind of body.
//!
//! The text is PDF converted: a call is broken across lines, sometimes inside a word, and a few
//! markup remnants (`++<mgmt_ip>++`, a doubled `:`) are left. [`clean`] undoes exactly those,
//! and a call that still does not parse fails the test naming its seed file and line.
//!
//! Each example runs on a freshly reset emulator holding what the example names: the accounts
//! `cluster_user1` (cluster) and `svm_user1` (svm1), and the credential `initiator2` on svm2
//! (the GET, PATCH and DELETE examples use svm2's UUID, the seed's own).

mod common;

use std::path::{Path, PathBuf};

use common::ADMIN;
use ontap_conform::emulator::{Emulator, EmulatorConfig};
use ontap_conform::spec::{SEED_PAGES, Spec};
use serde_json::{Value, json};

/// One example found in a seed page.
#[derive(Debug, Clone)]
struct Example {
    /// `004_69967a64eae5f293.txt:83`
    at: String,
    kind: Kind,
    method: String,
    /// Path and query, `/api/...`.
    path: String,
    body: Option<Value>,
    /// The call is made by the SVM-scoped user itself (`https://<SVM-ip>/...`).
    as_svm_user: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Curl,
    Template,
}

fn seeds_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(ontap_conform::spec::SEED_DIR)
}

/// Undoes what the PDF conversion did to a call: markup around the host, and lines joined
/// back (without a space where the break fell inside a word or a UUID).
fn clean(lines: &[&str]) -> String {
    let mut out = String::new();
    for l in lines {
        let l = l.trim_end();
        let l = l.replace("+++", "").replace("++", "");
        let l = l.trim_start();
        // Joined without a space where the break fell inside a word or a UUID.
        let inside_a_word = out.ends_with('-') || l.starts_with('_');
        if out.is_empty() || inside_a_word {
            out.push_str(l);
        } else {
            out.push(' ');
            out.push_str(l);
        }
    }
    // A closing tag left after the call: `'{...}'</mgmt_ip>`.
    if let Some(i) = out.find("</mgmt_ip>") {
        out.truncate(i);
    }
    // `"password_hash_algorithm": :"sha256"`: a colon doubled across a line break.
    out.replace(": :", ":")
}

/// Splits a shell command into words, honouring single and double quotes.
fn words(cmd: &str) -> Result<Vec<String>, String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut quote: Option<char> = None;
    let mut in_word = false;
    for c in cmd.chars() {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some(_), c) => cur.push(c),
            (None, '\'' | '"') => {
                quote = Some(c);
                in_word = true;
            }
            (None, c) if c.is_whitespace() => {
                if in_word {
                    out.push(std::mem::take(&mut cur));
                    in_word = false;
                }
            }
            (None, c) => {
                cur.push(c);
                in_word = true;
            }
        }
    }
    if quote.is_some() {
        return Err("an unclosed quote".into());
    }
    if in_word {
        out.push(cur);
    }
    Ok(out)
}

/// A curl command as an example: method, URL path, body.
fn parse_curl(at: String, cmd: &str) -> Result<Example, String> {
    let w = words(cmd).map_err(|e| format!("{at}: {e} in `{cmd}`"))?;
    let mut method = "GET".to_string();
    let mut url = None;
    let mut body = None;
    let mut i = 1;
    while i < w.len() {
        match w[i].as_str() {
            "-X" => {
                method = w.get(i + 1).cloned().unwrap_or_default();
                i += 1;
            }
            "-H" => i += 1,
            "-d" => {
                let text = w.get(i + 1).cloned().unwrap_or_default();
                let v: Value = serde_json::from_str(&text)
                    .map_err(|e| format!("{at}: the body is not JSON ({e}): {text}"))?;
                body = Some(v);
                i += 1;
            }
            s if s.starts_with("https://") => url = Some(s.to_string()),
            _ => {}
        }
        i += 1;
    }
    let url = url.ok_or_else(|| format!("{at}: no URL in `{cmd}`"))?;
    let (host, path) = url
        .strip_prefix("https://")
        .and_then(|u| u.find('/').map(|i| (&u[..i], &u[i..])))
        .ok_or_else(|| format!("{at}: `{url}` has no path"))?;
    Ok(Example {
        at,
        kind: Kind::Curl,
        method,
        path: path.to_string(),
        body,
        as_svm_user: host.contains("SVM"),
    })
}

/// `POST /security/authentication/password` or `GET /api/security:` as the spec names it.
fn operation_line(line: &str) -> Option<(String, String)> {
    let line = line
        .trim()
        .trim_start_matches('#')
        .trim()
        .trim_end_matches(':');
    let (m, p) = line.split_once(' ')?;
    if !matches!(m, "GET" | "POST" | "PATCH" | "DELETE") || !p.starts_with('/') || p.contains(' ') {
        return None;
    }
    let p = if p.starts_with("/api/") {
        p.to_string()
    } else {
        format!("/api{p}")
    };
    Some((m.to_string(), p))
}

/// Every example of one seed page.
fn examples_of(file: &Path) -> Result<Vec<Example>, Vec<String>> {
    let name = file.file_name().unwrap().to_string_lossy().into_owned();
    let text = std::fs::read_to_string(file).map_err(|e| vec![format!("{name}: {e}")])?;
    let lines: Vec<&str> = text.lines().collect();
    let (mut out, mut problems) = (Vec::new(), Vec::new());
    let mut operation: Option<(String, String)> = None;
    let mut i = 0;
    while i < lines.len() {
        let line = lines[i].trim();
        if let Some(op) = operation_line(line) {
            operation = Some(op);
        }
        if line.starts_with("curl ") {
            // The call runs until a blank line, a comment or the end of its block.
            let mut end = i + 1;
            while end < lines.len() {
                let l = lines[end].trim();
                if l.is_empty() || l.starts_with('#') || l.starts_with("```") || l.starts_with('=')
                {
                    break;
                }
                end += 1;
            }
            match parse_curl(format!("{name}:{}", i + 1), &clean(&lines[i..end])) {
                Ok(e) => out.push(e),
                Err(p) => problems.push(p),
            }
            i = end;
            continue;
        }
        if line.trim_start_matches('#').trim() == "Example request" {
            let Some((method, path)) = operation.clone() else {
                problems.push(format!(
                    "{name}:{}: an example request before any operation",
                    i + 1
                ));
                i += 1;
                continue;
            };
            // The JSON object that follows, to its balancing brace.
            let start = (i + 1..lines.len()).find(|&j| lines[j].trim().starts_with('{'));
            let Some(start) = start else {
                problems.push(format!("{name}:{}: no JSON after it", i + 1));
                break;
            };
            let (mut depth, mut end, mut body) = (0i32, start, String::new());
            for (j, l) in lines.iter().enumerate().skip(start) {
                depth += l.matches('{').count() as i32 - l.matches('}').count() as i32;
                body.push_str(l);
                body.push('\n');
                end = j;
                if depth <= 0 {
                    break;
                }
            }
            match serde_json::from_str::<Value>(&body) {
                Ok(v) => out.push(Example {
                    at: format!("{name}:{}", start + 1),
                    kind: Kind::Template,
                    method,
                    path,
                    body: Some(v),
                    as_svm_user: false,
                }),
                Err(e) => problems.push(format!("{name}:{}: not JSON ({e})", start + 1)),
            }
            i = end + 1;
            continue;
        }
        i += 1;
    }
    if problems.is_empty() {
        Ok(out)
    } else {
        Err(problems)
    }
}

const SVM2: &str = "25f617cf-94d7-11e8-8370-005056b48fd2";
const INITIAL: &str = "Initial1pw";

struct Emu {
    client: reqwest::Client,
    base: String,
}

impl Emu {
    async fn call(
        &self,
        method: &str,
        path: &str,
        who: (&str, &str),
        body: Option<&Value>,
    ) -> (u16, Value) {
        let mut rb = self
            .client
            .request(method.parse().unwrap(), format!("{}{path}", self.base))
            .basic_auth(who.0, Some(who.1))
            .header("accept", "application/hal+json");
        if let Some(b) = body {
            rb = rb.json(b);
        }
        let r = rb.send().await.expect("the emulator answers");
        let status = r.status().as_u16();
        let text = r.text().await.unwrap_or_default();
        (
            status,
            serde_json::from_str(&text).unwrap_or(Value::String(text)),
        )
    }

    /// A fresh emulator holding what the seeds' examples name.
    async fn prepare(&self) {
        let (s, _) = self.call("POST", "/emulator/reset", ADMIN, None).await;
        assert_eq!(s, 200, "reset");
        for (owner, name) in [(None, "cluster_user1"), (Some("svm1"), "svm_user1")] {
            let mut body = json!({
                "name": name,
                "password": INITIAL,
                "role": {"name": if owner.is_some() { "vsadmin" } else { "admin" }},
                "applications": [{"application": "http", "authentication_methods": ["password"]}],
            });
            if let Some(o) = owner {
                body["owner"] = json!({"name": o});
            }
            let (s, b) = self
                .call("POST", "/api/security/accounts", ADMIN, Some(&body))
                .await;
            assert!(s < 300, "create {name}: {s} {b}");
        }
        let cred = json!({"svm": {"uuid": SVM2}, "initiator": "iqn.1992-08.com.netapp:initiator2", "authentication_type": "none"});
        let (s, b) = self
            .call(
                "POST",
                "/api/protocols/san/iscsi/credentials",
                ADMIN,
                Some(&cred),
            )
            .await;
        assert!(s < 300, "create initiator2 on svm2: {s} {b}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_example_in_the_seed_pages_gets_the_documented_kind_of_answer() {
    // Every page the binary knows, read from the repository: a missing one fails here.
    let dir = seeds_dir();
    let files: Vec<PathBuf> = SEED_PAGES.iter().map(|p| dir.join(p)).collect();
    assert!(
        !files.is_empty(),
        "no seed pages listed from {}",
        dir.display()
    );
    let mut examples = Vec::new();
    let mut problems = Vec::new();
    for f in &files {
        match examples_of(f) {
            Ok(e) => examples.extend(e),
            Err(p) => problems.extend(p),
        }
    }
    assert!(
        problems.is_empty(),
        "seed pages that cannot be read or whose examples do not parse:\n{}",
        problems.join("\n")
    );
    for kind in [Kind::Curl, Kind::Template] {
        assert!(
            examples.iter().any(|e| e.kind == kind),
            "no {kind:?} example read from the {} pages in {}: the parser lost them",
            files.len(),
            dir.display()
        );
    }

    let spec = Spec::load(None).expect("the shipped spec");
    let _ = rustls::crypto::ring::default_provider().install_default();
    let emu = Emulator::start("127.0.0.1:0".parse().unwrap(), EmulatorConfig::default())
        .await
        .expect("the emulator starts");
    let e = Emu {
        client: reqwest::Client::new(),
        base: emu.base_url(),
    };
    let mut failures = Vec::new();
    let (mut curls, mut templates) = (0, 0);
    let mut last_job: Option<String> = None;
    for ex in &examples {
        let bare = ex.path.split('?').next().unwrap_or_default().to_string();
        let mut path = ex.path.clone();
        let reads_job = ex.method == "GET" && bare.starts_with("/api/cluster/jobs/");
        if reads_job {
            // The seed's UUID is its own cluster's job: read the one the previous call started.
            match &last_job {
                Some(uuid) => path = format!("/api/cluster/jobs/{uuid}"),
                None => {
                    failures.push(format!(
                        "{}: a job read with no job started before it",
                        ex.at
                    ));
                    continue;
                }
            }
        } else {
            e.prepare().await;
        }
        // A template's path is the operation's: its keys name what `prepare` made.
        let path = path
            .replace("{svm.uuid}", SVM2)
            .replace("{initiator}", "iqn.1992-08.com.netapp:initiator2");
        let Some((op, _)) =
            spec.match_request(&ex.method, path.split('?').next().unwrap_or_default())
        else {
            continue; // Not one of the spec's operations.
        };
        let who = if ex.as_svm_user {
            ("svm_user1", INITIAL)
        } else {
            ADMIN
        };
        let (status, body) = e.call(&ex.method, &path, who, ex.body.as_ref()).await;
        last_job = body
            .pointer("/job/uuid")
            .and_then(Value::as_str)
            .map(String::from);
        match ex.kind {
            Kind::Curl => {
                curls += 1;
                if !op.success_statuses().contains(&status) {
                    failures.push(format!(
                        "{}: {} {path} answered {status} (documented: {:?}): {body}",
                        ex.at,
                        ex.method,
                        op.success_statuses()
                    ));
                }
            }
            Kind::Template => {
                templates += 1;
                let ontap_error = body.pointer("/error/code").is_some_and(Value::is_string)
                    && body.pointer("/error/message").is_some_and(Value::is_string);
                if !(400..500).contains(&status) || !ontap_error {
                    failures.push(format!(
                        "{}: the type template {} {path} answered {status}, not an ONTAP error: {body}",
                        ex.at, ex.method
                    ));
                }
            }
        }
    }
    emu.shutdown().await;
    eprintln!("seed examples: {curls} curl calls, {templates} request templates");
    assert!(
        curls >= 10 && templates >= 3,
        "{curls} calls, {templates} templates: the parser lost some"
    );
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn the_pdf_remnants_are_undone_and_calls_parse() {
    let cmd = clean(&[
        "curl -X GET 'https://<mgmt-",
        "ip>/api/protocols/san/iscsi/credentials/25f617cf-94d7-11e8-8370-",
        "005056b48fd2/iqn.1992-08.com.netapp:initiator2' -H 'accept:",
        "application/hal+json'",
    ]);
    let e = parse_curl("x:1".into(), &cmd).unwrap();
    assert_eq!(
        e.path,
        "/api/protocols/san/iscsi/credentials/25f617cf-94d7-11e8-8370-005056b48fd2/iqn.1992-08.com.netapp:initiator2"
    );
    let cmd = clean(&[
        "curl -X POST \"https://<mgmt-ip>/api/security/authentication/password\" -d",
        "'{\"name\":\"cluster_user1\",\"password\":\"hello@1234\",\"password_hash_algorithm\":",
        ":\"sha256\"}'",
    ]);
    let e = parse_curl("x:1".into(), &cmd).unwrap();
    assert_eq!(e.body.unwrap()["password_hash_algorithm"], "sha256");
    let cmd = clean(&[
        "curl -X PATCH \"https://++<mgmt_ip>++/api/security\" -d '{ \"fips.enabled\": true }'++</mgmt_ip>++",
    ]);
    assert_eq!(
        parse_curl("x:1".into(), &cmd).unwrap().path,
        "/api/security"
    );
    assert!(parse_curl("x:1".into(), "curl -X GET 'https://h/api").is_err());
}
