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

/// The README's routing example, every receiver type with its credential from a file,
/// rendered and checked by the deployed amtool.
#[test]
fn amtool_accepts_every_receiver_type_oxidy_renders() {
    let amtool = program("amtool");
    let dir = common::project(&[("staging", "envs/routing-every-receiver.yaml")]);
    let rendered = common::oxidy(dir.path(), &["render"]);
    assert_eq!(rendered.code, 0, "{}", rendered.stderr);
    let secret = dir.path().join("generated/staging/prometheus/Secret-alertmanager-platform-config.yaml");
    let secret: Value = serde_saphyr::from_str(&fs::read_to_string(&secret).unwrap()).unwrap();
    let config = secret["stringData"]["alertmanager.yaml"].as_str().expect("alertmanager.yaml");
    for (receiver, file_key) in [
        ("slack_configs", "api_url_file"),
        ("email_configs", "auth_password_file"),
        ("pagerduty_configs", "routing_key_file"),
        ("opsgenie_configs", "api_key_file"),
        ("webhook_configs", "url_file"),
    ] {
        assert!(config.contains(receiver) && config.contains(file_key), "{receiver} with {file_key}:\n{config}");
    }
    let path = dir.path().join("alertmanager.yaml");
    fs::write(&path, config).unwrap();
    let (ok, text) = run(&amtool, &["check-config", &path.display().to_string()]);
    assert!(ok && text.contains("SUCCESS"), "amtool check-config:\n{text}");
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
