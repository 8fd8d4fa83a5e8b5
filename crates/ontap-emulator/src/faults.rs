//! Faults injected in front of the emulator, to measure a checker: each breaks one documented
//! behaviour (or changes something harmless) on the way in or out, so a suite run against the
//! faulted emulator shows which of its checks catch the break, and that none fails the harmless
//! change. Off unless asked for (`EmulatorConfig::faults`, `emulate --fault NAME`); never part
//! of the emulator's own behaviour.
//!
//! The layer sits around the whole router (auth and conventions included): it sees what a
//! client sends and what a client would get, as a proxy would.

use std::sync::Arc;

use axum::Router;
use axum::body::{Body, to_bytes};
use axum::extract::{Request, State};
use axum::http::{HeaderValue, Method, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::Response;
use base64::Engine;
use serde_json::{Map, Value, json};

/// One fault, by the name `--fault` takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fault {
    /// Error bodies lose `message`.
    ErrorWithoutMessage,
    /// A job's `uuid` is not a UUID (its link still works).
    JobUuidNotUuid,
    /// The 201 of a password change echoes the new password in its body.
    PasswordEchoed,
    /// A write refused to a role (403) is carried out anyway, as the admin.
    ReadOnlyWriteCarriedOut,
    /// `order_by` is ignored.
    OrderByIgnored,
    /// `_links.next` points back at the page just served.
    NextLinkLoops,
    /// `max_records` is ignored: a page holds every record.
    MaxRecordsIgnored,
    /// A collection's `num_records` is one more than the records it holds.
    NumRecordsOff,
    /// A `fields` projection drops the records' keys: a record keeps only what `fields` names
    /// (and its links).
    KeysDroppedByFields,
    /// Each listed record's `_links.self.href` points at no record.
    SelfLinkElsewhere,
    /// HEAD is refused with 405, as if only GET were served.
    HeadRefused,
    /// OPTIONS answers without `Allow`.
    OptionsWithoutAllow,
    /// On NetApp's imported API, one resource each: `fields` ignored on the volumes (collection
    /// and records).
    VolumesFieldsIgnored,
    /// `order_by` ignored on the IP interfaces.
    InterfacesOrderByIgnored,
    /// Error bodies lose `message` on the LUNs.
    LunsErrorWithoutMessage,
    /// `_links.next` points back at the page just served on a volume's snapshots.
    SnapshotsNextLinkLoops,
    /// The LDAP client configurations answer their `bind_password`, which NetApp's file marks
    /// `writeOnly`.
    LdapBindPasswordReturned,
    /// The applications answer `fields=*` as `fields=**`: their advanced fields (NetApp's
    /// `x-ntap-advanced`, the templates) shown to every `*`.
    ApplicationsAdvancedShown,
    /// Harmless: every object's keys in reverse order.
    ReorderedKeys,
    /// Harmless: an undocumented field beside the documented ones in every body.
    ExtraField,
    /// Harmless: JSON pretty-printed.
    PrettyJson,
    /// Harmless: another message text for the same error code.
    OtherMessage,
    /// Harmless: `Location` as an absolute URL.
    AbsoluteLocation,
}

