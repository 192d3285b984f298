//! Runs the real `oxidy` binary against a throw-away project built from fixture env files.

#![allow(dead_code)] // each test file uses its own part of this module

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use tempfile::TempDir;

pub mod cluster;
pub mod garage;
pub mod loopback;
pub mod pod_files;
pub mod processes;
pub mod programs;
pub mod rendered;
pub mod stack;
pub mod ttar;

pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

/// A project in a temporary folder with `env/<name>.yaml` for each `(name, fixture)` and an
/// empty `dashboards/`.
pub fn project(envs: &[(&str, &str)]) -> TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    fs::create_dir_all(dir.path().join("env")).expect("env dir");
    // Grafana is on by default and a project without dashboards/ is an error: an empty
    // folder, no dashboards on purpose.
    fs::create_dir_all(dir.path().join("dashboards")).expect("dashboards dir");
    for (name, fixture) in envs {
        let text = fs::read_to_string(fixture_path(fixture)).expect("fixture exists");
        fs::write(dir.path().join("env").join(format!("{name}.yaml")), text).expect("write env");
    }
    dir
}

pub fn fixture_path(fixture: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures").join(fixture)
}

pub fn oxidy(root: &Path, args: &[&str]) -> Run {
    oxidy_with(root, args, &[])
}

/// [`oxidy`] with extra environment variables (`OXIDY_HELM`, say).
pub fn oxidy_with(root: &Path, args: &[&str], envs: &[(&str, &std::ffi::OsStr)]) -> Run {
    let out = Command::new(env!("CARGO_BIN_EXE_oxidy"))
        .arg("--root")
        .arg(root)
        .args(args)
        .envs(envs.iter().copied())
        .output()
        .expect("oxidy runs");
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// The refusal every error test asserts of the project at `dir`: `oxidy render` exits with 2,
/// reports nothing as written and leaves the disk exactly as it was, and `oxidy check` fails
/// with the same message. Returns the message, for its snapshot.
pub fn refused_in(dir: &Path, envs: &[(&str, &std::ffi::OsStr)]) -> String {
    let before = snapshot_tree(dir);
    let run = oxidy_with(dir, &["render"], envs);
    assert_eq!(run.code, 2, "exit code; stderr:\n{}", run.stderr);
    assert_eq!(run.stdout, "", "nothing reported as written");
    assert_eq!(snapshot_tree(dir), before, "nothing on disk changed");
    let check = oxidy_with(dir, &["check"], envs);
    assert_eq!(check.code, 2, "check fails the same way");
    assert_eq!(check.stderr, run.stderr, "check reports the same error");
    run.stderr
}

/// Every file below `root` (relative path → bytes), to prove what did or did not change.
pub fn snapshot_tree(root: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    walkdir::WalkDir::new(root)
        .sort_by_file_name()
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file())
        .map(|e| (e.path().strip_prefix(root).unwrap().to_owned(), fs::read(e.path()).unwrap()))
        .collect()
}

/// The files below `dir` as one text: `--- path` then the contents, for snapshots.
pub fn tree_text(dir: &Path) -> String {
    snapshot_tree(dir)
        .into_iter()
        .map(|(p, bytes)| format!("--- {}\n{}", p.display(), String::from_utf8_lossy(&bytes)))
        .collect()
}

/// A project in a temporary folder holding a copy of the fixture folder `fixture` (with its
/// `env/` and any manifests beside the env files).
pub fn project_tree(fixture: &str) -> TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    let from = fixture_path(fixture);
    for entry in walkdir::WalkDir::new(&from).into_iter().filter_map(Result::ok) {
        let to = dir.path().join(entry.path().strip_prefix(&from).unwrap());
        if entry.file_type().is_dir() {
            fs::create_dir_all(&to).expect("fixture dir");
        } else {
            fs::copy(entry.path(), &to).expect("fixture file");
        }
    }
    dir
}
