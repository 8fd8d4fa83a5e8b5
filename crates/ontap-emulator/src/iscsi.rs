//! iSCSI credentials: `/api/protocols/san/iscsi/credentials[/{svm.uuid}/{initiator}]`.
//!
//! Checks, in order: body shape; SVM (2621707 none given, 2621462 unknown, 2621706 uuid/name
//! disagree); role scope; iSCSI service (5374078); initiator name (IQN/EUI codes); duplicate
//! (5374142); CHAP rules (5374900, 5374149, 5374150, 5374145, 5374147); address ranges
//! (5374855, 5374856); default credential rules (5374148, 5374155); missing credential
//! (5374895). Passwords are stored but never returned.

use std::net::IpAddr;
use std::str::FromStr;

use axum::http::StatusCode;
use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};
use serde_json::{Map, Value, json};

use super::body::{self, Shape};
use super::cluster::svm_ref;
use super::collection::{self, CollectionSpec};
use super::context::{Ctx, Reply};
use super::error::*;
use super::state::{AddrMask, AddrRange, Chap, Credential, State, Svm};

const BASE: &str = "/api/protocols/san/iscsi/credentials";

const KNOWN_FIELDS: &[&str] = &[
    "svm",
    "svm.uuid",
    "svm.name",
    "initiator",
    "authentication_type",
    "chap",
    "chap.inbound",
    "chap.inbound.user",
    "chap.outbound",
    "chap.outbound.user",
    "initiator_address",
    "initiator_address.masks",
    "initiator_address.masks.address",
    "initiator_address.masks.family",
    "initiator_address.masks.netmask",
    "initiator_address.ranges",
    "initiator_address.ranges.start",
    "initiator_address.ranges.end",
    "initiator_address.ranges.family",
];

const AUTH_TYPES: &[&str] = &["chap", "none", "deny"];
const FAMILIES: &[&str] = &["ipv4", "ipv6"];

const SVM_SHAPE: Shape = Shape::Obj(&[
    ("name", Shape::Str),
    ("uuid", Shape::Str),
    ("_links", Shape::ReadOnly),
]);
const CHAP_SIDE: Shape = Shape::Obj(&[("user", Shape::Str), ("password", Shape::Str)]);
const CHAP_SHAPE: Shape = Shape::Obj(&[("inbound", CHAP_SIDE), ("outbound", CHAP_SIDE)]);
const RANGE_SHAPE: Shape = Shape::Obj(&[
    ("start", Shape::Str),
    ("end", Shape::Str),
    ("family", Shape::Enum(FAMILIES)),
]);
const MASK_SHAPE: Shape = Shape::Obj(&[
    ("address", Shape::Str),
    ("netmask", Shape::Str),
    ("family", Shape::Enum(FAMILIES)),
]);
const ADDR_SHAPE: Shape = Shape::Obj(&[
    ("masks", Shape::Arr(&MASK_SHAPE)),
    ("ranges", Shape::Arr(&RANGE_SHAPE)),
]);
const BODY_SHAPE: Shape = Shape::Obj(&[
    ("svm", SVM_SHAPE),
    ("initiator", Shape::Str),
    ("authentication_type", Shape::Enum(AUTH_TYPES)),
    ("chap", CHAP_SHAPE),
    ("initiator_address", ADDR_SHAPE),
    ("_links", Shape::ReadOnly),
]);

/// Characters escaped in the Location header's initiator segment.
const SEGMENT: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'_')
    .remove(b'.')
    .remove(b'~');

fn family(ip: &IpAddr) -> &'static str {
    if ip.is_ipv4() { "ipv4" } else { "ipv6" }
}

