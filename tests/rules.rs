//! The alerting rules' companions stay in step with their definitions: the promtool fixtures
//! in `tests/rules/` and the runbook pages in `docs/runbooks/` are generated from the same
//! code (`OXIDY_UPDATE_RULE_DOCS=1 cargo test --test rules` rewrites them), every rendered
//! alert links to an existing page, and promtool accepts every rule and passes every case.

mod common;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn updating() -> bool {
    std::env::var_os("OXIDY_UPDATE_RULE_DOCS").is_some()
}

/// Compares (or, when updating, writes) `files` in `dir`, which must hold nothing else
/// with the extension `ext`.
fn check_dir(dir: &Path, ext: &str, files: &[(String, String)]) {
    if updating() {
        std::fs::create_dir_all(dir).unwrap();
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.to_string_lossy().ends_with(ext) {
                std::fs::remove_file(path).unwrap();
            }
        }
        for (name, content) in files {
            std::fs::write(dir.join(name), content).unwrap();
        }
    }
    let expected: BTreeSet<&str> = files.iter().map(|(n, _)| n.as_str()).collect();
    let present: BTreeSet<String> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("{}: {e}; run OXIDY_UPDATE_RULE_DOCS=1 cargo test --test rules", dir.display()))
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(ext))
        .collect();
    let stray: Vec<&String> = present.iter().filter(|n| !expected.contains(n.as_str())).collect();
    assert!(stray.is_empty(), "{} holds files no alert produces: {stray:?}", dir.display());
    for (name, content) in files {
        let on_disk = std::fs::read_to_string(dir.join(name)).unwrap_or_else(|e| {
            panic!("{}/{name}: {e}; run OXIDY_UPDATE_RULE_DOCS=1 cargo test --test rules", dir.display())
        });
        assert!(
            on_disk == *content,
            "{}/{name} is stale; run OXIDY_UPDATE_RULE_DOCS=1 cargo test --test rules",
            dir.display()
        );
    }
}

#[test]
fn fixtures_are_current() {
    check_dir(&root().join("tests/rules"), ".yaml", &oxidy_modules::rule_fixtures().unwrap());
}

#[test]
fn runbooks_are_current_and_one_per_alert() {
    let pages: Vec<(String, String)> =
        oxidy_modules::runbook_pages().unwrap().into_iter().map(|(name, md)| (format!("{name}.md"), md)).collect();
    assert!(pages.len() >= 100, "only {} runbook pages", pages.len());
    check_dir(&root().join("docs/runbooks"), ".md", &pages);
}

/// Every `runbook_url` in the rendered output names a page under `docs/runbooks/`.
#[test]
fn every_rendered_runbook_url_resolves() {
    let mut urls = 0;
    let mut stack = vec![root().join("generated")];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
                continue;
            }
            let text = std::fs::read_to_string(&path).unwrap_or_default();
            for line in text.lines().filter_map(|l| l.trim().strip_prefix("runbook_url: ")) {
                let url = line.trim_matches(|c| c == '"' || c == '\'');
                let (_, page) =
                    url.rsplit_once("/docs/runbooks/").unwrap_or_else(|| panic!("{url} is not under docs/runbooks"));
                assert!(root().join("docs/runbooks").join(page).is_file(), "{}: {url} has no page", path.display());
                urls += 1;
            }
        }
    }
    assert!(urls >= 120, "only {urls} runbook links rendered");
}

/// promtool at the deployed Prometheus version, built by `.ci/tools` (the test fails, naming
/// the command, when it is missing).
fn promtool() -> Command {
    Command::new(common::programs::program("promtool"))
}

fn run_promtool(args: &[&str]) {
    let output = promtool().args(args).current_dir(root().join("tests/rules")).output().expect("promtool runs");
    assert!(
        output.status.success(),
        "promtool {args:?} failed:\n{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
}

fn fixture_files(ext: &str) -> Vec<String> {
    let mut files: Vec<String> = std::fs::read_dir(root().join("tests/rules"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(ext))
        .collect();
    files.sort();
    assert!(!files.is_empty(), "no {ext} files in tests/rules");
    files
}

#[test]
fn promtool_accepts_every_rule() {
    let files = fixture_files(".rules.yaml");
    let mut args = vec!["check", "rules"];
    args.extend(files.iter().map(String::as_str));
    run_promtool(&args);
}

/// The project's extra rule files (`rules/`), which envs add with `extraRules`.
#[test]
fn promtool_accepts_the_extra_rule_files() {
    let dir = root().join("rules");
    let mut files: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| format!("../../rules/{}", e.unwrap().file_name().to_string_lossy()))
        .filter(|n| n.ends_with(".yaml") || n.ends_with(".yml"))
        .collect();
    files.sort();
    assert!(!files.is_empty(), "no extra rule files in rules/");
    let mut args = vec!["check", "rules"];
    args.extend(files.iter().map(String::as_str));
    run_promtool(&args);
}

#[test]
fn promtool_unit_tests_pass_for_every_alert() {
    let files = fixture_files(".test.yaml");
    let mut args = vec!["test", "rules"];
    args.extend(files.iter().map(String::as_str));
    run_promtool(&args);
}
