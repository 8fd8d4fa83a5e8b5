//! `{{variable}}` templates in case files.

use std::collections::BTreeMap;

use serde_json::Value;

/// The variables of one running case: built-ins, vars, secrets and captures.
#[derive(Debug, Clone, Default)]
pub struct Vars {
    values: BTreeMap<String, Value>,
}

impl Vars {
    pub fn set(&mut self, name: impl Into<String>, value: Value) {
        self.values.insert(name.into(), value);
    }

    pub fn get(&self, name: &str) -> Option<&Value> {
        self.values.get(name)
    }
}

/// The names a string refers to, in order.
pub fn template_names(s: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = s;
    while let Some(start) = rest.find("{{") {
        let after = &rest[start + 2..];
        let Some(end) = after.find("}}") else { break };
        out.push(after[..end].trim().to_string());
        rest = &after[end + 2..];
    }
    out
}

/// Replaces `{{name}}` in every string of `v`. A string that is exactly one `{{name}}` takes the
/// variable's JSON value (so a captured number stays a number). Returns the first undefined name.
pub fn interpolate(v: &Value, vars: &Vars) -> Result<Value, String> {
    match v {
        Value::String(s) => interpolate_str(s, vars),
        Value::Array(items) => items
            .iter()
            .map(|x| interpolate(x, vars))
            .collect::<Result<Vec<_>, _>>()
            .map(Value::Array),
        Value::Object(m) => {
            let mut out = serde_json::Map::new();
            for (k, x) in m {
                out.insert(k.clone(), interpolate(x, vars)?);
            }
            Ok(Value::Object(out))
        }
        other => Ok(other.clone()),
    }
}

fn interpolate_str(s: &str, vars: &Vars) -> Result<Value, String> {
    let names = template_names(s);
    if names.is_empty() {
        return Ok(Value::String(s.to_string()));
    }
    let trimmed = s.trim();
    if names.len() == 1 && trimmed.starts_with("{{") && trimmed.ends_with("}}") {
        return vars.get(&names[0]).cloned().ok_or_else(|| names[0].clone());
    }
    let mut out = String::new();
    let mut rest = s;
    while let Some(start) = rest.find("{{") {
        out.push_str(&rest[..start]);
        let after = &rest[start + 2..];
        let Some(end) = after.find("}}") else {
            out.push_str(&rest[start..]);
            rest = "";
            break;
        };
        let name = after[..end].trim();
        match vars.get(name) {
            Some(Value::String(v)) => out.push_str(v),
            Some(other) => out.push_str(&other.to_string()),
            None => return Err(name.to_string()),
        }
        rest = &after[end + 2..];
    }
    out.push_str(rest);
    Ok(Value::String(out))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn whole_and_partial_templates() {
        let mut vars = Vars::default();
        vars.set("n", json!(3));
        vars.set("svm.uuid", json!("u-1"));
        assert_eq!(interpolate(&json!("{{n}}"), &vars).unwrap(), json!(3));
        assert_eq!(
            interpolate(&json!({"p": "/x/{{ svm.uuid }}/{{n}}"}), &vars).unwrap(),
            json!({"p": "/x/u-1/3"})
        );
        assert_eq!(interpolate(&json!("{{nope}}"), &vars).unwrap_err(), "nope");
        assert_eq!(template_names("a {{b}} c {{d.e}}"), vec!["b", "d.e"]);
    }
}
