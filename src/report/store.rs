//! Where a run's case results wait for the report writers: in memory (a slice: a report read
//! back, a harness running a handful of cases) or spooled to a file as each case ends
//! ([`Spool`]), so that a run of 100,000 cases keeps a few dozen bytes per passing case instead
//! of its every request and response (about 19 KB each).
//!
//! The spool holds each case exactly as `conformance.json` prints it, so the JSON report copies
//! those bytes and is byte for byte what rendering the whole model at once gives. The other
//! writers read a passing case back from that text, which carries its strings exactly; a failing
//! or errored case (the only ones whose steps the HTML shows, whose response bodies may hold
//! values such as `null` that a JSON round trip does not keep as they were) stays in memory
//! whole. Failures are few, or a run has bigger problems than its memory.

use std::borrow::Cow;
use std::fs::File;
use std::io::{self, Read, Seek, SeekFrom, Write};
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use serde::Serialize;

use super::model::{CaseResult, Outcome};

/// The cases of a run, in report order, however they are held.
pub trait Cases {
    fn len(&self) -> usize;
    fn is_empty(&self) -> bool {
        self.len() == 0
    }
    fn outcome(&self, i: usize) -> Outcome;
    fn area(&self, i: usize) -> &str;
    /// What the reports group case `i` under: its area, and for the checks generated over the
    /// whole API also its operation's tag (`generated::storage`), so thousands of checks come
    /// in groups a reader can fold.
    fn group(&self, i: usize) -> &str;
    fn id(&self, i: usize) -> &str;
    /// How many deviations case `i` has (lenient mode).
    fn deviations(&self, i: usize) -> usize;
    /// Case `i` whole (a spooled passing case read back, without a round trip's doubts for the
    /// fields the writers read: see the module's doc).
    fn case(&self, i: usize) -> io::Result<Cow<'_, CaseResult>>;
    /// Case `i` as an element of `conformance.json`'s `cases` array (see [`json_element`]).
    fn write_json(&self, i: usize, out: &mut dyn Write) -> io::Result<()>;
}

impl Cases for Vec<CaseResult> {
    fn len(&self) -> usize {
        Vec::len(self)
    }
    fn outcome(&self, i: usize) -> Outcome {
        self[i].outcome
    }
    fn area(&self, i: usize) -> &str {
        &self[i].area
    }
    fn group(&self, i: usize) -> &str {
        group_of(&self[i])
    }
    fn id(&self, i: usize) -> &str {
        &self[i].id
    }
    fn deviations(&self, i: usize) -> usize {
        self[i].deviations.len()
    }
    fn case(&self, i: usize) -> io::Result<Cow<'_, CaseResult>> {
        Ok(Cow::Borrowed(&self[i]))
    }
    fn write_json(&self, i: usize, out: &mut dyn Write) -> io::Result<()> {
        out.write_all(&json_element(&self[i])?)
    }
}

/// The group of `case` (see [`Cases::group`]), interned: a run has a handful of areas and a few
/// dozen tags.
pub fn group_of(case: &CaseResult) -> &'static str {
    let name = match (&case.operation.tag, case.area == "generated") {
        (Some(tag), true) => format!("generated::{tag}"),
        _ => case.area.clone(),
    };
    crate::intern::intern(name)
}

/// `case` pretty-printed as it stands inside `conformance.json`'s `cases` array: two levels
/// deep, so every line after the first is indented four more spaces. serde_json escapes line
/// breaks inside strings, so every newline in its output is one it put between tokens.
pub fn json_element(case: &CaseResult) -> io::Result<Vec<u8>> {
    let mut flat = Vec::new();
    let mut ser = serde_json::Serializer::with_formatter(
        &mut flat,
        serde_json::ser::PrettyFormatter::with_indent(b"  "),
    );
    case.serialize(&mut ser).map_err(io::Error::other)?;
    let mut out = Vec::with_capacity(flat.len() + flat.len() / 8);
    for b in flat {
        out.push(b);
        if b == b'\n' {
            out.extend_from_slice(b"    ");
        }
    }
    Ok(out)
}