fn record(state: &State, c: &Credential) -> Value {
    let mut m = Map::new();
    m.insert(
        "svm".into(),
        svm_ref(&c.svm_uuid, &state.svm_name(&c.svm_uuid)),
    );
    m.insert("initiator".into(), json!(c.initiator));
    m.insert("authentication_type".into(), json!(c.authentication_type));
    let mut chap = Map::new();
    if let Some(u) = &c.chap.inbound_user {
        chap.insert("inbound".into(), json!({ "user": u }));
    }
    if let Some(u) = &c.chap.outbound_user {
        chap.insert("outbound".into(), json!({ "user": u }));
    }
    if !chap.is_empty() {
        m.insert("chap".into(), Value::Object(chap));
    }
    let mut addr = Map::new();
    if !c.masks.is_empty() {
        let masks: Vec<Value> = c
            .masks
            .iter()
            .map(|k| json!({ "address": k.address.to_string(), "netmask": k.netmask.to_string(), "family": family(&k.address) }))
            .collect();
        addr.insert("masks".into(), Value::Array(masks));
    }
    if !c.ranges.is_empty() {
        let ranges: Vec<Value> = c
            .ranges
            .iter()
            .map(|r| json!({ "start": r.start.to_string(), "end": r.end.to_string(), "family": family(&r.start) }))
            .collect();
        addr.insert("ranges".into(), Value::Array(ranges));
    }
    if !addr.is_empty() {
        m.insert("initiator_address".into(), Value::Object(addr));
    }
    m.insert(
        "_links".into(),
        json!({ "self": { "href": format!("{BASE}/{}/{}", c.svm_uuid, c.initiator) } }),
    );
    Value::Object(m)
}

/// Credentials the caller may see (own SVM for SVM accounts; SVMs with the iSCSI service).
///
/// Which SVMs have the service is worked out once, not per credential: with 100,000 credentials
/// the per-credential lookups were most of a page's time.
fn visible<'a>(ctx: &Ctx, state: &'a State) -> Vec<&'a Credential> {
    let with_iscsi: Vec<&str> = state
        .svms
        .iter()
        .filter(|s| state.svm_has_iscsi(s))
        .map(|s| s.uuid.as_str())
        .collect();
    state
        .credentials
        .values()
        .filter(|c| ctx.caller.owner.as_deref().is_none_or(|o| o == c.svm_uuid))
        .filter(|c| {
            with_iscsi
                .iter()
                .any(|u| u.eq_ignore_ascii_case(&c.svm_uuid))
        })
        .collect()
}

/// Records are built while the state is locked, and only those the answer needs (the page's,
/// unless the query filters or orders): a cluster can hold 100,000 credentials.
pub fn list(ctx: &Ctx) -> ApiResult<Reply> {
    let spec = CollectionSpec {
        path: BASE,
        default_fields: &["svm", "initiator"],
        known_fields: KNOWN_FIELDS,
        extra_params: &[],
    };
    let state = ctx.app.lock();
    let creds = visible(ctx, &state);
    let body =
        collection::render_lazy(creds.len(), |i| record(&state, creds[i]), &ctx.query, &spec)?;
    Ok(Reply::ok(body))
}

fn blank(s: &Option<String>) -> Option<String> {
    s.as_ref()
        .map(|v| v.trim().to_string())
        .filter(|v| !v.is_empty())
}

fn svm_missing(target: &str, what: &str) -> ApiError {
    ApiError::not_found(
        SVM_UUID_NOT_FOUND,
        format!("SVM \"{what}\" does not exist."),
    )
    .target(target)
}

/// Resolves `svm.uuid` / `svm.name` from a POST body.
fn resolve_body_svm(state: &State, req: &Value) -> ApiResult<Svm> {
    let uuid = blank(&body::str_at(req, "svm.uuid"));
    let name = blank(&body::str_at(req, "svm.name"));
    match (uuid, name) {
        (None, None) => Err(ApiError::bad_request(
            SVM_NOT_SPECIFIED,
            "No SVM was specified. Either \"svm.name\" or \"svm.uuid\" must be supplied.",
        )
        .target("svm")),
        (Some(u), None) => state
            .svm_by_uuid(&u)
            .cloned()
            .ok_or_else(|| svm_missing("svm.uuid", &u)),
        (None, Some(n)) => state
            .svm_by_name(&n)
            .cloned()
            .ok_or_else(|| svm_missing("svm.name", &n)),
        (Some(u), Some(n)) => {
            let by_uuid = state
                .svm_by_uuid(&u)
                .cloned()
                .ok_or_else(|| svm_missing("svm.uuid", &u))?;
            if by_uuid.name != n {
                return Err(mismatch());
            }
            Ok(by_uuid)
        }
    }
}

