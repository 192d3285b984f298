//! The project on disk: where environment files are and where output goes.

use std::fs;
use std::path::{Path, PathBuf};

use oxidy_modules::contract::DnsLabel;

use crate::error::{Diagnostic, Error};
use crate::input::{self, Limit};
use crate::suggest;

/// The folder of environment files, relative to the project root.
pub const ENV_DIR: &str = "env";
/// The committed JSON Schema of env files, relative to the project root.
pub const SCHEMA_FILE: &str = "env/schema.json";

/// A project root: the folder holding `env/` and `generated/`.
#[derive(Debug, Clone)]
pub struct Project {
    pub root: PathBuf,
}

impl Project {
    pub fn new(root: impl Into<PathBuf>) -> Self {
        Project { root: root.into() }
    }

    /// The names of all environments: the stems of `env/*.yaml`, sorted.
    pub fn env_names(&self) -> Result<Vec<String>, Error> {
        let dir = self.root.join(ENV_DIR);
        crate::cache::deps::listing(&self.root, Path::new(ENV_DIR), false, true);
        let entries = fs::read_dir(&dir).map_err(|source| match source.kind() {
            std::io::ErrorKind::NotFound => Error::NoEnvironments(dir.clone()),
            _ => Error::Read { path: dir.clone(), source },
        })?;
        let mut names = Vec::new();
        let mut bad = Vec::new();
        for entry in entries {
            let path = entry.map_err(|source| Error::Read { path: dir.clone(), source })?.path();
            if path.extension().is_some_and(|e| e == "yaml" || e == "yml") {
                let stem = path.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default();
                match DnsLabel::parse(&stem) {
                    Ok(_) => names.push(stem),
                    Err(e) => bad.push(Diagnostic {
                        file: Path::new(ENV_DIR).join(path.file_name().unwrap_or_default()),
                        pos: None,
                        key: None,
                        message: format!(
                            "the file name is the environment's name and must be a DNS label: {}",
                            e.message
                        ),
                        help: e.suggestion.map(|s| format!("rename the file to `{s}.yaml`")),
                        source_line: None,
                    }),
                }
            }
        }
        names.sort();
        // `x.yaml` and `x.yml` would both be environment `x`.
        for pair in names.windows(2).filter(|p| p[0] == p[1]) {
            bad.push(Diagnostic {
                file: Path::new(ENV_DIR).join(format!("{}.yml", pair[0])),
                pos: None,
                key: None,
                message: format!("env/{0}.yaml and env/{0}.yml both define environment `{0}`", pair[0]),
                help: Some("keep one of them".into()),
                source_line: None,
            });
        }
        names.dedup();
        if !bad.is_empty() {
            return Err(Error::Invalid(bad));
        }
        if names.is_empty() {
            return Err(Error::NoEnvironments(dir));
        }
        Ok(names)
    }

    /// The environments to work on: those named, or all when none are.
    pub fn select(&self, wanted: &[String]) -> Result<Vec<String>, Error> {
        let all = self.env_names()?;
        if wanted.is_empty() {
            return Ok(all);
        }
        let mut selected = Vec::new();
        for name in wanted {
            // `env/staging.yaml` (as a shell completes it) names environment `staging`.
            let name = &Self::name_of(name);
            if !all.contains(name) {
                let suggestion = suggest::closest(name, all.iter().map(String::as_str)).map(str::to_owned);
                return Err(Error::UnknownEnvironment { name: name.clone(), suggestion });
            }
            if !selected.contains(name) {
                selected.push(name.clone());
            }
        }
        Ok(selected)
    }

    /// The environment a command-line word names: itself, or the stem of an env file path.
    fn name_of(word: &str) -> String {
        let path = Path::new(word);
        let is_file = word.contains('/') || path.extension().is_some_and(|e| e == "yaml" || e == "yml");
        match path.file_stem() {
            Some(stem) if is_file => stem.to_string_lossy().into_owned(),
            _ => word.to_owned(),
        }
    }

    /// The env file of `name`, relative to the root (as shown in messages): `env/<name>.yaml`,
    /// or `env/<name>.yml` where only that exists.
    pub fn env_file(&self, name: &str) -> PathBuf {
        let yaml = Path::new(ENV_DIR).join(format!("{name}.yaml"));
        let yml = Path::new(ENV_DIR).join(format!("{name}.yml"));
        if !self.root.join(&yaml).exists() && self.root.join(&yml).exists() { yml } else { yaml }
    }

    /// The project root for a command run in `start` without `--root`: the nearest folder,
    /// `start` or above, that holds an `env/` folder; `start` itself when none does.
    pub fn find(start: &Path) -> PathBuf {
        start.ancestors().find(|dir| dir.join(ENV_DIR).is_dir()).unwrap_or(start).to_path_buf()
    }

    /// The text of a project file, read only when it is a regular file inside the project and
    /// within `limit` (see [`crate::input`]).
    pub fn read(&self, relative: &Path, limit: Limit) -> Result<String, Error> {
        input::read_text(&self.root, relative, limit)
            .map_err(|source| Error::Input { path: relative.to_owned(), source })
    }
}
