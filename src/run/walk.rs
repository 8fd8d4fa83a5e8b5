//! A collection walked to its end by `_links.next`, as NetApp's clients page (`follow_next:
//! true` on a step): the pages become one answer whose `records` are all the records walked, so
//! the step's own expectations judge the whole walk (`num_records`, `records: {distinct: true}`).
//!
//! The walk itself fails what no single page shows: a cursor that comes back (a client would
//! loop for ever), a walk that does not end, a page whose `num_records` is not its own count.

use std::collections::HashSet;

use serde_json::{Value, json};

use super::case_run::CaseRun;
use super::http::Outgoing;
use crate::check::{Problem, Response};

/// More pages than this and the walk is taken as endless: ONTAP's largest page is 10,000
/// records, and no generated walk pages a collection that large one record at a time.
const MAX_PAGES: usize = 10_000;

/// What a walk found: the answer to judge, the problems of the walk itself, a note for the
/// report.
pub(super) struct Walked {
    pub response: Response,
    pub problems: Vec<Problem>,
    pub note: String,
}

impl CaseRun<'_> {
    /// `first` with `max_records` set so that its walk takes about `pages` pages: the count is
    /// read first with `return_records=false`, which answers no record, however many the
    /// collection holds.
    pub(super) async fn sized_walk(
        &self,
        label: &str,
        first: &Outgoing,
        pages: u32,
    ) -> Result<Outgoing, Problem> {
        let with = |set: &[(&str, String)]| -> Outgoing {
            let mut out = first.clone();
            out.url = with_query(&first.url, set);
            out
        };
        let count = with(&[("return_records", "false".into())]);
        let sent = self.ctx.target.send(&count).await;
        self.record(None, &format!("{label} (count)"), &count, &sent);
        let resp = sent.map_err(Problem::msg)?;
        let n = resp
            .body
            .as_ref()
            .and_then(|b| b.get("num_records"))
            .and_then(Value::as_u64)
            .filter(|_| (200..300).contains(&resp.status))
            .ok_or_else(|| Problem {
                expected: Some("a 2xx with num_records".into()),
                actual: Some(resp.status.to_string()),
                ..Problem::msg(
                    "the collection's count (return_records=false) did not answer num_records, so the walk cannot be sized",
                )
            })?;
        let size = n.div_ceil(u64::from(pages)).max(1);
        Ok(with(&[("max_records", size.to_string())]))
    }

    /// Follows `first`'s next links to the end, sending each as `first_req` was sent.
    pub(super) async fn walk(&self, label: &str, first_req: &Outgoing, first: Response) -> Walked {
        let mut problems = Vec::new();
        let mut records: Vec<Value> = Vec::new();
        let mut seen = HashSet::new();
        seen.insert(path_of(&first_req.url).to_string());
        let mut page = first;
        let mut pages = 1usize;
        let response_template = page.clone();
        while let Some(body) = page.body.as_ref() {
            let here: Vec<Value> = body
                .get("records")
                .and_then(Value::as_array)
                .cloned()
                .unwrap_or_default();
            if let Some(n) = body.get("num_records").and_then(Value::as_u64)
                && n != here.len() as u64
            {
                problems.push(Problem {
                    pointer: Some("/num_records".into()),
                    expected: Some(here.len().to_string()),
                    actual: Some(n.to_string()),
                    ..Problem::msg(format!(
                        "page {pages} of the walk says num_records {n} but holds {} records",
                        here.len()
                    ))
                });
            }
            records.extend(here);
            let Some(next) = body.pointer("/_links/next/href").and_then(Value::as_str) else {
                break;
            };
            // An absolute link is as good as a relative one (RFC 3986): follow its path.
            let next = path_of(next);
            if !seen.insert(next.to_string()) {
                problems.push(Problem {
                    pointer: Some("/_links/next/href".into()),
                    actual: Some(next.to_string()),
                    ..Problem::msg(format!(
                        "page {pages}'s next link `{next}` was served already: a client following it would never end"
                    ))
                });
                break;
            }
            if pages >= MAX_PAGES {
                problems.push(Problem::msg(format!(
                    "the walk did not end after {MAX_PAGES} pages"
                )));
                break;
            }
            let req =
                self.ctx
                    .target
                    .request(&first_req.method, next, None, first_req.auth.clone());
            let got = self.ctx.target.send(&req).await;
            self.record(None, label, &req, &got);
            pages += 1;
            match got {
                Ok(r) if (200..300).contains(&r.status) => page = r,
                Ok(r) => {
                    problems.push(Problem {
                        expected: Some("2xx".into()),
                        actual: Some(r.status.to_string()),
                        ..Problem::msg(format!(
                            "page {pages} of the walk (`{next}`) answered {}",
                            r.status
                        ))
                    });
                    break;
                }
                Err(e) => {
                    problems.push(Problem::msg(format!("page {pages} of the walk: {e}")));
                    break;
                }
            }
        }
        let mut body = response_template.body.clone().unwrap_or_else(|| json!({}));
        if let Some(obj) = body.as_object_mut() {
            obj.insert("num_records".into(), json!(records.len()));
            obj.insert("records".into(), Value::Array(records));
            if let Some(links) = obj.get_mut("_links").and_then(Value::as_object_mut) {
                links.remove("next");
            }
        }
        Walked {
            note: format!("walked {pages} pages by _links.next"),
            response: Response {
                body: Some(body),
                ..response_template
            },
            problems,
        }
    }
}

/// The path and query of a URL (`http://h:1/api/x?y` → `/api/x?y`).
fn path_of(url: &str) -> &str {
    url.find("/api").map(|i| &url[i..]).unwrap_or(url)
}

/// `url` (a path with its query) with each of `set` in its query, replacing a value it had.
fn with_query(url: &str, set: &[(&str, String)]) -> String {
    let (path, query) = url.split_once('?').unwrap_or((url, ""));
    let mut pairs: Vec<(String, String)> = url::form_urlencoded::parse(query.as_bytes())
        .into_owned()
        .filter(|(k, _)| !set.iter().any(|(s, _)| s == k))
        .collect();
    pairs.extend(set.iter().map(|(k, v)| (k.to_string(), v.clone())));
    let encoded = url::form_urlencoded::Serializer::new(String::new())
        .extend_pairs(&pairs)
        .finish();
    format!("{path}?{encoded}")
}
