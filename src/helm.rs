//! Running the real `helm template` for charts vendored in the repository (`render: local`):
//! one process per chart, all at once, each with its values in a file of a temporary folder.
//! The only place oxidy starts another program.

use std::ffi::OsString;
use std::io;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use serde_json::Value;
use thiserror::Error;

/// The environment variable naming the helm program; without it, the pinned build, then
/// `helm` on PATH.
pub const HELM_VAR: &str = "OXIDY_HELM";

/// The Helm release `.ci/programs` pins, for messages (a test keeps the two equal).
pub const PINNED_HELM: &str = "v3.19.5";

// The Kubernetes version charts are rendered for: the one the typed objects are checked
// against. It exists only while k8s-openapi's `v1_33` feature is on, so a change of that
// feature fails to compile until this follows.
k8s_openapi::k8s_if_1_33! {
    /// `--kube-version`: the Kubernetes release oxidy targets (k8s-openapi's feature).
    pub const KUBE_VERSION: &str = "v1.33.0";
}

/// How to get a helm program, for every "no helm" message.
pub fn install_help() -> String {
    format!(
        "build Helm {PINNED_HELM} with `.ci/tools helm` (into ~/.cache/oxidy/tools/helm-{PINNED_HELM}/helm, \
         where oxidy finds it), or set {HELM_VAR} to a Helm 3 program, or put `helm` on PATH"
    )
}

/// Where `.ci/tools helm` puts the pinned build: `${XDG_CACHE_HOME:-~/.cache}/oxidy/tools`.
fn pinned_build() -> Option<PathBuf> {
    let cache = crate::cache::user_cache_dir()?;
    Some(cache.join(format!("oxidy/tools/helm-{PINNED_HELM}/helm")))
}

/// One chart to render.
#[derive(Debug, Clone)]
pub struct Job {
    /// The chart: a folder or `.tgz`, relative to the repository root.
    pub chart: PathBuf,
    pub release: String,
    pub namespace: String,
    /// The values, merged already: written to one file and passed with `--values`.
    pub values: Value,
}

/// What every render of one environment shares.
pub struct Settings<'a> {
    /// The repository root: helm runs there, so chart paths and its messages stay relative.
    pub root: &'a Path,
    /// `--api-versions`: the custom resource group/versions the cluster is known to serve.
    pub api_versions: &'a [String],
}

/// Why a chart could not be rendered.
#[derive(Debug, Error)]
pub enum HelmError {
    /// `OXIDY_HELM` names a file that is not there.
    #[error("no helm program: {HELM_VAR} names {}, which does not exist", .0.display())]
    MissingAt(PathBuf),

    /// Neither `OXIDY_HELM`, the pinned build nor PATH gives a helm program.
    #[error("no helm program: {HELM_VAR} is not set, the pinned build is not there and there is no `helm` on PATH")]
    NotFound,

    /// The program exists but could not be started.
    #[error("cannot run {}", program.display())]
    Start {
        program: PathBuf,
        #[source]
        source: io::Error,
    },

    /// The temporary values file could not be written.
    #[error("cannot write the chart's values for helm")]
    Values(#[source] io::Error),

    /// helm ran and failed: its own message, as it printed it.
    #[error("helm template failed for the chart {}:\n{}", chart.display(), indent(stderr))]
    Failed { chart: PathBuf, stderr: String },

    /// helm printed something that is not text.
    #[error("helm template printed output that is not UTF-8 for the chart {}", .0.display())]
    NotText(PathBuf),
}

fn indent(text: &str) -> String {
    let line = |l: &str| if l.trim().is_empty() { String::new() } else { format!("    {l}") };
    text.trim_end().lines().map(line).collect::<Vec<_>>().join("\n")
}

/// The helm program: `OXIDY_HELM`; else the pinned build `.ci/tools helm` makes, so that a
/// checkout renders its charts with the Helm CI uses; else the first `helm` on PATH.
pub fn locate() -> Result<PathBuf, HelmError> {
    locate_in(std::env::var_os(HELM_VAR), pinned_build(), std::env::var_os("PATH"))
}

fn locate_in(named: Option<OsString>, pinned: Option<PathBuf>, path: Option<OsString>) -> Result<PathBuf, HelmError> {
    if let Some(named) = named.filter(|n| !n.is_empty()) {
        let named = PathBuf::from(named);
        return if named.is_file() { Ok(named) } else { Err(HelmError::MissingAt(named)) };
    }
    pinned
        .into_iter()
        .chain(path.iter().flat_map(std::env::split_paths).map(|dir| dir.join("helm")))
        .find(|candidate| candidate.is_file())
        .ok_or(HelmError::NotFound)
}

/// Renders every chart, all at once: the output of each, in order. An error for the whole
/// batch (no helm program) comes before any process starts.
pub fn template_all(jobs: &[Job], settings: &Settings) -> Result<Vec<Result<String, HelmError>>, HelmError> {
    if jobs.is_empty() {
        return Ok(Vec::new());
    }
    let found = locate();
    crate::cache::deps::helm(&found, settings.root);
    let program = found?;
    // helm's own configuration (repositories, plugins, caches) comes from here, not from the
    // user's home: the same chart renders the same on every machine.
    let scratch = tempfile::tempdir().map_err(HelmError::Values)?;
    Ok(std::thread::scope(|scope| {
        let running: Vec<_> = jobs
            .iter()
            .enumerate()
            .map(|(i, job)| {
                let (program, scratch) = (&program, scratch.path());
                scope.spawn(move || {
                    crate::cache::charts::remembered(program, job, settings, || {
                        template(program, scratch, i, job, settings)
                    })
                })
            })
            .collect();
        running.into_iter().map(|t| t.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic))).collect()
    }))
}