impl Fault {
    pub const ALL: [Fault; 23] = [
        Fault::ErrorWithoutMessage,
        Fault::JobUuidNotUuid,
        Fault::PasswordEchoed,
        Fault::ReadOnlyWriteCarriedOut,
        Fault::OrderByIgnored,
        Fault::NextLinkLoops,
        Fault::MaxRecordsIgnored,
        Fault::NumRecordsOff,
        Fault::KeysDroppedByFields,
        Fault::SelfLinkElsewhere,
        Fault::HeadRefused,
        Fault::OptionsWithoutAllow,
        Fault::VolumesFieldsIgnored,
        Fault::InterfacesOrderByIgnored,
        Fault::LunsErrorWithoutMessage,
        Fault::SnapshotsNextLinkLoops,
        Fault::LdapBindPasswordReturned,
        Fault::ApplicationsAdvancedShown,
        Fault::ReorderedKeys,
        Fault::ExtraField,
        Fault::PrettyJson,
        Fault::OtherMessage,
        Fault::AbsoluteLocation,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Fault::ErrorWithoutMessage => "error-without-message",
            Fault::JobUuidNotUuid => "job-uuid-not-uuid",
            Fault::PasswordEchoed => "password-echoed",
            Fault::ReadOnlyWriteCarriedOut => "read-only-write-carried-out",
            Fault::OrderByIgnored => "order-by-ignored",
            Fault::NextLinkLoops => "next-link-loops",
            Fault::MaxRecordsIgnored => "max-records-ignored",
            Fault::NumRecordsOff => "num-records-off",
            Fault::KeysDroppedByFields => "keys-dropped-by-fields",
            Fault::SelfLinkElsewhere => "self-link-elsewhere",
            Fault::HeadRefused => "head-refused",
            Fault::OptionsWithoutAllow => "options-without-allow",
            Fault::VolumesFieldsIgnored => "volumes-fields-ignored",
            Fault::InterfacesOrderByIgnored => "interfaces-order-by-ignored",
            Fault::LunsErrorWithoutMessage => "luns-error-without-message",
            Fault::SnapshotsNextLinkLoops => "snapshots-next-link-loops",
            Fault::LdapBindPasswordReturned => "ldap-bind-password-returned",
            Fault::ApplicationsAdvancedShown => "applications-advanced-shown",
            Fault::ReorderedKeys => "reordered-keys",
            Fault::ExtraField => "extra-field",
            Fault::PrettyJson => "pretty-json",
            Fault::OtherMessage => "other-message",
            Fault::AbsoluteLocation => "absolute-location",
        }
    }

    /// Whether a correct checker must pass a target with this change.
    pub fn harmless(self) -> bool {
        matches!(
            self,
            Fault::ReorderedKeys
                | Fault::ExtraField
                | Fault::PrettyJson
                | Fault::OtherMessage
                | Fault::AbsoluteLocation
        )
    }

    pub fn parse(name: &str) -> Result<Fault, String> {
        Fault::ALL
            .into_iter()
            .find(|f| f.name() == name)
            .ok_or_else(|| {
                let names: Vec<&str> = Fault::ALL.iter().map(|f| f.name()).collect();
                format!("unknown fault `{name}`: one of {}", names.join(", "))
            })
    }
}

/// `router` with `faults` in front of it (the router itself when there are none).
pub fn wrap(router: Router, faults: &[Fault]) -> Router {
    if faults.is_empty() {
        return router;
    }
    let layer = Layer {
        faults: faults.into(),
        plain: router.clone(),
    };
    router.layer(middleware::from_fn_with_state(layer, inject))
}

/// What the layer holds: its faults, and the router it wraps, to send a request through again
/// (a refused write carried out as the admin).
#[derive(Clone)]
struct Layer {
    faults: Arc<[Fault]>,
    plain: Router,
}

/// The largest body the layer buffers; the emulator refuses larger ones anyway.
const LIMIT: usize = 16 * 1024 * 1024;

