//! What an import read irregularly or skipped: one [`Warning`] each, at the line of NetApp's file
//! where it is, so a reader can look at what was decided.

use std::fmt;

use crate::yaml::{LineMap, pointer_to_field};

/// One thing of NetApp's file that was read irregularly or skipped.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Warning {
    /// The name NetApp's file is cited by.
    pub source: String,
    /// The line in NetApp's file (unpacked, when it was gzipped).
    pub line: usize,
    /// Where, as a JSON pointer into NetApp's file (`/paths/~1cluster/get/parameters/3/type`).
    pub pointer: String,
    /// What was found and what was done with it.
    pub message: String,
}

impl Warning {
    /// The field, written as diagnostics write it (`paths./cluster.get.parameters[3].type`).
    pub fn field(&self) -> String {
        pointer_to_field(&self.pointer)
    }
}

impl fmt::Display for Warning {
    /// `swagger-9.8.yaml.gz:36399: `paths./storage/aggregates.get.parameters[12].type`: ...`,
    /// the form of the spec's own diagnostics.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}:{}: `{}`: {}",
            self.source,
            self.line,
            self.field(),
            self.message
        )
    }
}

/// What every stage of an import reports into.
pub(super) struct Cx<'a> {
    source: &'a str,
    lines: &'a LineMap,
    warnings: Vec<Warning>,
}

impl<'a> Cx<'a> {
    pub(super) fn new(source: &'a str, lines: &'a LineMap) -> Cx<'a> {
        Cx {
            source,
            lines,
            warnings: Vec::new(),
        }
    }

    /// Records a warning at `pointer` (a JSON pointer into NetApp's file).
    pub(super) fn warn(&mut self, pointer: &str, message: impl Into<String>) {
        self.warnings.push(Warning {
            source: self.source.to_string(),
            line: self.lines.line_of(pointer),
            pointer: pointer.to_string(),
            message: message.into(),
        });
    }

    pub(super) fn into_warnings(self) -> Vec<Warning> {
        self.warnings
    }
}
