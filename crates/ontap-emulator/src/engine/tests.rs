//! The engine against NetApp's whole 9.8 definition: what it serves, and that its seeded
//! cluster is whole and the same on every build.

use super::*;

#[test]
fn the_engine_serves_every_get_the_route_table_does_not() {
    let served = templates();
    let by_hand: Vec<&str> = DOCUMENT
        .paths
        .iter()
        .filter(|(_, item)| item.get.is_some())
        .map(|(path, _)| path.as_str())
        .filter(|p| crate::routes::serves_get(p))
        .collect();
    assert_eq!(served.len() + by_hand.len(), 266, "{served:#?}");
}