fn mismatch() -> ApiError {
    ApiError::bad_request(
        SVM_NAME_UUID_MISMATCH,
        "Both the SVM UUID and SVM name were supplied, but they do not refer to the same SVM.",
    )
    .target("svm.name")
}

/// Resolves the path's `svm.uuid`.
fn resolve_path_svm(state: &State, svm: &str) -> ApiResult<Svm> {
    if svm.trim().is_empty() {
        return Err(ApiError::bad_request(
            SVM_NOT_SPECIFIED,
            "No SVM was specified. Either \"svm.name\" or \"svm.uuid\" must be supplied.",
        )
        .target("svm.uuid"));
    }
    state
        .svm_by_uuid(svm.trim())
        .cloned()
        .ok_or_else(|| svm_missing("svm.uuid", svm))
}

fn check_scope(ctx: &Ctx, svm: &Svm) -> ApiResult<()> {
    match ctx.caller.owner.as_deref() {
        Some(o) if o != svm.uuid => Err(ApiError::forbidden()),
        _ => Ok(()),
    }
}

fn is_date(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() == 7
        && b[..4].iter().all(u8::is_ascii_digit)
        && b[4] == b'-'
        && b[5..].iter().all(u8::is_ascii_digit)
        && matches!(s[5..].parse::<u8>(), Ok(1..=12))
}

/// IQN / EUI initiator name rules.
pub fn check_initiator(name: &str) -> ApiResult<()> {
    let err = |code: &str, msg: &str| Err(ApiError::bad_request(code, msg).target("initiator"));
    let lower = name.to_ascii_lowercase();
    if lower == "default" {
        return Ok(());
    }
    if lower.starts_with("eui") {
        let Some(hex) = lower.strip_prefix("eui.") else {
            return err(
                EUI_BAD_FORMAT,
                "The EUI formatted initiator name supplied is invalid. A valid EUI format is eui.XXXXXXXXXXXXXXXX, where X is a hexadecimal digit.",
            );
        };
        if !hex.chars().all(|c| c.is_ascii_hexdigit()) {
            return err(
                EUI_BAD_FORMAT,
                "The EUI formatted initiator name supplied is invalid. A valid EUI format is eui.XXXXXXXXXXXXXXXX, where X is a hexadecimal digit.",
            );
        }
        if hex.len() != 16 {
            return err(
                EUI_BAD_LENGTH,
                "The EUI-64 identifier field must be exactly 16 hexadecimal digits.",
            );
        }
        return Ok(());
    }
    let qualifier_msg = "A non-empty qualifier is required after the prefix. An example of a valid IQN is iqn.1995-08.com.example:string.";
    if let Some(rest) = lower.strip_prefix("iqn.") {
        if rest.is_empty() {
            return err(IQN_EMPTY_QUALIFIER, qualifier_msg);
        }
        let date_ok = rest.get(..7).is_some_and(is_date);
        if !date_ok {
            return err(
                IQN_BAD_DATE,
                "The date field is invalid. A valid date field is yyyy-mm. An example of a valid IQN is iqn.1995-08.com.example:string.",
            );
        }
        let after = rest.get(7..).unwrap_or("");
        let qualifier = match after.strip_prefix('.') {
            Some(q) => q,
            None if after.is_empty() => "",
            None => {
                return err(
                    IQN_BAD_DATE,
                    "The date field is invalid. A valid date field is yyyy-mm. An example of a valid IQN is iqn.1995-08.com.example:string.",
                );
            }
        };
        if qualifier.is_empty() || qualifier.starts_with(':') {
            return err(IQN_EMPTY_QUALIFIER, qualifier_msg);
        }
        if !qualifier
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || ".:-".contains(c))
        {
            return err(
                IQN_BAD_CHARS,
                "The naming authority and string fields can contain only the characters a-z, 0-9, ., :, and -.",
            );
        }
        return Ok(());
    }
    // Looks like an IQN with a wrong prefix: "<prefix>.yyyy-mm..." or "iqn" + something.
    let wrong_prefix = lower.starts_with("iqn")
        || lower
            .split_once('.')
            .is_some_and(|(_, rest)| rest.get(..7).is_some_and(is_date));
    if wrong_prefix {
        return err(
            IQN_BAD_PREFIX,
            "The IQN prefix is invalid. The correct IQN prefix is iqn. An example of a valid IQN is iqn.1995-08.com.example:string.",
        );
    }
    err(
        INITIATOR_NAME_INVALID,
        "The initiator name supplied is invalid. The valid initiator name formats are iqn.1995-08.com.example:string or eui.0123456789abcdef.",
    )
}

