//! `components.<name>.argocd`: the platform's apps take the same Argo CD settings as own apps,
//! rendered by the same code, and bad settings are refused at their line.

mod common;

use std::fs;

use common::{oxidy, project, refused_in};
use serde_json::Value;

fn application(root: &std::path::Path, app: &str) -> Value {
    let path = root.join(format!("apps/Application-{app}.yaml"));
    serde_saphyr::from_str(&fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))).unwrap()
}

#[test]
fn component_settings_reach_every_app_of_the_component() {
    let dir = project(&[("local", "component-argocd/settings.yaml")]);
    let run = oxidy(dir.path(), &["render"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let root = dir.path().join("generated/local");
    insta::assert_snapshot!(
        "grafana-application",
        fs::read_to_string(root.join("apps/Application-grafana.yaml")).unwrap()
    );
    for app in ["garage", "garage-setup"] {
        let value = application(&root, app);
        assert!(value["spec"]["syncPolicy"]["automated"].is_null(), "{app}: manual sync");
        assert_eq!(value["metadata"]["labels"]["team"], "storage", "{app}");
    }
    let garage = application(&root, "garage");
    let setup = application(&root, "garage-setup");
    let wave = |v: &Value| v["metadata"]["annotations"]["argocd.argoproj.io/sync-wave"].as_str().unwrap().to_owned();
    assert_ne!(wave(&garage), wave(&setup), "each keeps its own wave");
    let loki = application(&root, "loki");
    assert!(loki["metadata"]["labels"].is_null(), "components without settings keep the defaults");
    assert_eq!(loki["spec"]["syncPolicy"]["automated"]["selfHeal"], true);
}

#[test]
fn production_loki_ignores_its_write_replicas() {
    let apps = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("generated/production");
    let loki = application(&apps, "loki-production");
    assert_eq!(loki["spec"]["ignoreDifferences"][0]["name"], "loki-write");
    assert_eq!(loki["spec"]["ignoreDifferences"][0]["jsonPointers"][0], "/spec/replicas");
    let options = loki["spec"]["syncPolicy"]["syncOptions"].as_array().unwrap();
    assert!(options.iter().any(|o| o == "RespectIgnoreDifferences=true"), "{options:?}");
    assert_eq!(loki["metadata"]["labels"]["team"], "observability");
}

fn refused(fixture: &str) -> String {
    refused_in(project(&[("local", fixture)]).path(), &[])
}

macro_rules! error_case {
    ($test:ident, $fixture:literal) => {
        #[test]
        fn $test() {
            insta::assert_snapshot!(refused(concat!("component-argocd/errors/", $fixture, ".yaml")));
        }
    };
}

error_case!(a_sync_wave_for_a_component_of_several_waves_is_refused, "wave-for-several-waves");
error_case!(bad_sync_options_and_durations_are_refused_at_their_lines, "bad-sync-option");
error_case!(an_unknown_settings_key_suggests_the_nearest, "unknown-key");
