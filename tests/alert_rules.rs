//! Every env's rendered alert rules, checked by the deployed Prometheus version's promtool:
//! `promtool check rules`, then `promtool test rules` with the unit tests in tests/alerts/,
//! where every alert has a test in which it fires on crafted series and one in which it stays
//! silent on healthy ones (a rule without both fails this test, naming it).

mod common;

use std::collections::BTreeSet;
use std::fs;
use std::path::{Path, PathBuf};

use common::programs::{envs, program, run};
use common::rendered::{rule_file, rules};
use serde_json::Value;

/// The unit tests run here against each env's rendered rules.
fn fixtures() -> Vec<PathBuf> {
    test_files("tests/alerts")
}

/// Every unit test of an alert: those above, and those tests/rules.rs runs beside the rule
/// files generated from the same definitions.
fn all_fixtures() -> Vec<PathBuf> {
    let mut files = fixtures();
    files.extend(test_files("tests/rules"));
    files
}

fn test_files(folder: &str) -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join(folder);
    let mut files: Vec<PathBuf> = fs::read_dir(&dir)
        .expect("tests/alerts/")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.to_string_lossy().ends_with(".test.yaml"))
        .collect();
    files.sort();
    assert!(!files.is_empty(), "no unit tests in {}", dir.display());
    files
}

/// The size of the Prometheus volume the storage alerts of `rules` divide by, in bytes.
fn volume_bytes(rules: &[&Value]) -> Option<f64> {
    let expr = rules.iter().find(|r| r["alert"] == "PrometheusStorageFilling")?["expr"].as_str()?;
    let after = expr.rsplit_once(") / ")?.1;
    after.split_whitespace().next()?.parse().ok()
}

/// A fixture with its per-env tokens filled in: `@volume@` (the size as the description
/// writes it, like `100Gi`) and `@bytes*F@` (F times the size in bytes).
fn fill_tokens(text: &str, volume: Option<f64>) -> String {
    let mut out = String::new();
    let mut rest = text;
    while let Some(start) = rest.find('@') {
        let Some(len) = rest[start + 1..].find('@') else { break };
        let token = &rest[start + 1..start + 1 + len];
        let bytes = || volume.expect("a fixture uses the Prometheus volume, and no storage alert is rendered");
        let value = if token == "volume" {
            format!("{}Gi", bytes() / (1u64 << 30) as f64)
        } else if let Some(factor) = token.strip_prefix("bytes*") {
            format!("{}", (bytes() * factor.parse::<f64>().expect("a number after bytes*")).round())
        } else {
            out.push_str(&rest[..=start]);
            rest = &rest[start + 1..];
            continue;
        };
        out.push_str(&rest[..start]);
        out.push_str(&value);
        rest = &rest[start + len + 2..];
    }
    out.push_str(rest);
    out
}

/// (alertname, severity) pairs some fixture test expects to fire, and alertnames some fixture
/// test expects to stay silent.
fn covered(fixtures: &[PathBuf]) -> (BTreeSet<(String, String)>, BTreeSet<String>) {
    let (mut fires, mut silent) = (BTreeSet::new(), BTreeSet::new());
    for path in fixtures {
        let doc: Value = serde_saphyr::from_str(&fs::read_to_string(path).unwrap())
            .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        for test in doc["tests"].as_array().into_iter().flatten() {
            for case in test["alert_rule_test"].as_array().into_iter().flatten() {
                let name = case["alertname"].as_str().unwrap_or_default().to_owned();
                let expected = case["exp_alerts"].as_array().cloned().unwrap_or_default();
                if expected.is_empty() {
                    silent.insert(name.clone());
                }
                for alert in expected {
                    let severity = alert["exp_labels"]["severity"].as_str().unwrap_or_default().to_owned();
                    fires.insert((name.clone(), severity));
                }
            }
        }
    }
    (fires, silent)
}

fn scratch(env: &str) -> tempfile::TempDir {
    tempfile::Builder::new().prefix(&format!("oxidy-rules-{env}-")).tempdir().expect("temp dir")
}

