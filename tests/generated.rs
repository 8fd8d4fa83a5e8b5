//! The checks generated from the spec pass against the emulator and catch what a hand-written
//! case does not look at: a target whose error bodies lack `message`, or that ignores an unknown
//! query parameter, fails them.

mod common;
#[path = "common/rewrite.rs"]
mod rewrite;

use std::sync::Arc;

use common::temp_dir;
use serde_json::{Value, json};

fn failing_ids(json: &Value) -> Vec<String> {
    json["cases"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["outcome"] == "fail")
        .map(|c| c["id"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn generated_checks_pass_the_emulator_and_fail_broken_targets() {
    let dir = temp_dir("generated");
    let args = ["--generated".as_ref(), "--no-builtin-cases".as_ref()];

    // The emulator itself, behind a proxy that changes nothing.
    let faithful = rewrite::start(Arc::new(|_: &mut rewrite::Answer| {}));
    let (code, out, json) = rewrite::run_against(&faithful, &dir.join("ok"), &args);
    assert_eq!(code, Some(0), "{out}");
    let n = json["summary"]["total"].as_u64().unwrap();
    assert!(n >= 30, "{n} generated checks");

    // Error bodies without a message.
    let no_message = rewrite::start(Arc::new(|a: &mut rewrite::Answer| {
        if let Some(e) = a
            .body
            .as_mut()
            .and_then(|b| b.get_mut("error"))
            .and_then(Value::as_object_mut)
        {
            e.remove("message");
        }
    }));
    let (code, out, json) = rewrite::run_against(&no_message, &dir.join("no-message"), &args);
    assert_eq!(code, Some(1), "{out}");
    let failing = failing_ids(&json);
    assert!(failing.len() as u64 >= n / 2, "{failing:?}");
    assert!(
        failing.iter().any(|id| id.ends_with(".missing-key")),
        "{failing:?}"
    );

    // Unknown query parameters ignored: the collection answered as if they were not there.
    let lax = rewrite::start(Arc::new(|a: &mut rewrite::Answer| {
        if a.method == "GET" && a.path.contains("ontap-conform-nobody=") && a.status >= 400 {
            a.status = 200;
            a.body = Some(json!({"records": [], "num_records": 0}));
        }
    }));
    let (code, out, json) = rewrite::run_against(&lax, &dir.join("lax"), &args);
    assert_eq!(code, Some(1), "{out}");
    let failing = failing_ids(&json);
    assert!(
        !failing.is_empty() && failing.iter().all(|id| id.ends_with(".unknown-query")),
        "{failing:?}"
    );
    let _ = std::fs::remove_dir_all(dir);
}
