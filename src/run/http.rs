//! The HTTP side of a run: the client, URLs built from templates, and curl lines for reports.

use std::time::Duration;

use percent_encoding::{AsciiSet, CONTROLS, utf8_percent_encode};
use serde_json::Value;

use crate::check::Response;
use crate::secret::Secret;

/// Characters escaped in a path segment: everything but RFC 3986's `pchar`, so IQN colons stay as
/// ONTAP's own examples write them.
const SEGMENT: &AsciiSet = &CONTROLS
    .add(b' ')
    .add(b'"')
    .add(b'#')
    .add(b'%')
    .add(b'/')
    .add(b'<')
    .add(b'>')
    .add(b'?')
    .add(b'[')
    .add(b']')
    .add(b'\\')
    .add(b'^')
    .add(b'`')
    .add(b'{')
    .add(b'|')
    .add(b'}');

const QUERY: &AsciiSet = &SEGMENT.add(b'&').add(b'=').add(b'+');

/// Largest response body read; beyond it the response is cut and the step fails. A hostile or
/// broken target cannot exhaust the runner's memory.
pub const MAX_BODY_BYTES: usize = 8 * 1024 * 1024;

/// Redirects followed before a request fails: ONTAP itself never redirects an API call, so a
/// chain of them is a proxy or a loop, not an answer.
const MAX_REDIRECTS: usize = 5;

/// How the client reaches the target.
#[derive(Debug, Clone)]
pub struct ClientOptions {
    pub insecure: bool,
    /// PEM of a CA to trust besides the system's.
    pub ca_cert: Option<Vec<u8>>,
    pub request_timeout: Duration,
}

/// Builds the client. TLS is verified unless `insecure`, like ONTAP's own clients.
pub fn client(opts: &ClientOptions) -> Result<reqwest::Client, String> {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let mut b = reqwest::Client::builder()
        .timeout(opts.request_timeout)
        .connect_timeout(opts.request_timeout.min(Duration::from_secs(10)))
        .redirect(reqwest::redirect::Policy::limited(MAX_REDIRECTS))
        .danger_accept_invalid_certs(opts.insecure)
        .pool_max_idle_per_host(16);
    if let Some(pem) = &opts.ca_cert {
        let cert = reqwest::Certificate::from_pem(pem)
            .map_err(|e| format!("the CA certificate is not valid PEM: {e}"))?;
        b = b.add_root_certificate(cert);
    }
    b.build()
        .map_err(|e| format!("cannot build the HTTP client: {e}"))
}

/// Fills a path template (`/api/x/{svm.uuid}`) with escaped parameter values.
pub fn fill_path(template: &str, params: &serde_json::Map<String, Value>) -> String {
    let mut out = String::new();
    for (i, seg) in template.split('/').enumerate() {
        if i > 0 {
            out.push('/');
        }
        match seg.strip_prefix('{').and_then(|s| s.strip_suffix('}')) {
            Some(name) => {
                let v = params.get(name).map(value_text).unwrap_or_default();
                out.push_str(&utf8_percent_encode(&v, SEGMENT).to_string());
            }
            None => out.push_str(seg),
        }
    }
    out
}

/// A query string from case values (lists joined with commas, as ONTAP takes `fields`).
pub fn query_string(query: &serde_json::Map<String, Value>) -> String {
    query
        .iter()
        .map(|(k, v)| {
            format!(
                "{}={}",
                utf8_percent_encode(k, QUERY),
                utf8_percent_encode(&value_text(v), QUERY)
            )
        })
        .collect::<Vec<_>>()
        .join("&")
}

fn value_text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Array(items) => items.iter().map(value_text).collect::<Vec<_>>().join(","),
        Value::Null => String::new(),
        other => other.to_string(),
    }
}

/// Who a request is sent as.
#[derive(Debug, Clone)]
pub enum Auth {
    None,
    /// The run's account: its password is shown as `$ONTAP_PASSWORD` in curl lines.
    RunUser(String, Secret),
    Other(String, Secret),
}

/// An outgoing request.
#[derive(Debug, Clone)]
pub struct Outgoing {
    pub method: String,
    pub url: String,
    pub body: Option<Vec<u8>>,
    pub auth: Auth,
    /// The body's Content-Type when it is not `application/json` (a case's `content_type`).
    pub content_type: Option<String>,
}

