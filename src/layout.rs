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
}

/// `<app>/<Kind>-<name>.yaml`. Characters that are not safe in file names become `-`.
pub fn object_path(app: &str, kind: &str, name: &str) -> PathBuf {
    let safe: String = name
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() || c == '.' || c == '-' || c == '_' { c } else { '-' })
        .collect();
    Path::new(app).join(format!("{kind}-{safe}.yaml"))
}

/// The one file to `kubectl apply -f` on a new cluster, beside the apps.
pub const BOOTSTRAP_FILE: &str = "bootstrap.yaml";

/// The folder, beside the apps, for files that are not Kubernetes objects.
pub const BUILD_DIR: &str = "build";

/// `build/<app>/<file>`.
pub fn build_path(app: &str, file: &str) -> PathBuf {
    Path::new(BUILD_DIR).join(app).join(file)
}

/// Lays out every object of every app, one object per file. Two objects that map to one
/// file are an error naming both, never a silent overwrite.
pub fn layout(env: &str, apps: &[App], bootstrap: &serde_json::Value) -> Result<Layout, Error> {
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
        let err = layout("local", &[app], &serde_json::Value::Null).unwrap_err().to_string();
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
        let out = layout("local", &[app], &serde_json::json!({"kind": "List"})).unwrap();
        assert_eq!(
            out.files.keys().collect::<Vec<_>>(),
            [Path::new("bootstrap.yaml"), Path::new("build/collector/builder-config.yaml")]
        );
        assert_eq!(out.objects, 0);
    }
}
