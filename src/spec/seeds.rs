//! The files a `documented` basis may name: the seed pages of `spec/sources/seeds/` and NetApp's
//! own definition of the API in `spec/sources/ontap-api/` (the swagger file the imported layer
//! comes from, and the 9.19.1 error tables), listed when the binary is built.
//!
//! Why a list fixed at build time rather than a directory read at run time: a citation is only
//! worth something if it can be followed, so a page that is not in the repository is refused
//! everywhere, by an installed binary and for a `--spec FILE` far from any checkout as much as in
//! the checkout itself; neither has a directory to read. `build.rs` lists the directory, so a
//! page added there is citable after the next build.

/// Where the seed pages are, from the repository's root: the place messages send a reader.
pub const SEED_DIR: &str = "spec/sources/seeds";

/// The file names of the seed pages, sorted (`build.rs` sorts them).
pub const SEED_PAGES: &[&str] = include!(concat!(env!("OUT_DIR"), "/seed_pages.rs"));

/// Where NetApp's own definition of the API is, from the repository's root.
pub const ONTAP_API_DIR: &str = "spec/sources/ontap-api";

/// The file names of `spec/sources/ontap-api/` but its README, sorted (`build.rs` sorts them).
pub const ONTAP_API_FILES: &[&str] = include!(concat!(env!("OUT_DIR"), "/ontap_api_files.rs"));

/// Whether `name` is one of the seed pages.
pub fn is_seed_page(name: &str) -> bool {
    SEED_PAGES.binary_search(&name).is_ok()
}

/// Whether `name` is one of the files of `spec/sources/ontap-api/`.
pub fn is_ontap_api_file(name: &str) -> bool {
    ONTAP_API_FILES.binary_search(&name).is_ok()
}

/// Why `name` cannot be cited by a `documented` basis (it is neither a seed page nor a file of
/// `spec/sources/ontap-api/`), or `None` when it can. A name in the seed pages' form is answered
/// as [`not_a_seed_page`] answers it (the page it most likely meant); any other name is pointed
/// at the closest file of NetApp's definition.
pub fn not_a_source(name: &str) -> Option<String> {
    if is_seed_page(name) || is_ontap_api_file(name) {
        return None;
    }
    if crate::spec::is_seed_file_name(name) {
        return not_a_seed_page(name);
    }
    let hint = match crate::diag::closest(name, ONTAP_API_FILES.iter().copied()) {
        Some(file) => format!(" (did you mean `{file}`?)"),
        None => format!(" (the files are {})", ONTAP_API_FILES.join(", ")),
    };
    Some(format!(
        "`{name}` is neither a file of {ONTAP_API_DIR}/{hint} nor a seed page in {SEED_DIR}/"
    ))
}

/// The page a wrong name most likely meant: the one with the same number (`004_…`: the number
/// says which page, the 16-digit hash after it is what gets mistyped or made up), else the
/// closest by spelling.
pub fn closest_seed_page(name: &str) -> Option<&'static str> {
    let number = name.get(..4).filter(|n| n.ends_with('_'));
    let mut same_number = SEED_PAGES
        .iter()
        .filter(|p| number.is_some_and(|n| p.starts_with(n)));
    if let (Some(only), None) = (same_number.next(), same_number.next()) {
        return Some(only);
    }
    crate::diag::closest(name, SEED_PAGES.iter().copied())
}

/// Why `name` cannot be cited as a seed page (it is not in the repository), or `None` when it can.
pub fn not_a_seed_page(name: &str) -> Option<String> {
    (!is_seed_page(name)).then(|| {
        format!(
            "`{name}` is not a seed page in {SEED_DIR}/{}",
            seed_page_hint(name)
        )
    })
}

/// What to say after "is not a seed page": the page meant, or the pages there are when they are
/// few enough to read in one line.
pub fn seed_page_hint(name: &str) -> String {
    match closest_seed_page(name) {
        Some(page) => format!(" (did you mean `{page}`?)"),
        None if SEED_PAGES.len() <= 8 => format!(" (the pages are {})", SEED_PAGES.join(", ")),
        None => format!(" (the pages are listed in {SEED_DIR}/README.md)"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::spec::is_seed_file_name;

    /// The list is the directory's, read from the directory here: a page added or removed there
    /// without a rebuild would show as a difference.
    #[test]
    fn the_list_is_the_directory_and_every_name_has_the_seed_form() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(SEED_DIR);
        let mut on_disk: Vec<String> = std::fs::read_dir(&dir)
            .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .filter(|n| n != "README.md")
            .collect();
        on_disk.sort();
        assert_eq!(
            on_disk, SEED_PAGES,
            "rebuild, or give every page a .txt name"
        );
        assert!(SEED_PAGES.len() >= 5, "{SEED_PAGES:?}");
        for page in SEED_PAGES {
            assert!(is_seed_file_name(page), "{page}: not NNN_<16 hex>.txt");
            assert!(is_seed_page(page), "{page}");
        }
    }

    /// The same for NetApp's definition: the list is the directory's, README aside.
    #[test]
    fn the_ontap_api_list_is_the_directory() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(ONTAP_API_DIR);
        let mut on_disk: Vec<String> = std::fs::read_dir(&dir)
            .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .filter(|n| n != "README.md")
            .collect();
        on_disk.sort();
        assert_eq!(on_disk, ONTAP_API_FILES, "rebuild");
        assert!(is_ontap_api_file("swagger-9.8.yaml.gz"));
        assert!(!is_ontap_api_file("README.md"));
    }

    #[test]
    fn a_source_is_a_seed_page_or_a_file_of_netapps_definition() {
        assert_eq!(not_a_source("swagger-9.8.yaml.gz"), None);
        assert_eq!(not_a_source("004_69967a64eae5f293.txt"), None);
        // A seed page's form: answered as a seed page.
        assert_eq!(
            not_a_source("004_0000000000000000.txt"),
            not_a_seed_page("004_0000000000000000.txt")
        );
        let why = not_a_source("swagger-9.9.yaml.gz").unwrap();
        assert_eq!(
            why,
            "`swagger-9.9.yaml.gz` is neither a file of spec/sources/ontap-api/ (did you mean \
             `swagger-9.8.yaml.gz`?) nor a seed page in spec/sources/seeds/"
        );
        assert!(not_a_source("README.md").is_some());
    }

    #[test]
    fn a_wrong_name_is_pointed_at_the_page_it_meant() {
        assert!(!is_seed_page("004_0000000000000000.txt"));
        // A made-up hash: the number names the page.
        assert_eq!(
            closest_seed_page("004_0000000000000000.txt"),
            Some("004_69967a64eae5f293.txt")
        );
        // A typo in the number.
        assert_eq!(
            closest_seed_page("040_69967a64eae5f293.txt"),
            Some("004_69967a64eae5f293.txt")
        );
        // Nothing close: the few pages there are.
        assert_eq!(closest_seed_page("900_0000000000000000.txt"), None);
        assert_eq!(
            seed_page_hint("900_0000000000000000.txt"),
            format!(" (the pages are {})", SEED_PAGES.join(", "))
        );
    }
}
