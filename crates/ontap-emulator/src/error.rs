//! ONTAP error bodies and every error code the emulator answers with, in one place.
//!
//! ONTAP's error body is `{"error": {"message", "code" (a string), "target"?, "arguments"?}}`.
//!
//! The common codes (the ones any endpoint can answer) come from what real clusters were seen to
//! send, and each constant says where that was seen (`observed: source`) or, where nothing public
//! shows ONTAP's answer, why the emulator chose it (`convention: why`). The short names of the
//! sources are those of the project's evidence notes (`spec/sources/evidence/`):
//! tf = NetApp/terraform-provider-netapp-ontap, ansible = ansible-collections/netapp.ontap,
//! harvest = NetApp/harvest, docs-response = NetApp's "Interpret an ONTAP REST API response" page
//! and its common-code table.
//!
//! The HTTP status of a documented seed code follows one rule (no seed page gives a status per
//! code): 400 the request itself is wrong; 404 a named thing does not exist; 409 a valid request
//! that the cluster's state forbids.

use axum::http::StatusCode;
use serde_json::{Value, json};

// ---- Common (ONTAP-wide) codes -------------------------------------------------------------
/// Duplicate entry (409): a record with that key already exists (an account).
/// Observed: tf issue #598, `POST /api/security/accounts` for an existing name answered 409
/// `{"code": "1", "message": "duplicate entry", "target": "name"}`; docs-response: 1 → 409.
pub const DUPLICATE_ENTRY: &str = "1";
/// Invalid, missing or extra field (400): a body value of the wrong type or outside its enum, a
/// missing required field, a read-only or non-PATCHable field in a body, a body that is not JSON.
/// Observed: ansible issue #145, a bad body value answered code "2" `failed to set field "svm"
/// to "default"`; docs-response's common-code table: 2 → 400 "invalid, missing or extra field".
/// For a body that is not JSON, convention: nothing public shows ONTAP's answer, and 2 is
/// ONTAP's generic "invalid field" code.
pub const INVALID_FIELD: &str = "2";
/// Entry doesn't exist (404): an unknown path, a path key or referenced record that names
/// nothing (where no more specific code applies). Observed: tf issue #290, 404
/// `{"code": "4", "message": "entry doesn't exist", "target": "svm.uuid"}`; the example error of
/// every seed page. (docs-response's table says 405 for code 4; the capture says 404.)
pub const ENTRY_DOES_NOT_EXIST: &str = "4";
/// Method not allowed on a known path (405, with `Allow`). Convention: docs-response lists no
/// code 5 and nothing public shows ONTAP's 405 body; the status is RFC 9110's.
pub const METHOD_NOT_ALLOWED: &str = "5";
/// Not authorized for that command (403). Observed: docs-response 6 → 403 "permission denied";
/// harvest `integration/test/copy_logs_test.go` logs a real 403 "not authorized for that
/// command"; ansible issue #139 quotes `{'message': 'not authorized for that command', 'code':
/// '6'}, status_code: 403`.
pub const NOT_AUTHORIZED: &str = "6";
/// An unexpected argument (400): an unknown field in a body, an unknown query parameter.
/// Observed: ansible issue #178, `Unexpected argument "ndmp".` code 262179, target
/// `ndmp.allowed`. The status (400) is convention: the capture does not show it.
pub const UNEXPECTED_ARGUMENT: &str = "262179";
/// An invalid value in a query parameter (400): a name in `fields` or `order_by` the resource
/// does not have, a `return_timeout`, `max_records` or boolean out of range. Observed: harvest
/// PR #3639 and ansible issues #184/#189, `The value "x" is invalid for field "fields"
/// (<field,...>)` code 262197 target `fields`; ansible issue #142, `The value "600" is invalid
/// for field "return_timeout" (<0..120>)` code 262197 target `return_timeout`. The status (400)
/// is convention.
pub const INVALID_QUERY_VALUE: &str = "262197";
/// The request body did not arrive within the read timeout (408). Convention: the emulator's
/// own code (nothing public; the status is RFC 9110's).
pub const BODY_TIMEOUT: &str = "262176";
/// The request body exceeds the server's limit (413). Convention: the emulator's own code
/// (nothing public shows ONTAP's limit or answer; the status is RFC 9110's).
pub const BODY_TOO_LARGE: &str = "262177";
/// Authentication failed or missing (401, with `WWW-Authenticate`). Convention: nothing public
/// shows ONTAP's 401 body (harvest builds its 401 error from the status alone), so the emulator
/// owns this code, next to its other transport codes (262176, 262177); it was "2" once, which
/// ONTAP documents and uses for an invalid field (400). Cases check only the status and the
/// header.
pub const AUTHENTICATION_FAILED: &str = "262178";
/// An unexpected failure inside the emulator (500): a bug, never a documented answer.
/// Convention: the emulator's own code, so that it is not read as a documented one.
pub const INTERNAL_ERROR: &str = "262175";