/// CHAP values from a body (`None` = not given).
struct ChapInput {
    inbound_user: Option<String>,
    inbound_password: Option<String>,
    outbound_user: Option<String>,
    outbound_password: Option<String>,
}

impl ChapInput {
    fn from(req: &Value) -> ChapInput {
        ChapInput {
            inbound_user: body::str_at(req, "chap.inbound.user"),
            inbound_password: body::str_at(req, "chap.inbound.password"),
            outbound_user: body::str_at(req, "chap.outbound.user"),
            outbound_password: body::str_at(req, "chap.outbound.password"),
        }
    }
    fn given(&self) -> bool {
        self.inbound_user.is_some()
            || self.inbound_password.is_some()
            || self.outbound_user.is_some()
            || self.outbound_password.is_some()
    }
    fn overlay(self, base: Chap) -> Chap {
        Chap {
            inbound_user: self.inbound_user.or(base.inbound_user),
            inbound_password: self.inbound_password.or(base.inbound_password),
            outbound_user: self.outbound_user.or(base.outbound_user),
            outbound_password: self.outbound_password.or(base.outbound_password),
        }
    }
}

fn check_hex(password: &str, target: &str) -> ApiResult<()> {
    if let Some(hex) = password
        .strip_prefix("0x")
        .or_else(|| password.strip_prefix("0X"))
        && (hex.is_empty() || hex.len() % 2 != 0 || !hex.chars().all(|c| c.is_ascii_hexdigit()))
    {
        return Err(ApiError::bad_request(
            CHAP_HEX_ODD,
            "The iSCSI security password must contain an even number of valid hex digits.",
        )
        .target(target));
    }
    Ok(())
}

/// CHAP rules for the resulting credential.
fn check_chap(auth: &str, chap: &Chap) -> ApiResult<()> {
    let nonempty = |s: &Option<String>| s.as_deref().is_some_and(|v| !v.is_empty());
    for (v, t) in [
        (&chap.inbound_user, "chap.inbound.user"),
        (&chap.outbound_user, "chap.outbound.user"),
    ] {
        if let Some(u) = v
            && (u.is_empty() || u.chars().count() > 128)
        {
            return Err(ApiError::invalid_value(
                t,
                "a user name of 1 to 128 characters",
            ));
        }
    }
    if auth != "chap" {
        return Ok(());
    }
    if !nonempty(&chap.inbound_user) || !nonempty(&chap.inbound_password) {
        return Err(ApiError::bad_request(
            CHAP_INBOUND_REQUIRED,
            "The inbound user and password properties are required for CHAP authentication.",
        )
        .target("chap.inbound"));
    }
    let out_user = chap.outbound_user.is_some();
    let out_pw = chap.outbound_password.is_some();
    if (out_user || out_pw) && !(nonempty(&chap.outbound_user) && nonempty(&chap.outbound_password))
    {
        return Err(ApiError::bad_request(
            CHAP_OUTBOUND_PASSWORD_REQUIRED,
            "Outbound CHAP authentication requires an outbound password.",
        )
        .target("chap.outbound.password"));
    }
    if let Some(p) = &chap.inbound_password {
        check_hex(p, "chap.inbound.password")?;
    }
    if let Some(p) = &chap.outbound_password {
        check_hex(p, "chap.outbound.password")?;
    }
    if chap.outbound_password.is_some() && chap.outbound_password == chap.inbound_password {
        return Err(ApiError::bad_request(
            CHAP_PASSWORDS_SAME,
            "The CHAP inbound and outbound passwords must be different.",
        )
        .target("chap.outbound.password"));
    }
    Ok(())
}

