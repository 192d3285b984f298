//! `datasources.yaml`: Grafana's datasource provisioning file, rendered from the datasources
//! the other components declared. Each keeps the uid, plugin and settings its component gave
//! it; each correlation is pointed at the uid of the first datasource of its role, and left
//! out when no component offers that role, so no link dangles.
//!
//! Grafana expands `$NAME` and `${NAME}` in provisioning files from its environment, so every
//! `$` in a setting is written `$$` for Grafana itself to see it.

use serde::Serialize;
use serde_json::{Map, Value};

use crate::contract::yaml::EncodeError;
use crate::contract::{Context, Datasource};

/// The whole file.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Provisioning {
    pub api_version: u32,
    pub datasources: Vec<Entry>,
}

/// One datasource.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Entry {
    pub name: String,
    #[serde(rename = "type")]
    pub type_: String,
    pub uid: String,
    pub access: &'static str,
    pub url: String,
    pub is_default: bool,
    /// Provisioned datasources are changed in Git, not in the UI.
    pub editable: bool,
    pub json_data: Map<String, Value>,
}

/// The provisioning file for every datasource the components declared, in the context's
/// order (the default first). Without datasources the file provisions none.
pub(crate) fn provisioning(ctx: &Context) -> Provisioning {
    // Grafana's server connects to every datasource (access `proxy`).
    let all = ctx.use_datasources(<super::GrafanaModule as crate::contract::Module>::KEY);
    Provisioning { api_version: 1, datasources: all.iter().map(|d| entry(d, all)).collect() }
}

/// The file's text.
pub(crate) fn text(provisioning: &Provisioning) -> Result<String, EncodeError> {
    crate::contract::yaml::encode(provisioning)
}

fn entry(datasource: &Datasource, all: &[Datasource]) -> Entry {
    let mut json_data = datasource.json_data.clone();
    for c in &datasource.correlations {
        let Some(target) = all.iter().find(|d| d.role == c.to) else { continue };
        let mut value = c.value.clone();
        if let Some(object) = value.as_object_mut() {
            object.insert("datasourceUid".into(), Value::String(target.uid.clone()));
        }
        match c.at.strip_suffix("[]") {
            Some(list) => {
                let slot = json_data.entry(list).or_insert_with(|| Value::Array(Vec::new()));
                if let Some(items) = slot.as_array_mut() {
                    items.push(value);
                }
            }
            None => {
                json_data.insert(c.at.into(), value);
            }
        }
    }
    let json_data = json_data.into_iter().map(|(k, v)| (k, escape(v))).collect();
    Entry {
        name: datasource.name.clone(),
        type_: datasource.plugin.clone(),
        uid: datasource.uid.clone(),
        access: "proxy",
        url: datasource.url.clone(),
        is_default: datasource.is_default,
        editable: false,
        json_data,
    }
}

/// `value` with every `$` in its strings doubled, the file's escape for a literal `$`.
fn escape(value: Value) -> Value {
    match value {
        Value::String(s) => Value::String(s.replace('$', "$$")),
        Value::Array(items) => Value::Array(items.into_iter().map(escape).collect()),
        Value::Object(map) => Value::Object(map.into_iter().map(|(k, v)| (k, escape(v))).collect()),
        other => other,
    }
}
