//! A collection's page of whole records written as JSON text, without a tree: the GET a
//! client pages or polls with, and the one `scripts/bench/load.sh` measures.

use super::{CollectionSpec, DEFAULT_PAGE, Params, Query, is_filter, next_href, self_href};
use crate::error::ApiResult;

/// [`super::render_lazy`]'s answer written straight to JSON text when the records are answered whole
/// (no filter, no `order_by`, `fields=*`, records returned): `write(i, out)` appends record `i`.
/// `None` when the query asks for more than that (the caller renders a tree instead); errors
/// are the same as [`super::render_lazy`]'s. Without `links` (a plain-JSON answer) the answer's
/// `_links` has only `next`, as [`super::conventions::drop_links`] leaves a tree.
///
/// A tree per record, then serializing it, cost more than the rest of the request's own work
/// (`benches/README.md`).
pub fn render_text(
    count: usize,
    write: impl Fn(usize, &mut Vec<u8>) -> serde_json::Result<()>,
    q: &Query,
    spec: &CollectionSpec<'_>,
    links: bool,
) -> ApiResult<Option<Vec<u8>>> {
    if q.pairs
        .iter()
        .any(|(k, _)| k == "order_by" || is_filter(k, spec))
    {
        return Ok(None);
    }
    let params = Params::parse(q, spec)?;
    if !params.return_records || !params.fields.iter().any(|f| f == "*" || f == "**") {
        return Ok(None);
    }
    let start = params.start.min(count);
    let end = start
        .saturating_add(params.max_records.unwrap_or(DEFAULT_PAGE))
        .min(count);
    let mut out = Vec::with_capacity(256 + 512 * (end - start));
    out.extend_from_slice(b"{\"records\":[");
    for i in start..end {
        if i > start {
            out.push(b',');
        }
        if write(i, &mut out).is_err() {
            return Ok(None);
        }
    }
    out.extend_from_slice(b"],\"num_records\":");
    // Writing to a Vec cannot fail.
    let _ = std::io::Write::write_fmt(&mut out, format_args!("{}", end - start));
    let mut hrefs = Vec::new();
    if links {
        hrefs.push(("self", self_href(q, spec)));
    }
    if end < count {
        hrefs.push(("next", next_href(q, spec, end)));
    }
    if !hrefs.is_empty() {
        out.extend_from_slice(b",\"_links\":{");
        for (n, (name, href)) in hrefs.iter().enumerate() {
            if n > 0 {
                out.push(b',');
            }
            out.push(b'"');
            out.extend_from_slice(name.as_bytes());
            out.extend_from_slice(b"\":{\"href\":");
            if serde_json::to_writer(&mut out, href).is_err() {
                return Ok(None);
            }
            out.push(b'}');
        }
        out.push(b'}');
    }
    out.push(b'}');
    Ok(Some(out))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::collection::render_lazy;
    use crate::collection::tests::{spec, thing};

    #[test]
    fn text_rendering_writes_what_rendering_a_tree_serializes() {
        let queries = [
            "fields=*",
            "fields=**",
            "fields=*&max_records=4",
            "fields=*&max_records=4&start=8",
            "fields=*&max_records=4&start=99",
            "fields=*&start=3",
            "fields=*&return_timeout=3",
            "fields=*&max_records=0",
            "fields=*&start=abc",
            "fields=*&return_timeout=999",
        ];
        let write = |i, out: &mut Vec<u8>| serde_json::to_writer(out, &thing(i));
        for raw in queries {
            let q = Query::parse(Some(raw));
            for links in [true, false] {
                let text = render_text(10, write, &q, &spec(), links);
                match (render_lazy(10, thing, &q, &spec()), text) {
                    (Ok(mut tree), Ok(Some(text))) => {
                        if !links {
                            crate::conventions::drop_links(&mut tree);
                            // Records written without their links, as the handler writes them.
                            let bare = |i| {
                                let mut t = thing(i);
                                crate::conventions::drop_links(&mut t);
                                t
                            };
                            let text = render_text(
                                10,
                                |i, out: &mut Vec<u8>| serde_json::to_writer(out, &bare(i)),
                                &q,
                                &spec(),
                                false,
                            );
                            let text = text.expect("valid").expect("written");
                            assert_eq!(
                                String::from_utf8(text).expect("UTF-8"),
                                tree.to_string(),
                                "{raw}"
                            );
                            continue;
                        }
                        assert_eq!(
                            String::from_utf8(text).expect("UTF-8"),
                            tree.to_string(),
                            "{raw}"
                        );
                    }
                    (Err(a), Err(t)) => assert_eq!(a.body(), t.body(), "{raw}"),
                    (a, t) => panic!("{raw}: {:?} vs {:?}", a.is_ok(), t.map(|t| t.is_some())),
                }
            }
        }
        for declined in [
            "",
            "fields=kind",
            "kind=big",
            "order_by=size",
            "return_records=false",
        ] {
            let q = Query::parse(Some(declined));
            assert!(
                render_text(10, write, &q, &spec(), true)
                    .expect("valid")
                    .is_none(),
                "{declined}"
            );
        }
    }
}
