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

/// How much of a body that is not JSON a response keeps, for the failure that says so.
const PREVIEW_CHARS: usize = 2048;

/// Redirects followed before a request fails: ONTAP itself never redirects an API call, so a
/// chain of them is a proxy or a loop, not an answer.
const MAX_REDIRECTS: usize = 5;

/// How the client reaches the target.
#[derive(Debug, Clone)]
pub struct ClientOptions {
    pub insecure: bool,
    /// PEM of a CA to trust besides the system's.
    pub ca_cert: Option<Vec<u8>>,
    /// The file `ca_cert` was read from, for the curl lines that reproduce a request (`--cacert`).
    pub ca_cert_path: Option<std::path::PathBuf>,
    pub request_timeout: Duration,
    /// The most requests a second the run sends (`--rate`); unbounded when `None`.
    pub rate: Option<u32>,
}

impl Default for ClientOptions {
    /// Verified TLS with the system's roots; 30 s a request, as `run`'s `--request-timeout`.
    fn default() -> Self {
        ClientOptions {
            insecure: false,
            ca_cert: None,
            ca_cert_path: None,
            request_timeout: Duration::from_secs(30),
            rate: None,
        }
    }
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

/// Refuses a target that is not an `http://` or `https://` URL with a host, in words that say
/// what to write instead: `127.0.0.1:8443` alone is what people type, and the URL parser's own
/// answer to it ("relative URL without a base") tells them nothing.
pub fn check_base_url(target: &str) -> Result<(), String> {
    let suggest = |rest: &str| format!("https://{}", rest.trim_start_matches('/'));
    let has_scheme = target.contains("://");
    match url::Url::parse(target) {
        Ok(u) if has_scheme && matches!(u.scheme(), "http" | "https") => {
            if u.host_str().is_none_or(str::is_empty) {
                return Err(format!(
                    "the target `{target}` names no host: write it as https://HOST[:PORT]"
                ));
            }
            if u.query().is_some() || u.fragment().is_some() {
                return Err(format!(
                    "the target `{target}` has a query or fragment: give the cluster's base URL only (https://HOST[:PORT])"
                ));
            }
            Ok(())
        }
        Ok(u) if has_scheme => Err(format!(
            "the target `{target}` has the scheme `{}`: ONTAP's API is served over https:// (or http:// where the cluster allows it)",
            u.scheme()
        )),
        _ if target.trim().is_empty() => {
            Err("the target is empty: give it as https://HOST[:PORT]".into())
        }
        _ => Err(format!(
            "the target `{target}` has no scheme: write {} (ONTAP serves its API over HTTPS)",
            suggest(target)
        )),
    }
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

/// A curl command that sends the same request, trusting the target as the run did (`-k` for
/// `--insecure`, `--cacert` for `--ca-cert`: without it a curl line against a cluster with its
/// own CA fails on the certificate before it reproduces anything). `-sS`: quiet, but a failure
/// still says why. Passwords never appear in it.
pub fn curl_line(req: &Outgoing, tls: &ClientOptions) -> String {
    let mut parts = vec!["curl -sS".to_string()];
    if tls.insecure {
        parts.push("-k".into());
    } else if let Some(ca) = &tls.ca_cert_path {
        parts.push(format!(
            "--cacert '{}'",
            shell_sq(&ca.display().to_string())
        ));
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
                // Far more than a report shows: whatever shows it redacts this first and cuts it
                // after (`check::cut`), so a secret that straddled a cut made here could never
                // show in part.
                let preview: String = String::from_utf8_lossy(&bytes)
                    .chars()
                    .take(PREVIEW_CHARS)
                    .collect();
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
    if let Some(advice) = connection_problem(&chain, e.url()) {
        return format!(
            "{advice} [{}]",
            chain.last().map(String::as_str).unwrap_or(kind.as_str())
        );
    }
    if chain.is_empty() {
        format!("{kind}{url}")
    } else {
        format!("{kind}{url}: {}", chain.join(": "))
    }
}

/// What went wrong reaching the target, in a user's words, from the error chain's text (hyper's
/// and the resolver's errors reach us wrapped as text only): a name that does not resolve, a port
/// nothing listens on, HTTP spoken to a TLS port and the reverse.
fn connection_problem(chain: &[String], url: Option<&url::Url>) -> Option<String> {
    let has = |needle: &str| chain.iter().any(|c| c.contains(needle));
    let host = url.and_then(url::Url::host_str).unwrap_or("the target");
    let port = url
        .and_then(url::Url::port_or_known_default)
        .map(|p| format!(":{p}"))
        .unwrap_or_default();
    let https = url.map(|u| {
        let mut u = u.clone();
        let _ = u.set_scheme("https");
        u.set_path("");
        u.to_string()
    });
    if has("dns error") || has("failed to lookup address") || has("Name or service not known") {
        Some(format!(
            "cannot resolve the host name `{host}`: check its spelling and this machine's DNS, or give the cluster management address as an IP"
        ))
    } else if has("Connection refused") {
        Some(format!(
            "nothing accepts connections at {host}{port} (connection refused): check the address and the port; ONTAP serves its API on the cluster management interface, port 443"
        ))
    } else if has("invalid HTTP version parsed") || has("received HTTP/0.9") {
        Some(format!(
            "{host}{port} did not answer in plain HTTP: it likely speaks HTTPS there; use {}",
            https.unwrap_or_else(|| "https://".into())
        ))
    } else if has("InvalidContentType") || has("corrupt message") || has("wrong version number") {
        Some(format!(
            "{host}{port} does not speak TLS: use http:// for it, or the port where the cluster serves HTTPS"
        ))
    } else if has("No route to host") || has("Network is unreachable") {
        Some(format!(
            "{host}{port} cannot be reached from this machine (no route): check the network between them"
        ))
    } else {
        None
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
    fn base_urls_say_what_to_write() {
        assert!(check_base_url("https://cluster.example.com").is_ok());
        assert!(check_base_url("http://127.0.0.1:8080/").is_ok());
        let no_scheme = check_base_url("127.0.0.1:18443").unwrap_err();
        assert!(
            no_scheme.contains("has no scheme: write https://127.0.0.1:18443"),
            "{no_scheme}"
        );
        let host_port = check_base_url("cluster:443").unwrap_err();
        assert!(
            host_port.contains("write https://cluster:443"),
            "{host_port}"
        );
        let ftp = check_base_url("ftp://cluster").unwrap_err();
        assert!(ftp.contains("the scheme `ftp`"), "{ftp}");
        assert!(check_base_url("").unwrap_err().contains("empty"));
        assert!(check_base_url("https://c/?x=1").is_err());
    }

    #[test]
    fn connection_problems_in_a_users_words() {
        let u = url::Url::parse("http://127.0.0.1:18443/api/cluster").unwrap();
        let chain = |s: &str| vec!["client error (Connect)".to_string(), s.to_string()];
        let tls_port = connection_problem(&chain("invalid HTTP version parsed"), Some(&u));
        assert_eq!(
            tls_port.as_deref(),
            Some(
                "127.0.0.1:18443 did not answer in plain HTTP: it likely speaks HTTPS there; use https://127.0.0.1:18443/"
            )
        );
        let refused = connection_problem(&chain("Connection refused (os error 111)"), Some(&u));
        assert!(refused.unwrap().contains("connection refused"));
        let dns = connection_problem(
            &chain("dns error: failed to lookup address information"),
            Some(&u),
        );
        assert!(
            dns.unwrap()
                .starts_with("cannot resolve the host name `127.0.0.1`")
        );
        assert_eq!(connection_problem(&chain("something else"), Some(&u)), None);
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
        let insecure = ClientOptions {
            insecure: true,
            ..ClientOptions::default()
        };
        let line = curl_line(&req, &insecure);
        assert_eq!(
            line,
            r#"curl -sS -k -u "admin:$ONTAP_PASSWORD" -X POST 'https://h/api/x' -H 'accept: application/hal+json' -H 'content-type: application/json' -d '{"a":"it'\''s"}'"#
        );
        let other = Outgoing {
            auth: Auth::Other("u1".into(), Secret::new("pw-1234")),
            ..req
        };
        assert!(!curl_line(&other, &ClientOptions::default()).contains("pw-1234"));
        let ca = ClientOptions {
            ca_cert_path: Some("certs/cluster's ca.pem".into()),
            ..ClientOptions::default()
        };
        assert!(
            curl_line(&other, &ca).starts_with(r"curl -sS --cacert 'certs/cluster'\''s ca.pem' "),
            "{}",
            curl_line(&other, &ca)
        );
    }
}
