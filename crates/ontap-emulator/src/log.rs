//! Where the emulator's log lines go: stderr, written by a thread of its own.
//!
//! Every request logs one line. Written straight to stderr, that is a `write(2)` on the worker
//! thread for each request, a few percent of the emulator's CPU under `wrk`
//! (`benches/README.md`). Here a request's line is appended to a buffer in memory; a writer
//! thread, woken by the first line, lets lines gather for [`GATHER`] and hands them to stderr
//! in one call. Under load many lines share a `write(2)` and no request waits on the file.
//!
//! Nothing is dropped: when stderr does not keep up and [`BACKLOG`] bytes are waiting, a request
//! waits for the writer (as it waited on stderr before). A line reaches stderr within about
//! [`GATHER`] of its request, so only a process killed within that time of a request loses it.

use std::io::Write;
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::time::Duration;

/// Bytes of log lines that may wait for stderr before a request waits instead.
pub const BACKLOG: usize = 1 << 20;

/// How long the writer lets lines gather after the first one arrives: the most a line waits.
pub const GATHER: Duration = Duration::from_millis(1);

/// A `tracing_subscriber` writer (`.with_writer(LogWriter::stderr())`) whose lines reach stderr
/// from a thread of its own, in order.
#[derive(Clone)]
pub struct LogWriter {
    /// None when no thread could be started: each line is then written by its request.
    shared: Option<Arc<Shared>>,
}

struct Shared {
    pending: Mutex<Pending>,
    /// The writer waits here for lines.
    arrived: Condvar,
    /// A request waits here while the backlog is full.
    drained: Condvar,
}

#[derive(Default)]
struct Pending {
    bytes: Vec<u8>,
    /// The writer thread is waiting on `arrived` (so a line must wake it); while it writes, the
    /// next lines just gather, without a wake-up call each.
    idle: bool,
}

impl LogWriter {
    /// Starts the writer thread, which lives as long as the process.
    pub fn stderr() -> LogWriter {
        LogWriter::to(std::io::stderr())
    }

    fn to(mut out: impl Write + Send + 'static) -> LogWriter {
        let shared = Arc::new(Shared {
            pending: Mutex::new(Pending::default()),
            arrived: Condvar::new(),
            drained: Condvar::new(),
        });
        let theirs = shared.clone();
        let spawned = std::thread::Builder::new()
            .name("ontap-emulator-log".into())
            .spawn(move || {
                let mut batch = Vec::new();
                loop {
                    {
                        let mut p = theirs.lock();
                        while p.bytes.is_empty() {
                            p.idle = true;
                            p = theirs.arrived.wait(p).unwrap_or_else(|e| e.into_inner());
                        }
                        p.idle = false;
                    }
                    // Let the lines of a busy moment gather: woken for each line, this thread
                    // cost more than the writes it saved.
                    std::thread::sleep(GATHER);
                    std::mem::swap(&mut theirs.lock().bytes, &mut batch);
                    theirs.drained.notify_all();
                    // A stderr that fails (closed) fails for every line alike; as with a direct
                    // write, the lines are lost and the emulator goes on.
                    let _ = out.write_all(&batch).and_then(|()| out.flush());
                    batch.clear();
                }
            });
        LogWriter {
            shared: spawned.is_ok().then_some(shared),
        }
    }
}

impl Shared {
    fn lock(&self) -> MutexGuard<'_, Pending> {
        self.pending.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// One event's writer: tracing-subscriber formats a whole line, then writes it in one call.
pub struct Line<'a>(Option<&'a Shared>);

impl Write for Line<'_> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let Some(shared) = self.0 else {
            return std::io::stderr().write(buf);
        };
        let mut p = shared.lock();
        while p.bytes.len() >= BACKLOG {
            p = shared.drained.wait(p).unwrap_or_else(|e| e.into_inner());
        }
        p.bytes.extend_from_slice(buf);
        let wake = p.idle;
        drop(p);
        if wake {
            shared.arrived.notify_one();
        }
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl<'a> tracing_subscriber::fmt::MakeWriter<'a> for LogWriter {
    type Writer = Line<'a>;

    fn make_writer(&'a self) -> Line<'a> {
        Line(self.shared.as_deref())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Instant;
    use tracing_subscriber::fmt::MakeWriter;

    /// What the writer thread wrote, shared with the test.
    #[derive(Clone, Default)]
    struct Sink(Arc<Mutex<Vec<u8>>>);

    impl Write for Sink {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            self.0.lock().expect("the sink").extend_from_slice(buf);
            Ok(buf.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    #[test]
    fn every_line_arrives_whole_and_in_each_writers_order() {
        let sink = Sink::default();
        let log = LogWriter::to(sink.clone());
        const THREADS: usize = 4;
        const LINES: usize = 2000;
        std::thread::scope(|s| {
            for t in 0..THREADS {
                let log = &log;
                s.spawn(move || {
                    for i in 0..LINES {
                        // Long enough that the backlog fills now and then.
                        let line = format!("{t} {i} {}\n", "x".repeat(1000));
                        log.make_writer()
                            .write_all(line.as_bytes())
                            .expect("a queued line");
                    }
                });
            }
        });
        let hang_guard = Instant::now() + Duration::from_secs(60);
        let want = THREADS * LINES;
        let text = loop {
            let text =
                String::from_utf8(sink.0.lock().expect("the sink").clone()).expect("whole lines");
            if text.lines().count() >= want || Instant::now() > hang_guard {
                break text;
            }
            std::thread::sleep(Duration::from_millis(5));
        };
        let mut next = [0usize; THREADS];
        for line in text.lines() {
            let mut words = line.split(' ');
            let t: usize = words.next().and_then(|w| w.parse().ok()).expect("a thread");
            let i: usize = words.next().and_then(|w| w.parse().ok()).expect("a number");
            assert_eq!(i, next[t], "thread {t}'s lines in order");
            assert_eq!(words.next().map(str::len), Some(1000), "a whole line");
            next[t] += 1;
        }
        assert_eq!(next, [LINES; THREADS]);
    }
}
