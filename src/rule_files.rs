//! Extra rule files: `rules/*.yaml`, read once per run and handed to every environment,
//! whose options pick them by path. Only reading happens here; checking is the module's.

use std::fs;
use std::path::{Path, PathBuf};

use oxidy_modules::contract::ProjectFile;

use crate::error::Error;
use crate::input::Limit;
use crate::project::Project;

/// The folder of extra rule files, relative to the project root.
pub const RULES_DIR: &str = "rules";

/// Every `rules/*.yaml` and `rules/*.yml`, in file name order; none without the folder.
pub fn read(project: &Project) -> Result<Vec<ProjectFile>, Error> {
    crate::cache::deps::listing(&project.root, Path::new(RULES_DIR), false, true);
    let entries = match fs::read_dir(project.root.join(RULES_DIR)) {
        Ok(entries) => entries,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(source) => return Err(Error::Read { path: PathBuf::from(RULES_DIR), source }),
    };
    let mut names = Vec::new();
    for entry in entries {
        let entry = entry.map_err(|source| Error::Read { path: PathBuf::from(RULES_DIR), source })?;
        let name = entry.file_name().to_string_lossy().into_owned();
        if entry.path().is_file() && (name.ends_with(".yaml") || name.ends_with(".yml")) {
            names.push(name);
        }
    }
    names.sort();
    names
        .into_iter()
        .map(|name| {
            let relative = Path::new(RULES_DIR).join(&name);
            Ok(ProjectFile { path: format!("{RULES_DIR}/{name}"), text: project.read(&relative, Limit::Manifest)? })
        })
        .collect()
}
