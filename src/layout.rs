//! The one pure step from apps to files: what `render` writes and `check` compares.
//! File naming lives here and nowhere else.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use oxidy_modules::contract::App;

use crate::error::Error;
use oxidy_modules::contract::yaml;

/// An environment's files, relative to its output root, with their contents.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Layout {
    pub files: BTreeMap<PathBuf, String>,
    pub objects: usize,
    /// Files copied byte for byte, named in the summary.
    pub verbatim: Vec<PathBuf>,
}

/// `<app>/<Kind>-<name>.yaml`. Characters that are not safe in file names become `-`.
pub fn object_path(app: &str, kind: &str, name: &str) -> PathBuf {
    let safe: String = name
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() || c == '.' || c == '-' || c == '_' { c } else { '-' })
        .collect();
    Path::new(app).join(format!("{kind}-{safe}.yaml"))
}

/// `<app>/<file name>`: a verbatim file keeps its own name.
pub fn verbatim_path(app: &str, file_name: &str) -> PathBuf {
    Path::new(app).join(file_name)
}

/// An extra file's place in the output root: a plain relative path, not in any app's folder
/// (`apps` holds `names`) nor in the layout's own places.
pub fn extra_file_path(path: &str, apps: &[&str]) -> Result<PathBuf, String> {
    let p = Path::new(path);
    let plain = !path.is_empty() && p.components().all(|c| matches!(c, std::path::Component::Normal(_)));
    if !plain || path.ends_with('/') {
        return Err(format!("`{path}` must be a relative path of plain names (no `..`, `.` or leading `/`)"));
    }
    let first = p.components().next().map(|c| c.as_os_str().to_string_lossy().into_owned()).unwrap_or_default();
    let only = p.components().count() == 1;
    if apps.contains(&first.as_str()) && !only {
        return Err(format!("`{path}` is inside the folder of app `{first}`, which Argo CD applies"));
    }
    if first == BUILD_DIR || path == BOOTSTRAP_FILE || apps.contains(&first.as_str()) {
        return Err(format!("`{path}` is one of the rendered tree's own files or folders"));
    }
    Ok(p.to_owned())
}

/// The one file to `kubectl apply -f` on a new cluster, beside the apps.
pub const BOOTSTRAP_FILE: &str = "bootstrap.yaml";

/// The folder, beside the apps, for files that are not Kubernetes objects.
pub const BUILD_DIR: &str = "build";

/// `build/<app>/<file>`.
pub fn build_path(app: &str, file: &str) -> PathBuf {
    Path::new(BUILD_DIR).join(app).join(file)
}

/// Lays out every object of every app, one object per file, and each app's verbatim files
/// (by app, then file name). Two objects that map to one file are an error naming both, never
/// a silent overwrite.
pub fn layout(
    env: &str,
    apps: &[App],
    bootstrap: &serde_json::Value,
    verbatim: &BTreeMap<String, BTreeMap<String, String>>,
) -> Result<Layout, Error> {
    let mut out = Layout::default();
    let text = yaml::to_yaml(bootstrap).map_err(|message| Error::Yaml {
        env: env.into(),
        object: BOOTSTRAP_FILE.into(),
        message,
    })?;
    out.files.insert(PathBuf::from(BOOTSTRAP_FILE), text);
    let mut owners: BTreeMap<PathBuf, String> = BTreeMap::new();
    for app in apps {
        for object in &app.objects {
            let path = object_path(&app.name, object.kind(), object.name());
            let described = format!("{} (app {})", object.describe(), app.name);
            if let Some(first) = owners.get(&path) {
                return Err(Error::FileCollision { env: env.into(), path, first: first.clone(), second: described });
            }
            let text = yaml::to_yaml(object.body()).map_err(|message| Error::Yaml {
                env: env.into(),
                object: described.clone(),
                message,
            })?;
            owners.insert(path.clone(), described);
            out.files.insert(path, text);
            out.objects += 1;
        }
        for (file, text) in &app.build_files {
            out.files.insert(build_path(&app.name, file), text.clone());
        }
        for (file, text) in verbatim.get(&app.name).into_iter().flatten() {
            let path = verbatim_path(&app.name, file);
            let described = format!("verbatim file {file} (app {})", app.name);
            if let Some(first) = owners.get(&path) {
                return Err(Error::FileCollision { env: env.into(), path, first: first.clone(), second: described });
            }
            owners.insert(path.clone(), described);
            out.files.insert(path.clone(), text.clone());
            out.verbatim.push(path);
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use k8s_openapi::api::core::v1::ConfigMap;
    use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
    use oxidy_modules::contract::Wave;

    fn config_map(name: &str, namespace: &str) -> ConfigMap {
        ConfigMap {
            metadata: ObjectMeta { name: Some(name.into()), namespace: Some(namespace.into()), ..Default::default() },
            ..Default::default()
        }
    }

    #[test]
    fn two_objects_for_one_file_are_an_error_naming_both() {
        let mut app = App::new("grafana", "a", Wave::Frontends);
        app.push(config_map("dashboards", "a")).unwrap();
        app.push(config_map("dashboards", "b")).unwrap();
        let err = layout("local", &[app], &serde_json::Value::Null, &BTreeMap::new()).unwrap_err().to_string();
        assert_eq!(
            err,
            "local: ConfigMap/a/dashboards (app grafana) and ConfigMap/b/dashboards (app grafana) would both be \
             written to grafana/ConfigMap-dashboards.yaml; rename one of them"
        );
    }

    #[test]
    fn paths_are_kind_dash_name_and_build_files_stay_outside_apps() {
        assert_eq!(
            object_path("prometheus", "ClusterRole", "system:metrics"),
            Path::new("prometheus/ClusterRole-system-metrics.yaml")
        );
        let mut app = App::new("collector", "a", Wave::Pipeline);
        app.build_files.insert("builder-config.yaml".into(), "dist: {}\n".into());
        let out = layout("local", &[app], &serde_json::json!({"kind": "List"}), &BTreeMap::new()).unwrap();
        assert_eq!(
            out.files.keys().collect::<Vec<_>>(),
            [Path::new("bootstrap.yaml"), Path::new("build/collector/builder-config.yaml")]
        );
        assert_eq!(out.objects, 0);
    }
}