fn parse_ip(s: &str, target: &str) -> ApiResult<IpAddr> {
    IpAddr::from_str(s.trim()).map_err(|_| {
        ApiError::invalid_value(target, format!("\"{s}\" is not an IPv4 or IPv6 address"))
    })
}

fn check_family(given: Option<&str>, ip: &IpAddr, target: &str) -> ApiResult<()> {
    match given {
        Some(f) if !f.eq_ignore_ascii_case(family(ip)) => Err(ApiError::invalid_value(
            target,
            format!("family \"{f}\" does not match the address"),
        )),
        _ => Ok(()),
    }
}

/// Parses `initiator_address` (ranges and masks) with the range rules.
fn parse_addresses(req: &Value) -> ApiResult<(Vec<AddrRange>, Vec<AddrMask>)> {
    let mut ranges = Vec::new();
    let mut masks = Vec::new();
    if let Some(Value::Array(items)) = body::at(req, "initiator_address.ranges") {
        for r in items {
            let start_s = body::str_at(r, "start")
                .ok_or_else(|| ApiError::missing_field("initiator_address.ranges.start"))?;
            let end_s = body::str_at(r, "end")
                .ok_or_else(|| ApiError::missing_field("initiator_address.ranges.end"))?;
            let start = parse_ip(&start_s, "initiator_address.ranges.start")?;
            let end = parse_ip(&end_s, "initiator_address.ranges.end")?;
            if start.is_ipv4() != end.is_ipv4() {
                return Err(ApiError::bad_request(
                    RANGE_MIXED_FAMILY,
                    "The value for property \"initiator_address.ranges.start\" does not belong to the same IP address family as the value for property \"initiator_address.ranges.end\".",
                )
                .target("initiator_address.ranges.start"));
            }
            check_family(
                body::str_at(r, "family").as_deref(),
                &start,
                "initiator_address.ranges.family",
            )?;
            if start > end {
                return Err(ApiError::bad_request(
                    RANGE_START_AFTER_END,
                    "The value for property \"initiator_address.ranges.start\" is greater than the value for property \"initiator_address.ranges.end\".",
                )
                .target("initiator_address.ranges.start"));
            }
            ranges.push(AddrRange { start, end });
        }
    }
    if let Some(Value::Array(items)) = body::at(req, "initiator_address.masks") {
        for m in items {
            let addr_s = body::str_at(m, "address")
                .ok_or_else(|| ApiError::missing_field("initiator_address.masks.address"))?;
            let address = parse_ip(&addr_s, "initiator_address.masks.address")?;
            check_family(
                body::str_at(m, "family").as_deref(),
                &address,
                "initiator_address.masks.family",
            )?;
            let netmask = match body::str_at(m, "netmask") {
                None => {
                    if address.is_ipv4() {
                        32
                    } else {
                        64
                    }
                }
                Some(n) => parse_netmask(&n, &address)?,
            };
            masks.push(AddrMask { address, netmask });
        }
    }
    Ok((ranges, masks))
}

fn parse_netmask(n: &str, address: &IpAddr) -> ApiResult<u8> {
    let bad = || {
        ApiError::invalid_value(
            "initiator_address.masks.netmask",
            format!("\"{n}\" is not a valid netmask"),
        )
    };
    if let Ok(len) = n.trim().parse::<u8>() {
        let ok = if address.is_ipv4() {
            len <= 32
        } else {
            (1..=127).contains(&len)
        };
        return if ok { Ok(len) } else { Err(bad()) };
    }
    if address.is_ipv4()
        && let Ok(std::net::IpAddr::V4(m)) = IpAddr::from_str(n.trim())
    {
        let bits = u32::from(m);
        let len = bits.leading_ones();
        if bits.checked_shl(len).unwrap_or(0) == 0 {
            return Ok(len as u8);
        }
    }
    Err(bad())
}

fn has_addresses(req: &Value) -> bool {
    body::at(req, "initiator_address").is_some()
}

fn location(svm: &str, initiator: &str) -> String {
    format!("{BASE}/{svm}/{}", utf8_percent_encode(initiator, SEGMENT))
}

