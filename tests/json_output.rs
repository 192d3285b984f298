//! `--format json` on list, check, diff, render and explain: the shapes are the committed JSON Schemas
//! in docs/schemas/ (generated from the report types by `oxidy schema <command>`), and every
//! command's real output is valid against its schema.

mod common;

use std::fs;
use std::path::Path;

use serde_json::Value;

use common::{oxidy, project};

const REPORTS: [&str; 6] = ["list", "check", "diff", "diff-between", "render", "explain"];

fn committed_schema(name: &str) -> Value {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/schemas").join(format!("{name}.json"));
    let text = fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_str(&text).unwrap()
}

#[test]
fn committed_schemas_are_the_ones_the_types_generate() {
    let dir = project(&[("local", "envs/minimal.yaml")]);
    let mut stale = Vec::new();
    for name in REPORTS {
        let run = oxidy(dir.path(), &["schema", name]);
        assert_eq!(run.code, 0, "{}", run.stderr);
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/schemas").join(format!("{name}.json"));
        if fs::read_to_string(&path).ok().as_deref() != Some(run.stdout.as_str()) {
            stale.push(format!("cargo run -- schema {name} > docs/schemas/{name}.json"));
        }
    }
    assert!(stale.is_empty(), "docs/schemas/ is stale; run:\n{}", stale.join("\n"));
}

/// Parses `stdout` as JSON and validates it against the committed schema `name`.
fn valid(name: &str, stdout: &str) -> Value {
    let value: Value = serde_json::from_str(stdout).unwrap_or_else(|e| panic!("{name}: not JSON ({e}):\n{stdout}"));
    let validator = jsonschema::validator_for(&committed_schema(name)).expect("the schema compiles");
    let errors: Vec<String> = validator.iter_errors(&value).map(|e| format!("{}: {e}", e.instance_path())).collect();
    assert!(errors.is_empty(), "{name} output against docs/schemas/{name}.json:\n{}", errors.join("\n"));
    value
}

#[test]
fn every_command_prints_json_its_schema_accepts() {
    let dir = project(&[("local", "envs/minimal.yaml"), ("edge", "envs/minimal.yaml")]);
    let edge = dir.path().join("env/edge.yaml");
    let text = fs::read_to_string(&edge).unwrap();
    fs::write(&edge, format!("{text}  garage: {{dataVolume: 20Gi}}\nargocd:\n  appendEnvName: true\n")).unwrap();

    let first = oxidy(dir.path(), &["render", "--format", "json"]);
    assert_eq!(first.code, 0, "{}", first.stderr);
    let report = valid("render", &first.stdout);
    assert_eq!(report["environments"][0]["name"], "edge");
    assert!(report["environments"][0]["added"].as_u64().unwrap() > 0);
    insta::assert_snapshot!("render", first.stdout);

    let again = valid("render", &oxidy(dir.path(), &["render", "--format", "json"]).stdout);
    assert_eq!(again["environments"][1]["added"], 0, "an up-to-date tree is not rewritten");

    let list = oxidy(dir.path(), &["list", "local", "--format", "json"]);
    assert_eq!(list.code, 0, "{}", list.stderr);
    valid("list", &list.stdout);
    insta::assert_snapshot!("list", list.stdout);

    // A section: its options nested, set ones with their line and value, others with the
    // tier's default.
    let explain = oxidy(dir.path(), &["explain", "edge", "components", "--format", "json"]);
    assert_eq!(explain.code, 0, "{}", explain.stderr);
    let report = valid("explain", &explain.stdout);
    assert_eq!(report["children"].as_array().map(|c| c.len() > 5), Some(true), "{report}");

    let clean = oxidy(dir.path(), &["check", "--format", "json"]);
    assert_eq!(clean.code, 0, "{}", clean.stderr);
    assert_eq!(valid("check", &clean.stdout)["up_to_date"], true);
    let none = oxidy(dir.path(), &["diff", "--format", "json"]);
    assert_eq!(none.code, 0, "{}", none.stderr);
    assert_eq!(valid("diff", &none.stdout)["apps"], Value::Array(Vec::new()));

    fs::write(dir.path().join("generated/local/garage/ConfigMap-extra.yaml"), "kind: ConfigMap\n").unwrap();
    fs::write(dir.path().join("generated/stray.yaml"), "kind: ConfigMap\n").unwrap();
    let statefulset = dir.path().join("generated/local/garage/StatefulSet-garage.yaml");
    fs::write(&statefulset, fs::read_to_string(&statefulset).unwrap().replace("10Gi", "11Gi")).unwrap();

    let drift = oxidy(dir.path(), &["check", "--format", "json"]);
    assert_eq!(drift.code, 1, "{}", drift.stderr);
    valid("check", &drift.stdout);
    insta::assert_snapshot!("check_drift", drift.stdout);

    let diff = oxidy(dir.path(), &["diff", "local", "--format", "json"]);
    assert_eq!(diff.code, 1, "{}", diff.stderr);
    let report = valid("diff", &diff.stdout);
    assert!(report["apps"][0]["files"][1]["patch"].as_str().unwrap().contains("+          storage: 10Gi"));
    let stat = oxidy(dir.path(), &["diff", "--stat", "--format", "json"]);
    assert_eq!(stat.code, 1, "{}", stat.stderr);
    valid("diff", &stat.stdout);
    insta::assert_snapshot!("diff_stat", stat.stdout);

    let between = oxidy(dir.path(), &["diff", "--between", "local", "edge", "--format", "json"]);
    assert_eq!(between.code, 1, "{}", between.stderr);
    valid("diff-between", &between.stdout);
    let names = oxidy(dir.path(), &["diff", "--between", "local", "edge", "--name-only", "--format", "json"]);
    valid("diff-between", &names.stdout);
    insta::assert_snapshot!("between_name_only", names.stdout);

    let pruned = oxidy(dir.path(), &["render", "--prune-orphans", "--format", "json"]);
    assert_eq!(pruned.code, 0, "{}", pruned.stderr);
    let report = valid("render", &pruned.stdout);
    assert_eq!((report["orphans"][0].as_str(), &report["pruned"]), (Some("generated/stray.yaml"), &Value::Bool(true)));
}

#[test]
fn the_schemas_reject_what_is_not_a_report() {
    for name in REPORTS {
        let validator = jsonschema::validator_for(&committed_schema(name)).expect("the schema compiles");
        assert!(!validator.is_valid(&serde_json::json!({"version": "one"})), "{name} accepts anything");
    }
}

#[test]
fn an_unknown_format_is_refused() {
    let dir = project(&[("local", "envs/minimal.yaml")]);
    let run = oxidy(dir.path(), &["list", "--format", "yaml"]);
    assert_eq!(run.code, 2);
    insta::assert_snapshot!(run.stderr);
}

#[test]
fn an_unknown_report_schema_is_refused() {
    let dir = project(&[("local", "envs/minimal.yaml")]);
    let run = oxidy(dir.path(), &["schema", "show"]);
    assert_eq!(run.code, 2);
    insta::assert_snapshot!(run.stderr);
}
