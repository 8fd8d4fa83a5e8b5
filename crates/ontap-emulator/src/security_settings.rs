//! The `/api/security` fields that came after 9.8 (seed 003 is the 9.8 page): `tls` (protocol
//! versions and cipher suites), `management_protocols` and
//! `software_data_encryption.disabled_by_default`, readable and patchable from 9.10.1 on and
//! unknown before it.
//!
//! Why 9.10.1: NetApp's `na_ontap_security_config` asks for `tls.cipher_suites` and
//! `tls.protocol_versions` only when the cluster is 9.10.1 or later
//! (`meets_rest_minimum_version(…, 9, 10, 1)`) and documents both options as "requires ontap
//! version 9.10.1 or later"; the other fields are in NetApp's Python client
//! (`netapp_ontap/resources/security_config.py`), whose release notes are not public per field,
//! so they share the same gate (a convention). A cluster of an earlier release answers them as
//! it answers any field it lacks (262179 in a body, 262197 in `fields`), so a module takes its
//! older path against `--ontap-version 9.8.0`.

use serde_json::{Value, json};

use super::body::{self, Shape};
use super::error::{ApiError, ApiResult};

/// The release that brought the fields here.
pub const SINCE: [u32; 3] = [9, 10, 1];

/// Protocol versions as ONTAP spells them: NetApp's `na_ontap_security_config` offers exactly
/// `TLSv1.3, TLSv1.2, TLSv1.1, TLSv1`, sends the chosen ones unchanged as
/// `tls.protocol_versions` and compares them with what the GET returns for idempotency, so
/// ONTAP both takes and returns these spellings. Accepted in any case, returned like this.
const PROTOCOLS: &[&str] = &["TLSv1.3", "TLSv1.2", "TLSv1.1", "TLSv1"];

/// The settings, as they start: TLS 1.3 and 1.2 with their usual suites, the clear-text
/// management protocols off, software encryption not on by default.
#[derive(Clone, Debug)]
pub struct SecuritySettings {
    pub protocol_versions: Vec<String>,
    pub cipher_suites: Vec<String>,
    pub rsh_enabled: bool,
    pub rlogin_enabled: bool,
    pub telnet_enabled: bool,
    pub disabled_by_default: bool,
}

impl Default for SecuritySettings {
    fn default() -> Self {
        let suites = [
            "TLS_AES_256_GCM_SHA384",
            "TLS_CHACHA20_POLY1305_SHA256",
            "TLS_AES_128_GCM_SHA256",
            "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384",
            "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
            "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384",
            "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256",
        ];
        SecuritySettings {
            protocol_versions: vec!["TLSv1.3".into(), "TLSv1.2".into()],
            cipher_suites: suites.iter().map(|s| s.to_string()).collect(),
            rsh_enabled: false,
            rlogin_enabled: false,
            telnet_enabled: false,
            disabled_by_default: false,
        }
    }
}

/// The names `fields=` may ask for from 9.10.1 on.
pub const FIELDS: &[&str] = &[
    "tls",
    "tls.protocol_versions",
    "tls.cipher_suites",
    "management_protocols",
    "management_protocols.rsh_enabled",
    "management_protocols.rlogin_enabled",
    "management_protocols.telnet_enabled",
    "software_data_encryption.disabled_by_default",
];

/// The PATCH shape of the later fields (merged into `/api/security`'s from 9.10.1 on).
pub const TLS_SHAPE: Shape = Shape::Obj(&[
    ("protocol_versions", Shape::Arr(&Shape::Enum(PROTOCOLS))),
    ("cipher_suites", Shape::Arr(&Shape::Str)),
]);
pub const MANAGEMENT_SHAPE: Shape = Shape::Obj(&[
    ("rsh_enabled", Shape::Bool),
    ("rlogin_enabled", Shape::Bool),
    ("telnet_enabled", Shape::Bool),
]);

/// Whether the emulated release has these fields.
pub fn served(version: &ontap_rest::Version) -> bool {
    version.0.as_slice() >= SINCE.as_slice()
}

