//! Dashboards as ConfigMaps: one per dashboard, its pretty-printed JSON as a multi-line value
//! (so a pull request shows the panel line that changed), labelled for Grafana's dashboard
//! provisioning and mounted in a folder of its own.

use crate::contract::Dashboard;
use crate::contract::yaml::EncodeError;

/// Grafana folders, each chosen by a dashboard tag that is its name in lower case. The house
/// library tags every dashboard with its folder.
pub(crate) const FOLDERS: [&str; 3] = ["Kubernetes", "Platform", "Services"];

/// A ConfigMap's data may not exceed 1 MiB; leave room for the object's metadata.
pub(crate) const MAX_BYTES: usize = 1024 * 1024 - 16 * 1024;

/// The label and value Grafana's dashboard sidecars and this module's mounts select on.
pub(crate) const LABEL: (&str, &str) = ("grafana_dashboard", "1");
/// The annotation naming the folder, as Grafana's dashboard sidecar reads it.
pub(crate) const FOLDER_ANNOTATION: &str = "grafana_folder";

/// One dashboard, ready to be a ConfigMap.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Delivered {
    pub folder: &'static str,
    pub config_map: String,
    /// The file name inside the ConfigMap and inside its folder.
    pub key: String,
    pub text: String,
}

/// The folder `dashboard` is tagged with, if any.
pub(crate) fn folder(dashboard: &Dashboard) -> Option<&'static str> {
    let tags = dashboard.json()["tags"].as_array()?;
    FOLDERS.into_iter().find(|f| tags.iter().any(|t| t.as_str() == Some(f.to_ascii_lowercase().as_str())))
}

pub(crate) fn config_map_name(dashboard: &Dashboard) -> String {
    format!("grafana-dashboard-{}", dashboard.name)
}

/// Every dashboard as a ConfigMap's contents. The lint has checked folders, names and sizes.
pub(crate) fn deliver(dashboards: &[&Dashboard]) -> Result<Vec<Delivered>, String> {
    dashboards
        .iter()
        .map(|d| {
            let folder = folder(d).ok_or_else(|| format!("{}: no folder tag", d.file))?;
            let text = d.text().to_owned();
            Ok(Delivered { folder, config_map: config_map_name(d), key: format!("{}.json", d.name), text })
        })
        .collect()
}

/// The dashboard provider file: every folder under `root` becomes a Grafana folder.
pub(crate) fn provider_text(root: &str) -> Result<String, EncodeError> {
    let provider = serde_json::json!({
        "apiVersion": 1,
        "providers": [{
            "name": "oxidy",
            "orgId": 1,
            "type": "file",
            // Dashboards live in Git: the UI can neither delete nor overwrite them.
            "disableDeletion": true,
            "allowUiUpdates": false,
            "updateIntervalSeconds": 30,
            "options": { "path": root, "foldersFromFilesStructure": true }
        }]
    });
    crate::contract::yaml::encode(&provider)
}
