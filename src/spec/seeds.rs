//! The seed pages a `documented` basis may name: the files of `../shared/seeds/` beside the
//! repository, when that directory is there.
//!
//! Where the directory is looked for: beside the repository the spec belongs to. For the embedded
//! spec that is the crate's own checkout (`CARGO_MANIFEST_DIR/../shared/seeds`, fixed at build
//! time); for `--spec FILE` it is `FILE`'s directory's parent (`spec/openapi.yaml` in a checkout
//! → `<checkout>/../shared/seeds`). A binary run far from any checkout finds no directory and
//! checks only the form of the name (`NNN_<16 hex>.txt`): the seed pages are not shipped with the
//! crate, and a spec check that failed wherever they are absent would fail every installed copy.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

/// Where the seed pages live, relative to a repository's root.
pub const SEEDS_BESIDE_REPO: &str = "../shared/seeds";

/// The seed files found in one directory.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Seeds {
    pub dir: PathBuf,
    pub names: BTreeSet<String>,
}

impl Seeds {
    /// The seed pages beside the repository at `root`, if the directory exists.
    pub fn beside_repo(root: &Path) -> Option<Seeds> {
        Seeds::read(&root.join(SEEDS_BESIDE_REPO))
    }

    /// The seed pages for the embedded spec: beside the crate's own checkout.
    pub fn for_embedded() -> Option<Seeds> {
        Seeds::beside_repo(Path::new(env!("CARGO_MANIFEST_DIR")))
    }

    /// The seed pages for a spec file: beside the repository its directory belongs to
    /// (`<repo>/spec/openapi.yaml` → `<repo>/../shared/seeds`).
    pub fn for_spec_file(file: &Path) -> Option<Seeds> {
        let dir = file.parent().unwrap_or(Path::new(""));
        let root = dir.parent().unwrap_or(Path::new(""));
        // `Path::new("")` joined with a relative path is relative to the working directory.
        Seeds::beside_repo(root)
    }

    /// The files of `dir`, or `None` when it is not a readable directory.
    pub fn read(dir: &Path) -> Option<Seeds> {
        let entries = std::fs::read_dir(dir).ok()?;
        let names = entries
            .filter_map(Result::ok)
            .filter(|e| e.file_type().is_ok_and(|t| t.is_file()))
            .filter_map(|e| e.file_name().into_string().ok())
            .collect();
        Some(Seeds {
            dir: dir.to_path_buf(),
            names,
        })
    }

    /// Whether `name` is one of the seed files.
    pub fn contains(&self, name: &str) -> bool {
        self.names.contains(name)
    }
}
