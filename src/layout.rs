//! The one pure step from apps to files: what `render` writes and `check` compares.
//! File naming lives here and nowhere else.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use oxidy_modules::contract::App;

use crate::error::Error;
use crate::yaml;

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

/// The folder, beside the apps, for files that are not Kubernetes objects.
pub const BUILD_DIR: &str = "build";

/// `build/<app>/<file>`.
pub fn build_path(app: &str, file: &str) -> PathBuf {
    Path::new(BUILD_DIR).join(app).join(file)
}

/// Lays out every object of every app, one object per file. Two objects that map to one
/// file are an error naming both, never a silent overwrite.
pub fn layout(env: &str, apps: &[App]) -> Result<Layout, Error> {
    let mut out = Layout::default();
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