/// A spooled case: where its text is, and what the writers sort and count by without reading it.
struct Entry {
    offset: u64,
    len: u32,
    outcome: Outcome,
    deviations: u32,
    /// Shared between the cases of an area: a run has a handful of areas.
    area: Arc<str>,
    group: &'static str,
    id: Box<str>,
    /// Failing and errored cases, whole.
    whole: Option<Box<CaseResult>>,
}

/// Case results written to a temporary file as they end, in any order, and read back by index.
/// The file is removed as soon as it is open (Unix) or when the spool is dropped.
pub struct Spool {
    path: PathBuf,
    file: Mutex<File>,
    end: u64,
    entries: Vec<Option<Entry>>,
    areas: Vec<Arc<str>>,
}

impl Spool {
    /// A spool in the system's temporary directory.
    pub fn new() -> io::Result<Spool> {
        static NEXT: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
        let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let path = std::env::temp_dir().join(format!(
            "ontap-conform-results-{}-{n}.jsonl",
            std::process::id()
        ));
        let file = std::fs::OpenOptions::new()
            .read(true)
            .write(true)
            .create_new(true)
            .open(&path)?;
        // Where an open file can lose its name (Unix), it does at once: a run killed before it
        // drops the spool then leaves nothing behind.
        #[cfg(unix)]
        std::fs::remove_file(&path)?;
        Ok(Spool {
            path,
            file: Mutex::new(file),
            end: 0,
            entries: Vec::new(),
            areas: Vec::new(),
        })
    }

    /// Keeps `case` as the `index`th of the run.
    pub fn push(&mut self, index: usize, case: CaseResult) -> io::Result<()> {
        let text = json_element(&case)?;
        {
            let mut f = self
                .file
                .lock()
                .map_err(|_| io::Error::other("spool lock"))?;
            f.seek(SeekFrom::Start(self.end))?;
            f.write_all(&text)?;
        }
        let area = match self.areas.iter().find(|a| ***a == *case.area) {
            Some(a) => a.clone(),
            None => {
                let a: Arc<str> = Arc::from(case.area.as_str());
                self.areas.push(a.clone());
                a
            }
        };
        let entry = Entry {
            offset: self.end,
            len: u32::try_from(text.len()).map_err(io::Error::other)?,
            outcome: case.outcome,
            deviations: u32::try_from(case.deviations.len()).unwrap_or(u32::MAX),
            area,
            group: group_of(&case),
            id: case.id.as_str().into(),
            whole: case.outcome.is_failing().then(|| Box::new(case)),
        };
        self.end += text.len() as u64;
        if self.entries.len() <= index {
            self.entries.resize_with(index + 1, || None);
        }
        self.entries[index] = Some(entry);
        Ok(())
    }

    fn entry(&self, i: usize) -> &Entry {
        self.entries[i]
            .as_ref()
            .expect("every index of a finished run was pushed")
    }

    fn text(&self, e: &Entry) -> io::Result<Vec<u8>> {
        let mut buf = vec![0; e.len as usize];
        let mut f = self
            .file
            .lock()
            .map_err(|_| io::Error::other("spool lock"))?;
        f.seek(SeekFrom::Start(e.offset))?;
        f.read_exact(&mut buf)?;
        Ok(buf)
    }
}

impl Drop for Spool {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.path);
    }
}

impl Cases for Spool {
    fn len(&self) -> usize {
        self.entries.len()
    }
    fn outcome(&self, i: usize) -> Outcome {
        self.entry(i).outcome
    }
    fn area(&self, i: usize) -> &str {
        &self.entry(i).area
    }
    fn group(&self, i: usize) -> &str {
        self.entry(i).group
    }
    fn id(&self, i: usize) -> &str {
        &self.entry(i).id
    }
    fn deviations(&self, i: usize) -> usize {
        self.entry(i).deviations as usize
    }
    fn case(&self, i: usize) -> io::Result<Cow<'_, CaseResult>> {
        let e = self.entry(i);
        if let Some(c) = &e.whole {
            return Ok(Cow::Borrowed(c));
        }
        let text = self.text(e)?;
        serde_json::from_slice(&text)
            .map(Cow::Owned)
            .map_err(io::Error::other)
    }
    fn write_json(&self, i: usize, out: &mut dyn Write) -> io::Result<()> {
        out.write_all(&self.text(self.entry(i))?)
    }
}
