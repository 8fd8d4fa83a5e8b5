//! Builds the shipped case files into the binary (`case::BUILTIN_CASES`), so that `run` works
//! from any directory after `cargo install`: the spec was already built in; the suite is its
//! other half. Also lists the seed pages of `spec/sources/seeds/` (`spec::SEED_PAGES`), the
//! files a `documented` basis may name, so that an installed binary refuses a page that is not
//! in the repository just as a checkout does.

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
    let out_dir = PathBuf::from(std::env::var("OUT_DIR").expect("cargo sets it"));
    std::fs::write(out_dir.join("builtin_cases.rs"), out).expect("write the built-in case list");
    seed_pages(&root, &out_dir);
}

/// Writes `seed_pages.rs`: the sorted names of the `.txt` files in `spec/sources/seeds/`. The
/// names are checked where they are used (`spec::seeds`' tests hold every one to the seed-name
/// form); here they are only listed. A checkout without the pages fails to build, with the
/// reason: the embedded spec cites them, so a binary built without them could load no spec.
fn seed_pages(root: &Path, out_dir: &Path) {
    let dir = root.join("spec/sources/seeds");
    println!("cargo:rerun-if-changed=spec/sources/seeds");
    let entries = std::fs::read_dir(&dir).unwrap_or_else(|e| {
        panic!(
            "cannot read the seed pages in spec/sources/seeds/ ({e}): the spec cites them, so \
             they are part of the repository; restore the directory"
        )
    });
    let mut names: Vec<String> = entries
        .flatten()
        .filter(|e| e.file_type().is_ok_and(|t| t.is_file()))
        .filter_map(|e| e.file_name().into_string().ok())
        .filter(|n| n.ends_with(".txt"))
        .collect();
    names.sort();
    let list: Vec<String> = names.iter().map(|n| format!("{n:?}")).collect();
    std::fs::write(
        out_dir.join("seed_pages.rs"),
        format!("&[{}]\n", list.join(", ")),
    )
    .expect("write the seed page list");
}
