//! The built-in spec in layers, through the binary: NetApp's imported 9.8 definition with the
//! curated spec on top; `spec table` and `spec check` say which layer each operation is; a run
//! counts the imported layer's coverage; a cluster's own fetched definition replaces the built-in
//! layer under the curated spec (`--imported`).

mod common;

use std::process::Output;

use common::{ADMIN, EmulatorProcess, bin, temp_dir};
use ontap_conform::spec::{Layer, Spec};

fn text(o: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

#[test]
fn the_built_in_spec_is_the_import_with_the_curated_spec_on_top() {
    let spec = Spec::load(None).unwrap();
    let curated = Spec::curated().unwrap();
    let import = ontap_conform::spec::import::builtin_layer();
    let imported_ops: usize = import["paths"]
        .as_object()
        .unwrap()
        .values()
        .map(|item| {
            ["get", "post", "patch", "delete"]
                .iter()
                .filter(|m| item.get(**m).is_some())
                .count()
        })
        .sum();
    assert_eq!(imported_ops, 565);
    // Every curated operation is there as curated; every imported one not replaced joins.
    assert_eq!(spec.layer(Layer::Curated).count(), curated.operations.len());
    assert_eq!(
        spec.layer(Layer::Imported).count() + spec.shadowed.len(),
        imported_ops
    );
    // The two curated operations 9.8 does not have replace nothing.
    assert_eq!(spec.shadowed.len(), curated.operations.len() - 2);
    for op in spec.layer(Layer::Curated) {
        assert!(
            spec.operations
                .iter()
                .filter(|o| o.method == op.method && o.route() == op.route())
                .count()
                == 1,
            "{} is there once",
            op.key()
        );
    }

    let out = bin().args(["spec", "table"]).output().unwrap();
    let table = text(&out);
    assert_eq!(out.status.code(), Some(0), "{table}");
    assert_eq!(table.lines().count(), 2 + spec.operations.len());
    assert!(
        table.contains("| `GET /api/storage/volumes` | imported (swagger-9.8.yaml.gz) |"),
        "{table}"
    );
    assert!(
        table.contains("| `PATCH /api/security` | curated |"),
        "{table}"
    );

    let out = bin().args(["spec", "check"]).output().unwrap();
    let check = text(&out);
    assert_eq!(out.status.code(), Some(0), "{check}");
    assert!(check.contains("546 imported; 0 overlay"), "{check}");
    assert!(check.contains("0 of 546 operations"), "{check}");
    // Gating the imported layer fails: nobody has written its cases yet.
    let out = bin()
        .args(["spec", "check", "--require-coverage", "imported"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    assert!(
        text(&out).contains("no case expects status 200 from GET /api/storage/volumes"),
        "{}",
        text(&out)
    );
}

#[test]
fn a_clusters_own_definition_replaces_the_built_in_layer() {
    let emu = EmulatorProcess::start("127.0.0.1:0", &[], &[]);
    let dir = temp_dir("layers-fetch");
    let mine = dir.join("mine.json.gz");
    let out = bin()
        .args(["spec", "fetch", "--target", &emu.url, "--output"])
        .arg(&mine)
        .env("ONTAP_PASSWORD", ADMIN.1)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let reports = dir.join("reports");
    let out = bin()
        .args([
            "run",
            "--target",
            &emu.url,
            "--allow-destructive",
            "--imported",
        ])
        .arg(&mine)
        .arg("--report-dir")
        .arg(&reports)
        .env("ONTAP_PASSWORD", ADMIN.1)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let report: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(reports.join("conformance.json")).unwrap())
            .unwrap();
    let total: u64 = report["imported_coverage"]["tags"]
        .as_object()
        .unwrap()
        .values()
        .map(|t| t["operations"].as_u64().unwrap())
        .sum();
    assert_eq!(total, 546, "the fetched layer under the curated spec");
    // NetApp's swagger itself is not an imported layer: it must be imported first.
    let out = bin()
        .args([
            "spec",
            "check",
            "--imported",
            "spec/sources/ontap-api/swagger-9.8.yaml.gz",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    assert!(text(&out).contains("import it first"), "{}", text(&out));
    let _ = std::fs::remove_dir_all(dir);
}
