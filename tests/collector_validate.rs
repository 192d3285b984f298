//! Every env's rendered collector config is accepted by the minimal collector built, as users
//! build it, from that env's rendered builder manifest (`otelcol validate`).

mod common;

use common::programs::{collector, env_manifest, envs, run};
use common::rendered::collector_config;

#[test]
fn the_minimal_collector_validates_every_envs_config() {
    for env in envs() {
        let binary = collector(&env_manifest(&env));
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("config.yaml");
        std::fs::write(&path, collector_config(&env)).unwrap();
        let (ok, text) = run(&binary, &["validate", &format!("--config={}", path.display())]);
        assert!(ok, "{env}: {} validate refused the rendered config:\n{text}", binary.display());
    }
}

#[test]
fn validate_refuses_a_config_naming_a_component_the_build_lacks() {
    // Proves the check above can fail: the minimal build has no kafka exporter.
    let env = &envs()[0];
    let binary = collector(&env_manifest(env));
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("config.yaml");
    let config = collector_config(env).replacen("exporters:\n", "exporters:\n  kafka: {}\n", 1);
    std::fs::write(&path, config).unwrap();
    let (ok, text) = run(&binary, &["validate", &format!("--config={}", path.display())]);
    assert!(!ok, "a config with an unknown exporter was accepted:\n{text}");
}
