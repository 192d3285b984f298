//! Dashboards: `dashboards/*.jsonnet`, compiled once per run for every environment by the
//! embedded Jsonnet evaluator. The library they share lives in `dashboards/lib/`.

use std::fs;
use std::path::{Path, PathBuf};

use oxidy_modules::contract::{Dashboard, Pos};

use crate::error::{Diagnostic, Error};
use crate::jsonnet;
use crate::project::Project;

/// The folder of dashboard sources, relative to the project root.
pub const DASHBOARD_DIR: &str = "dashboards";
/// The house library, importable from every dashboard by its file name alone.
pub const LIBRARY_DIR: &str = "dashboards/lib";

/// Compiles every `dashboards/*.jsonnet` (not the library under `dashboards/lib/`), in file
/// name order. Every file that fails is reported, not just the first.
pub fn compile(project: &Project) -> Result<Vec<Dashboard>, Error> {
    let sources = sources(project)?;
    let library = [project.root.join(LIBRARY_DIR)];
    let mut dashboards = Vec::new();
    let mut problems = Vec::new();
    for relative in sources {
        let text = project.read(&relative)?;
        match jsonnet::evaluate(&project.root.join(&relative), &text, &library) {
            Ok(json) => dashboards.push(Dashboard {
                file: display_path(&relative),
                name: relative.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default(),
                json,
            }),
            Err(e) => problems.push(diagnostic(project, &relative, e)),
        }
    }
    if problems.is_empty() { Ok(dashboards) } else { Err(Error::Invalid(problems)) }
}

/// The dashboard sources, relative to the project root and sorted; none without the folder.
fn sources(project: &Project) -> Result<Vec<PathBuf>, Error> {
    let dir = project.root.join(DASHBOARD_DIR);
    let entries = match fs::read_dir(&dir) {
        Ok(entries) => entries,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(source) => return Err(Error::Read { path: PathBuf::from(DASHBOARD_DIR), source }),
    };
    let mut files = Vec::new();
    for entry in entries {
        let entry = entry.map_err(|source| Error::Read { path: PathBuf::from(DASHBOARD_DIR), source })?;
        let path = entry.path();
        if path.is_file() && path.extension().is_some_and(|e| e == "jsonnet") {
            files.push(Path::new(DASHBOARD_DIR).join(entry.file_name()));
        }
    }
    files.sort();
    Ok(files)
}

/// A path with `/` separators on every platform, as messages and rendered names show it.
fn display_path(path: &Path) -> String {
    path.components().map(|c| c.as_os_str().to_string_lossy()).collect::<Vec<_>>().join("/")
}

/// The error where the evaluator places it; when that is in the library, the help names the
/// dashboard that was being compiled.
fn diagnostic(project: &Project, dashboard: &Path, e: jsonnet::JsonnetError) -> Diagnostic {
    let file = e.file.strip_prefix(&project.root).map(Path::to_owned).unwrap_or(e.file);
    let help = (file != dashboard).then(|| format!("while compiling {}", display_path(dashboard)));
    Diagnostic {
        file,
        pos: (e.line > 0).then_some(Pos { line: e.line, column: e.column }),
        key: None,
        message: e.message,
        help,
        source_line: e.source_line,
    }
}