/// A curl command that sends the same request; passwords never appear in it.
pub fn curl_line(req: &Outgoing, insecure: bool) -> String {
    let mut parts = vec!["curl -s".to_string()];
    if insecure {
        parts.push("-k".into());
    }
    match &req.auth {
        Auth::None => {}
        Auth::RunUser(u, _) => parts.push(format!("-u \"{}:$ONTAP_PASSWORD\"", shell_dq(u))),
        Auth::Other(u, _) => parts.push(format!("-u '{}:***'", shell_sq(u))),
    }
    parts.push(format!("-X {}", req.method));
    parts.push(format!("'{}'", shell_sq(&req.url)));
    parts.push("-H 'accept: application/hal+json'".into());
    if let Some(b) = &req.body {
        let ct = req.content_type.as_deref().unwrap_or("application/json");
        parts.push(format!("-H 'content-type: {}'", shell_sq(ct)));
        parts.push(format!("-d '{}'", shell_sq(&String::from_utf8_lossy(b))));
    }
    parts.join(" ")
}

fn shell_sq(s: &str) -> String {
    s.replace('\'', "'\\''")
}

fn shell_dq(s: &str) -> String {
    s.replace(['"', '$', '`', '\\'], "")
}

/// Sends one request and reads the response, bounded in size and time.
pub async fn send(client: &reqwest::Client, req: &Outgoing) -> Result<Response, String> {
    let method = reqwest::Method::from_bytes(req.method.as_bytes())
        .map_err(|_| format!("`{}` is not an HTTP method", req.method))?;
    let mut b = client
        .request(method, &req.url)
        .header("accept", "application/hal+json");
    match &req.auth {
        Auth::None => {}
        Auth::RunUser(u, p) | Auth::Other(u, p) => b = b.basic_auth(u, Some(p.expose())),
    }
    if let Some(body) = &req.body {
        let ct = req.content_type.as_deref().unwrap_or("application/json");
        b = b.header("content-type", ct).body(body.clone());
    }
    let mut resp = b.send().await.map_err(describe_error)?;
    let status = resp.status().as_u16();
    // A declared length over the cap fails before a byte of the body is read.
    let declared = resp.content_length();
    if let Some(n) = declared.filter(|n| *n > MAX_BODY_BYTES as u64) {
        return Err(format!(
            "the response body is too large: its Content-Length is {n} bytes, over the runner's \
             {} MiB cap; not read",
            MAX_BODY_BYTES / (1024 * 1024)
        ));
    }
    let headers = resp
        .headers()
        .iter()
        .map(|(k, v)| {
            (
                k.as_str().to_ascii_lowercase(),
                String::from_utf8_lossy(v.as_bytes()).into_owned(),
            )
        })
        .collect::<Vec<_>>();
    let mut bytes = Vec::new();
    loop {
        match resp.chunk().await {
            Ok(Some(chunk)) => {
                if bytes.len() + chunk.len() > MAX_BODY_BYTES {
                    return Err(format!(
                        "the response body is too large: over the runner's {} MiB cap; \
                         reading stopped there",
                        MAX_BODY_BYTES / (1024 * 1024)
                    ));
                }
                bytes.extend_from_slice(&chunk);
            }
            Ok(None) => break,
            Err(e) if e.is_timeout() => {
                return Err(format!(
                    "timed out reading the response body ({} bytes had arrived): no complete \
                     answer within the request timeout",
                    bytes.len()
                ));
            }
            Err(e) => {
                let got = bytes.len();
                let cause = root_cause(&e);
                return Err(match declared {
                    Some(n) => format!(
                        "the response body was cut short: {got} of the {n} bytes its \
                         Content-Length announced arrived ({cause})"
                    ),
                    None => format!("the response body was cut short after {got} bytes ({cause})"),
                });
            }
        }
    }
    let (body, body_error) = if bytes.iter().all(u8::is_ascii_whitespace) {
        (None, None)
    } else {
        match serde_json::from_slice::<Value>(&bytes) {
            Ok(v) => (Some(v), None),
            Err(e) => {
                let preview: String = String::from_utf8_lossy(&bytes).chars().take(120).collect();
                (None, Some(format!("{e} (starts with {preview:?})")))
            }
        }
    };
    Ok(Response {
        status,
        headers,
        body,
        body_error,
    })
}

