//! `helm template` outputs remembered by everything they depend on: the helm program, the
//! chart's every file, the values and the flags. An edit elsewhere in the project (another
//! environment, a dashboard) then renders again without starting helm.

use std::path::Path;

use crate::cache::deps::Identity;
use crate::helm::{HelmError, Job, KUBE_VERSION, Settings};
use crate::input::{self, Limit};

/// The output of `template` for `job`, remembered under a key of all it depends on.
pub fn remembered(
    program: &Path,
    job: &Job,
    settings: &Settings,
    template: impl FnOnce() -> Result<String, HelmError>,
) -> Result<String, HelmError> {
    match key(program, job, settings) {
        Some(key) => super::per_program(&format!("helm-template {key}"), template),
        None => template(),
    }
}

/// A digest of the program, the job, the flags and every file of the chart; `None` when the
/// program cannot be told apart from a replaced one.
fn key(program: &Path, job: &Job, settings: &Settings) -> Option<String> {
    let mut key = blake3::Hasher::new();
    key.update(program.as_os_str().as_encoded_bytes()).update(b"\0");
    key.update(&postcard::to_stdvec(&Identity::of(program)?).ok()?);
    for part in [job.release.as_str(), &job.chart.to_string_lossy(), &job.namespace, KUBE_VERSION] {
        key.update(part.as_bytes()).update(b"\0");
    }
    key.update(&serde_json::to_vec(&job.values).ok()?).update(b"\0");
    for api in settings.api_versions {
        key.update(api.as_bytes()).update(b"\0");
    }
    // helm reads the chart itself: each of its paths, and each file's bytes (or why it cannot
    // be read), as oxidy's own check of the chart reads them.
    let chart = settings.root.join(&job.chart);
    for entry in walkdir::WalkDir::new(&chart).follow_links(false).sort_by_file_name() {
        let entry = entry.ok()?;
        let relative = entry.path().strip_prefix(settings.root).unwrap_or(entry.path());
        key.update(relative.as_os_str().as_encoded_bytes()).update(b"\0");
        if entry.file_type().is_dir() {
            key.update(b"dir\0");
            continue;
        }
        match input::read_bytes_unrecorded(settings.root, relative, Limit::Manifest) {
            Ok(bytes) => key.update(b"file\0").update(blake3::hash(&bytes).as_bytes()),
            Err(problem) => key.update(b"error\0").update(problem.to_string().as_bytes()),
        };
    }
    Some(key.finalize().to_hex().to_string())
}
