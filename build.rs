//! Builds the shipped case files into the binary (`case::BUILTIN_CASES`), so that `run` works
//! from any directory after `cargo install`: the spec was already built in; the suite is its
//! other half. Also lists the seed pages of `spec/sources/seeds/` (`spec::SEED_PAGES`), the
//! files a `documented` basis may name, and NetApp's own definition of the API in
//! `spec/sources/ontap-api/` (`spec::ONTAP_API_FILES`), the other files it may name, so that an
//! installed binary refuses a source that is not in the repository just as a checkout does.

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
    ontap_api_files(&root, &out_dir);
}

/// Writes `seed_pages.rs`: the sorted names of the `.txt` files in `spec/sources/seeds/`. The
/// names are checked where they are used (`spec::seeds`' tests hold every one to the seed-name
/// form); here they are only listed. A checkout without the pages fails to build, with the
/// reason: the embedded spec cites them, so a binary built without them could load no spec.
fn seed_pages(root: &Path, out_dir: &Path) {
    let names = list_files(root, "spec/sources/seeds", |n| n.ends_with(".txt"));
    write_list(out_dir, "seed_pages.rs", &names);
}

/// Writes `ontap_api_files.rs`: the sorted names of the files in `spec/sources/ontap-api/`
/// (NetApp's own definition of the whole API, and its error tables) but its README, the other
/// files a `documented` basis may name. The imported layer cites the swagger file on every error
/// entry and the emulator serves it, so a checkout without the directory fails to build too.
fn ontap_api_files(root: &Path, out_dir: &Path) {
    let names = list_files(root, "spec/sources/ontap-api", |n| n != "README.md");
    write_list(out_dir, "ontap_api_files.rs", &names);
}

/// The sorted names of the plain files in `dir` (from the root) that `keep` accepts.
fn list_files(root: &Path, dir: &str, keep: impl Fn(&str) -> bool) -> Vec<String> {
    println!("cargo:rerun-if-changed={dir}");
    let entries = std::fs::read_dir(root.join(dir)).unwrap_or_else(|e| {
        panic!(
            "cannot read {dir}/ ({e}): the spec cites the files there, so they are part of the \
             repository; restore the directory"
        )
    });
    let mut names: Vec<String> = entries
        .flatten()
        .filter(|e| e.file_type().is_ok_and(|t| t.is_file()))
        .filter_map(|e| e.file_name().into_string().ok())
        .filter(|n| keep(n))
        .collect();
    names.sort();
    names
}

fn write_list(out_dir: &Path, file: &str, names: &[String]) {
    let list: Vec<String> = names.iter().map(|n| format!("{n:?}")).collect();
    std::fs::write(out_dir.join(file), format!("&[{}]\n", list.join(", ")))
        .unwrap_or_else(|e| panic!("write {file}: {e}"));
}
