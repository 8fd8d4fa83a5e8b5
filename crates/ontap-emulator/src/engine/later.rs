//! Fields a later release adds to a record that NetApp's own clients ask for by name from 9.8 on,
//! though NetApp's 9.8 file (the engine's definition) lacks them: `na_ontap_volume` sends
//! `fields=...,tiering.object_tags,...` on every volume read. A name listed here is one `fields`
//! (and a filter, and `order_by`) may give; no record carries a value for it, as a cluster
//! answers a field that is not set. Each with its basis: the client that asks.

/// `(collection path, dotted field, basis)`.
pub const LATER: &[(&str, &str, &str)] = &[(
    "/api/storage/volumes",
    "tiering.object_tags",
    "netapp.ontap na_ontap_volume.py get_volume_rest asks for it unconditionally (9.8 per the module)",
)];

/// The later fields of the collection at `template`.
pub fn fields(template: &str) -> impl Iterator<Item = &'static str> + '_ {
    LATER
        .iter()
        .filter(move |(t, _, _)| *t == template)
        .map(|(_, f, _)| *f)
}
