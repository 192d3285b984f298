//! `oxidy explain ENV KEY`: an option's value and where it comes from (the env file's line or
//! the tier's default), a section's options one a line, the overrides that change a
//! component's objects, and a refusal with a suggestion for a key that is no option.

mod common;

use std::fs;
use std::path::Path;

use common::{oxidy, snapshot_tree};
use tempfile::TempDir;

/// The components the tests leave on: Garage alone renders quickly.
const COMPONENTS: &str = "\
components:
  loki: {enabled: false}
  tempo: {enabled: false}
  collector: {enabled: false}
  prometheus: {enabled: false}
  grafana: {enabled: false}
";

/// A project with env `local` (tier local) and `staging` (tier staging), the same but for
/// the tier and what staging sets itself.
fn project() -> TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    fs::create_dir_all(dir.path().join("env")).unwrap();
    fs::create_dir_all(dir.path().join("dashboards")).unwrap();
    let head = |tier: &str| {
        format!(
            "tier: {tier}\ngit:\n  repoURL: https://git.example.com/platform/observability.git\n  revision: release-1\n\
             destination:\n  server: https://kubernetes.default.svc\n"
        )
    };
    fs::write(dir.path().join("env/local.yaml"), format!("{}{COMPONENTS}", head("local"))).unwrap();
    let staging = format!(
        "{}{COMPONENTS}  garage:\n    storageClass: fast-ssd\n    replicas: 1\n\
         argocd:\n  syncWindows:\n    - kind: deny\n      schedule: \"0 18 * * 5\"\n      duration: 62h\n\
         commonLabels:\n  example.com/team: observability\n\
         overrides:\n  - target: {{kind: StatefulSet, name: garage}}\n    patch:\n      spec:\n        template:\n\
         \x20         spec:\n            nodeSelector: {{disk: ssd}}\n",
        head("staging")
    );
    fs::write(dir.path().join("env/staging.yaml"), staging).unwrap();
    dir
}

fn explain(dir: &Path, args: &[&str]) -> String {
    let run = oxidy(dir, &[&["explain"], args].concat());
    assert_eq!(run.code, 0, "oxidy explain {args:?}: {}", run.stderr);
    assert_eq!(run.stderr, "", "nothing but the answer");
    run.stdout
}

#[test]
fn a_set_key_names_its_value_and_line() {
    let dir = project();
    let out = explain(dir.path(), &["staging", "git.revision"]);
    assert!(out.contains("set in env/staging.yaml:4: release-1"), "{out}");
    insta::assert_snapshot!(out);
    let window = explain(dir.path(), &["staging", "argocd.syncWindows[0].schedule"]);
    assert!(window.contains("set in env/staging.yaml:19: \"0 18 * * 5\""), "{window}");
    let label = explain(dir.path(), &["staging", "commonLabels.example.com/team"]);
    assert!(label.contains("set in env/staging.yaml:22: observability"), "{label}");
}

#[test]
fn an_unset_key_takes_its_tiers_default() {
    let dir = project();
    let local = explain(dir.path(), &["local", "components.garage.dataVolume"]);
    let staging = explain(dir.path(), &["env/staging.yaml", "components.garage.dataVolume"]);
    assert!(local.contains("not set in env/local.yaml; the local default applies: 10Gi"), "{local}");
    assert!(staging.contains("not set in env/staging.yaml; the staging default applies: 50Gi"), "{staging}");
    insta::assert_snapshot!("unset_local", local);
    insta::assert_snapshot!("unset_staging", staging);
    // The same key set in one env and not in the other.
    let set = explain(dir.path(), &["staging", "components.garage.storageClass"]);
    assert!(set.contains("set in env/staging.yaml:14: fast-ssd"), "{set}");
    let unset = explain(dir.path(), &["local", "components.garage.storageClass"]);
    assert!(unset.contains("the local default applies: the cluster's default class"), "{unset}");
}

