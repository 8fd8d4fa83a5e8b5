//! Builds the shipped case files into the binary (`case::BUILTIN_CASES`), so that `run` works
//! from any directory after `cargo install`: the spec was already built in; the suite is its
//! other half.

use std::path::{Path, PathBuf};

fn yaml_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for e in entries.flatten() {
        let p = e.path();
        if p.is_dir() {
            yaml_files(&p, out);
        } else if p.extension().is_some_and(|x| x == "yaml" || x == "yml") {
            out.push(p);
        }
    }
}

fn main() {
    let root = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").expect("cargo sets it"));
    println!("cargo:rerun-if-changed=cases");
    let mut files = Vec::new();
    yaml_files(&root.join("cases"), &mut files);
    files.sort();
    let mut out = String::from("&[\n");
    for f in &files {
        let shown = f
            .strip_prefix(&root)
            .unwrap_or(f)
            .components()
            .map(|c| c.as_os_str().to_string_lossy().into_owned())
            .collect::<Vec<_>>()
            .join("/");
        out.push_str(&format!(
            "    ({shown:?}, include_str!({:?})),\n",
            f.display().to_string()
        ));
    }
    out.push_str("]\n");
    let dest =
        PathBuf::from(std::env::var("OUT_DIR").expect("cargo sets it")).join("builtin_cases.rs");
    std::fs::write(dest, out).expect("write the built-in case list");
}
