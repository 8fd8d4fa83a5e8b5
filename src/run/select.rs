//! Which cases a run executes: `--filter` and `--partition`, in file order.

use crate::case::Case;

/// A stable share of the cases, so N machines split one suite (`--partition K/N`).
///
/// `count` (the default, as in cargo-nextest) deals the selected cases out in file order like
/// cards: shares differ in size by at most one. `hash` puts each case by a hash of its id: a
/// case stays on its shard when others are added or removed, at the price of uneven shares.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Partition {
    pub kind: PartitionKind,
    /// 1-based.
    pub index: u32,
    pub count: u32,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PartitionKind {
    Count,
    Hash,
}

impl std::str::FromStr for Partition {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, String> {
        let (kind, rest) = match s.split_once(':') {
            Some(("count", r)) => (PartitionKind::Count, r),
            Some(("hash", r)) => (PartitionKind::Hash, r),
            Some((k, _)) => {
                return Err(format!(
                    "unknown partition kind `{k}`: use K/N, count:K/N or hash:K/N"
                ));
            }
            None => (PartitionKind::Count, s),
        };
        let bad = || format!("`{s}` is not a partition: use K/N with 1 <= K <= N, e.g. 2/4");
        let (k, n) = rest.split_once('/').ok_or_else(bad)?;
        let index: u32 = k.trim().parse().map_err(|_| bad())?;
        let count: u32 = n.trim().parse().map_err(|_| bad())?;
        if index == 0 || count == 0 || index > count {
            return Err(bad());
        }
        Ok(Partition { kind, index, count })
    }
}

impl std::fmt::Display for Partition {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let kind = match self.kind {
            PartitionKind::Count => "count",
            PartitionKind::Hash => "hash",
        };
        write!(f, "{kind}:{}/{}", self.index, self.count)
    }
}

/// FNV-1a: stable across Rust versions and platforms, unlike `DefaultHasher`.
fn stable_hash(s: &str) -> u64 {
    s.bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    })
}

/// The cases a run with this filter and partition executes, in run order.
pub fn select(cases: Vec<Case>, filter: &[String], partition: Option<Partition>) -> Vec<Case> {
    let mut selector = Selector::new(filter, partition);
    cases.into_iter().filter(|c| selector.keep(c)).collect()
}

/// [`select`] one case at a time, for cases seen as they load (in file order).
pub struct Selector<'a> {
    filter: &'a [String],
    partition: Option<Partition>,
    /// How many cases matched the filter so far: a case's slot for `count` partitions.
    matched: u64,
}

impl<'a> Selector<'a> {
    pub fn new(filter: &'a [String], partition: Option<Partition>) -> Self {
        Selector {
            filter,
            partition,
            matched: 0,
        }
    }

    /// Does the run execute `case`, the next one in file order?
    pub fn keep(&mut self, case: &Case) -> bool {
        if !matches_filter(case, self.filter) {
            return false;
        }
        let i = self.matched;
        self.matched += 1;
        match self.partition {
            None => true,
            Some(p) => {
                let slot = match p.kind {
                    PartitionKind::Count => i,
                    PartitionKind::Hash => stable_hash(&case.def.id),
                };
                slot % u64::from(p.count) == u64::from(p.index - 1)
            }
        }
    }
}

/// Does `case` match any of the filters?
pub fn matches_filter(case: &Case, filter: &[String]) -> bool {
    filter.is_empty()
        || filter.iter().any(|f| {
            case.def.id == *f
                // `<area>::<id>`, as the reports and `cargo test` name a case.
                || f.split_once("::") == Some((case.area.as_str(), case.def.id.as_str()))
                || case.def.tags.iter().any(|t| t == f)
                || case.area == *f
                || case.operation_key().contains(f.as_str())
        })
}
