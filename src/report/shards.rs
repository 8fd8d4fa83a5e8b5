//! Whether reports are the shards of one run, before `merge` makes one report of them: a merge of
//! shard 1 of 2 would otherwise be a green run that checked half the suite.
//!
//! Each report knows its share (`partition`: `count:2/4`, `hash:1/3`, or a merged report's
//! `count:1/2+count:2/2`) and how it ran (target, mode, seed of the generated checks). The shards
//! of one run cover `1..=N` of one kind and one `N` exactly once, and ran the same way; a report
//! without a partition is a whole run and merges only alone. The reports module knows nothing of
//! the runner, so the partition text is read here, in the forms the runner writes.

use super::model::RunReport;

/// One share of a partitioned run, as a report names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Share<'a> {
    kind: &'a str,
    index: u32,
    count: u32,
}

impl std::fmt::Display for Share<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}:{}/{}", self.kind, self.index, self.count)
    }
}

/// `count:2/4`, `hash:2/4`, or `2/4` (a count partition, as `--partition` takes it).
fn parse_share(text: &str) -> Option<Share<'_>> {
    let (kind, rest) = match text.split_once(':') {
        Some((k @ ("count" | "hash"), rest)) => (k, rest),
        Some(_) => return None,
        None => ("count", text),
    };
    let (k, n) = rest.split_once('/')?;
    let (index, count) = (k.trim().parse().ok()?, n.trim().parse().ok()?);
    (1..=count)
        .contains(&index)
        .then_some(Share { kind, index, count })
}

/// Every reason the reports (`(file, report)`) are not the shards of one run, one sentence each;
/// empty when they are (or when there is one whole run).
pub fn problems(reports: &[(String, RunReport)]) -> Vec<String> {
    let mut out = Vec::new();
    let mut whole: Vec<&str> = Vec::new();
    let mut shares: Vec<(Share<'_>, &str)> = Vec::new();
    for (name, r) in reports {
        let Some(partition) = &r.partition else {
            whole.push(name);
            continue;
        };
        for part in partition.split('+') {
            match parse_share(part) {
                Some(s) => shares.push((s, name)),
                None => out.push(format!(
                    "{name}: partition `{part}` is not K/N, count:K/N or hash:K/N"
                )),
            }
        }
    }
    match shares.first() {
        Some((share, shard)) if !whole.is_empty() => out.push(format!(
            "{} {} a whole run (no --partition) and {shard} is shard {share}: merge the shards of \
             one partitioned run, or one whole run alone",
            whole.join(", "),
            if whole.len() == 1 { "is" } else { "are" }
        )),
        None if whole.len() > 1 => out.push(format!(
            "{} are whole runs (no --partition): merge takes the shards of one partitioned run; \
             compare whole runs with `diff`",
            whole.join(", ")
        )),
        _ => {}
    }
    out.extend(partition_problems(&shares));
    out.extend(how_they_ran(reports));
    out
}

/// The shares must be `1..=N` of one partition, each once.
fn partition_problems(shares: &[(Share<'_>, &str)]) -> Vec<String> {
    let mut out = Vec::new();
    let Some(&(first, first_file)) = shares.first() else {
        return out;
    };
    let mut other_partitions = false;
    for &(s, file) in shares {
        if (s.kind, s.count) != (first.kind, first.count) {
            other_partitions = true;
            out.push(format!(
                "{file} is shard {s} and {first_file} shard {first}: shards of different \
                 partitions (kinds or totals differ)"
            ));
        }
    }
    if other_partitions {
        // Which shard is missing means nothing across partitions.
        return out;
    }
    for index in 1..=first.count {
        let share = Share { index, ..first };
        let files: Vec<&str> = shares
            .iter()
            .filter(|(s, _)| *s == share)
            .map(|(_, f)| *f)
            .collect();
        match files.as_slice() {
            [] => out.push(format!("shard {share} is missing")),
            [_] => {}
            more => out.push(format!(
                "shard {share} is given {} times: {}",
                more.len(),
                more.join(", ")
            )),
        }
    }
    out
}

/// The shards of one run ran against one target, in one mode, with one seed: each report that
/// differs from the first is named with both values.
fn how_they_ran(reports: &[(String, RunReport)]) -> Vec<String> {
    let mut out = Vec::new();
    let Some((first_file, first)) = reports.first() else {
        return out;
    };
    for (file, r) in &reports[1..] {
        // Every shard run without --target starts its own emulator, on its own port.
        let same_target = match (first.embedded_emulator, r.embedded_emulator) {
            (true, true) => true,
            (false, false) => first.target == r.target,
            _ => false,
        };
        if !same_target {
            out.push(format!(
                "{first_file} ran against {} and {file} against {}: the shards of one run share \
                 their target",
                target(first),
                target(r)
            ));
        }
        if first.mode != r.mode {
            out.push(format!(
                "{first_file} ran in {} mode and {file} in {} mode: the shards of one run share \
                 their mode",
                first.mode.as_str(),
                r.mode.as_str()
            ));
        }
        if first.generated_seed != r.generated_seed {
            out.push(format!(
                "{first_file} has {} and {file} {}: the shards of one run share their seed",
                seed(first.generated_seed),
                seed(r.generated_seed)
            ));
        }
    }
    out
}

fn target(r: &RunReport) -> String {
    if r.embedded_emulator {
        format!("the embedded emulator ({})", r.target)
    } else {
        r.target.clone()
    }
}

fn seed(s: Option<u64>) -> String {
    match s {
        Some(n) => format!("generated checks of seed {n}"),
        None => "no generated checks".into(),
    }
}
