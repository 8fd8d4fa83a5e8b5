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

/// How many [`GATHER`]s without a line before the writer waits to be woken (see its loop).
const QUIET: u32 = 50;

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
                let mut quiet = 0;
                loop {
                    {
                        let mut p = theirs.lock();
                        // While lines keep coming, this thread looks for them every [`GATHER`]
                        // on its own: a request that had to wake it (a futex call) for every
                        // batch paid a hundredth of its cost for it under `wrk`. Only after
                        // [`QUIET`] without a line does it wait to be woken.
                        if p.bytes.is_empty() && quiet < QUIET {
                            quiet += 1;
                            drop(p);
                            std::thread::sleep(GATHER);
                            continue;
                        }
                        while p.bytes.is_empty() {
                            p.idle = true;
                            p = theirs.arrived.wait(p).unwrap_or_else(|e| e.into_inner());
                        }
                        p.idle = false;
                        quiet = 0;
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

impl LogWriter {
    fn make_line(&self) -> Line<'_> {
        Line(self.shared.as_deref())
    }
}

impl<'a> tracing_subscriber::fmt::MakeWriter<'a> for LogWriter {
    type Writer = Line<'a>;

    fn make_writer(&'a self) -> Line<'a> {
        self.make_line()
    }
}

/// The log lines' timestamps, exactly as tracing-subscriber's default timer writes them
/// (`2024-03-04T05:46:21.123456Z`, UTC), with the date and time of day formatted once per second
/// per thread instead of for every line: that formatting was a third of what the request log
/// line cost the emulator under `wrk` (`benches/README.md`).
#[derive(Clone, Copy, Debug, Default)]
pub struct LogTime;

thread_local! {
    static SECOND: std::cell::RefCell<Second> = const {
        std::cell::RefCell::new(Second { at: u64::MAX, text: String::new() })
    };
    /// A request line in the making (see [`request`]).
    static LINE: std::cell::RefCell<String> = const { std::cell::RefCell::new(String::new()) };
}

impl tracing_subscriber::fmt::time::FormatTime for LogTime {
    fn format_time(&self, w: &mut tracing_subscriber::fmt::format::Writer<'_>) -> std::fmt::Result {
        let now = std::time::SystemTime::now();
        SECOND.with_borrow_mut(|second| second.stamp(now, w))
    }
}

/// Where request lines go straight (see [`LogWriter::with_request_lines`]).
static REQUEST_LINES: std::sync::OnceLock<LogWriter> = std::sync::OnceLock::new();

impl LogWriter {
    /// Also takes the request log's lines straight from the handlers, laid out here as the
    /// subscriber's own format lays them out (`2024-03-04T05:46:21.123456Z  INFO GET
    /// /api/cluster 200 0 ms`), not through tracing's formatting of the message, which was half
    /// of what a line cost and a twentieth of what a request cost under `wrk`
    /// (`scripts/bench/load.sh`). Only for a subscriber that writes to this writer with
    /// [`LogTime`], `with_target(false)` and no ANSI colours: the line is then the same, byte for
    /// byte (a test holds the two together). The filter still decides (`enabled!`).
    pub fn with_request_lines(self) -> LogWriter {
        let _ = REQUEST_LINES.set(self.clone());
        self
    }
}

/// Logs the line of a request that was answered: method, path (no query, no body, no
/// `Authorization`), status and time.
pub(crate) fn request(method: &str, path: &str, status: u16, ms: u128) {
    if !tracing::enabled!(target: "ontap_emulator::server", tracing::Level::INFO) {
        return;
    }
    // What tracing would escape (control characters, C1 codes) goes through tracing; hyper lets
    // none of it into a path, so this is for the unexpected.
    let plain = |s: &str| s.bytes().all(|b| (0x20..0x7f).contains(&b));
    match REQUEST_LINES.get() {
        Some(writer) if plain(method) && plain(path) => {
            let now = std::time::SystemTime::now();
            LINE.with_borrow_mut(|line| {
                line.clear();
                let _ = SECOND.with_borrow_mut(|second| second.stamp(now, line));
                request_line(line, method, path, status, ms);
                let _ = writer.make_line().write_all(line.as_bytes());
            });
        }
        _ => tracing::info!(target: "ontap_emulator::server", "{method} {path} {status} {ms} ms"),
    }
}

/// Everything of a request's line after its timestamp, as the subscriber writes it.
fn request_line(line: &mut String, method: &str, path: &str, status: u16, ms: u128) {
    use std::fmt::Write as _;
    line.push_str("  INFO ");
    line.push_str(method);
    line.push(' ');
    line.push_str(path);
    let _ = writeln!(line, " {status} {ms} ms");
}

/// The text of one second, `YYYY-MM-DDTHH:MM:SS`, kept until the clock leaves it.
struct Second {
    at: u64,
    text: String,
}

impl Second {
    /// Writes `now` as tracing-subscriber's timer writes it.
    fn stamp(
        &mut self,
        now: std::time::SystemTime,
        out: &mut impl std::fmt::Write,
    ) -> std::fmt::Result {
        let since = now
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap_or_default();
        if since.as_secs() != self.at {
            self.at = since.as_secs();
            self.text = i64::try_from(self.at)
                .ok()
                .and_then(|s| chrono::DateTime::from_timestamp(s, 0))
                .unwrap_or_default()
                .format("%Y-%m-%dT%H:%M:%S")
                .to_string();
        }
        let mut tail = *b".000000Z";
        let micros = since.subsec_micros();
        for (digit, shift) in tail[1..7]
            .iter_mut()
            .zip([100_000, 10_000, 1_000, 100, 10, 1])
        {
            *digit = b'0' + (micros / shift % 10) as u8;
        }
        out.write_str(&self.text)?;
        // ASCII digits, '.' and 'Z': always UTF-8.
        out.write_str(std::str::from_utf8(&tail).unwrap_or(".000000Z"))
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

    /// The line [`request`] writes straight is the line the subscriber writes for the same
    /// event, as `emulate` and `ontap-emulator` set it up: one log, one layout.
    #[test]
    fn a_request_line_written_straight_is_the_subscribers_line() {
        struct Fixed;
        impl tracing_subscriber::fmt::time::FormatTime for Fixed {
            fn format_time(
                &self,
                w: &mut tracing_subscriber::fmt::format::Writer<'_>,
            ) -> std::fmt::Result {
                w.write_str("2024-03-04T05:46:21.123456Z")
            }
        }
        let sink = Sink::default();
        let made = sink.clone();
        let subscriber = tracing_subscriber::fmt()
            .with_ansi(false)
            .with_timer(Fixed)
            .with_writer(move || made.clone())
            .with_target(false)
            .finish();
        let dispatch = tracing::Dispatch::new(subscriber);
        let cases = [
            (
                "GET",
                "/api/storage/volumes/2a8bd19c-a4ae-4913-b6fa-6b0e7721a27e",
                200,
                0,
            ),
            ("PATCH", "/api/svm/svms/{uuid}%20x", 404, 12345),
            ("OPTIONS", "/", 405, 7),
        ];
        let mut want = String::new();
        for (method, path, status, ms) in cases {
            tracing::dispatcher::with_default(&dispatch, || {
                tracing::info!(target: "ontap_emulator::server", "{method} {path} {status} {ms} ms");
            });
            want.push_str("2024-03-04T05:46:21.123456Z");
            request_line(&mut want, method, path, status, ms);
        }
        let got = String::from_utf8(sink.0.lock().expect("the sink").clone()).expect("text");
        assert_eq!(got, want);
    }

    #[test]
    fn timestamps_are_rfc_3339_in_utc_with_microseconds_as_before() {
        let mut second = Second {
            at: u64::MAX,
            text: String::new(),
        };
        let base = std::time::UNIX_EPOCH + Duration::from_secs(1_709_531_181);
        for offset_us in [0, 7, 999_999, 1_000_000, 1_000_001, 86_400_123_456, 40] {
            let at = base + Duration::from_micros(offset_us);
            let want = chrono::DateTime::<chrono::Utc>::from(at)
                .to_rfc3339_opts(chrono::SecondsFormat::Micros, true);
            let mut got = String::new();
            second.stamp(at, &mut got).expect("a String takes it");
            assert_eq!(got, want);
        }
        let mut got = String::new();
        second
            .stamp(base + Duration::from_micros(123_456), &mut got)
            .expect("a String takes it");
        assert_eq!(got, "2024-03-04T05:46:21.123456Z");
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
