//! Names kept for the whole process: a run groups and locks by a few dozen names (collections,
//! report groups) that thousands of cases share, so each is made once and handed out as
//! `&'static str` rather than copied into every case's entry.

use std::collections::HashSet;
use std::sync::{Mutex, OnceLock};

/// `name`, kept once for the process (a name seen before comes back as the kept copy).
pub fn intern(name: String) -> &'static str {
    static NAMES: OnceLock<Mutex<HashSet<&'static str>>> = OnceLock::new();
    let mut names = NAMES
        .get_or_init(Mutex::default)
        .lock()
        .unwrap_or_else(|e| e.into_inner());
    if let Some(known) = names.get(name.as_str()) {
        return known;
    }
    let kept: &'static str = Box::leak(name.into_boxed_str());
    names.insert(kept);
    kept
}
