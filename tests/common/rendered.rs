//! The committed rendered output under `generated/<env>/`, read back as the programs the
//! tests run would get it: objects by kind, rule files, the Alertmanager config, dashboards.

use std::path::Path;

use serde_json::Value;

/// Every rendered object of `kind` in `env` (files named `<Kind>-<name>.yaml`), with its path.
pub fn objects(env: &str, kind: &str) -> Vec<(String, Value)> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("generated").join(env);
    let prefix = format!("{kind}-");
    let mut found: Vec<(String, Value)> = walkdir::WalkDir::new(&root)
        .sort_by_file_name()
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file() && e.file_name().to_string_lossy().starts_with(&prefix))
        .map(|e| {
            let text = std::fs::read_to_string(e.path()).expect("rendered file reads");
            let value: Value =
                serde_saphyr::from_str(&text).unwrap_or_else(|err| panic!("{}: {err}", e.path().display()));
            (e.path().strip_prefix(&root).unwrap().display().to_string(), value)
        })
        .collect();
    found.retain(|(_, v)| v["kind"] == kind);
    found
}

/// The rule groups of every PrometheusRule of `env`, as one Prometheus rule file (JSON, which
/// is YAML), the way the operator hands them to Prometheus.
pub fn rule_file(env: &str) -> Value {
    let groups: Vec<Value> = objects(env, "PrometheusRule")
        .into_iter()
        .flat_map(|(_, rule)| rule["spec"]["groups"].as_array().cloned().unwrap_or_default())
        .collect();
    assert!(!groups.is_empty(), "{env}: no PrometheusRule rendered");
    serde_json::json!({ "groups": groups })
}

/// Every rule of `rule_file`.
pub fn rules(rule_file: &Value) -> Vec<&Value> {
    rule_file["groups"]
        .as_array()
        .into_iter()
        .flatten()
        .flat_map(|g| g["rules"].as_array().into_iter().flatten())
        .collect()
}

/// The Alertmanager configuration file of `env`, from the Secret the operator mounts.
pub fn alertmanager_config(env: &str) -> String {
    let secrets = objects(env, "Secret");
    let (_, secret) = secrets
        .iter()
        .find(|(_, s)| s["stringData"]["alertmanager.yaml"].is_string())
        .unwrap_or_else(|| panic!("{env}: no Secret holds alertmanager.yaml"));
    secret["stringData"]["alertmanager.yaml"].as_str().unwrap().to_owned()
}

/// The collector's rendered `config.yaml` in `env`.
pub fn collector_config(env: &str) -> String {
    objects(env, "ConfigMap")
        .into_iter()
        .find_map(|(_, cm)| cm["data"]["config.yaml"].as_str().filter(|c| c.contains("receivers:")).map(str::to_owned))
        .unwrap_or_else(|| panic!("{env}: no ConfigMap holds the collector's config.yaml"))
}

/// The Grafana dashboards of `env`: (file name in its ConfigMap, dashboard JSON).
pub fn dashboards(env: &str) -> Vec<(String, Value)> {
    objects(env, "ConfigMap")
        .into_iter()
        .flat_map(|(_, cm)| {
            cm["data"]
                .as_object()
                .into_iter()
                .flatten()
                .filter(|(name, _)| name.ends_with(".json"))
                .map(|(name, text)| {
                    let json = serde_json::from_str(text.as_str().unwrap_or_default())
                        .unwrap_or_else(|e| panic!("{env}: dashboard {name}: {e}"));
                    (name.clone(), json)
                })
                .collect::<Vec<_>>()
        })
        .collect()
}
