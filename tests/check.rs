//! `oxidy check`: 0 when the committed tree is current, 1 with a diff when not, 2 on error.

mod common;

use std::fs;

use common::{oxidy, project};

fn rendered() -> tempfile::TempDir {
    let dir = project(&[("local", "envs/minimal.yaml")]);
    assert_eq!(oxidy(dir.path(), &["render"]).code, 0);
    dir
}

#[test]
fn current_tree_passes() {
    let dir = rendered();
    let run = oxidy(dir.path(), &["check"]);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    assert!(run.stdout.starts_with("up to date: 1 environments"), "{}", run.stdout);
}

#[test]
fn hand_edit_is_drift_with_a_diff() {
    let dir = rendered();
    let file = dir.path().join("generated/local/garage/Service-garage.yaml");
    let text = fs::read_to_string(&file).unwrap().replace("port: 3900", "port: 3999");
    fs::write(&file, text).unwrap();
    let run = oxidy(dir.path(), &["check"]);
    assert_eq!(run.code, 1);
    insta::assert_snapshot!(run.stdout);
}

#[test]
fn added_and_missing_files_are_drift() {
    let dir = rendered();
    fs::write(dir.path().join("generated/local/garage/ConfigMap-extra.yaml"), "kind: ConfigMap\n").unwrap();
    fs::remove_file(dir.path().join("generated/local/garage/ServiceAccount-garage.yaml")).unwrap();
    let run = oxidy(dir.path(), &["check"]);
    assert_eq!(run.code, 1);
    assert!(run.stdout.contains("drift: 1 added, 0 changed, 1 removed"), "{}", run.stdout);
    assert!(run.stdout.contains("--- a/generated/local/garage/ConfigMap-extra.yaml"), "{}", run.stdout);
    assert!(run.stdout.contains("+++ b/generated/local/garage/ServiceAccount-garage.yaml"), "{}", run.stdout);
}

#[test]
fn stale_schema_is_drift() {
    let dir = rendered();
    fs::write(dir.path().join("env/schema.json"), "{}\n").unwrap();
    let run = oxidy(dir.path(), &["check"]);
    assert_eq!(run.code, 1);
    assert!(run.stdout.contains("env/schema.json"), "{}", run.stdout);
}

#[test]
fn broken_environment_is_an_error_not_drift() {
    let dir = rendered();
    fs::copy(common::fixture_path("errors/unknown-key.yaml"), dir.path().join("env/local.yaml")).unwrap();
    let run = oxidy(dir.path(), &["check"]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("did you mean `dataVolume`?"), "{}", run.stderr);
}
