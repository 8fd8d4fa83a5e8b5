//! ONTAP's collection conventions, shared by every collection: `fields`, query filters (`*`
//! wildcard, `|` alternatives, `!`, `<`/`>`, `null`), `order_by`, `max_records` with
//! `_links.next` (a page of [`DEFAULT_PAGE`] records when it is not given), `return_records`,
//! `num_records`, HAL `_links`.
//!
//! Split by purpose: [`query`] reads the query string, [`filter`] matches and orders records by
//! field, [`text`] writes a page of whole records as JSON text, and this file selects fields
//! and renders a page.

mod filter;
mod query;
mod text;

pub use filter::filter_matches;
pub use query::Query;
pub use text::render_text;

use std::cmp::Ordering;

use serde_json::{Map, Value, json};

use super::error::{ApiError, ApiResult};
use filter::{compare_scalar, sort_key};

/// The records a collection GET answers when `max_records` is not given: "By default, ONTAP
/// returns a maximum of 10,000 objects for a GET request", with a `next` link to the rest
/// ("Input variables controlling an API request").
pub const DEFAULT_PAGE: usize = 10_000;

/// What a collection offers.
pub struct CollectionSpec<'a> {
    /// The collection's path, e.g. `/api/protocols/san/iscsi/credentials`.
    pub path: &'a str,
    /// Fields returned when `fields` is not given (besides `_links`).
    pub default_fields: &'a [&'a str],
    /// Every field (leaf or object) that can be named in `fields`, filters and `order_by`.
    pub known_fields: &'a [&'a str],
    /// Extra query parameters the call accepts that are not filters.
    pub extra_params: &'a [&'a str],
}

/// The query parameters that shape an answer rather than select records.
pub const RESERVED: &[&str] = &[
    "fields",
    "max_records",
    "return_records",
    "return_timeout",
    "order_by",
    "start",
];

fn check_field_names(names: &[String], known: &[&str]) -> ApiResult<()> {
    for n in names {
        if n == "*" || n == "**" || n == "_links" {
            continue;
        }
        if !known.contains(&n.as_str()) {
            return Err(ApiError::invalid_query("fields", n, "<field,...>"));
        }
    }
    Ok(())
}

/// Keeps only the paths in `keep` (dotted), preserving the record's key order.
pub fn project(v: &Value, keep: &[Vec<&str>]) -> Value {
    match v {
        Value::Object(map) => {
            let mut out = Map::new();
            for (k, val) in map {
                let subs: Vec<Vec<&str>> = keep
                    .iter()
                    .filter(|p| p.first() == Some(&k.as_str()))
                    .map(|p| p[1..].to_vec())
                    .collect();
                if subs.is_empty() {
                    continue;
                }
                if subs.iter().any(|s| s.is_empty()) || k == "_links" {
                    out.insert(k.clone(), val.clone());
                } else {
                    let p = project(val, &subs);
                    let empty = matches!(&p, Value::Object(m) if m.is_empty());
                    if !empty {
                        out.insert(k.clone(), p);
                    }
                }
            }
            Value::Object(out)
        }
        Value::Array(items) => Value::Array(items.iter().map(|i| project(i, keep)).collect()),
        other => other.clone(),
    }
}

/// Applies `fields` to one record: nothing or `*` → the whole record; otherwise the key fields,
/// `_links` and the named fields. Takes the record, so the whole one is answered without a copy.
pub fn select_fields(
    record: Value,
    q: &Query,
    key_fields: &[&str],
    known: &[&str],
) -> ApiResult<Value> {
    let fields = q.fields();
    check_field_names(&fields, known)?;
    if fields.is_empty() || fields.iter().any(|f| f == "*" || f == "**") {
        return Ok(record);
    }
    let mut keep: Vec<Vec<&str>> = key_fields.iter().map(|f| f.split('.').collect()).collect();
    keep.push(vec!["_links"]);
    for f in &fields {
        keep.push(f.split('.').collect());
    }
    Ok(project(&record, &keep))
}

/// The paging and shaping parameters of a collection GET, checked.
struct Params {
    fields: Vec<String>,
    return_records: bool,
    max_records: Option<usize>,
    start: usize,
    orders: Vec<(String, bool)>,
}

