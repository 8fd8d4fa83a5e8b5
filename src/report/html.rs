//! `conformance.html`: one self-contained page for people: summary, coverage matrix, failing
//! cases first with what to run to reproduce them. No script, style or font from the network.
//! Cases that could not be judged (`error`) have their own colour and section, apart from the
//! failures, and appear only when there are some, so a clean run's page is as it was.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::io::{self, Write};
use std::path::Path;

use super::model::{CaseResult, CellKind, CellState, Outcome, RunReport};
use super::store::Cases;

/// Escapes text for HTML element content and attribute values.
pub fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

const STYLE: &str = r#"
body{font:14px/1.45 system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:2rem;color:#1d2330;background:#fff}
h1{font-size:1.5rem;margin:0 0 .3rem} h2{font-size:1.15rem;margin:2rem 0 .6rem;border-bottom:1px solid #dde1e8;padding-bottom:.3rem}
.meta{color:#566074} .cards{display:flex;gap:.8rem;margin:1rem 0}
.card{border:1px solid #dde1e8;border-radius:6px;padding:.6rem 1rem;min-width:6.5rem}
.card b{display:block;font-size:1.6rem} .pass{color:#17803d} .fail{color:#c0262d} .error{color:#8b3fb0} .skip{color:#8a6d00} .none{color:#8792a2}
table{border-collapse:collapse;width:100%} th,td{text-align:left;padding:.3rem .5rem;border-bottom:1px solid #eceef2;vertical-align:top}
th{background:#f5f6f8;font-weight:600} code,pre{font:12px/1.4 ui-monospace,SFMono-Regular,Menlo,monospace}
pre{background:#f5f6f8;padding:.6rem;overflow:auto;white-space:pre-wrap;word-break:break-all;border-radius:4px}
.cell{display:inline-block;margin:.1rem;padding:.1rem .4rem;border-radius:3px;font:12px ui-monospace,monospace;border:1px solid}
.cell.pass{background:#e7f6ec;border-color:#9fd8b0} .cell.fail{background:#fde8e8;border-color:#f1a3a6}
.cell.skip{background:#fff6d6;border-color:#ecd87e} .cell.none{background:#f3f4f6;border-color:#d5d9e0}
.cell.error{background:#f4e8fb;border-color:#cfa6e6} .cell.conv{border-style:dashed}
.failure{border:1px solid #f1a3a6;border-radius:6px;padding:.2rem 1rem 1rem;margin:1rem 0}
.failure.error{border-color:#cfa6e6}
.legend .cell{margin-right:.6rem}
details.group{border:1px solid #eceef2;border-radius:6px;margin:.4rem 0;padding:.2rem .6rem}
details.group>summary{cursor:pointer;padding:.2rem 0} details.group>summary b{margin-right:.5rem}
tr.op th{background:#fafbfc;font-weight:500}
.switch{margin:.4rem 0 .8rem;display:inline-block}
#failing-only:checked~.groups details.clean,#failing-only:checked~.groups tr.clean,#failing-only-view:target~.groups details.clean,#failing-only-view:target~.groups tr.clean{display:none}
"#;

pub fn render(report: &RunReport) -> String {
    let mut out = Vec::new();
    match write_to(&mut out, report, &report.cases) {
        Ok(()) => String::from_utf8_lossy(&out).into_owned(),
        Err(e) => format!("<!-- cannot render: {e} -->\n"),
    }
}

/// Moves what `h` holds to `out` once it is large, so a page of 100,000 rows is never whole in
/// memory.
fn spill(h: &mut String, out: &mut dyn Write) -> io::Result<()> {
    if h.len() >= 1 << 16 {
        out.write_all(h.as_bytes())?;
        h.clear();
    }
    Ok(())
}

/// The page for `head`'s run with `cases` as its cases (`head.cases` is not read).
pub fn write_to(out: &mut dyn Write, head: &RunReport, cases: &dyn Cases) -> io::Result<()> {
    let report = head;
    let s = &report.summary;
    let mut h = String::new();
    let errors = if s.errors > 0 {
        format!(", {} could not be judged", s.errors)
    } else {
        String::new()
    };
    let _ = write!(
        h,
        "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>ONTAP conformance: {} failed{errors}, {} passed</title><style>{STYLE}</style></head><body>",
        s.failed, s.passed
    );
    let _ = write!(
        h,
        "<h1>ONTAP REST conformance</h1><p class=\"meta\">Target <code>{}</code>{} &middot; {} &middot; {} mode &middot; started {} &middot; {} ms &middot; {}</p>",
        esc(&report.target),
        if report.embedded_emulator {
            " (embedded emulator)"
        } else {
            ""
        },
        esc(&super::text::version_label(report)),
        report.mode.as_str(),
        esc(&report.started_at),
        report.duration_ms,
        esc(&report.tool)
    );
    let error_card = if s.errors > 0 {
        format!(
            "<div class=\"card error\"><b>{}</b>could not be judged</div>",
            s.errors
        )
    } else {
        String::new()
    };
    let _ = write!(
        h,
        "<div class=\"cards\"><div class=\"card\"><b>{}</b>cases</div><div class=\"card pass\"><b>{}</b>passed</div><div class=\"card fail\"><b>{}</b>failed</div>{error_card}<div class=\"card skip\"><b>{}</b>skipped</div></div>",
        s.total, s.passed, s.failed, s.skipped
    );

    // Coverage matrix: one row per operation, one cell per documented status and error code.
    let error_legend = if report.coverage.iter().any(|c| c.state == CellState::Error) {
        "<span class=\"cell error\">could not be judged</span>"
    } else {
        ""
    };
    let _ = write!(
        h,
        "<h2>Coverage of documented statuses and ONTAP error codes</h2><p class=\"legend\"><span class=\"cell pass\">passing</span><span class=\"cell fail\">failing</span>{error_legend}<span class=\"cell skip\">skipped</span><span class=\"cell none\">no case</span><span class=\"cell conv\">dashed: the code is documented, its exact status this suite's convention</span></p><table><tr><th>Operation</th><th>Success statuses</th><th>ONTAP error codes</th></tr>"
    );
    // Rows by (folded tag, path, method): the curated spec's and overlays' rows stand in the
    // table; NetApp's imported layer, hundreds of operations once the generated checks cover
    // it, is folded per tag, opened where a cell fails.
    let mut rows: BTreeMap<RowKey, RowCells> = BTreeMap::new();
    let mut failing_tags: std::collections::BTreeSet<String> = Default::default();
    for c in &report.coverage {
        let folded = (c.layer == Some(crate::spec::Layer::Imported))
            .then(|| c.tag.clone().unwrap_or_else(|| "(no tag)".into()));
        if let Some(t) = &folded
            && matches!(c.state, CellState::Fail | CellState::Error)
        {
            failing_tags.insert(t.clone());
        }
        let mut title = if c.cases.is_empty() {
            "no case".to_string()
        } else {
            c.cases.join(", ")
        };
        for (what, basis) in [("code", &c.basis), ("status", &c.status_basis)] {
            if let Some(b) = basis {
                title.push_str(&format!("; {what}: {b}"));
            }
        }
        let conv = if c.status_basis.as_ref().is_some_and(|b| b.is_convention()) {
            " conv"
        } else {
            ""
        };
        let cell = format!(
            "<span class=\"cell {}{conv}\" title=\"{}\">{}</span>",
            c.state.as_str(),
            esc(&title),
            esc(&c.value)
        );
        let row = rows
            .entry((folded, c.path.clone(), c.method.clone()))
            .or_default();
        if c.kind == CellKind::Status {
            row.0.push(cell);
        } else {
            row.1.push(cell);
        }
    }
    let mut open_tag: Option<String> = None;
    for ((folded, path, method), (statuses, errors)) in rows {
        if folded != open_tag {
            if open_tag.is_some() {
                h.push_str("</table></details>");
            } else {
                h.push_str("</table>");
            }
            if let Some(tag) = &folded {
                let n = report
                    .coverage
                    .iter()
                    .filter(|c| {
                        c.layer == Some(crate::spec::Layer::Imported)
                            && c.tag.as_deref().unwrap_or("(no tag)") == tag
                    })
                    .map(|c| (&c.path, &c.method))
                    .collect::<std::collections::BTreeSet<_>>()
                    .len();
                let open = if failing_tags.contains(tag) {
                    " open"
                } else {
                    ""
                };
                let _ = write!(
                    h,
                    "<details class=\"group\"{open}><summary><b>{}</b>NetApp's imported API: {n} operations a check touched{}</summary><table><tr><th>Operation</th><th>Success statuses</th><th>ONTAP error codes</th></tr>",
                    esc(tag),
                    if open.is_empty() {
                        ""
                    } else {
                        ", some failing"
                    }
                );
            }
            open_tag = folded;
        }
        let _ = write!(
            h,
            "<tr><td><code>{} {}</code></td><td>{}</td><td>{}</td></tr>",
            esc(&method),
            esc(&path),
            statuses.join(""),
            errors.join("")
        );
    }
    h.push_str(if open_tag.is_some() {
        "</table></details>"
    } else {
        "</table>"
    });
    if let Some(imported) = &report.imported_coverage {
        imported_section(&mut h, imported);
    }

    for (outcome, title) in [
        (Outcome::Fail, "Failing cases"),
        (Outcome::Error, "Cases that could not be judged"),
    ] {
        let with: Vec<usize> = (0..cases.len())
            .filter(|i| cases.outcome(*i) == outcome)
            .collect();
        if !with.is_empty() {
            let _ = write!(h, "<h2>{title} ({})</h2>", with.len());
            for i in with {
                failing_case(&mut h, &*cases.case(i)?);
                spill(&mut h, out)?;
            }
        }
    }

    let deviating: Vec<usize> = (0..cases.len())
        .filter(|i| cases.deviations(*i) > 0)
        .collect();
    let count: usize = deviating.iter().map(|i| cases.deviations(*i)).sum();
    if count > 0 {
        let _ = write!(
            h,
            "<h2>Deviations ({})</h2><p class=\"meta\">Where the target broke one of this suite's conventions: reported, not failed, in lenient mode.</p><table><tr><th>Case</th><th>Where</th><th>Expected</th><th>Actual</th><th>Deviation</th><th>Why the suite holds it</th></tr>",
            count
        );
        for i in deviating {
            let c = cases.case(i)?;
            for d in &c.deviations {
                let _ = write!(
                    h,
                    "<tr><td>{}::{}</td><td><code>{}</code></td><td><code>{}</code></td><td><code>{}</code></td><td>{}</td><td>{}</td></tr>",
                    esc(&c.area),
                    esc(&c.id),
                    esc(d.location.as_deref().unwrap_or(&d.step)),
                    esc(d.expected.as_deref().unwrap_or("")),
                    esc(d.actual.as_deref().unwrap_or("")),
                    esc(&d.message),
                    esc(d.basis.as_ref().map(|b| b.source()).unwrap_or(""))
                );
            }
            spill(&mut h, out)?;
        }
        h.push_str("</table>");
    }

    all_cases(&mut h, out, cases)?;
    h.push_str("</body></html>\n");
    out.write_all(h.as_bytes())
}

/// A matrix row: the tag it is folded under (imported layer only), its path and method.
type RowKey = (Option<String>, String, String);
/// A matrix row's cells: success statuses, then error codes.
type RowCells = (Vec<String>, Vec<String>);

/// Every case, in groups (an area, or the generated checks of one tag: [`Cases::group`]): a
/// group with a failing case first and open, the others folded; in a group, failing cases first,
/// then by id (which starts with the operation for a generated check). A "failing only" switch
/// hides every passing and skipped row and group, with CSS alone (the page has no script).
fn all_cases(h: &mut String, out: &mut dyn Write, cases: &dyn Cases) -> io::Result<()> {
    let mut bases = Bases::default();
    let mut groups: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
    for i in 0..cases.len() {
        groups.entry(cases.group(i)).or_default().push(i);
    }
    let failing = |i: &usize| cases.outcome(*i).is_failing();
    let mut order: Vec<(&str, Vec<usize>)> = groups.into_iter().collect();
    // Groups with a failure first; otherwise by name (BTreeMap order, kept by a stable sort).
    order.sort_by_key(|(_, idx)| !idx.iter().any(failing));
    let _ = write!(
        h,
        "<h2>All cases ({}), by group</h2><input type=\"checkbox\" id=\"failing-only\"><label class=\"switch\" for=\"failing-only\"> failing only</label> <span class=\"meta\">(or open the page at <a href=\"#failing-only-view\">#failing-only-view</a>)</span><span id=\"failing-only-view\"></span><div class=\"groups\">",
        cases.len()
    );
    for (group, mut idx) in order {
        idx.sort_by(|a, b| (!failing(a), cases.id(*a)).cmp(&(!failing(b), cases.id(*b))));
        let count = |o: Outcome| idx.iter().filter(|i| cases.outcome(**i) == o).count();
        let bad = count(Outcome::Fail) + count(Outcome::Error);
        let (class, open) = if bad > 0 {
            ("", " open")
        } else {
            (" clean", "")
        };
        let _ = write!(
            h,
            "<details class=\"group{class}\"{open}><summary><b>{}</b>{} cases: <span class=\"pass\">{} passed</span>, <span class=\"fail\">{} failed</span>{}, <span class=\"skip\">{} skipped</span></summary><table><tr><th>Case</th><th>Operation</th><th>Expected</th><th>What each check rests on</th><th>Outcome</th><th>ms</th></tr>",
            esc(group),
            idx.len(),
            count(Outcome::Pass),
            count(Outcome::Fail),
            match count(Outcome::Error) {
                0 => String::new(),
                n => format!(", <span class=\"error\">{n} not judged</span>"),
            },
            count(Outcome::Skip),
        );
        for i in idx {
            case_row(h, &*cases.case(i)?, &mut bases);
            spill(h, out)?;
        }
        h.push_str("</table></details>");
    }
    h.push_str("</div>");
    bases.write(h);
    Ok(())
}

/// The sources the checks rest on, each written once at the end of the page and referred to by
/// number from the rows: thousands of checks rest on a few dozen sources, and a sentence repeated
/// in every row was most of the page.
#[derive(Default)]
struct Bases {
    index: BTreeMap<(String, String), usize>,
}

impl Bases {
    fn number(&mut self, kind: &str, source: &str) -> usize {
        let next = self.index.len() + 1;
        *self
            .index
            .entry((kind.to_string(), source.to_string()))
            .or_insert(next)
    }

    fn write(&self, h: &mut String) {
        if self.index.is_empty() {
            return;
        }
        let mut by_number: Vec<(&usize, &(String, String))> =
            self.index.iter().map(|(k, n)| (n, k)).collect();
        by_number.sort();
        h.push_str("<h2>What the checks rest on</h2><table><tr><th>#</th><th>Basis</th><th>Source</th></tr>");
        for (n, (kind, source)) in by_number {
            let _ = write!(
                h,
                "<tr id=\"basis-{n}\"><td>{n}</td><td>{}</td><td>{}</td></tr>",
                esc(kind),
                esc(source)
            );
        }
        h.push_str("</table>");
    }
}

/// One row of the cases' table: each check with the kind of its basis and the number of its
/// source in the table at the page's end.
fn case_row(h: &mut String, c: &CaseResult, bases: &mut Bases) {
    let expected = match (&c.expected.status_text(), &c.expected.error_code) {
        (Some(s), Some(e)) => format!("{s} / {e}"),
        (Some(s), None) => s.to_string(),
        (None, Some(e)) => e.clone(),
        (None, None) => String::new(),
    };
    let clean = if c.outcome.is_failing() {
        ""
    } else {
        " class=\"clean\""
    };
    // A generated check's title starts with its operation, which the next column shows.
    let key = format!("{} {}: ", c.operation.method, c.operation.path);
    let title = c.title.strip_prefix(&key).unwrap_or(&c.title);
    let checks = c
        .checks
        .iter()
        .map(|k| {
            let n = bases.number(k.basis.kind(), k.basis.source());
            format!(
                "{}: {} <a href=\"#basis-{n}\">[{n}]</a>",
                esc(&k.what),
                k.basis.kind()
            )
        })
        .collect::<Vec<_>>()
        .join("<br>");
    let _ = write!(
        h,
        "<tr{clean}><td>{}::{}<br><span class=\"meta\">{}</span></td><td><code>{} {}</code></td><td>{}</td><td class=\"meta\">{}</td><td class=\"{}\">{}{}</td><td>{}</td></tr>",
        esc(&c.area),
        esc(&c.id),
        esc(title),
        esc(&c.operation.method),
        esc(&c.operation.path),
        esc(&expected),
        checks,
        c.outcome.as_str(),
        c.outcome.as_str(),
        c.skip_reason
            .as_ref()
            .map(|r| format!(": {}", esc(r)))
            .unwrap_or_default(),
        c.duration_ms
    );
}

/// One failing or errored case: every problem (with the case file's line when known), then each
/// step's curl line and response.
/// NetApp's imported layer: counts per tag, folded away (thousands of codes are a number to read,
/// not a wall of cells); the operations a case touched are rows of the matrix above.
fn imported_section(h: &mut String, imported: &crate::report::coverage::ImportedCoverage) {
    let t = imported.total();
    let _ = write!(
        h,
        "<details><summary>NetApp's imported API: {} of {} operations and {} of {} documented statuses and error codes have a case</summary><table><tr><th>Tag</th><th>Operations</th><th>with a case</th><th>Statuses and codes</th><th>with a case</th></tr>",
        t.operations_with_a_case, t.operations, t.cells_with_a_case, t.cells
    );
    for (tag, r) in &imported.tags {
        let _ = write!(
            h,
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            esc(if tag.is_empty() { "(no tag)" } else { tag }),
            r.operations,
            r.operations_with_a_case,
            r.cells,
            r.cells_with_a_case
        );
    }
    h.push_str("</table></details>");
}

fn failing_case(h: &mut String, c: &CaseResult) {
    let class = if c.outcome == Outcome::Error {
        "failure error"
    } else {
        "failure"
    };
    let _ = write!(
        h,
        "<section class=\"{class}\" id=\"case-{}\"><h3>{}::{} <span class=\"meta\">{}</span></h3><p><code>{} {}</code> &middot; <code>{}</code></p>",
        esc(&c.id),
        esc(&c.area),
        esc(&c.id),
        esc(&c.title),
        esc(&c.operation.method),
        esc(&c.operation.path),
        esc(&c.file)
    );
    h.push_str("<table><tr><th>Step</th><th>Where</th><th>Expected</th><th>Actual</th><th>Problem</th></tr>");
    for f in &c.failures {
        let location = f
            .location
            .as_ref()
            .map(|l| format!("<br><code>{}</code>", esc(l)))
            .unwrap_or_default();
        let _ = write!(
            h,
            "<tr><td>{}{location}</td><td><code>{}</code></td><td><code>{}</code></td><td><code>{}</code></td><td>{}</td></tr>",
            esc(&f.step),
            esc(f.pointer.as_deref().unwrap_or("")),
            esc(f.expected.as_deref().unwrap_or("")),
            esc(f.actual.as_deref().unwrap_or("")),
            esc(&f.message)
                + &f.basis
                    .as_ref()
                    .map(|b| format!(
                        "<br><span class=\"meta\">rests on: {}</span>",
                        esc(&b.to_string())
                    ))
                    .unwrap_or_default()
        );
    }
    h.push_str("</table>");
    for st in &c.steps {
        let _ = write!(
            h,
            "<p><b>{}</b> &rarr; {}</p><pre>{}</pre>",
            esc(&st.name),
            st.status
                .map(|s| s.to_string())
                .unwrap_or_else(|| "no response".into()),
            esc(&st.curl)
        );
        if let Some(b) = &st.response_body {
            let _ = write!(
                h,
                "<pre>{}</pre>",
                esc(&serde_json::to_string_pretty(b).unwrap_or_default())
            );
        }
    }
    h.push_str("</section>");
}

pub fn write_report(path: &Path, report: &RunReport) -> std::io::Result<()> {
    super::write_atomic(path, render(report).as_bytes())
}