#[test]
fn promtool_accepts_every_envs_rules() {
    let promtool = program("promtool");
    for env in envs() {
        let dir = scratch(&env);
        let path = dir.path().join("rules.yaml");
        fs::write(&path, rule_file(&env).to_string()).unwrap();
        let (ok, text) = run(&promtool, &["check", "rules", path.to_str().unwrap()]);
        assert!(ok && text.contains("SUCCESS"), "{env}: promtool check rules:\n{text}");
    }
}

#[test]
fn every_alert_has_a_firing_and_a_silent_unit_test() {
    let (fires, silent) = covered(&all_fixtures());
    let own = project_alerts();
    let mut missing = Vec::new();
    for env in envs() {
        let file = rule_file(&env);
        for rule in rules(&file) {
            let Some(name) = rule["alert"].as_str() else { continue };
            if own.contains(name) {
                continue;
            }
            let severity = rule["labels"]["severity"].as_str().unwrap_or_default();
            if !fires.contains(&(name.to_owned(), severity.to_owned())) {
                missing.push(format!("{env}: {name} ({severity}) has no test where it fires"));
            }
            if !silent.contains(name) && !always_fires(rule) {
                missing.push(format!("{env}: {name} has no test where it stays silent"));
            }
        }
    }
    missing.dedup();
    assert!(
        missing.is_empty(),
        "add unit tests (tests/alerts/, or with the alert's definition for tests/rules/) for:\n{}",
        missing.join("\n")
    );
}

#[test]
fn alerts_fire_on_crafted_series_and_stay_silent_on_healthy_ones() {
    let promtool = program("promtool");
    for env in envs() {
        let dir = scratch(&env);
        let file = without_runbook_links(rule_file(&env));
        let volume = volume_bytes(&rules(&file));
        fs::write(dir.path().join("rules.yaml"), file.to_string()).unwrap();
        let mut args = vec!["test".to_owned(), "rules".to_owned()];
        for fixture in fixtures() {
            let target = dir.path().join(fixture.file_name().unwrap());
            fs::write(&target, fill_tokens(&fs::read_to_string(&fixture).unwrap(), volume)).unwrap();
            args.push(target.display().to_string());
        }
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let (ok, text) = run(&promtool, &args);
        assert!(ok, "{env}: promtool test rules:\n{text}");
        assert!(!text.contains("FAILED"), "{env}: promtool test rules:\n{text}");
    }
}

/// The rule file without `runbook_url` annotations: each env links its own revision of the
/// runbooks, which tests/rules.rs checks page by page; the fixtures here check the rest.
fn without_runbook_links(mut file: Value) -> Value {
    for group in file["groups"].as_array_mut().into_iter().flatten() {
        for rule in group["rules"].as_array_mut().into_iter().flatten() {
            if let Some(annotations) = rule["annotations"].as_object_mut() {
                annotations.remove("runbook_url");
            }
        }
    }
    file
}

/// Alerts that need no silent case: the dead man's switch fires by design (`vector(1)`).
fn always_fires(rule: &Value) -> bool {
    rule["expr"].as_str().is_some_and(|e| e.trim() == "vector(1)")
}

/// Alerts of the project's own rule files (`rules/*.yaml`, shipped through `extraRules`):
/// promtool checks them, but their tests are their authors'.
fn project_alerts() -> BTreeSet<String> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("rules");
    let mut names = BTreeSet::new();
    for entry in fs::read_dir(&dir).into_iter().flatten() {
        let path = entry.expect("entry").path();
        let doc: Value = serde_saphyr::from_str(&fs::read_to_string(&path).unwrap())
            .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        for rule in rules(&doc) {
            if let Some(name) = rule["alert"].as_str() {
                names.insert(name.to_owned());
            }
        }
    }
    names
}

#[test]
fn tokens_are_filled_from_the_volume() {
    let text = fill_tokens("a @volume@ b \"@bytes*0.5@x3\" c@d", Some(107374182400.0));
    assert_eq!(text, "a 100Gi b \"53687091200x3\" c@d");
}
