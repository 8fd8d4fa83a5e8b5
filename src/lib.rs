//! ontap-conform: tells, per build, whether an ONTAP REST endpoint set behaves as NetApp documents it.
//!
//! Data flows one way: [`spec`] and [`case`] are loaded and checked, [`run`] produces one result per
//! case, [`check`] judges it, and [`report`] renders the results. The [`emulator`] is its own crate
//! and knows nothing of the harness, so it is a target like any real cluster.

pub mod case;
pub mod check;
pub mod cli;
pub mod diag;
pub(crate) mod intern;
/// The emulator is its own crate (`crates/ontap-emulator`, which depends on nothing here); this
/// keeps every `ontap_conform::emulator::...` path working.
pub use ontap_emulator as emulator;
pub mod report;
pub mod run;
pub mod secret;
pub mod spec;
pub mod yaml;