// ---- SVM resolution -------------------------------------------------------------------------
pub const SVM_UUID_NOT_FOUND: &str = "2621462";
pub const SVM_NAME_UUID_MISMATCH: &str = "2621706";
pub const SVM_NOT_SPECIFIED: &str = "2621707";

// ---- iSCSI credentials ----------------------------------------------------------------------
pub const IQN_EMPTY_QUALIFIER: &str = "5373969";
pub const IQN_BAD_PREFIX: &str = "5373970";
pub const IQN_BAD_DATE: &str = "5373971";
pub const IQN_BAD_CHARS: &str = "5373972";
pub const EUI_BAD_LENGTH: &str = "5373977";
pub const EUI_BAD_FORMAT: &str = "5373978";
pub const INITIATOR_NAME_INVALID: &str = "5373997";
pub const ISCSI_SERVICE_MISSING: &str = "5374078";
pub const CREDENTIAL_EXISTS: &str = "5374142";
pub const CHAP_HEX_ODD: &str = "5374145";
pub const CHAP_PASSWORDS_SAME: &str = "5374147";
pub const DEFAULT_CREDENTIAL_DELETE: &str = "5374148";
pub const CHAP_INBOUND_REQUIRED: &str = "5374149";
pub const CHAP_OUTBOUND_PASSWORD_REQUIRED: &str = "5374150";
pub const DEFAULT_CREDENTIAL_UNSUPPORTED: &str = "5374155";
pub const RANGE_START_AFTER_END: &str = "5374855";
pub const RANGE_MIXED_FAMILY: &str = "5374856";
pub const CREDENTIAL_NOT_FOUND: &str = "5374895";
pub const CHAP_WITH_NONE_OR_DENY: &str = "5374900";

// ---- Password policy ------------------------------------------------------------------------
pub const PW_CONTAINS_USERNAME: &str = "7077918";
pub const PW_TOO_SHORT: &str = "7077919";
pub const PW_NEEDS_ALNUM: &str = "7077920";
pub const PW_SPECIAL_CHARS: &str = "7077921";
pub const PW_IN_HISTORY: &str = "7077924";
pub const PW_SAME_AS_OLD: &str = "7077925";
pub const PW_TOO_LONG: &str = "7077940";
pub const PW_COMPOSITION_TOO_LONG: &str = "7077941";

// ---- NDMP -----------------------------------------------------------------------------------
pub const NDMP_SVM_AWARE_DISABLED: &str = "65601536";
pub const NDMP_SSO_NO_PASSWORD: &str = "65601560";
pub const NDMP_PLATFORM_UNSUPPORTED: &str = "65601587";

// ---- /api/security --------------------------------------------------------------------------
pub const FIPS_CERT_STRENGTH: &str = "52428830";
pub const FIPS_NON_FIPS_CERT: &str = "52559974";
pub const CONVERSION_DATA_VOLUMES: &str = "196608081";
pub const METROCLUSTER_SWITCHOVER: &str = "196608082";

/// An ONTAP error answer: HTTP status plus the error body.
#[derive(Debug, Clone)]
pub struct ApiError {
    pub status: StatusCode,
    pub code: String,
    pub message: String,
    pub target: Option<String>,
    pub arguments: Vec<(String, String)>,
}

