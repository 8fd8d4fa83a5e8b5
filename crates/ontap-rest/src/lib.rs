//! ONTAP REST conventions that both the harness (`ontap-conform`) and the emulator
//! (`ontap-emulator`) need, written once so the two cannot disagree:
//!
//! - [`Version`]: an ONTAP release number, read from "9.14.1" or a banner such as
//!   "NetApp Release 9.14.1P2: ...", ordered numerically;
//! - [`expand_dotted`]: ONTAP's reading of dotted body keys (`{"fips.enabled": true}` is
//!   `{"fips": {"enabled": true}}`), which refuses a field given twice.
//!
//! It depends on nothing of either user, so the emulator stays independent of the harness.

mod dotted;
mod version;

pub use dotted::{DottedError, expand_dotted};
pub use version::Version;
