//! Checks built on an operation's sample (see [`super::sample`]): the sample carried out as
//! documented, then the sample broken one field at a time and refused, with a read-back that
//! nothing was created or changed. The fields and their rules come from the request schema:
//! required fields, JSON types, enums, `maxLength`/`minLength`, `readOnly` fields (refused in a
//! POST) and fields that cannot be given in a PATCH (`x-ontap-no-patch`).

use serde_json::{Map, Value, json};

use super::{Check, Gen, NOBODY, convention, observed, step};

/// docs-response's common code for a bad field: a refusal, whatever its code.
const BAD_FIELD: &str = "NetApp 'Interpret an ONTAP REST API response' (docs-response): code 2, 400, for an invalid, missing or extra field; ansible-collections/netapp.ontap issue #145: a real bad body value answered code 2";

pub(super) fn checks(g: &Gen, out: &mut Vec<Check>) {
    let key = g.op.key();
    let (Some(sample), Some(prelude)) = (g.samples.get(&key), g.samples.prelude(&key)) else {
        return;
    };
    let base = |name: &str, title: &str| prelude.check(g, name, title);

    // The sample, carried out: the success the spec documents, a job that ends in success,
    // every answer checked strictly (formats, no secret echoed).
    let mut accepted = base("accepted", "the sample request is carried out");
    let statuses = g.op.success_statuses();
    let mut expect = json!({"status": {"one_of": statuses}, "basis": sample.basis});
    if statuses.contains(&202) {
        expect["job_state"] = json!("success");
    }
    accepted.steps.push(step(
        "the sample request",
        sample.request(&key),
        Some(expect),
        None,
    ));
    // A built POST (the imported layer's) shows what it made: the record is listed by the
    // name it was given.
    if g.imported()
        && g.op.method == "POST"
        && let Some(read) = &sample.read
    {
        accepted.steps.push(step(
            "read back: the record made is listed by its name",
            read.clone(),
            Some(json!({"status": 200, "basis": g.query_basis(), "fields": {"num_records": 1}})),
            None,
        ));
    }
    out.push(accepted);

    let Some(body) = sample.body.as_ref().and_then(Value::as_object) else {
        return;
    };
    // The seed pages' curl lines send their JSON with `-d` and no Content-Type, so with curl's
    // `application/x-www-form-urlencoded`: a body is read as JSON whatever its Content-Type
    // says. A check that a "wrong" Content-Type is refused would fail NetApp's own examples.
    let mut form = base(
        "form-content-type",
        "the sample sent as curl -d sends it (form Content-Type) is carried out",
    );
    let mut req = sample.request(&key);
    req["content_type"] = json!("application/x-www-form-urlencoded");
    let mut expect = json!({
        "status": {"one_of": statuses},
        "basis": convention("the seed pages 001, 002 and 003 send every example body with curl -d and no Content-Type header (curl then says application/x-www-form-urlencoded), and ONTAP's one REST server reads the body as JSON on every endpoint; held to the emulator, a deviation on a cluster that refuses it"),
    });
    // A job's write is waited for, so the teardown finds (and removes) what it made.
    if statuses.contains(&202) {
        expect["job_state"] = json!("success");
    }
    form.steps.push(step(
        "the sample, Content-Type: application/x-www-form-urlencoded",
        req,
        Some(expect),
        None,
    ));
    out.push(form);
    let Some(schema) = g.op.request().map(|s| &s.resolved) else {
        return;
    };
    let (before, after) = sample.read_back(g.spec);
    let mut refusal = |name: String, title: String, body: Value, basis: Value, why: &str| {
        let mut c = base(&name, &title);
        c.setup.extend(before.clone());
        let mut req = sample.request(&key);
        req["body"] = body;
        req["invalid_body"] = json!(why);
        c.steps
            .push(step(&title, req, Some(g.refused(basis)), None));
        c.steps.extend(after.clone());
        out.push(c);
    };
    let patch = g.op.method == "PATCH";
    let (props, required) = flatten(schema);

    for field in &required {
        if body.contains_key(field) {
            let mut b = body.clone();
            b.remove(field);
            refusal(
                format!("missing-{field}"),
                format!("the sample without its required `{field}` is refused, nothing written"),
                Value::Object(b),
                sample.basis.clone(),
                "a required field left out",
            );
        }
    }
    for (field, value) in body {
        let Some(prop) = props.get(field) else {
            continue;
        };
        let wrong = wrong_type(g, field, prop, value);
        let mut b = body.clone();
        b.insert(field.clone(), wrong);
        refusal(
            format!("wrong-type-{field}"),
            format!("`{field}` of the wrong JSON type is refused, nothing written"),
            Value::Object(b),
            observed(BAD_FIELD),
            "a field of the wrong JSON type",
        );
    }
    let mut leaves = Vec::new();
    collect_leaves(&props, &Value::Object(body.clone()), "", &mut leaves);
    for (path, leaf) in &leaves {
        let name = path.replace('.', "-");
        if leaf.get("enum").is_some_and(Value::is_array) {
            let bogus = format!("{NOBODY}-{}", g.pick(&format!("enum {path}"), 1000));
            refusal(
                format!("enum-{name}"),
                format!("`{path}` outside its enum is refused, nothing written"),
                set_at(body, path, json!(bogus)),
                sample.basis.clone(),
                "a value outside the documented enum",
            );
        }
        if leaf.get("type").and_then(Value::as_str) == Some("string") {
            if let Some(max) = leaf.get("maxLength").and_then(Value::as_u64) {
                refusal(
                    format!("too-long-{name}"),
                    format!("`{path}` one past its maxLength ({max}) is refused, nothing written"),
                    set_at(body, path, json!(filler(g, path, max as usize + 1))),
                    sample.basis.clone(),
                    "one character past maxLength",
                );
            }
            if let Some(min) = leaf
                .get("minLength")
                .and_then(Value::as_u64)
                .filter(|m| *m > 0)
            {
                refusal(
                    format!("too-short-{name}"),
                    format!(
                        "`{path}` one short of its minLength ({min}) is refused, nothing written"
                    ),
                    set_at(body, path, json!(filler(g, path, min as usize - 1))),
                    sample.basis.clone(),
                    "one character short of minLength",
                );
            }
        }
    }
    // Fields the body may not carry here: readOnly ones in a POST, no-PATCH ones in a PATCH.
    // On an imported operation, one picked by the seed: NetApp's schemas carry dozens of them,
    // all refused by the same rule.
    let refusable: Vec<(&String, &Value, bool)> = props
        .iter()
        .filter(|(f, _)| *f != "_links")
        .filter_map(|(f, p)| {
            let read_only = p.get("readOnly").and_then(Value::as_bool) == Some(true);
            let no_patch = p.get("x-ontap-no-patch").and_then(Value::as_bool) == Some(true);
            if g.op.method == "POST" && read_only {
                Some((f, p, true))
            } else if patch && no_patch && !read_only {
                Some((f, p, false))
            } else {
                None
            }
        })
        .collect();
    let picked = g.pick("refused field", refusable.len());
    for (i, (field, prop, read_only)) in refusable.into_iter().enumerate() {
        if g.imported() && i != picked {
            continue;
        }
        let mut b = body.clone();
        b.insert(field.clone(), plausible(prop));
        if read_only {
            refusal(
                format!("read-only-{field}"),
                format!("the read-only `{field}` in a POST is refused, nothing written"),
                Value::Object(b),
                convention(
                    "the spec marks the field readOnly (ONTAP sets it); the emulator answers 262190 and no capture shows a real cluster's answer, so this suite asks for a refusal with an ONTAP error body",
                ),
                "a readOnly field in a POST",
            );
        } else {
            refusal(
                format!("no-patch-{field}"),
                format!("`{field}`, which a PATCH cannot set, is refused, nothing written"),
                Value::Object(b),
                sample.basis.clone(),
                "a field that cannot be given in a PATCH",
            );
        }
    }
}

