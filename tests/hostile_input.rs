//! Hostile input: symbolic links out of the repository, devices, pipes, folders and huge files
//! where oxidy expects a file, and lines too long to quote. Each case ends with exit code 2,
//! one short message that quotes nothing from outside the repository, no panic, and nothing
//! written; none may hang.

mod common;

use std::fs;
use std::os::unix::fs::symlink;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use common::{project, snapshot_tree};

/// A value only the child's environment holds: it must never reach the output.
const SECRET: &str = "ci-token-d41d8cd98f00b204e980";
/// Long enough for any case; a hang (a pipe read forever) fails instead of blocking the suite.
const TIMEOUT: Duration = Duration::from_secs(20);

/// Runs `oxidy render` in `dir` and asserts the refusal every case shares; returns stderr.
fn refused(dir: &Path) -> String {
    let before = snapshot_tree(dir);
    let mut child = Command::new(env!("CARGO_BIN_EXE_oxidy"))
        .arg("--root")
        .arg(dir)
        .arg("render")
        .env("OXIDY_TEST_SECRET", SECRET)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("oxidy starts");
    let started = Instant::now();
    while child.try_wait().expect("wait").is_none() {
        if started.elapsed() > TIMEOUT {
            let _ = child.kill();
            panic!("oxidy render did not finish within {TIMEOUT:?}");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    let out = child.wait_with_output().expect("output");
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert_eq!(out.status.code(), Some(2), "exit code; stderr:\n{stderr}");
    assert!(out.stdout.is_empty(), "nothing reported as written");
    assert!(!stderr.contains("panicked"), "no panic:\n{stderr}");
    assert!(!stderr.contains(SECRET), "the environment leaked into the message:\n{stderr}");
    assert!(stderr.lines().count() <= 12 && stderr.len() <= 2000, "one short message:\n{stderr}");
    assert_eq!(snapshot_tree(dir), before, "nothing on disk changed");
    stderr
}

/// A project whose only env file is replaced by `make(path)`.
fn with_env_file(make: impl FnOnce(&Path)) -> String {
    let dir = project(&[("local", "envs/minimal.yaml")]);
    let env = dir.path().join("env/local.yaml");
    fs::remove_file(&env).unwrap();
    make(&env);
    refused(dir.path())
}

#[test]
fn env_file_linked_to_the_process_environment() {
    let stderr = with_env_file(|env| symlink("/proc/self/environ", env).unwrap());
    insta::assert_snapshot!(stderr);
}

#[test]
fn env_file_linked_to_a_device() {
    let stderr = with_env_file(|env| symlink("/dev/zero", env).unwrap());
    assert!(stderr.contains("lies outside the repository"), "{stderr}");
}

#[test]
fn env_file_that_is_a_named_pipe() {
    let stderr = with_env_file(|env| {
        let made = Command::new("mkfifo").arg(env).status().expect("mkfifo runs");
        assert!(made.success());
    });
    insta::assert_snapshot!(stderr);
}

#[test]
fn env_file_that_is_a_folder() {
    let stderr = with_env_file(|env| fs::create_dir(env).unwrap());
    assert!(stderr.contains("it is a directory, not a regular file"), "{stderr}");
}

#[test]
fn env_file_over_the_size_limit() {
    let stderr = with_env_file(|env| fs::File::create(env).unwrap().set_len(5 << 20).unwrap());
    insta::assert_snapshot!(stderr);
}

#[test]
fn env_file_with_a_huge_line_is_quoted_in_part() {
    let stderr = with_env_file(|env| fs::write(env, format!("tier: local\n{}: 1\n", "k".repeat(3 << 20))).unwrap());
    assert!(stderr.contains("env/local.yaml:2:1"), "{stderr}");
}

#[test]
fn manifest_folder_holding_a_link_out_of_the_repository() {
    let dir = project(&[("local", "envs/minimal.yaml")]);
    let manifests = dir.path().join("env/manifests");
    fs::create_dir_all(&manifests).unwrap();
    symlink("/etc", manifests.join("etc")).unwrap();
    let env = dir.path().join("env/local.yaml");
    let mut text = fs::read_to_string(&env).unwrap();
    text.push_str("apps:\n  shop:\n    namespace: shop\n    manifests: [manifests]\n");
    fs::write(&env, text).unwrap();
    insta::assert_snapshot!(refused(dir.path()));
}

#[test]
fn dashboard_importing_a_file_outside_the_repository() {
    let dir = project(&[("local", "envs/minimal.yaml")]);
    fs::create_dir_all(dir.path().join("dashboards")).unwrap();
    fs::write(dir.path().join("dashboards/leak.jsonnet"), "{ title: importstr '/proc/self/environ' }\n").unwrap();
    insta::assert_snapshot!(refused(dir.path()));
}

#[test]
fn rule_file_linked_out_of_the_repository() {
    let dir = project(&[("local", "envs/minimal.yaml")]);
    fs::create_dir_all(dir.path().join("rules")).unwrap();
    symlink("/proc/self/environ", dir.path().join("rules/leak.yaml")).unwrap();
    insta::assert_snapshot!(refused(dir.path()));
}

#[test]
fn vendored_chart_holding_a_link_out_of_the_repository() {
    let dir = project(&[("local", "envs/minimal.yaml")]);
    let chart = dir.path().join("env/charts/leaky");
    fs::create_dir_all(chart.join("templates")).unwrap();
    fs::write(chart.join("Chart.yaml"), "apiVersion: v2\nname: leaky\nversion: 1.0.0\n").unwrap();
    symlink("/proc/self/environ", chart.join("templates/environ.yaml")).unwrap();
    let env = dir.path().join("env/local.yaml");
    let mut text = fs::read_to_string(&env).unwrap();
    text.push_str("apps:\n  leaky:\n    namespace: leaky\n    helm:\n      chart: charts/leaky\n      render: local\n");
    fs::write(&env, text).unwrap();
    insta::assert_snapshot!(refused(dir.path()));
}
