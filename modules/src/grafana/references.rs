//! Every datasource uid the provisioning file refers to (a `datasourceUid` anywhere in a
//! datasource's settings: the correlations between datasources) must be provisioned.

use serde_json::Value;

use crate::contract::Datasource;

use super::datasources::Provisioning;

/// A field of one datasource that names another datasource by uid.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Reference {
    /// The name of the datasource the field belongs to.
    pub datasource: String,
    /// The field's path in the provisioning file.
    pub field: String,
    pub uid: String,
}

/// Every cross-datasource reference in `provisioning`.
pub(crate) fn references(provisioning: &Provisioning) -> Vec<Reference> {
    let mut found = Vec::new();
    for entry in &provisioning.datasources {
        for (key, value) in &entry.json_data {
            collect(value, &format!("jsonData.{key}"), &mut |field, uid| {
                found.push(Reference { datasource: entry.name.clone(), field, uid: uid.to_owned() });
            });
        }
    }
    found
}

/// Calls `found` with the path and value of every `datasourceUid` under `value`.
fn collect(value: &Value, path: &str, found: &mut dyn FnMut(String, &str)) {
    match value {
        Value::Object(map) => {
            for (key, inner) in map {
                match (key.as_str(), inner) {
                    ("datasourceUid", Value::String(uid)) => found(format!("{path}.{key}"), uid),
                    _ => collect(inner, &format!("{path}.{key}"), found),
                }
            }
        }
        Value::Array(items) => {
            for (i, inner) in items.iter().enumerate() {
                collect(inner, &format!("{path}[{i}]"), found);
            }
        }
        _ => {}
    }
}

/// One message per reference to a uid no datasource has.
pub(crate) fn check_datasources(provisioning: &Provisioning, available: &[Datasource]) -> Vec<String> {
    references(provisioning)
        .into_iter()
        .filter(|r| !available.iter().any(|d| d.uid == r.uid))
        .map(|r| {
            format!(
                "datasource \"{}\" field {}: no datasource has uid `{}` ({})",
                r.datasource,
                r.field,
                r.uid,
                known(available)
            )
        })
        .collect()
}

/// The uids there are, for messages.
pub(crate) fn known(available: &[Datasource]) -> String {
    if available.is_empty() {
        return "no datasources are provisioned".into();
    }
    let uids: Vec<String> = available.iter().map(|d| format!("`{}`", d.uid)).collect();
    format!("provisioned uids: {}", uids.join(", "))
}
