//! The committed environments rendered in memory and read back as a cluster would see them:
//! objects by app folder, and every in-cluster address written in a file.

use std::collections::BTreeMap;
use std::path::PathBuf;

use serde_json::Value;

use oxidy::pipeline::RenderedEnv;
use oxidy::project::Project;
use oxidy::run::render_all;
use oxidy_modules::Platform;

/// Every committed environment, rendered.
pub fn rendered() -> Vec<RenderedEnv> {
    let project = Project::new(env!("CARGO_MANIFEST_DIR"));
    let envs = project.env_names().expect("env files");
    render_all::<Platform>(&project, &envs).expect("the committed environments render")
}

/// Whether a rendered file is an object of an app (not a build file or an extra file).
fn is_object(path: &std::path::Path) -> bool {
    !path.starts_with("build") && path.components().count() > 1 && path.extension().is_some_and(|e| e == "yaml")
}

/// Every rendered object of one environment, parsed back from its YAML.
pub fn objects(files: &BTreeMap<PathBuf, String>) -> Vec<Value> {
    objects_by_app(files).into_iter().map(|(_, o)| o).collect()
}

/// Every rendered object with the app folder it is in.
pub fn objects_by_app(files: &BTreeMap<PathBuf, String>) -> Vec<(String, Value)> {
    files
        .iter()
        .filter(|(path, _)| is_object(path))
        .map(|(path, text)| {
            let app =
                path.components().next().map(|c| c.as_os_str().to_string_lossy().into_owned()).unwrap_or_default();
            (app, serde_saphyr::from_str(text).unwrap_or_else(|e| panic!("{}: {e}", path.display())))
        })
        .collect()
}

/// `(host, port)` of every `….svc.cluster.local[:port]` in `text`.
pub fn addresses(text: &str) -> Vec<(String, Option<u16>)> {
    addresses_at(text).into_iter().map(|(_, host, port)| (host, port)).collect()
}

/// `(offset, host, port)` of every `….svc.cluster.local[:port]` in `text`.
pub fn addresses_at(text: &str) -> Vec<(usize, String, Option<u16>)> {
    const SUFFIX: &str = ".svc.cluster.local";
    let mut found = Vec::new();
    for (at, _) in text.match_indices(SUFFIX) {
        let start =
            text[..at].rfind(|c: char| !(c.is_ascii_alphanumeric() || c == '-' || c == '.')).map_or(0, |i| i + 1);
        let rest = &text[at + SUFFIX.len()..];
        let port = rest.strip_prefix(':').and_then(|p| p.split(|c: char| !c.is_ascii_digit()).next()?.parse().ok());
        // A host never starts with `-` (as in a shell default, `${NODES:-garage-0.…}`).
        let host = text[start..at].trim_start_matches(['-', '.']);
        found.push((at - host.len(), host.to_owned(), port));
    }
    found
}

pub fn kind<'a>(objects: &'a [Value], kind: &'a str) -> impl Iterator<Item = &'a Value> + 'a {
    objects.iter().filter(move |o| o["kind"] == kind)
}

pub fn name_ns(o: &Value) -> (String, String) {
    (o["metadata"]["name"].as_str().unwrap_or("").into(), o["metadata"]["namespace"].as_str().unwrap_or("").into())
}