impl Params {
    fn parse(q: &Query, spec: &CollectionSpec<'_>) -> ApiResult<Params> {
        let fields = q.fields();
        check_field_names(&fields, spec.known_fields)?;
        let return_records = q.bool_param("return_records", true)?;
        q.return_timeout(15)?;
        let max_records = q.max_records()?;
        let start = match q.get("start") {
            None => 0,
            Some(v) => v
                .trim()
                .parse::<usize>()
                .map_err(|_| ApiError::invalid_query("start", v, "<integer>"))?,
        };
        let mut orders: Vec<(String, bool)> = Vec::new();
        for (k, v) in &q.pairs {
            if k != "order_by" {
                continue;
            }
            for item in v.split(',') {
                let mut words = item.split_whitespace();
                let Some(field) = words.next() else { continue };
                let desc = match words.next() {
                    None => false,
                    Some(d) if d.eq_ignore_ascii_case("asc") => false,
                    Some(d) if d.eq_ignore_ascii_case("desc") => true,
                    Some(_) => {
                        return Err(ApiError::invalid_query(
                            "order_by",
                            item.trim(),
                            "<field> [asc|desc],...",
                        ));
                    }
                };
                if !spec.known_fields.contains(&field) {
                    return Err(ApiError::invalid_query(
                        "order_by",
                        field,
                        "<field> [asc|desc],...",
                    ));
                }
                orders.push((field.to_string(), desc));
            }
        }
        Ok(Params {
            fields,
            return_records,
            max_records,
            start,
            orders,
        })
    }
}

/// Whether a query parameter is a filter (anything but the paging and shaping parameters).
fn is_filter(name: &str, spec: &CollectionSpec<'_>) -> bool {
    !(RESERVED.contains(&name) || spec.extra_params.contains(&name))
}

/// Renders a collection GET.
pub fn render(mut records: Vec<Value>, q: &Query, spec: &CollectionSpec<'_>) -> ApiResult<Value> {
    // Validate parameters and apply filters.
    for (k, v) in &q.pairs {
        if !is_filter(k, spec) {
            continue;
        }
        if !spec.known_fields.contains(&k.as_str()) {
            return Err(ApiError::unexpected_argument(k));
        }
        records.retain(|r| filter_matches(r, k, v));
    }
    let params = Params::parse(q, spec)?;
    if !params.orders.is_empty() {
        records.sort_by(|a, b| {
            for (f, desc) in &params.orders {
                let ord = match (sort_key(a, f), sort_key(b, f)) {
                    (Some(x), Some(y)) => compare_scalar(&x, &y),
                    (None, Some(_)) => Ordering::Less,
                    (Some(_), None) => Ordering::Greater,
                    (None, None) => Ordering::Equal,
                };
                let ord = if *desc { ord.reverse() } else { ord };
                if ord != Ordering::Equal {
                    return ord;
                }
            }
            Ordering::Equal
        });
    }
    let total = records.len();
    page(
        total,
        |range| records.drain(range).collect(),
        q,
        spec,
        &params,
    )
}

/// Renders a collection GET of `count` records where `build(i)` makes record `i`, building
/// only the records the answer needs: all of them when the query filters or orders (those look
/// at every record), otherwise only the page's.
///
/// Building every record for every page made a page of 1,000 out of 100,000 iSCSI credentials
/// take over a second and half a gigabyte (`benches/emulator_scale.rs`); a client paging through
/// a large collection, as NetApp's does, asks for exactly such pages.
pub fn render_lazy(
    count: usize,
    build: impl Fn(usize) -> Value,
    q: &Query,
    spec: &CollectionSpec<'_>,
) -> ApiResult<Value> {
    if q.pairs
        .iter()
        .any(|(k, _)| k == "order_by" || is_filter(k, spec))
    {
        return render((0..count).map(build).collect(), q, spec);
    }
    let params = Params::parse(q, spec)?;
    page(count, |range| range.map(&build).collect(), q, spec, &params)
}

/// The collection's path with the request's query: the answer's `self`.
fn self_href(q: &Query, spec: &CollectionSpec<'_>) -> String {
    let qs = q.encode_without(&[]);
    if qs.is_empty() {
        spec.path.to_string()
    } else {
        format!("{}?{}", spec.path, qs)
    }
}

/// The next page's path: every parameter of the request but `start`, then `start=end`.
fn next_href(q: &Query, spec: &CollectionSpec<'_>, end: usize) -> String {
    let mut qs = q.encode_without(&["start"]);
    if !qs.is_empty() {
        qs.push('&');
    }
    qs.push_str(&format!("start={end}"));
    format!("{}?{}", spec.path, qs)
}

