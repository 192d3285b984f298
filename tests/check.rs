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
    assert!(run.stdout.starts_with("up to date: 1 environment, "), "{}", run.stdout);
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

#[test]
fn environments_are_named_by_name_or_by_env_file_path() {
    let dir = rendered();
    for word in ["local", "env/local.yaml", "./env/local.yaml"] {
        let run = oxidy(dir.path(), &["check", word]);
        assert_eq!(run.code, 0, "{word}: {}", run.stderr);
    }
    let run = oxidy(dir.path(), &["check", "env/lcoal.yaml"]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("did you mean `local`"), "{}", run.stderr);
}

#[test]
fn a_yml_env_file_is_an_environment_and_a_yaml_twin_is_an_error() {
    let dir = rendered();
    let env = dir.path().join("env");
    fs::rename(env.join("local.yaml"), env.join("local.yml")).unwrap();
    let run = oxidy(dir.path(), &["check"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    fs::copy(env.join("local.yml"), env.join("local.yaml")).unwrap();
    let run = oxidy(dir.path(), &["check"]);
    assert_eq!(run.code, 2);
    insta::assert_snapshot!(run.stderr);
}

#[test]
fn the_project_is_found_from_a_subfolder() {
    let dir = rendered();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_oxidy"))
        .arg("check")
        .current_dir(dir.path().join("generated/local/garage"))
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
}

#[test]
fn drift_names_the_command_that_fixes_it() {
    let dir = project(&[("local", "envs/minimal.yaml"), ("edge", "envs/minimal.yaml")]);
    let edge = dir.path().join("env/edge.yaml");
    let text = fs::read_to_string(&edge).unwrap();
    fs::write(&edge, format!("{text}argocd:\n  appendEnvName: true\n")).unwrap();
    assert_eq!(oxidy(dir.path(), &["render"]).code, 0);
    fs::remove_file(dir.path().join("generated/edge/garage/ServiceAccount-garage.yaml")).unwrap();
    let one = oxidy(dir.path(), &["check", "edge"]);
    assert_eq!(one.code, 1);
    assert!(one.stdout.contains("run `oxidy render edge` and commit"), "{}", one.stdout);
    let all = oxidy(dir.path(), &["check"]);
    assert!(all.stdout.contains("run `oxidy render` and commit"), "{}", all.stdout);
}
