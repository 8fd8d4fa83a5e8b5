//! The spec: `spec/openapi.yaml` loaded, checked and compiled into validators once.
//!
//! Everything else reads the spec through [`Spec`]: the case loader checks that each request names
//! a documented operation, the checker validates each response body, the reports draw the
//! coverage of documented statuses and ONTAP error codes, and the emulator refuses what the spec
//! forbids. Problems are collected as [`Diagnostic`](crate::diag::Diagnostic)s naming file, line
//! and field, so one `spec check` shows all of them.
//!
//! - `model.rs`: the types the rest of the harness reads ([`Spec`], [`Operation`], ...).
//! - `lint.rs`: the structural checks of the raw document, run before anything is compiled.
//! - `load.rs`: [`Spec::load`] and [`Spec::parse`], which build the model from a checked document.
//! - `basis.rs`: [`Basis`], what an expectation rests on (documented, observed, convention), and
//!   its YAML parser; `seeds.rs`: [`SEED_PAGES`], the seed pages a documented basis may name
//!   (the files of `spec/sources/seeds/`, listed when the binary is built).
//! - [`schema`]: `$ref` resolution and the compiled validators; `walk.rs` beside it checks what
//!   JSON Schema cannot say (`readOnly`/`writeOnly` by direction, undocumented fields), and
//!   `fields.rs` says which field paths a schema can hold (for the case loader).
//! - [`diff`]: `spec diff OLD NEW`, two documents compared per operation and field, and what the
//!   cases rely on that is gone.
//! - [`Version`], ONTAP's release numbers, comes from `crates/ontap-rest`, shared with the
//!   emulator.
//!
//! Operations are read through the typed model of the `openapiv3` crate (`typed.rs`): id, tags,
//! parameters, bodies, responses and the `x-ontap-*` extensions are its fields. Where the model
//! cannot hold what we need, the raw JSON is read, and `typed.rs` says where: schemas go to
//! `jsonschema` as JSON (taken at the pointer the model gives), and every problem needs its
//! pointer for a line number. `lint.rs` checks the raw document's shape first, so a mistake is
//! named at its exact field before the model reads it.

mod basis;
pub mod diff;
mod fields;
pub mod import;
mod layers;
mod lint;
mod load;
mod model;
mod overlay;
pub mod schema;
mod seeds;
mod typed;
mod walk;

pub use basis::{
    Basis, BasisError, KINDS as BASIS_KINDS, is_seed_file_name, is_source_file_name, parse_basis_at,
};

pub use fields::{PathMiss, PathSegment};
pub use model::{
    ImportedFrom, Layer, OntapError, OpId, Operation, Parameter, ResponseSpec, Spec, route_of,
    singular,
};
/// ONTAP's release numbers: one type for the harness and the emulator, in `crates/ontap-rest`.
pub use ontap_rest::Version;
pub use schema::{CompiledSchema, Direction, Finding, FindingKind};
pub use seeds::{
    ONTAP_API_DIR, ONTAP_API_FILES, SEED_DIR, SEED_PAGES, closest_seed_page, is_ontap_api_file,
    is_seed_page, not_a_seed_page, not_a_source,
};

/// The spec shipped with the crate, so the binary works from any directory.
pub const EMBEDDED_SPEC: &str = include_str!("../../spec/openapi.yaml");
/// The path the embedded spec is reported under.
pub const DEFAULT_SPEC_PATH: &str = "spec/openapi.yaml";

/// The methods an operation may be documented under; `head`, `options` and `trace` are not ONTAP
/// REST operations.
pub(crate) const METHODS: [&str; 5] = ["get", "post", "patch", "delete", "put"];

#[cfg(test)]
mod basis_tests;
#[cfg(test)]
mod tests;