/// One `helm template`, as Argo CD runs it: CRDs included, test hooks left out.
fn template(program: &Path, scratch: &Path, index: usize, job: &Job, settings: &Settings) -> Result<String, HelmError> {
    let values = scratch.join(format!("values-{index}.json"));
    let text = serde_json::to_string_pretty(&job.values).map_err(|e| HelmError::Values(e.into()))?;
    std::fs::write(&values, text).map_err(HelmError::Values)?;
    let mut command = Command::new(program);
    command
        .current_dir(settings.root)
        .arg("template")
        .arg(&job.release)
        .arg(&job.chart)
        .args(["--namespace", &job.namespace, "--kube-version", KUBE_VERSION, "--include-crds", "--skip-tests"])
        .arg("--values")
        .arg(&values);
    for api in settings.api_versions {
        command.args(["--api-versions", api]);
    }
    for (var, dir) in [("HELM_CACHE_HOME", "cache"), ("HELM_CONFIG_HOME", "config"), ("HELM_DATA_HOME", "data")] {
        command.env(var, scratch.join(dir));
    }
    let out = command
        .stdin(Stdio::null())
        .output()
        .map_err(|source| HelmError::Start { program: program.to_owned(), source })?;
    if !out.status.success() {
        let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
        let stderr = if stderr.trim().is_empty() { format!("helm exited with {}", out.status) } else { stderr };
        return Err(HelmError::Failed { chart: job.chart.clone(), stderr });
    }
    String::from_utf8(out.stdout).map_err(|_| HelmError::NotText(job.chart.clone()))
}

/// helm's output split into its documents: `(template, text)`, the template being the
/// `# Source:` path helm writes above each (`demo/templates/service.yaml`).
pub fn documents(output: &str) -> Vec<(String, String)> {
    let mut docs: Vec<(String, String)> = Vec::new();
    let mut current: Option<(String, String)> = None;
    for line in output.split_inclusive('\n') {
        if line.trim_end() == "---" {
            docs.extend(current.take());
            continue;
        }
        let (source, text) = current.get_or_insert_with(Default::default);
        match line.strip_prefix("# Source: ") {
            Some(path) if text.trim().is_empty() && source.is_empty() => *source = path.trim_end().to_owned(),
            _ => text.push_str(line),
        }
    }
    docs.extend(current);
    docs.retain(|(_, text)| !text.trim().is_empty());
    docs
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn helm_is_found_by_variable_then_pinned_build_then_path() {
        let dir = tempfile::tempdir().unwrap();
        let helm = dir.path().join("helm");
        std::fs::write(&helm, "").unwrap();
        let pinned = dir.path().join("pinned");
        std::fs::write(&pinned, "").unwrap();
        let path = Some(dir.path().as_os_str().to_owned());
        let nowhere = Some(PathBuf::from("/nowhere/helm"));
        assert_eq!(locate_in(None, nowhere.clone(), path.clone()).unwrap(), helm);
        assert_eq!(locate_in(None, Some(pinned.clone()), path.clone()).unwrap(), pinned);
        assert_eq!(locate_in(Some(helm.clone().into()), Some(pinned), None).unwrap(), helm);
        assert!(matches!(locate_in(Some("/nowhere/helm".into()), None, path), Err(HelmError::MissingAt(_))));
        assert!(matches!(locate_in(None, nowhere, Some("/nowhere".into())), Err(HelmError::NotFound)));
    }

    #[test]
    fn output_splits_into_documents_by_template() {
        let output = "---\n# Source: demo/templates/a.yaml\nkind: A\n---\n# Source: demo/templates/b.yaml\n\
                      kind: B\n---\nkind: C\n# Source: not a header\n---\n# Source: demo/templates/empty.yaml\n";
        assert_eq!(
            documents(output),
            [
                ("demo/templates/a.yaml".to_owned(), "kind: A\n".to_owned()),
                ("demo/templates/b.yaml".to_owned(), "kind: B\n".to_owned()),
                (String::new(), "kind: C\n# Source: not a header\n".to_owned()),
            ]
        );
    }
}
