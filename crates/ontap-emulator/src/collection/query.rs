//! The query string as the collection conventions read it: decoded pairs in order, the typed
//! reserved parameters (`fields`, `max_records`, `return_records`, `return_timeout`) with
//! ONTAP's errors, and re-encoding for `_links.next`.

use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};

use crate::error::{ApiError, ApiResult};

/// The query string, decoded, in order.
#[derive(Debug, Clone, Default)]
pub struct Query {
    pub pairs: Vec<(String, String)>,
    /// The request reads (GET or HEAD): `fields` and `max_records` are then accepted on every
    /// path, a single record's included, as ONTAP accepts them ("Input variables controlling an
    /// API request").
    pub reading: bool,
}

/// Characters escaped when a value is put back into a query string.
const QUERY_VALUE: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'_')
    .remove(b'.')
    .remove(b'~')
    .remove(b'*')
    .remove(b',')
    .remove(b':');

pub fn encode_query_value(s: &str) -> String {
    utf8_percent_encode(s, QUERY_VALUE).to_string()
}

impl Query {
    pub fn parse(raw: Option<&str>) -> Query {
        let pairs = raw
            .map(|r| {
                form_urlencoded::parse(r.as_bytes())
                    .map(|(k, v)| (k.into_owned(), v.into_owned()))
                    .collect()
            })
            .unwrap_or_default();
        Query {
            pairs,
            reading: false,
        }
    }
    pub fn get(&self, name: &str) -> Option<&str> {
        self.pairs
            .iter()
            .rev()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }
    /// Re-encodes the query, leaving out some names.
    pub fn encode_without(&self, skip: &[&str]) -> String {
        self.pairs
            .iter()
            .filter(|(k, _)| !skip.contains(&k.as_str()))
            .map(|(k, v)| format!("{}={}", encode_query_value(k), encode_query_value(v)))
            .collect::<Vec<_>>()
            .join("&")
    }
    /// A boolean query parameter (`true`/`false`); absent → `default`.
    pub fn bool_param(&self, name: &str, default: bool) -> ApiResult<bool> {
        match self.get(name) {
            None => Ok(default),
            Some(v) if v.eq_ignore_ascii_case("true") => Ok(true),
            Some(v) if v.eq_ignore_ascii_case("false") => Ok(false),
            Some(v) => Err(ApiError::invalid_query(name, v, "<true|false>")),
        }
    }
    /// `return_timeout` (0..=120); absent → `default`.
    pub fn return_timeout(&self, default: u64) -> ApiResult<u64> {
        match self.get("return_timeout") {
            None => Ok(default),
            Some(v) => match v.trim().parse::<u64>() {
                Ok(n) if n <= 120 => Ok(n),
                _ => Err(ApiError::invalid_query("return_timeout", v, "<0..120>")),
            },
        }
    }
    /// `max_records` (a positive integer); absent → `None`. Checked also where there is one
    /// record, so a bad value is a 400 wherever the parameter is accepted.
    pub fn max_records(&self) -> ApiResult<Option<usize>> {
        match self.get("max_records") {
            None => Ok(None),
            Some(v) => match v.trim().parse::<usize>() {
                Ok(n) if n >= 1 => Ok(Some(n)),
                _ => Err(ApiError::invalid_query("max_records", v, "<1..>")),
            },
        }
    }
    /// The requested field names (`fields=a,b&fields=c`); empty when not given.
    pub fn fields(&self) -> Vec<String> {
        self.pairs
            .iter()
            .filter(|(k, _)| k == "fields")
            .flat_map(|(_, v)| {
                v.split(',')
                    .map(|s| s.trim().to_string())
                    .collect::<Vec<_>>()
            })
            .filter(|s| !s.is_empty())
            .collect()
    }
    /// Rejects any parameter not in `allowed` (for calls that take no filters), except the
    /// parameters ONTAP accepts on every call of the kind, which are checked instead:
    /// `return_timeout` and `return_records` always, `fields` and `max_records` on a read.
    pub fn only(&self, allowed: &[&str]) -> ApiResult<()> {
        for (k, _) in &self.pairs {
            let everywhere = match k.as_str() {
                "return_timeout" | "return_records" => true,
                "fields" | "max_records" => self.reading,
                _ => false,
            };
            if !everywhere && !allowed.contains(&k.as_str()) {
                return Err(ApiError::unexpected_argument(k));
            }
        }
        self.return_timeout(0)?;
        self.bool_param("return_records", true)?;
        if self.reading {
            self.max_records()?;
        }
        Ok(())
    }
}