async fn inject(State(layer): State<Layer>, req: Request, next: Next) -> Response {
    let faults = &layer.faults;
    let on = |f: Fault| faults.contains(&f);
    let (mut parts, body) = req.into_parts();
    let Ok(body) = to_bytes(body, LIMIT).await else {
        return plain(StatusCode::PAYLOAD_TOO_LARGE);
    };
    if on(Fault::HeadRefused) && parts.method == Method::HEAD {
        let mut r = plain(StatusCode::METHOD_NOT_ALLOWED);
        r.headers_mut()
            .insert(header::ALLOW, HeaderValue::from_static("GET"));
        return r;
    }
    let options = parts.method == Method::OPTIONS;
    let path = parts.uri.path().to_string();
    let dropped: Vec<&str> = [
        (Fault::OrderByIgnored, "order_by=", true),
        (Fault::MaxRecordsIgnored, "max_records=", true),
        (
            Fault::VolumesFieldsIgnored,
            "fields=",
            is_resource(&path, "/api/storage/volumes"),
        ),
        (
            Fault::InterfacesOrderByIgnored,
            "order_by=",
            is_resource(&path, "/api/network/ip/interfaces"),
        ),
    ]
    .into_iter()
    .filter(|(f, _, here)| on(*f) && *here)
    .map(|(_, p, _)| p)
    .collect();
    if on(Fault::ApplicationsAdvancedShown)
        && is_resource(&path, "/api/application/applications")
        && let Some(q) = parts.uri.query()
        && q.split('&').any(|p| p == "fields=*" || p == "fields=%2A")
    {
        let q: Vec<&str> = q
            .split('&')
            .map(|p| {
                if p.starts_with("fields=") {
                    "fields=**"
                } else {
                    p
                }
            })
            .collect();
        if let Ok(u) = format!("{path}?{}", q.join("&")).parse() {
            parts.uri = u;
        }
    }
    if !dropped.is_empty()
        && let Some(q) = parts.uri.query()
    {
        let kept: Vec<&str> = q
            .split('&')
            .filter(|p| !dropped.iter().any(|d| p.starts_with(d)))
            .collect();
        let uri = format!("{}?{}", parts.uri.path(), kept.join("&"));
        if let Ok(u) = uri.parse() {
            parts.uri = u;
        }
    }
    let host = parts
        .headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .unwrap_or("127.0.0.1")
        .to_string();
    let path_and_query = parts
        .uri
        .path_and_query()
        .map(|p| p.to_string())
        .unwrap_or_default();
    // Only the faults that need the request keep it: the body read (the echoed password) and
    // the whole request (a refused write sent again).
    let sent: Option<Value> = on(Fault::PasswordEchoed)
        .then(|| serde_json::from_slice(&body).ok())
        .flatten();
    let write = parts.method != Method::GET && parts.method != Method::HEAD;
    let again = (on(Fault::ReadOnlyWriteCarriedOut) && write).then(|| {
        (
            parts.method.clone(),
            parts.uri.clone(),
            parts.headers.clone(),
            body.clone(),
        )
    });
    let mut resp = next.run(Request::from_parts(parts, Body::from(body))).await;
    if let Some((method, uri, mut headers, body)) = again
        && resp.status() == StatusCode::FORBIDDEN
    {
        let admin = base64::engine::general_purpose::STANDARD.encode("admin:Netapp1!");
        if let Ok(v) = HeaderValue::from_str(&format!("Basic {admin}")) {
            headers.insert(header::AUTHORIZATION, v);
        }
        let mut r = Request::new(Body::from(body));
        *r.method_mut() = method;
        *r.uri_mut() = uri;
        *r.headers_mut() = headers;
        // Sent through the emulator again, now as the admin.
        use tower::ServiceExt;
        resp = match layer.plain.clone().oneshot(r).await {
            Ok(r) => r,
            Err(never) => match never {},
        };
    }
    if on(Fault::OptionsWithoutAllow) && options {
        resp.headers_mut().remove(header::ALLOW);
    }
    rewrite(faults, resp, &host, &path_and_query, sent.as_ref()).await
}

