//! The imported layer the binary carries: NetApp's definition of ONTAP 9.8
//! (`spec/sources/ontap-api/swagger-9.8.yaml.gz`, the newest whole definition the repository
//! can carry) as `spec import` writes it, committed gzipped in `spec/imported/` and built in with
//! `include_bytes!`, so an installed binary has the whole API without a checkout.
//!
//! Why committed rather than imported at build time: the layer is data a reviewer reads and
//! diffs like the curated spec, and a build script that ran the importer would compile the
//! importer twice. `tests/import_layer.rs` holds the file to a fresh import of its source, so the
//! two cannot part: a change to the importer that changes the layer fails until the layer is
//! made again (`spec/imported/README.md` has the command).

use serde_json::Value;

/// Where the layer is, from the repository's root.
pub const BUILTIN_LAYER_PATH: &str = "spec/imported/ontap-9.8.json.gz";

/// The file of NetApp's the layer is imported from, from the repository's root.
pub const BUILTIN_LAYER_SOURCE: &str = "spec/sources/ontap-api/swagger-9.8.yaml.gz";

/// The layer as committed: gzipped JSON.
pub static BUILTIN_LAYER_GZ: &[u8] = include_bytes!("../../../spec/imported/ontap-9.8.json.gz");

/// The imported layer, parsed from the bytes built into the binary: an OpenAPI 3.0.3 document
/// whose every operation carries `x-ontap-imported`. About 30 ms (4.3 MB of JSON); call it once.
///
/// The bytes are the repository's own file, checked by `tests/import_layer.rs` (it unpacks and
/// parses, and equals a fresh import of its source), so a failure here is a broken build, not
/// bad input: it gives `Value::Null` (no paths) rather than a panic.
pub fn builtin_layer() -> Value {
    super::unpack(BUILTIN_LAYER_GZ, BUILTIN_LAYER_PATH)
        .ok()
        .and_then(|json| serde_json::from_slice(&json).ok())
        .unwrap_or(Value::Null)
}
