//! The imported layer the binary carries (`spec/imported/ontap-9.8.json.gz`) is the import of its
//! source, byte for byte once unpacked: a change to the importer that changes the layer fails here
//! until the layer is made again with the command in `spec/imported/README.md`.

use ontap_conform::spec::import::{
    BUILTIN_LAYER_GZ, BUILTIN_LAYER_PATH, BUILTIN_LAYER_SOURCE, builtin_layer, import, unpack,
};

#[test]
fn the_committed_layer_is_the_import_of_its_source() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let source = std::fs::read(root.join(BUILTIN_LAYER_SOURCE)).unwrap();
    let fresh = import(&source, "swagger-9.8.yaml.gz", None)
        .unwrap()
        .to_json();
    let committed = std::fs::read(root.join(BUILTIN_LAYER_PATH)).unwrap();
    assert_eq!(
        committed, BUILTIN_LAYER_GZ,
        "the binary was built with another {BUILTIN_LAYER_PATH}: rebuild"
    );
    let committed = unpack(&committed, BUILTIN_LAYER_PATH).unwrap();
    if committed.as_ref() != fresh.as_slice() {
        let at = committed
            .iter()
            .zip(&fresh)
            .position(|(a, b)| a != b)
            .unwrap_or(committed.len().min(fresh.len()));
        let line = fresh[..at].iter().filter(|b| **b == b'\n').count() + 1;
        panic!(
            "{BUILTIN_LAYER_PATH} is not the import of {BUILTIN_LAYER_SOURCE} (they part at line \
             {line} of the JSON): make it again with `cargo run --release -- spec import \
             {BUILTIN_LAYER_SOURCE} --output {BUILTIN_LAYER_PATH}` and commit it"
        );
    }
}

#[test]
fn the_built_in_layer_parses_to_the_whole_9_8_api() {
    let layer = builtin_layer();
    assert_eq!(layer["openapi"], "3.0.3");
    assert_eq!(
        layer["x-ontap-imported"],
        serde_json::json!({"source": "swagger-9.8.yaml.gz", "release": "9.8"})
    );
    let ops: usize = layer["paths"]
        .as_object()
        .unwrap()
        .values()
        .map(|item| item.as_object().unwrap().len())
        .sum();
    assert_eq!(ops, 565);
    assert_eq!(
        layer["components"]["schemas"].as_object().unwrap().len(),
        507
    );
}
