//! What an environment deploys, app by app, for `oxidy list`: sync wave, namespace, object
//! count and the images its pods run. Pure: read from the rendered apps.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;

use serde_json::Value;

use oxidy_modules::contract::{App, Object};

use crate::argocd::{self, AppOptions};
use crate::policy;

/// One app of an environment.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize, schemars::JsonSchema)]
pub struct AppSummary {
    /// The app: its folder below the output root and its Argo CD Application.
    pub name: String,
    /// The namespace its objects go to by default.
    pub namespace: String,
    /// Its Argo CD sync wave: lower waves sync first.
    pub wave: i32,
    /// The Kubernetes objects it deploys.
    pub objects: usize,
    /// Every container image its objects name, sorted.
    pub images: BTreeSet<String>,
}

/// The apps in sync-wave order, then by name.
pub fn summarize(apps: &[App], options: &BTreeMap<String, AppOptions>) -> Vec<AppSummary> {
    let none = AppOptions::default();
    let mut summaries: Vec<AppSummary> = apps
        .iter()
        .map(|app| AppSummary {
            name: app.name.clone(),
            namespace: app.namespace.clone(),
            wave: argocd::sync_wave(app, options.get(&app.name).unwrap_or(&none)),
            objects: app.objects.len(),
            images: app.objects.iter().flat_map(images).collect(),
        })
        .collect();
    summaries.sort_by(|a, b| (a.wave, &a.name).cmp(&(b.wave, &b.name)));
    summaries
}

/// The images an object runs: its pod's containers, and the `image` of the operator's
/// resources.
fn images(object: &Object) -> Vec<String> {
    let Some(pod) = policy::pod_spec(object) else { return Vec::new() };
    let mut found: Vec<String> = ["containers", "initContainers"]
        .iter()
        .flat_map(|field| pod.spec.get(*field).and_then(Value::as_array).into_iter().flatten())
        .filter_map(|c| c.get("image").and_then(Value::as_str).map(str::to_owned))
        .collect();
    if pod.operator_managed {
        found.extend(pod.spec.get("image").and_then(Value::as_str).map(str::to_owned));
    }
    found
}

/// The plain-text listing of one environment.
pub fn render_text(env: &str, output_root: &str, apps: &[AppSummary]) -> String {
    let objects: usize = apps.iter().map(|a| a.objects).sum();
    let mut out = format!("{env}: {} apps, {objects} objects in {output_root}\n", apps.len());
    let width = apps.iter().map(|a| a.name.len()).max().unwrap_or(3).max(3);
    let ns_width = apps.iter().map(|a| a.namespace.len()).max().unwrap_or(9).max(9);
    let _ = writeln!(out, "  {:>5}  {:width$}  {:ns_width$}  {:>7}  images", "wave", "app", "namespace", "objects");
    for app in apps {
        let images = if app.images.is_empty() {
            "-".to_owned()
        } else {
            app.images.iter().cloned().collect::<Vec<_>>().join(", ")
        };
        let _ = writeln!(
            out,
            "  {:>5}  {:width$}  {:ns_width$}  {:>7}  {images}",
            app.wave, app.name, app.namespace, app.objects
        );
    }
    out
}
