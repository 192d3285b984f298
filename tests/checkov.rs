//! checkov on every committed env's tree: each failed check must be covered by a row of the
//! README's checkov table (its checks, and a `Kind/name` pattern matching the object), and each
//! row must cover at least one finding, so the table, the only skip list, cannot go stale.
//! Needs checkov (`.ci/tools checkov`); without it the test fails and says so.

mod common;

use std::fs;
use std::path::Path;
use std::process::Command;

use serde_json::Value;

use common::programs::{envs, program};

/// One row of the README's checkov table.
#[derive(Debug)]
struct Exemption {
    checks: Vec<String>,
    /// `Kind/name` patterns; `*` matches any text.
    objects: Vec<String>,
    line: String,
}

const START: &str = "<!-- checkov exemptions: tests/checkov.rs reads this table -->";
const END: &str = "<!-- end of checkov exemptions -->";

/// The rows of the table between the README's markers.
fn exemptions() -> Vec<Exemption> {
    let readme = fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md")).unwrap();
    let table = readme
        .split_once(START)
        .and_then(|(_, rest)| rest.split_once(END))
        .map(|(table, _)| table)
        .expect("the README's checkov table, between its markers");
    let rows: Vec<Exemption> = table
        .lines()
        .filter(|l| l.starts_with("| `"))
        .map(|line| {
            let cells: Vec<&str> = line.split(" | ").collect();
            assert!(cells.len() >= 3, "a row has checks, objects and a reason: {line}");
            let ticked =
                |cell: &str| -> Vec<String> { cell.split('`').skip(1).step_by(2).map(str::to_owned).collect() };
            let row = Exemption { checks: ticked(cells[0]), objects: ticked(cells[1]), line: line.to_owned() };
            assert!(
                row.checks.iter().all(|c| c.starts_with("CKV")) && !row.objects.is_empty(),
                "a row names checks and objects: {line}"
            );
            assert!(cells[2].trim_end_matches('|').trim().len() > 20, "a row gives its reason: {line}");
            row
        })
        .collect();
    assert!(!rows.is_empty(), "the checkov table has rows");
    rows
}

/// `text` matches `pattern`, where `*` stands for any text.
fn matches(pattern: &str, text: &str) -> bool {
    match pattern.split_once('*') {
        None => pattern == text,
        Some((head, tail)) => {
            text.starts_with(head)
                && (0..=text.len() - head.len())
                    .any(|i| text.is_char_boundary(head.len() + i) && matches(tail, &text[head.len() + i..]))
        }
    }
}

/// One failed check: its id and the object, `Kind/name` from the file oxidy wrote it to.
struct Finding {
    check: String,
    object: String,
    file: String,
}

/// Runs checkov on `generated/<env>`: (passed count, failed checks).
fn checkov(env: &str) -> (u64, Vec<Finding>) {
    let checkov = program("checkov");
    let repo = Path::new(env!("CARGO_MANIFEST_DIR"));
    let out = Command::new(&checkov)
        .current_dir(repo)
        .args(["--directory", &format!("generated/{env}"), "--framework", "kubernetes"])
        // --skip-download: nothing is fetched; the checks ship with the package.
        .args(["--output", "json", "--quiet", "--compact", "--skip-download"])
        .output()
        .unwrap_or_else(|e| panic!("{} does not run: {e}", checkov.display()));
    let report: Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "checkov gave no JSON report for {env} ({e}):\n{}\n{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )
    });
    // One framework gives one report; checkov wraps several in a list.
    let report = if report.is_array() { report[0].clone() } else { report };
    assert_eq!(report["summary"]["parsing_errors"], 0, "checkov could not parse files of {env}: {report:#}");
    let failed = report["results"]["failed_checks"].as_array().cloned().unwrap_or_default();
    let findings = failed
        .iter()
        .map(|f| {
            let file = f["file_path"].as_str().unwrap().to_owned();
            let stem = Path::new(&file).file_stem().unwrap().to_string_lossy().into_owned();
            let (kind, name) = stem.split_once('-').unwrap_or_else(|| panic!("{file}: not <Kind>-<name>.yaml"));
            Finding { check: f["check_id"].as_str().unwrap().to_owned(), object: format!("{kind}/{name}"), file }
        })
        .collect();
    (report["summary"]["passed"].as_u64().unwrap_or(0), findings)
}

#[test]
fn checkov_fails_only_the_documented_exemptions() {
    let table = exemptions();
    let mut used = vec![false; table.len()];
    let mut unlisted = Vec::new();
    for env in envs() {
        let (passed, findings) = checkov(&env);
        assert!(passed > 100, "checkov checked too little of generated/{env} ({passed} passed)");
        for finding in &findings {
            let row = table.iter().position(|row| {
                row.checks.contains(&finding.check) && row.objects.iter().any(|p| matches(p, &finding.object))
            });
            match row {
                Some(i) => used[i] = true,
                None => unlisted.push(format!("{env}: {} on {} ({})", finding.check, finding.object, finding.file)),
            }
        }
    }
    unlisted.sort();
    unlisted.dedup();
    assert!(
        unlisted.is_empty(),
        "checkov findings the README's checkov table does not list (fix them, or add a row with the reason):\n{}",
        unlisted.join("\n")
    );
    let stale: Vec<&str> = table.iter().zip(&used).filter(|(_, u)| !**u).map(|(r, _)| r.line.as_str()).collect();
    assert!(
        stale.is_empty(),
        "rows of the README's checkov table that no finding needs any more:\n{}",
        stale.join("\n")
    );
    assert!(table.len() <= 5, "at most five exemptions: {table:#?}");
}

#[test]
fn patterns_match_as_documented() {
    assert!(matches("*/*", "Deployment/grafana"));
    assert!(matches("*/loki-*", "StatefulSet/loki-write"));
    assert!(!matches("*/loki-*", "StatefulSet/loki"));
    assert!(matches("DaemonSet/node-exporter", "DaemonSet/node-exporter"));
    assert!(!matches("DaemonSet/node-exporter", "Deployment/node-exporter"));
}
