//! ontap-conform: tells, per build, whether an ONTAP REST endpoint set behaves as NetApp documents it.
//!
//! Data flows one way: [`spec`] and [`case`] are loaded and checked, [`run`] produces one result per
//! case, [`check`] judges it, and [`report`] renders the results. The [`emulator`] shares only the
//! spec module, so it can be a target like any real cluster.

pub mod case;
pub mod check;
pub mod cli;
pub mod diag;
pub mod emulator;
pub mod report;
pub mod run;
pub mod secret;
pub mod spec;
pub mod yaml;
