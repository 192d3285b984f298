//! Every env's rendered Alertmanager configuration, checked by the deployed Alertmanager
//! version's amtool: `amtool check-config`, and `amtool config routes test` sending the cases
//! of tests/alerts/routes.yaml through the routing tree to the receivers they must reach.

mod common;

use std::collections::BTreeSet;
use std::fs;
use std::path::Path;

use common::programs::{envs, program, run};
use common::rendered::{alertmanager_config, rule_file, rules};
use serde_json::Value;

fn cases() -> Value {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/alerts/routes.yaml");
    serde_saphyr::from_str(&fs::read_to_string(&path).expect("tests/alerts/routes.yaml"))
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn write_config(env: &str, dir: &Path) -> String {
    let path = dir.join(format!("{env}.alertmanager.yaml"));
    fs::write(&path, alertmanager_config(env)).unwrap();
    path.display().to_string()
}

#[test]
fn amtool_accepts_every_envs_configuration() {
    let amtool = program("amtool");
    let dir = tempfile::tempdir().unwrap();
    for env in envs() {
        let path = write_config(&env, dir.path());
        let (ok, text) = run(&amtool, &["check-config", &path]);
        assert!(ok && text.contains("SUCCESS"), "{env}: amtool check-config:\n{text}");
    }
}

#[test]
fn alerts_reach_their_receivers() {
    let amtool = program("amtool");
    let dir = tempfile::tempdir().unwrap();
    let cases = cases();
    for env in envs() {
        let path = write_config(&env, dir.path());
        let env_cases = cases[env.as_str()].as_array().unwrap_or_else(|| panic!("routes.yaml has no cases for {env}"));
        for case in env_cases {
            let labels: Vec<String> = case["labels"]
                .as_object()
                .expect("labels")
                .iter()
                .map(|(k, v)| format!("{k}={}", v.as_str().unwrap()))
                .collect();
            let expected: Vec<&str> =
                case["receivers"].as_array().unwrap().iter().map(|r| r.as_str().unwrap()).collect();
            let config = format!("--config.file={path}");
            let mut args = vec!["config", "routes", "test", &config];
            args.extend(labels.iter().map(String::as_str));
            let (ok, text) = run(&amtool, &args);
            assert!(ok, "{env}: amtool {}:\n{text}", args.join(" "));
            let got: Vec<&str> = text.trim().split(',').collect();
            assert_eq!(got, expected, "{env}: alert {labels:?} is routed to {got:?}, not {expected:?}");
        }
    }
}

#[test]
fn every_alert_severity_has_a_routing_case() {
    let cases = cases();
    for env in envs() {
        let tested: BTreeSet<&str> = cases[env.as_str()]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|c| c["labels"]["severity"].as_str())
            .collect();
        let file = rule_file(&env);
        let severities: BTreeSet<&str> = rules(&file).iter().filter_map(|r| r["labels"]["severity"].as_str()).collect();
        let untested: Vec<_> = severities.difference(&tested).collect();
        assert!(untested.is_empty(), "{env}: no routing case in tests/alerts/routes.yaml for severities {untested:?}");
    }
}