impl ApiError {
    pub fn new(status: StatusCode, code: &str, message: impl Into<String>) -> Self {
        ApiError {
            status,
            code: code.to_string(),
            message: message.into(),
            target: None,
            arguments: Vec::new(),
        }
    }
    pub fn target(mut self, target: impl Into<String>) -> Self {
        self.target = Some(target.into());
        self
    }
    pub fn arg(mut self, code: &str, message: impl Into<String>) -> Self {
        self.arguments.push((code.to_string(), message.into()));
        self
    }
    pub fn bad_request(code: &str, message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, code, message)
    }
    pub fn conflict(code: &str, message: impl Into<String>) -> Self {
        Self::new(StatusCode::CONFLICT, code, message)
    }
    pub fn not_found(code: &str, message: impl Into<String>) -> Self {
        Self::new(StatusCode::NOT_FOUND, code, message)
    }
    /// 404, code "4".
    pub fn entry_missing(target: &str) -> Self {
        Self::not_found(ENTRY_DOES_NOT_EXIST, "entry doesn't exist").target(target)
    }
    pub fn forbidden() -> Self {
        Self::new(
            StatusCode::FORBIDDEN,
            NOT_AUTHORIZED,
            "not authorized for that command",
        )
    }
    pub fn unauthorized() -> Self {
        Self::new(
            StatusCode::UNAUTHORIZED,
            AUTHENTICATION_FAILED,
            "User is not authorized: authentication failed or missing credentials",
        )
    }
    /// 405 for a method the path does not serve (the server adds `Allow`).
    pub fn method_not_allowed(method: &str) -> Self {
        Self::new(
            StatusCode::METHOD_NOT_ALLOWED,
            METHOD_NOT_ALLOWED,
            format!("The method \"{method}\" is not allowed on this resource."),
        )
    }
    /// 409, code "1", in ONTAP's words (tf issue #598).
    pub fn duplicate(target: &str) -> Self {
        Self::conflict(DUPLICATE_ENTRY, "duplicate entry").target(target)
    }
    pub fn unexpected_argument(field: &str) -> Self {
        Self::bad_request(
            UNEXPECTED_ARGUMENT,
            format!("Unexpected argument \"{field}\"."),
        )
        .target(field)
    }
    /// Code 2: a body field whose value is wrong, in the shape of ONTAP's text for it
    /// (`failed to set field "svm" to "default"`, ansible issue #145), with the reason.
    pub fn invalid_value(field: &str, detail: impl Into<String>) -> Self {
        Self::bad_request(
            INVALID_FIELD,
            format!("failed to set field \"{field}\": {}.", detail.into()),
        )
        .target(field)
    }
    /// Code 2 for a value the emulator can show: ONTAP's own text, then the reason.
    pub fn invalid_value_of(field: &str, value: &Value, detail: impl Into<String>) -> Self {
        let shown = match value {
            Value::String(s) => s.clone(),
            other => other.to_string(),
        };
        Self::bad_request(
            INVALID_FIELD,
            format!(
                "failed to set field \"{field}\" to \"{shown}\": {}.",
                detail.into()
            ),
        )
        .target(field)
    }
    /// Code 2: a required body field is missing (the text is the emulator's; none is public).
    pub fn missing_field(field: &str) -> Self {
        Self::bad_request(
            INVALID_FIELD,
            format!("Missing required field \"{field}\"."),
        )
        .target(field)
    }
    /// Code 2: a read-only field, or one a PATCH may not carry, in a body.
    pub fn cannot_set(field: &str) -> Self {
        Self::bad_request(
            INVALID_FIELD,
            format!("Field \"{field}\" cannot be set in this operation."),
        )
        .target(field)
    }
    /// Code 2: a body that is not a JSON object.
    pub fn invalid_json(detail: impl Into<String>) -> Self {
        Self::bad_request(INVALID_FIELD, detail)
    }
    /// 262197 in ONTAP's words: `The value "600" is invalid for field "return_timeout"
    /// (<0..120>)`; `expected` is what the parameter takes, in ONTAP's angle brackets.
    pub fn invalid_query(param: &str, value: &str, expected: &str) -> Self {
        Self::bad_request(
            INVALID_QUERY_VALUE,
            format!("The value \"{value}\" is invalid for field \"{param}\" ({expected})"),
        )
        .target(param)
    }

    /// The JSON body ONTAP sends.
    pub fn body(&self) -> Value {
        let mut err = serde_json::Map::new();
        err.insert("message".into(), json!(self.message));
        err.insert("code".into(), json!(self.code));
        if let Some(t) = &self.target {
            err.insert("target".into(), json!(t));
        }
        if !self.arguments.is_empty() {
            let args: Vec<Value> = self
                .arguments
                .iter()
                .map(|(c, m)| json!({"code": c, "message": m}))
                .collect();
            err.insert("arguments".into(), Value::Array(args));
        }
        json!({ "error": Value::Object(err) })
    }
}

pub type ApiResult<T> = Result<T, ApiError>;