/// The properties (merged through `allOf`) and the required names of an object schema.
fn flatten(schema: &Value) -> (Map<String, Value>, Vec<String>) {
    let mut props = Map::new();
    let mut required = Vec::new();
    if let Some(p) = schema.get("properties").and_then(Value::as_object) {
        for (k, v) in p {
            let (sub, _) = flatten(v);
            let mut v = v.clone();
            // A property defined through allOf carries its properties merged, for the leaves.
            if v.get("properties").is_none() && !sub.is_empty() {
                v["properties"] = Value::Object(sub);
                v["type"] = json!("object");
            }
            props.insert(k.clone(), v);
        }
    }
    if let Some(r) = schema.get("required").and_then(Value::as_array) {
        required.extend(r.iter().filter_map(|x| x.as_str().map(String::from)));
    }
    for part in schema
        .get("allOf")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        let (p, r) = flatten(part);
        for (k, v) in p {
            props.entry(k).or_insert(v);
        }
        required.extend(r);
    }
    (props, required)
}

/// The scalar fields the sample body carries, with their schemas, by dotted path (arrays are
/// entered at their first element, which a dotted path cannot name: those are skipped).
fn collect_leaves(
    props: &Map<String, Value>,
    body: &Value,
    prefix: &str,
    out: &mut Vec<(String, Value)>,
) {
    let Some(obj) = body.as_object() else { return };
    for (k, v) in obj {
        let Some(prop) = props.get(k) else { continue };
        let path = if prefix.is_empty() {
            k.clone()
        } else {
            format!("{prefix}.{k}")
        };
        if v.is_object() {
            let (sub, _) = flatten(prop);
            collect_leaves(&sub, v, &path, out);
        } else if !v.is_array() {
            out.push((path, prop.clone()));
        }
    }
}

