//! A case that reads the cluster, then fails on another operation: in the report the run writes,
//! the cluster's cell stays green and only the failing step's cell is red.

use super::*;

/// Step 0 reads the cluster and passes; step 1 reads an SVM and expects a name it will not get.
const TWO_STEPS: &str = r#"id: cells-two-steps
title: Reads the cluster, then fails on an SVM
operation: GET /api/svm/svms/{uuid}
steps:
  - name: cluster
    request:
      operation: GET /api/cluster
    expect:
      status: 200
      basis: {observed: "netapp_ontap/resources/cluster.py: GET /cluster"}
  - name: svm
    request:
      operation: GET /api/svm/svms/{uuid}
      path: {uuid: "{{svm.uuid}}"}
    expect:
      status: 200
      fields:
        name: not-the-svm
      basis: {observed: "netapp_ontap/resources/svm.py: GET /svm/svms/{uuid}"}
"#;

fn cell<'a>(report: &'a Value, method: &str, path: &str) -> &'a Value {
    report["coverage"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["method"] == method && c["path"] == path && c["value"] == "200")
        .unwrap_or_else(|| panic!("{method} {path} 200 is documented"))
}

#[test]
fn a_failure_in_one_step_marks_only_that_steps_cell() {
    let root = temp_dir("cells-cases");
    std::fs::create_dir_all(root.join("cells")).unwrap();
    std::fs::write(root.join("cells/two-steps.yaml"), TWO_STEPS).unwrap();
    let dir = temp_dir("cells");
    let out = run(&root, &dir, &[]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    // The line a person reads says what came back.
    assert!(
        text(&out).contains(
            "steps[1] (svm): field `name` does not match: expected \"not-the-svm\", got \"svm1\""
        ),
        "{}",
        text(&out)
    );

    let report = json(&dir.join("conformance.json"));
    let case = &report["cases"][0];
    assert_eq!(case["outcome"], "fail");
    assert_eq!(case["covers"][0]["step"], "steps[0] (cluster)");
    assert_eq!(case["covers"][1]["step"], "steps[1] (svm)");
    let cluster = cell(&report, "GET", "/api/cluster");
    assert_eq!(cluster["state"], "pass", "{cluster}");
    assert_eq!(cluster["cases"][0], "cells-two-steps");
    assert_eq!(
        cell(&report, "GET", "/api/svm/svms/{uuid}")["state"],
        "fail"
    );

    // The page agrees, and its failure row shows what came.
    let page = std::fs::read_to_string(dir.join("conformance.html")).unwrap();
    assert!(
        page.contains("<code>GET /api/cluster</code></td><td><span class=\"cell pass\""),
        "the cluster's cell is green"
    );
    assert!(
        page.contains(
            "<td><code>&quot;not-the-svm&quot;</code></td><td><code>&quot;svm1&quot;</code></td>"
        ),
        "expected and actual columns"
    );
}