/// The answer for `total` records that passed the filters, in order; `take(range)` gives the
/// records of the page, whole.
fn page(
    total: usize,
    take: impl FnOnce(std::ops::Range<usize>) -> Vec<Value>,
    q: &Query,
    spec: &CollectionSpec<'_>,
    params: &Params,
) -> ApiResult<Value> {
    let self_href = self_href(q, spec);
    if !params.return_records {
        return Ok(json!({ "num_records": total, "_links": { "self": { "href": self_href } } }));
    }
    let start = params.start.min(total);
    let end = start
        .saturating_add(params.max_records.unwrap_or(DEFAULT_PAGE))
        .min(total);
    let fields = &params.fields;
    let keep: Option<Vec<Vec<&str>>> = if fields.iter().any(|f| f == "*" || f == "**") {
        None
    } else {
        let mut keep: Vec<Vec<&str>> = spec
            .default_fields
            .iter()
            .map(|f| f.split('.').collect())
            .collect();
        keep.push(vec!["_links"]);
        for f in fields {
            keep.push(f.split('.').collect());
        }
        Some(keep)
    };
    let page: Vec<Value> = take(start..end)
        .into_iter()
        .map(|r| match &keep {
            None => r,
            Some(k) => project(&r, k),
        })
        .collect();
    let mut links = Map::new();
    links.insert("self".into(), json!({ "href": self_href }));
    if end < total {
        links.insert("next".into(), json!({ "href": next_href(q, spec, end) }));
    }
    // Built from its parts, not with `json!`: the macro would copy every record through serde.
    let mut answer = Map::new();
    answer.insert("records".into(), Value::Array(page));
    answer.insert("num_records".into(), Value::from(end - start));
    answer.insert("_links".into(), Value::Object(links));
    Ok(Value::Object(answer))
}

#[cfg(test)]
mod tests {
    use super::*;

    pub(super) fn spec() -> CollectionSpec<'static> {
        CollectionSpec {
            path: "/api/things",
            default_fields: &["name"],
            known_fields: &["name", "kind", "size"],
            extra_params: &[],
        }
    }

    pub(super) fn thing(i: usize) -> Value {
        json!({
            "name": format!("thing{i:02}"),
            "kind": if i.is_multiple_of(3) { "big" } else { "small" },
            "size": i,
            "_links": {"self": {"href": format!("/api/things/{i}")}}
        })
    }

    #[test]
    fn lazy_rendering_answers_what_rendering_all_records_answers() {
        let queries = [
            "",
            "fields=*",
            "fields=kind",
            "max_records=4",
            "max_records=4&start=8",
            "max_records=4&start=99",
            "fields=*&max_records=3&start=3",
            "return_records=false",
            "kind=big",
            "kind=big&max_records=2",
            "order_by=size%20desc&max_records=3",
            "max_records=0",
            "start=abc",
            "fields=nope",
            "order_by=size%20sideways",
            "colour=red",
        ];
        for raw in queries {
            let q = Query::parse(Some(raw));
            let all = render((0..10).map(thing).collect(), &q, &spec());
            let lazy = render_lazy(10, thing, &q, &spec());
            match (all, lazy) {
                (Ok(a), Ok(l)) => assert_eq!(a, l, "{raw}"),
                (Err(a), Err(l)) => assert_eq!(a.body(), l.body(), "{raw}"),
                (a, l) => panic!("{raw}: {:?} vs {:?}", a.is_ok(), l.is_ok()),
            }
        }
    }

    #[test]
    fn lazy_rendering_builds_only_the_page_unless_it_filters_or_orders() {
        let built = std::cell::RefCell::new(Vec::new());
        let build = |i| {
            built.borrow_mut().push(i);
            thing(i)
        };
        let page = |raw: &str| {
            built.borrow_mut().clear();
            render_lazy(10, build, &Query::parse(Some(raw)), &spec()).expect("a valid query");
            built.borrow().clone()
        };
        assert_eq!(page("fields=*&max_records=3&start=3"), [3, 4, 5]);
        assert_eq!(page("return_records=false"), Vec::<usize>::new());
        assert_eq!(page("kind=big&max_records=1").len(), 10);
        assert_eq!(page("order_by=size&max_records=1").len(), 10);
    }

    #[test]
    fn without_max_records_a_page_is_ten_thousand_records_with_a_next_link() {
        let q = Query::parse(None);
        let first = render_lazy(DEFAULT_PAGE + 5, thing, &q, &spec()).expect("a page");
        assert_eq!(first["num_records"], DEFAULT_PAGE);
        assert_eq!(first["_links"]["next"]["href"], "/api/things?start=10000");
        let q = Query::parse(Some("start=10000"));
        let rest = render_lazy(DEFAULT_PAGE + 5, thing, &q, &spec()).expect("a page");
        assert_eq!(rest["num_records"], 5);
        assert!(rest["_links"].get("next").is_none());
    }
}