/// The innermost cause of an error: hyper's "end of file before message length reached"
/// says more to a user than the three layers that wrap it.
fn root_cause(e: &(dyn std::error::Error + 'static)) -> String {
    let mut last: &dyn std::error::Error = e;
    while let Some(s) = last.source() {
        last = s;
    }
    last.to_string()
}

/// A transport error in words a user can act on, with its causes.
pub fn describe_error(e: reqwest::Error) -> String {
    let kind = if e.is_timeout() {
        "timed out: no complete answer within the request timeout".to_string()
    } else if e.is_connect() {
        "could not connect".to_string()
    } else if e.is_redirect() {
        format!(
            "too many redirects (more than {MAX_REDIRECTS}): a redirect loop? ONTAP's API \
             answers in place"
        )
    } else if e.is_body() || e.is_decode() {
        "the response was cut short".to_string()
    } else {
        "request failed".to_string()
    };
    let mut chain = Vec::new();
    let mut source: Option<&dyn std::error::Error> = std::error::Error::source(&e);
    while let Some(s) = source {
        let text = s.to_string();
        if !chain.contains(&text) && !kind.contains(&text) {
            chain.push(text);
        }
        source = s.source();
    }
    let url = e
        .url()
        .map(|u| format!(" ({})", strip_userinfo(u)))
        .unwrap_or_default();
    if let Some(problem) = chain.iter().find_map(|c| certificate_problem(c)) {
        return format!(
            "the TLS certificate was rejected{url}: {problem} [{}]",
            chain.last().map(String::as_str).unwrap_or_default()
        );
    }
    if chain.is_empty() {
        format!("{kind}{url}")
    } else {
        format!("{kind}{url}: {}", chain.join(": "))
    }
}

/// What to do about a certificate rustls rejected, from its error text (rustls's error types do
/// not survive reqwest's and hyper's wrapping as types, only as text).
fn certificate_problem(text: &str) -> Option<String> {
    if !text.contains("invalid peer certificate") {
        return None;
    }
    let advice = if text.contains("UnknownIssuer") {
        "it is not signed by a trusted CA (a self-signed cluster certificate?); trust its CA with --ca-cert FILE, or skip verification with --insecure"
    } else if text.contains("not valid for name") || text.contains("NotValidForName") {
        "it is not valid for this host name; use a name the certificate lists, or --insecure"
    } else if text.contains("Expired") || text.contains("expired") {
        "it has expired; renew the cluster's certificate, or use --insecure"
    } else if text.contains("NotValidYet") || text.contains("not valid yet") {
        "it is not valid yet; check the clocks of this machine and the cluster, or use --insecure"
    } else if text.contains("Revoked") {
        "it has been revoked"
    } else {
        "verification failed; trust its CA with --ca-cert FILE, or use --insecure"
    };
    Some(advice.to_string())
}

fn strip_userinfo(u: &url::Url) -> String {
    let mut u = u.clone();
    let _ = u.set_password(None);
    let _ = u.set_username("");
    u.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn paths_and_queries() {
        let p = json!({"svm.uuid": "u 1", "initiator": "iqn.1992-08.com.netapp:x/y"});
        assert_eq!(
            fill_path("/api/c/{svm.uuid}/{initiator}", p.as_object().unwrap()),
            "/api/c/u%201/iqn.1992-08.com.netapp:x%2Fy"
        );
        let q = json!({"fields": ["a", "b.c"], "max_records": 2, "name": "a&b"});
        assert_eq!(
            query_string(q.as_object().unwrap()),
            "fields=a,b.c&max_records=2&name=a%26b"
        );
    }

    #[test]
    fn curl_lines_hide_passwords() {
        let req = Outgoing {
            method: "POST".into(),
            url: "https://h/api/x".into(),
            body: Some(br#"{"a":"it's"}"#.to_vec()),
            auth: Auth::RunUser("admin".into(), Secret::new("Netapp1!")),
            content_type: None,
        };
        let line = curl_line(&req, true);
        assert_eq!(
            line,
            r#"curl -s -k -u "admin:$ONTAP_PASSWORD" -X POST 'https://h/api/x' -H 'accept: application/hal+json' -H 'content-type: application/json' -d '{"a":"it'\''s"}'"#
        );
        let other = Outgoing {
            auth: Auth::Other("u1".into(), Secret::new("pw-1234")),
            ..req
        };
        assert!(!curl_line(&other, false).contains("pw-1234"));
    }
}