pub fn create(ctx: &Ctx) -> ApiResult<Reply> {
    ctx.query.only(&["return_records", "return_timeout"])?;
    let return_records = ctx.query.bool_param("return_records", false)?;
    ctx.query.return_timeout(0)?;
    let req = ctx.json_body()?;
    body::check(&req, &BODY_SHAPE, "")?;
    let mut state = ctx.app.lock();
    let svm = resolve_body_svm(&state, &req)?;
    let initiator =
        body::str_at(&req, "initiator").ok_or_else(|| ApiError::missing_field("initiator"))?;
    let auth = body::str_at(&req, "authentication_type")
        .ok_or_else(|| ApiError::missing_field("authentication_type"))?
        .to_ascii_lowercase();
    check_scope(ctx, &svm)?;
    if !state.svm_has_iscsi(&svm) {
        return Err(
            ApiError::conflict(ISCSI_SERVICE_MISSING, "The iSCSI service does not exist.")
                .target("svm"),
        );
    }
    check_initiator(&initiator)?;
    let key = (svm.uuid.clone(), initiator.to_ascii_lowercase());
    if state.credentials.contains_key(&key) {
        return Err(ApiError::conflict(
            CREDENTIAL_EXISTS,
            "An iSCSI security credential already exists for the specified initiator.",
        )
        .target("initiator"));
    }
    let chap_in = ChapInput::from(&req);
    if auth != "chap" && chap_in.given() {
        return Err(chap_with_none_or_deny());
    }
    let chap = chap_in.overlay(Chap::default());
    check_chap(&auth, &chap)?;
    let (ranges, masks) = parse_addresses(&req)?;
    if key.1 == "default" && has_addresses(&req) {
        return Err(default_unsupported());
    }
    let cred = Credential {
        svm_uuid: svm.uuid.clone(),
        initiator: initiator.clone(),
        authentication_type: auth,
        chap,
        ranges,
        masks,
    };
    let body = if return_records {
        json!({ "num_records": 1, "records": [record(&state, &cred)] })
    } else {
        json!({})
    };
    state.credentials.insert(key, cred);
    Ok(Reply {
        status: StatusCode::CREATED,
        body,
        location: Some(location(&svm.uuid, &initiator)),
    })
}

fn chap_with_none_or_deny() -> ApiError {
    ApiError::bad_request(
        CHAP_WITH_NONE_OR_DENY,
        "Setting the CHAP authentication properties are not supported with authentication types \"none\" or \"deny\".",
    )
    .target("chap")
}

fn default_unsupported() -> ApiError {
    ApiError::bad_request(
        DEFAULT_CREDENTIAL_UNSUPPORTED,
        "The functionality is not supported for the default security credential.",
    )
    .target("initiator_address")
}

fn not_found(initiator: &str) -> ApiError {
    ApiError::not_found(
        CREDENTIAL_NOT_FOUND,
        format!(
            "The iSCSI security credential \"{initiator}\" does not exist on the specified SVM."
        ),
    )
    .target("initiator")
}

/// The credential at a path (visible only when the SVM has the iSCSI service).
fn lookup(state: &State, svm: &Svm, initiator: &str) -> ApiResult<(String, String)> {
    let key = (svm.uuid.clone(), initiator.to_ascii_lowercase());
    if !state.svm_has_iscsi(svm) || !state.credentials.contains_key(&key) {
        return Err(not_found(initiator));
    }
    Ok(key)
}

pub fn get_one(ctx: &Ctx, svm: &str, initiator: &str) -> ApiResult<Reply> {
    ctx.query.only(&["fields", "return_timeout"])?;
    let state = ctx.app.lock();
    let svm = resolve_path_svm(&state, svm)?;
    check_scope(ctx, &svm)?;
    let key = lookup(&state, &svm, initiator)?;
    let rec = state
        .credentials
        .get(&key)
        .map(|c| record(&state, c))
        .ok_or_else(|| not_found(initiator))?;
    drop(state);
    Ok(Reply::ok(collection::select_fields(
        &rec,
        &ctx.query,
        &["svm", "initiator"],
        KNOWN_FIELDS,
    )?))
}

