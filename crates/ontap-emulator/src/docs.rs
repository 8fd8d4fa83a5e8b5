//! `GET /docs/api/swagger.yaml`: the emulator's own definition of the API, where every ONTAP
//! cluster serves its own. It is NetApp's ONTAP 9.8 file, the one the harness's imported layer
//! is made from (`spec/sources/ontap-api/swagger-9.8.yaml.gz`), whatever `--ontap-version` the
//! emulator reports: the emulator serves a subset of that API, and this is the definition of the
//! release its layer documents, so `spec fetch` against the emulator round-trips to `spec import`
//! of the file.
//!
//! Built in gzipped (390 KB for 3.2 MB) and unpacked once, on the first request.

use std::io::Read;
use std::sync::LazyLock;

use axum::body::Bytes;
use axum::http::StatusCode;

use super::context::{Ctx, Reply};
use super::error::{ApiError, ApiResult, INTERNAL_ERROR};

/// NetApp's file as the repository carries it.
static SWAGGER_GZ: &[u8] = include_bytes!("../../../spec/sources/ontap-api/swagger-9.8.yaml.gz");

/// The file unpacked, or why it could not be (a broken build, not a request's fault).
static SWAGGER: LazyLock<Result<Bytes, String>> = LazyLock::new(|| {
    let mut out = Vec::new();
    flate2::read::MultiGzDecoder::new(SWAGGER_GZ)
        .read_to_end(&mut out)
        .map(|_| Bytes::from(out))
        .map_err(|e| format!("the built-in definition does not unpack: {e}"))
});

/// The file, as `text/yaml` (YAML text; no public capture we have read shows the media type a
/// cluster gives it), to any account that may read the API.
pub fn swagger(_ctx: &Ctx) -> ApiResult<Reply> {
    match &*SWAGGER {
        Ok(bytes) => Ok(Reply::text(bytes.clone(), "text/yaml")),
        Err(why) => Err(ApiError::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            INTERNAL_ERROR,
            why.clone(),
        )),
    }
}