#[test]
fn a_section_lists_each_option_and_the_overrides_of_its_component() {
    let dir = project();
    let before = snapshot_tree(dir.path());
    let out = explain(dir.path(), &["staging", "components.garage"]);
    for line in ["storageClass", "line 14: fast-ssd", "dataVolume", "staging default: 50Gi"] {
        assert!(out.contains(line), "{line} missing:\n{out}");
    }
    assert!(out.contains("env/staging.yaml:24: StatefulSet"), "the override of garage's StatefulSet:\n{out}");
    insta::assert_snapshot!(out);
    // A set list of sections: each item's options, set ones with their line.
    let windows = explain(dir.path(), &["staging", "argocd.syncWindows"]);
    insta::assert_snapshot!("list_of_sections", windows);
    // The local env has no overrides: none named.
    let local = explain(dir.path(), &["local", "components.garage"]);
    assert!(!local.contains("overrides"), "{local}");
    assert_eq!(snapshot_tree(dir.path()), before, "explain writes nothing");
}

#[test]
fn an_unknown_key_is_refused_with_a_suggestion() {
    let dir = project();
    let mut shown = String::new();
    for key in [
        "components.garage.dataVolme",
        "components.garbage",
        "argocd.syncWindows.1",
        "git.revision.name",
        "commonLabels.team",
    ] {
        let run = oxidy(dir.path(), &["explain", "staging", key]);
        assert_eq!(run.code, 2, "{key}: {}", run.stderr);
        assert_eq!(run.stdout, "", "{key}");
        assert!(run.stderr.starts_with("error: env/staging.yaml: no option `"), "{}", run.stderr);
        shown.push_str(&format!("$ oxidy explain staging {key}\n{}", run.stderr));
    }
    assert!(shown.contains("did you mean `components.garage.dataVolume`?"), "{shown}");
    insta::assert_snapshot!(shown);
    let long = oxidy(dir.path(), &["explain", "staging", &"a.".repeat(5000)]);
    assert_eq!(long.code, 2);
    assert!(long.stderr.len() < 300 && long.stderr.contains("10000 characters"), "{}", long.stderr);
    let env = oxidy(dir.path(), &["explain", "stagin", "git.revision"]);
    assert_eq!(env.code, 2);
    assert!(env.stderr.contains("no environment `stagin`") && env.stderr.contains("did you mean `staging`?"));
}

#[test]
fn json_gives_the_same_answer_in_a_stable_shape() {
    let dir = project();
    let run = oxidy(dir.path(), &["explain", "staging", "components.garage.storageClass", "--format", "json"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let report: serde_json::Value = serde_json::from_str(&run.stdout).expect("JSON");
    assert_eq!((report["source"].as_str(), report["line"].as_u64()), (Some("file"), Some(14)));
    assert_eq!(report["overrides"][0]["name"], "garage");
    insta::assert_snapshot!(run.stdout);
    let unset = oxidy(dir.path(), &["explain", "local", "components.garage", "--format", "json"]);
    let report: serde_json::Value = serde_json::from_str(&unset.stdout).expect("JSON");
    let data = report["children"].as_array().unwrap().iter().find(|c| c["key"] == "components.garage.dataVolume");
    assert_eq!(data.map(|d| (&d["source"], &d["default"])), Some((&"default".into(), &"10Gi".into())));
}

/// The README's `$ oxidy explain ...` examples are what the command prints for the committed
/// env files.
#[test]
fn the_readme_examples_are_current() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let readme = fs::read_to_string(root.join("README.md")).unwrap();
    let mut examples = 0;
    for block in readme.split("```text\n").skip(1).filter_map(|b| b.split("```").next()) {
        for example in block.split("$ oxidy ").skip(1).filter(|e| e.starts_with("explain ")) {
            let (command, shown) = example.split_once('\n').unwrap();
            let args: Vec<&str> = command.split_whitespace().collect();
            let run = oxidy(root, &args);
            assert_eq!(run.code, 0, "oxidy {command}: {}", run.stderr);
            assert_eq!(run.stdout, shown, "the README's `oxidy {command}` is stale: paste its output");
            examples += 1;
        }
    }
    assert!(examples >= 3, "the README shows `oxidy explain` examples; found {examples}");
}