async fn rewrite(
    faults: &[Fault],
    resp: Response,
    host: &str,
    path_and_query: &str,
    sent: Option<&Value>,
) -> Response {
    let on = |f: Fault| faults.contains(&f);
    let (mut parts, body) = resp.into_parts();
    if on(Fault::AbsoluteLocation)
        && let Some(loc) = parts
            .headers
            .get(header::LOCATION)
            .and_then(|v| v.to_str().ok())
        && loc.starts_with('/')
        && let Ok(v) = HeaderValue::from_str(&format!("http://{host}{loc}"))
    {
        parts.headers.insert(header::LOCATION, v);
    }
    let Ok(bytes) = to_bytes(body, LIMIT).await else {
        return plain(StatusCode::INTERNAL_SERVER_ERROR);
    };
    let Ok(mut v) = serde_json::from_slice::<Value>(&bytes) else {
        return Response::from_parts(parts, Body::from(bytes));
    };
    if on(Fault::ErrorWithoutMessage)
        && let Some(e) = v.get_mut("error").and_then(Value::as_object_mut)
    {
        e.remove("message");
    }
    let path = path_and_query.split('?').next().unwrap_or(path_and_query);
    if on(Fault::LunsErrorWithoutMessage)
        && is_resource(path, "/api/storage/luns")
        && let Some(e) = v.get_mut("error").and_then(Value::as_object_mut)
    {
        e.remove("message");
    }
    if on(Fault::SnapshotsNextLinkLoops)
        && path.starts_with("/api/storage/volumes/")
        && path.ends_with("/snapshots")
        && let Some(n) = v.pointer_mut("/_links/next/href")
    {
        *n = json!(path_and_query);
    }
    if on(Fault::LdapBindPasswordReturned) && is_resource(path, "/api/name-services/ldap") {
        let records: Vec<&mut Value> = match v.get_mut("records").and_then(Value::as_array_mut) {
            Some(r) => r.iter_mut().collect(),
            None => vec![&mut v],
        };
        for r in records {
            if let Some(o) = r
                .as_object_mut()
                .filter(|o| o.contains_key("servers") || o.contains_key("svm"))
            {
                o.insert("bind_password".into(), json!("faulted-bind-secret"));
            }
        }
    }
    if on(Fault::OtherMessage)
        && let Some(m) = v.pointer_mut("/error/message")
    {
        *m = json!("The request could not be carried out.");
    }
    if on(Fault::JobUuidNotUuid)
        && let Some(u) = v.pointer_mut("/job/uuid")
    {
        *u = json!("job-1");
    }
    if on(Fault::NextLinkLoops)
        && let Some(n) = v.pointer_mut("/_links/next/href")
    {
        *n = json!(path_and_query);
    }
    if on(Fault::PasswordEchoed)
        && parts.status == StatusCode::CREATED
        && path_and_query.starts_with("/api/security/authentication/password")
        && let Some(pw) = sent.and_then(|b| b.get("password")).cloned()
        && let Some(o) = v.as_object_mut()
    {
        o.insert("password".into(), pw);
    }
    if let Some(records) = v.get_mut("records").and_then(Value::as_array_mut) {
        if on(Fault::SelfLinkElsewhere) {
            for r in records.iter_mut() {
                if let Some(Value::String(h)) = r.pointer_mut("/_links/self/href") {
                    h.push_str("-elsewhere");
                }
            }
        }
        if on(Fault::KeysDroppedByFields)
            && let Some(named) = query_param(path_and_query, "fields")
            && !named.contains('*')
        {
            let named: Vec<&str> = named
                .split(',')
                .map(|f| f.split('.').next().unwrap_or(f))
                .collect();
            // Whatever the record's keys are (`uuid`, `id`, `server`, `index` ...), only what
            // `fields` names is left, and the links.
            for r in records.iter_mut().filter_map(Value::as_object_mut) {
                r.retain(|k, _| k == "_links" || named.contains(&k.as_str()));
            }
        }
        let n = records.len();
        if on(Fault::NumRecordsOff)
            && let Some(count) = v.get_mut("num_records")
        {
            *count = json!(n + 1);
        }
    }
    if on(Fault::ExtraField)
        && let Some(o) = v.as_object_mut()
    {
        o.insert("x_vendor_extension".into(), json!({"build": "faulted"}));
    }
    if on(Fault::ReorderedKeys) {
        reverse_keys(&mut v);
    }
    let out = if on(Fault::PrettyJson) {
        serde_json::to_vec_pretty(&v)
    } else {
        serde_json::to_vec(&v)
    }
    .unwrap_or_default();
    parts.headers.remove(header::CONTENT_LENGTH);
    Response::from_parts(parts, Body::from(out))
}

/// Whether `path` is the collection `collection` or one of its records (not a collection under
/// a record: a volume's snapshots are not the volumes).
fn is_resource(path: &str, collection: &str) -> bool {
    match path.strip_prefix(collection) {
        Some("") => true,
        Some(rest) => rest.starts_with('/') && !rest[1..].contains('/'),
        None => false,
    }
}

/// The value of `name` in the query of `path_and_query`, percent-decoded (`fields=a%2Cb`).
fn query_param(path_and_query: &str, name: &str) -> Option<String> {
    let (_, query) = path_and_query.split_once('?')?;
    query.split('&').find_map(|p| {
        let (k, v) = p.split_once('=')?;
        (k == name).then(|| {
            percent_encoding::percent_decode_str(v)
                .decode_utf8_lossy()
                .into_owned()
        })
    })
}

fn reverse_keys(v: &mut Value) {
    match v {
        Value::Object(m) => {
            let mut items: Vec<(String, Value)> = std::mem::take(m).into_iter().collect();
            items.reverse();
            let mut out = Map::new();
            for (k, mut x) in items {
                reverse_keys(&mut x);
                out.insert(k, x);
            }
            *m = out;
        }
        Value::Array(items) => items.iter_mut().for_each(reverse_keys),
        _ => {}
    }
}

fn plain(status: StatusCode) -> Response {
    let mut r = Response::new(Body::empty());
    *r.status_mut() = status;
    r
}
