//! Dashboards: `dashboards/*.jsonnet`, compiled once per run for every environment by the
//! embedded Jsonnet evaluator, and `dashboards/*.json`, exported from Grafana and read as they
//! are. The library the Jsonnet ones share lives in `dashboards/lib/`.

use std::fs;
use std::path::{Path, PathBuf};

use oxidy_modules::contract::{Dashboard, Pos};

use crate::error::{Diagnostic, Error};
use crate::input::Limit;
use crate::jsonnet;
use crate::project::Project;

/// The folder of dashboard sources, relative to the project root.
pub const DASHBOARD_DIR: &str = "dashboards";
/// The house library, importable from every dashboard by its file name alone.
pub const LIBRARY_DIR: &str = "dashboards/lib";

/// Compiles every `dashboards/*.jsonnet` (not the library under `dashboards/lib/`) and reads
/// every `dashboards/*.json`, in file name order. Every file that fails is reported, not just
/// the first; so is a name that two files share, since the name is the ConfigMap's.
pub fn compile(project: &Project) -> Result<Vec<Dashboard>, Error> {
    let library = [project.root.join(LIBRARY_DIR)];
    let mut json_files = Vec::new();
    let mut jsonnet_files = Vec::new();
    for relative in sources(project)? {
        let text = project.read(&relative, Limit::Dashboard)?;
        if relative.extension().is_some_and(|e| e == "json") {
            json_files.push((relative, text));
        } else {
            jsonnet_files.push((relative, text));
        }
    }
    let mut results: Vec<(PathBuf, Result<serde_json::Value, Diagnostic>)> = json_files
        .into_iter()
        .map(|(relative, text)| {
            let json = serde_json::from_str(&text).map_err(|e| json_diagnostic(&relative, &text, &e));
            (relative, json)
        })
        .collect();
    // All Jsonnet dashboards in one evaluator: the library they share is parsed once.
    let inputs = jsonnet_files.iter().map(|(relative, text)| (project.root.join(relative), text.clone())).collect();
    let evaluated = jsonnet::Evaluator::new(&project.root, &library).evaluate_each(inputs);
    for ((relative, _), json) in jsonnet_files.into_iter().zip(evaluated) {
        let json = json.map_err(|e| diagnostic(project, &relative, e));
        results.push((relative, json));
    }
    // In file name order, as before: the order decides which of two same-named files is reported.
    results.sort_by(|a, b| a.0.cmp(&b.0));

    let mut dashboards: Vec<Dashboard> = Vec::new();
    let mut problems = Vec::new();
    for (relative, json) in results {
        let name = relative.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default();
        match json {
            Ok(json) => {
                if let Some(other) = dashboards.iter().find(|d| d.name == name) {
                    problems.push(Diagnostic {
                        file: relative.clone(),
                        pos: None,
                        key: None,
                        message: format!("the dashboard `{name}` is also {}", other.file),
                        help: Some("a dashboard's name is its file name without extension: rename one of them".into()),
                        source_line: None,
                    });
                    continue;
                }
                dashboards.push(Dashboard::new(display_path(&relative), name, json));
            }
            Err(problem) => problems.push(problem),
        }
    }
    if problems.is_empty() { Ok(dashboards) } else { Err(Error::Invalid(problems)) }
}

/// The dashboard sources, relative to the project root and sorted; none without the folder.
fn sources(project: &Project) -> Result<Vec<PathBuf>, Error> {
    let dir = project.root.join(DASHBOARD_DIR);
    crate::cache::deps::listing(&project.root, Path::new(DASHBOARD_DIR), false, true);
    let entries = match fs::read_dir(&dir) {
        Ok(entries) => entries,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(source) => return Err(Error::Read { path: PathBuf::from(DASHBOARD_DIR), source }),
    };
    let mut files = Vec::new();
    for entry in entries {
        let entry = entry.map_err(|source| Error::Read { path: PathBuf::from(DASHBOARD_DIR), source })?;
        let path = entry.path();
        if path.is_file() && path.extension().is_some_and(|e| e == "jsonnet" || e == "json") {
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

/// A `.json` dashboard that does not parse, at the line and column the parser stopped.
fn json_diagnostic(file: &Path, text: &str, e: &serde_json::Error) -> Diagnostic {
    let line = e.line() as u64;
    Diagnostic {
        file: file.to_owned(),
        pos: (line > 0).then_some(Pos { line, column: e.column().max(1) as u64 }),
        key: None,
        // The position is shown before the message already.
        message: format!("not valid JSON: {}", e.to_string().split(" at line ").next().unwrap_or_default()),
        help: None,
        source_line: text.lines().nth(e.line().saturating_sub(1)).map(str::to_owned),
    }
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