/// Adds the later fields to a `/api/security` record.
pub fn add_to(record: &mut Value, s: &SecuritySettings) {
    if let Some(obj) = record.as_object_mut() {
        obj.insert(
            "tls".into(),
            json!({ "protocol_versions": s.protocol_versions, "cipher_suites": s.cipher_suites }),
        );
        obj.insert(
            "management_protocols".into(),
            json!({
                "rsh_enabled": s.rsh_enabled,
                "rlogin_enabled": s.rlogin_enabled,
                "telnet_enabled": s.telnet_enabled,
            }),
        );
        if let Some(sde) = obj
            .get_mut("software_data_encryption")
            .and_then(Value::as_object_mut)
        {
            sde.insert("disabled_by_default".into(), json!(s.disabled_by_default));
        }
    }
}

/// Checks what the shape cannot: at least one protocol version (ONTAP cannot serve HTTPS with
/// none) and at least one cipher suite. Called when the PATCH is accepted.
pub fn validate(req: &Value) -> ApiResult<()> {
    for (field, what) in [
        ("tls.protocol_versions", "at least one protocol version"),
        ("tls.cipher_suites", "at least one cipher suite"),
    ] {
        if let Some(Value::Array(items)) = body::at(req, field)
            && items.is_empty()
        {
            return Err(ApiError::invalid_value(field, what));
        }
    }
    Ok(())
}

/// Applies a validated PATCH body to the settings (when its job succeeds).
pub fn apply(s: &mut SecuritySettings, req: &Value) {
    if let Some(Value::Array(items)) = body::at(req, "tls.protocol_versions") {
        s.protocol_versions = items
            .iter()
            .filter_map(Value::as_str)
            .filter_map(|v| PROTOCOLS.iter().find(|p| p.eq_ignore_ascii_case(v)))
            .map(|p| p.to_string())
            .collect();
    }
    if let Some(Value::Array(items)) = body::at(req, "tls.cipher_suites") {
        s.cipher_suites = items
            .iter()
            .filter_map(|i| i.as_str().map(str::to_string))
            .collect();
    }
    let flags: [(&str, &mut bool); 4] = [
        ("management_protocols.rsh_enabled", &mut s.rsh_enabled),
        ("management_protocols.rlogin_enabled", &mut s.rlogin_enabled),
        ("management_protocols.telnet_enabled", &mut s.telnet_enabled),
        (
            "software_data_encryption.disabled_by_default",
            &mut s.disabled_by_default,
        ),
    ];
    for (field, slot) in flags {
        if let Some(v) = body::bool_at(req, field) {
            *slot = v;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn served_from_9_10_1_on() {
        let v = |s: &str| ontap_rest::Version::parse_release(s).expect("a release");
        assert!(!served(&v("9.8.0")));
        assert!(!served(&v("9.10.0")));
        assert!(served(&v("9.10.1")));
        assert!(served(&v("9.14.1")));
    }

    #[test]
    fn a_patch_changes_only_what_it_names_and_keeps_ontaps_spelling() {
        let mut s = SecuritySettings::default();
        let req = json!({"tls": {"protocol_versions": ["tlsv1.2"]}, "management_protocols": {"telnet_enabled": true}});
        validate(&req).expect("valid");
        apply(&mut s, &req);
        assert_eq!(s.protocol_versions, vec!["TLSv1.2"]);
        assert_eq!(s.cipher_suites, SecuritySettings::default().cipher_suites);
        assert!(s.telnet_enabled && !s.rsh_enabled);
    }

    #[test]
    fn no_protocol_or_no_suite_is_refused() {
        for req in [
            json!({"tls": {"protocol_versions": []}}),
            json!({"tls": {"cipher_suites": []}}),
        ] {
            assert_eq!(
                validate(&req).map_err(|e| e.body()["error"]["code"].clone()),
                Err(json!("2"))
            );
        }
    }
}