pub fn patch(ctx: &Ctx, svm: &str, initiator: &str) -> ApiResult<Reply> {
    ctx.query.only(&[
        "add_initiator_addresses",
        "remove_initiator_addresses",
        "return_timeout",
        "return_records",
    ])?;
    let add = ctx.query.bool_param("add_initiator_addresses", false)?;
    let remove = ctx.query.bool_param("remove_initiator_addresses", false)?;
    ctx.query.bool_param("return_records", false)?;
    ctx.query.return_timeout(0)?;
    if add && remove {
        return Err(ApiError::invalid_query(
            "remove_initiator_addresses",
            "add_initiator_addresses and remove_initiator_addresses cannot both be true",
        ));
    }
    let req = ctx.json_body()?;
    body::check(&req, &BODY_SHAPE, "")?;
    let mut state = ctx.app.lock();
    let svm = resolve_path_svm(&state, svm)?;
    // svm in the body: disagreeing with the path → 2621706; otherwise it may not be patched.
    if body::at(&req, "svm").is_some() {
        let bu = blank(&body::str_at(&req, "svm.uuid"));
        let bn = blank(&body::str_at(&req, "svm.name"));
        if bu
            .as_deref()
            .is_some_and(|u| !u.eq_ignore_ascii_case(&svm.uuid))
            || bn.as_deref().is_some_and(|n| n != svm.name)
        {
            return Err(mismatch());
        }
        return Err(ApiError::cannot_set("svm"));
    }
    if body::at(&req, "initiator").is_some() {
        return Err(ApiError::cannot_set("initiator"));
    }
    check_scope(ctx, &svm)?;
    let key = lookup(&state, &svm, initiator)?;
    let existing = state
        .credentials
        .get(&key)
        .cloned()
        .ok_or_else(|| not_found(initiator))?;
    let is_default = key.1 == "default";
    if is_default && (has_addresses(&req) || add || remove) {
        return Err(default_unsupported());
    }
    let auth = body::str_at(&req, "authentication_type")
        .map(|a| a.to_ascii_lowercase())
        .unwrap_or_else(|| existing.authentication_type.clone());
    let chap_in = ChapInput::from(&req);
    let chap = if auth != "chap" {
        if chap_in.given() {
            return Err(chap_with_none_or_deny());
        }
        Chap::default()
    } else {
        let base = if existing.authentication_type == "chap" {
            existing.chap.clone()
        } else {
            Chap::default()
        };
        chap_in.overlay(base)
    };
    check_chap(&auth, &chap)?;
    let (ranges, masks) = parse_addresses(&req)?;
    let mut updated = existing;
    updated.authentication_type = auth;
    updated.chap = chap;
    if has_addresses(&req) || add || remove {
        if add {
            for r in ranges {
                if !updated.ranges.contains(&r) {
                    updated.ranges.push(r);
                }
            }
            for m in masks {
                if !updated.masks.contains(&m) {
                    updated.masks.push(m);
                }
            }
        } else if remove {
            updated.ranges.retain(|r| !ranges.contains(r));
            updated.masks.retain(|m| !masks.contains(m));
        } else {
            updated.ranges = ranges;
            updated.masks = masks;
        }
    }
    state.credentials.insert(key, updated);
    Ok(Reply::ok(json!({})))
}

pub fn delete(ctx: &Ctx, svm: &str, initiator: &str) -> ApiResult<Reply> {
    ctx.query
        .only(&["svm.name", "return_timeout", "return_records"])?;
    ctx.query.bool_param("return_records", false)?;
    ctx.query.return_timeout(0)?;
    let mut state = ctx.app.lock();
    let svm = resolve_path_svm(&state, svm)?;
    if let Some(n) = ctx
        .query
        .get("svm.name")
        .map(str::trim)
        .filter(|n| !n.is_empty())
        && n != svm.name
    {
        return Err(mismatch());
    }
    check_scope(ctx, &svm)?;
    if initiator.eq_ignore_ascii_case("default") && state.svm_has_iscsi(&svm) {
        return Err(ApiError::bad_request(
            DEFAULT_CREDENTIAL_DELETE,
            "The default security credential cannot be deleted for an SVM.",
        )
        .target("initiator"));
    }
    let key = lookup(&state, &svm, initiator)?;
    state.credentials.remove(&key);
    Ok(Reply::ok(json!({})))
}
