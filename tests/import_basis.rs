//! A `documented` basis may name a file of NetApp's definition in `spec/sources/ontap-api/`
//! (`{documented: swagger-9.8.yaml.gz}`) as it names a seed page; any other name is still
//! refused at the file and line that cites it.

use std::path::Path;

use ontap_conform::spec::{Basis, EMBEDDED_SPEC, ONTAP_API_FILES, Spec};

/// The shipped spec with its first error entry's basis (line 754) replaced by `basis`.
fn with_basis(basis: &str) -> String {
    let first = "          seed: 004_69967a64eae5f293.txt\n          basis: {documented: 004_69967a64eae5f293.txt}\n";
    assert!(
        EMBEDDED_SPEC.contains(first),
        "the spec's first error entry moved"
    );
    EMBEDDED_SPEC.replacen(
        first,
        &format!("          seed: 004_69967a64eae5f293.txt\n          basis: {basis}\n"),
        1,
    )
}

#[test]
fn a_file_of_netapps_definition_can_be_cited() {
    for file in ONTAP_API_FILES {
        let text = with_basis(&format!("{{documented: {file}}}"));
        let spec = Spec::parse(Path::new("spec/openapi.yaml"), &text)
            .unwrap_or_else(|d| panic!("{file}: {d}"));
        let entry = spec
            .operation("POST", "/api/protocols/san/iscsi/credentials")
            .unwrap()
            .error("2621462")
            .unwrap();
        assert_eq!(entry.basis, Basis::new("documented", file).unwrap());
    }
}

#[test]
fn any_other_name_is_refused_at_its_line() {
    let line = EMBEDDED_SPEC
        .lines()
        .position(|l| l == "          basis: {documented: 004_69967a64eae5f293.txt}")
        .unwrap()
        + 1;
    for (name, why) in [
        (
            "swagger-9.9.yaml.gz",
            "`swagger-9.9.yaml.gz` is neither a file of spec/sources/ontap-api/ (did you mean `swagger-9.8.yaml.gz`?) nor a seed page in spec/sources/seeds/",
        ),
        (
            "README.md",
            "`README.md` is neither a file of spec/sources/ontap-api/",
        ),
        ("../ontap-api/swagger-9.8.yaml.gz", "is not a seed file"),
    ] {
        let d = Spec::parse(
            Path::new("spec/openapi.yaml"),
            &with_basis(&format!("{{documented: {name}}}")),
        )
        .unwrap_err();
        assert_eq!(d.0.len(), 1, "{d}");
        let problem = d.0[0].to_string();
        let at = format!(
            "spec/openapi.yaml:{line}: `paths./api/protocols/san/iscsi/credentials.post.x-ontap-errors[0].basis.documented`: "
        );
        assert!(problem.starts_with(&at), "{problem}");
        assert!(problem.contains(why), "{problem}");
    }
}
