//! The engine's records: per resource, each record with the record it lives under, the values of
//! its path's parameters and the SVM it belongs to. Part of the cluster's state
//! ([`crate::state::State`]), so `POST /emulator/reset` restores it with the rest.

use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};
use serde_json::Value;

use super::resources::{ResId, Resource};
use super::values::is_uuid;

/// One record (or one object) the engine serves.
#[derive(Clone, Debug)]
pub struct Record {
    /// The parent resource's record it lives under (its index there).
    pub parent: Option<usize>,
    /// The values of every parameter of its path: the parent's, then its own keys. Kept beside
    /// the body because a key need not be a field (`{tpgroup}` of an iSCSI session is not).
    pub params: Vec<String>,
    /// The uuid of the SVM it belongs to, its own `svm` or its parent's: who may see it.
    pub owner: Option<String>,
    pub body: Value,
}

/// Every resource's records, by [`ResId`].
#[derive(Clone, Debug, Default)]
pub struct Store {
    pub records: Vec<Vec<Record>>,
}

/// Whether a path parameter names a record's key: exactly, or for UUIDs in any case (ONTAP's
/// UUIDs are hex, and the hand-written routes compare them so too).
fn same_key(have: &str, given: &str) -> bool {
    have == given || (is_uuid(have) && have.eq_ignore_ascii_case(given))
}

impl Store {
    /// The index of `res`'s record whose path parameters are `params`.
    pub fn find(&self, res: ResId, params: &[&str]) -> Option<usize> {
        self.records.get(res)?.iter().position(|r| {
            r.params.len() == params.len()
                && r.params.iter().zip(params).all(|(h, g)| same_key(h, g))
        })
    }

    /// `res`'s records under the parent record `parent` (all of them for a top-level resource).
    pub fn under(&self, res: ResId, parent: Option<usize>) -> impl Iterator<Item = &Record> {
        self.records
            .get(res)
            .into_iter()
            .flatten()
            .filter(move |r| r.parent == parent)
    }
}

/// Characters escaped in one path segment of a record's `_links.self.href`.
const SEGMENT: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'_')
    .remove(b'.')
    .remove(b'~')
    .remove(b':')
    .remove(b'@');

/// `template` with its parameters replaced, in order, by `params` (each escaped as one
/// segment); `None` when they do not add up.
pub fn fill(template: &str, params: &[String]) -> Option<String> {
    let mut values = params.iter();
    let mut out = String::new();
    for segment in template.trim_start_matches('/').split('/') {
        out.push('/');
        if segment.starts_with('{') {
            out.extend(utf8_percent_encode(values.next()?, SEGMENT));
        } else {
            out.push_str(segment);
        }
    }
    values.next().is_none().then_some(out)
}

/// A record's own path, when its resource has a record path and no free parameter (whose value
/// only a request gives).
pub fn href(res: &Resource, params: &[String]) -> Option<String> {
    if !res.free.is_empty() {
        return None;
    }
    fill(&res.instance.as_ref()?.template, params)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_path_is_filled_one_escaped_segment_per_parameter() {
        let params = vec!["u-1".to_string(), "/api/storage volumes".to_string()];
        assert_eq!(
            fill("/api/security/roles/{owner.uuid}/{name}", &params).as_deref(),
            Some("/api/security/roles/u-1/%2Fapi%2Fstorage%20volumes")
        );
        assert_eq!(fill("/api/x/{a}", &params), None);
    }
}