/// `body` with the dotted `path` set to `value`.
fn set_at(body: &Map<String, Value>, path: &str, value: Value) -> Value {
    let mut root = Value::Object(body.clone());
    let mut at = &mut root;
    let parts: Vec<&str> = path.split('.').collect();
    for (i, p) in parts.iter().enumerate() {
        if i + 1 == parts.len() {
            at[*p] = value;
            break;
        }
        at = &mut at[*p];
    }
    root
}

/// A value of another JSON type than `prop` documents, picked by the seed.
fn wrong_type(g: &Gen, field: &str, prop: &Value, value: &Value) -> Value {
    let documented = prop
        .get("type")
        .and_then(Value::as_str)
        .unwrap_or(match value {
            Value::Object(_) => "object",
            Value::Array(_) => "array",
            Value::Bool(_) => "boolean",
            Value::Number(_) => "number",
            _ => "string",
        });
    let candidates: Vec<Value> = [
        json!(42),
        json!(NOBODY),
        json!([NOBODY]),
        json!({NOBODY.replace('-', "_"): 1}),
    ]
    .into_iter()
    .filter(|c| {
        !matches!(
            (documented, c),
            ("integer" | "number", Value::Number(_))
                | ("string", Value::String(_))
                | ("array", Value::Array(_))
                | ("object", Value::Object(_))
        )
    })
    .collect();
    candidates[g.pick(&format!("wrong type {field}"), candidates.len())].clone()
}

/// A string of `n` characters that is otherwise a fine value (a password's letters and
/// digits), its alphabet picked by the seed.
fn filler(g: &Gen, path: &str, n: usize) -> String {
    const ALPHABETS: [&str; 3] = ["Aa1", "Zz9x", "Qq7w"];
    let a = ALPHABETS[g.pick(&format!("filler {path}"), ALPHABETS.len())];
    a.chars().cycle().take(n).collect()
}

/// A value of the documented type, for a field that must not be sent at all.
fn plausible(prop: &Value) -> Value {
    match prop.get("type").and_then(Value::as_str) {
        Some("boolean") => json!(true),
        Some("integer" | "number") => json!(1),
        Some("array") => json!([]),
        Some("object") => json!({"name": NOBODY}),
        _ if prop.get("format").and_then(Value::as_str) == Some("uuid") => {
            json!("00000000-0000-4000-8000-000000000000")
        }
        _ if prop.get("properties").is_some() => json!({"name": NOBODY}),
        _ => json!(NOBODY),
    }
}
