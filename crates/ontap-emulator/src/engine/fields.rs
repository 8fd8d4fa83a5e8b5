//! The field names of a resource's records, from its schema: every name `fields`, a filter or
//! `order_by` may give (262197 or 262179 otherwise), the fields a collection answers when
//! `fields` is not given, and the ones only `fields=**` returns.

use super::document::{Document, MAX_DEPTH, Schema};
use super::resources::Resource;

/// Fields a collection answers without `fields` beside its keys and `name`, where a client is
/// known to read them so: `(collection path, field, basis)`.
const ANSWERED: &[(&str, &str, &str)] = &[(
    "/api/security/roles/{owner.uuid}/{name}/privileges",
    "access",
    "observed through NetApp's own client: na_ontap_user_role get_role_privileges_rest reads \
     `access` of each privilege from a GET without `fields`, and changes roles on clusters so",
)];

/// What the collection conventions need to know of a resource's fields.
#[derive(Debug, Default)]
pub struct Fields {
    /// Every field, objects and leaves, dotted (`svm`, `svm.name`), through arrays; `writeOnly`
    /// fields are not among them (they are never returned).
    pub known: Vec<String>,
    /// What a collection answers without `fields`: the record keys' fields and `name`, as
    /// ONTAP answers a collection with its keys; every field where the records have no path of
    /// their own (metrics), whose answer would otherwise say nothing.
    pub defaults: Vec<String>,
    /// Fields NetApp marks `x-ntap-advanced`: returned only with `fields=**` or by name.
    pub advanced: Vec<String>,
    /// What identifies a record, kept beside what `fields` names: the keys' fields, `uuid` and `name`
    /// (NetApp's "Input variables controlling an API request": a GET answers "the attributes
    /// that uniquely identify the object", and `fields` adds to them). Records without a path of
    /// their own (metrics) have none, so `fields=duration` answers `duration` alone.
    pub identity: Vec<String>,
}

impl Fields {
    /// The fields kept whatever a request asks: the defaults without `fields`, the identity
    /// with it; and the fields its filters name (`location.volume.name=v1` answers each
    /// record's `location.volume.name`). The last is observed through NetApp's own client, not
    /// a capture: `na_ontap_lun` filters its LUN read on `location.volume.name` without naming
    /// it in `fields` and compares the value it reads back (`get_luns_rest`,
    /// `format_get_luns`), so it is idempotent against a cluster only if ONTAP answers it.
    pub fn kept<'a>(&'a self, query: &'a crate::collection::Query) -> Vec<&'a str> {
        let chosen = if query.get("fields").is_some() {
            &self.identity
        } else {
            &self.defaults
        };
        let filters = query
            .pairs
            .iter()
            .map(|(k, _)| k)
            .filter(|k| !crate::collection::RESERVED.contains(&k.as_str()))
            .filter(|k| self.known.contains(k));
        chosen.iter().chain(filters).map(String::as_str).collect()
    }
}

impl Fields {
    pub fn of(doc: &Document, res: &Resource) -> Fields {
        let mut fields = Fields::default();
        walk(doc, res.record, "", 0, &mut fields);
        for later in super::later::fields(&res.template) {
            if !fields.known.iter().any(|f| f == later) {
                fields.known.push(later.to_string());
            }
        }
        let top = |f: &str| f.split('.').next().unwrap_or(f).to_string();
        let mut identity: Vec<String> = res
            .instance
            .iter()
            .flat_map(|i| i.keys.iter().filter_map(|k| k.field.as_deref().map(top)))
            .collect();
        for id in ["uuid", "name"] {
            if fields.known.iter().any(|f| f == id) && !identity.iter().any(|f| f == id) {
                identity.push(id.into());
            }
        }
        identity.retain(|f| !fields.advanced.contains(f));
        fields.identity = identity;
        let mut defaults: Vec<String> = match &res.instance {
            Some(instance) => instance
                .keys
                .iter()
                .filter_map(|k| k.field.as_deref().map(top))
                .collect(),
            None => fields
                .known
                .iter()
                .filter(|f| !f.contains('.'))
                .cloned()
                .collect(),
        };
        if fields.known.iter().any(|f| f == "name") && !defaults.iter().any(|f| f == "name") {
            defaults.push("name".into());
        }
        for (_, field, _) in ANSWERED.iter().filter(|(t, _, _)| *t == res.template) {
            if fields.known.iter().any(|f| f == field) && !defaults.iter().any(|f| f == field) {
                defaults.push(field.to_string());
            }
        }
        defaults.retain(|f| !fields.advanced.contains(f));
        fields.defaults = defaults;
        fields
    }
}

fn walk(doc: &Document, schema: &Schema, prefix: &str, depth: usize, out: &mut Fields) {
    if depth > MAX_DEPTH {
        return;
    }
    for (name, prop) in doc.properties(schema) {
        if name == "_links" || prop.write_only || doc.scalar(prop).write_only {
            continue;
        }
        let dotted = if prefix.is_empty() {
            name.to_string()
        } else {
            format!("{prefix}.{name}")
        };
        if prop.advanced || doc.scalar(prop).advanced {
            out.advanced.push(dotted.clone());
        }
        out.known.push(dotted.clone());
        let inner = if doc.is_object(prop) {
            Some(prop)
        } else {
            match prop.kind.as_deref() {
                Some("array") => prop.items.as_deref().and_then(|i| doc.resolve(i)),
                _ => None,
            }
        };
        if let Some(inner) = inner.filter(|s| doc.is_object(s)) {
            walk(doc, inner, &dotted, depth + 1, out);
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::testing::{app, get};

    #[tokio::test]
    async fn a_collection_answers_the_fields_its_filters_name() {
        let app = app("9.8.0");
        let page = get(&app, "/api/storage/volumes?fields=state&svm.name=svm1").await;
        let records = page["records"].as_array().expect("records");
        assert!(!records.is_empty());
        for r in records {
            assert_eq!(r["svm"]["name"], "svm1", "{r}");
            assert!(
                r.get("state").is_some() && r.get("comment").is_none(),
                "{r}"
            );
        }
    }
}
