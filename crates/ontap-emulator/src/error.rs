//! ONTAP error bodies and every error code the emulator answers with, in one place.
//!
//! ONTAP's error body is `{"error": {"message", "code" (a string), "target"?, "arguments"?}}`.
//! The status of each documented code follows one rule: 400 the request itself is wrong; 401
//! authentication; 403 not authorized; 404 a named thing does not exist; 405 method; 409 a valid
//! request that the cluster's state forbids.

use axum::http::StatusCode;
use serde_json::{Value, json};

// ---- Common (ONTAP-wide) codes -------------------------------------------------------------
/// "entry doesn't exist": unknown path, unknown named record without a more specific code.
pub const ENTRY_DOES_NOT_EXIST: &str = "4";
/// Not authorized for that command (403).
pub const NOT_AUTHORIZED: &str = "6";
/// Authentication failed or missing (401).
pub const AUTHENTICATION_FAILED: &str = "2";
/// Method not allowed on a known path (405).
pub const METHOD_NOT_ALLOWED: &str = "5";
/// An unexpected argument (unknown field in a body, unknown query parameter).
pub const UNEXPECTED_ARGUMENT: &str = "262179";
/// Invalid JSON in the request body.
pub const INVALID_JSON: &str = "262176";
/// A field has a value of the wrong type or outside its enum.
pub const INVALID_VALUE: &str = "262197";
/// A required field is missing.
pub const MISSING_REQUIRED_FIELD: &str = "262185";
/// A read-only field in a request body, or a field that a PATCH may not carry.
pub const FIELD_CANNOT_BE_SET: &str = "262190";
/// A field name in `fields` / `order_by` that the resource does not have.
pub const INVALID_FIELD: &str = "262197";
/// A query parameter value is invalid (max_records, return_timeout, booleans).
pub const INVALID_QUERY_VALUE: &str = "262197";
/// The request body exceeds the server's limit (413).
pub const BODY_TOO_LARGE: &str = "262177";
/// A record with that key already exists (accounts).
pub const DUPLICATE_ENTRY: &str = "1";

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
    pub fn unexpected_argument(field: &str) -> Self {
        Self::bad_request(
            UNEXPECTED_ARGUMENT,
            format!("Unexpected argument \"{field}\"."),
        )
        .target(field)
    }
    pub fn invalid_value(field: &str, detail: impl Into<String>) -> Self {
        Self::bad_request(
            INVALID_VALUE,
            format!(
                "The value is invalid for field \"{field}\" ({}).",
                detail.into()
            ),
        )
        .target(field)
    }
    pub fn missing_field(field: &str) -> Self {
        Self::bad_request(
            MISSING_REQUIRED_FIELD,
            format!("Missing required field \"{field}\"."),
        )
        .target(field)
    }
    pub fn cannot_set(field: &str) -> Self {
        Self::bad_request(
            FIELD_CANNOT_BE_SET,
            format!("Field \"{field}\" cannot be set in this operation."),
        )
        .target(field)
    }
    pub fn invalid_query(param: &str, detail: impl Into<String>) -> Self {
        Self::bad_request(
            INVALID_QUERY_VALUE,
            format!(
                "The value is invalid for field \"{param}\" ({}).",
                detail.into()
            ),
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
