use super::*;
use crate::spec::Spec;

#[test]
fn every_operation_gets_its_checks_and_they_load() {
    let spec = Spec::load(None).unwrap();
    let cases = generate(&spec, DEFAULT_SEED).expect("the generated checks load");
    // The operations the checks are generated for: the curated spec's (and overlays').
    for op in spec.gated() {
        let prefix = format!("{}.", slug(op));
        assert!(
            cases.iter().any(|c| c.def.id.starts_with(&prefix)),
            "no check for {}",
            op.key()
        );
    }
    let ids: Vec<&str> = cases.iter().map(|c| c.def.id.as_str()).collect();
    for want in [
        "get-protocols-san-iscsi-credentials.bad-fields",
        "delete-protocols-san-iscsi-credentials-by-key.missing-key",
        "patch-security.malformed-json",
        "get-security-accounts.walk",
        "get-security-accounts.order-by-name-desc",
        "get-protocols-san-iscsi-credentials.filter-initiator",
        "post-protocols-san-iscsi-credentials.accepted",
        "post-protocols-san-iscsi-credentials.missing-initiator",
        "post-security-accounts.too-short-name",
        "patch-protocols-san-iscsi-credentials-by-key.no-patch-initiator",
        "patch-security.read-only-refused",
        "get-cluster.no-credentials",
    ] {
        assert!(ids.contains(&want), "{want} not in {ids:?}");
    }
    // Deterministic: the same spec and seed give the same checks.
    let again: Vec<String> = generate(&spec, DEFAULT_SEED)
        .unwrap()
        .into_iter()
        .map(|c| c.def.id)
        .collect();
    assert_eq!(ids, again.iter().map(String::as_str).collect::<Vec<_>>());
}

#[test]
fn the_seed_picks_values_and_the_same_seed_picks_the_same() {
    let spec = Spec::load(None).unwrap();
    let body_of = |seed: u64| -> Vec<String> {
        generate(&spec, seed)
            .unwrap()
            .iter()
            .flat_map(|c| {
                c.steps
                    .iter()
                    .map(|s| format!("{:?}{:?}", s.request.body, s.request.query))
            })
            .collect()
    };
    assert_eq!(body_of(7), body_of(7));
    assert_ne!(body_of(7), body_of(8), "another seed probes other values");
}
