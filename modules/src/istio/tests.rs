//! Tests of the istio module: tier tables, option errors and the objects and config files it renders.

use crate::contract::{ModuleError, Tier};
use crate::testing::{app, object, render};

#[test]
fn off_unless_enabled() {
    let apps = render(Tier::Local, "{}").unwrap();
    assert!(!apps.iter().any(|a| a.name == "istio-tracing"));
}

#[test]
fn mesh_tracing_samples_per_tier_into_the_collector() {
    for (tier, percentage) in [(Tier::Local, 100.0), (Tier::Staging, 10.0), (Tier::Production, 1.0)] {
        let apps = render(tier, "istio: {enabled: true}\n").unwrap();
        let istio = app(&apps, "istio-tracing");
        assert_eq!(istio.namespace, "istio-system");
        assert!(!istio.manage_namespace, "Istio owns its root namespace");
        let telemetry = object(istio, "Telemetry", "mesh-default");
        assert_eq!(telemetry["spec"]["tracing"][0]["randomSamplingPercentage"], percentage, "{tier:?}");
        assert_eq!(telemetry["spec"]["tracing"][0]["providers"][0]["name"], "oxidy-otel");

        let snippet: serde_json::Value = serde_saphyr::from_str(&istio.build_files["mesh-config.yaml"]).unwrap();
        let provider = &snippet["extensionProviders"][0];
        assert_eq!(provider["name"], "oxidy-otel", "the provider the Telemetry names");
        assert_eq!(provider["opentelemetry"]["service"], "otel-collector.observability.svc.cluster.local");
        assert_eq!(provider["opentelemetry"]["port"], 4317);
    }
}

#[test]
fn sampling_must_be_a_percentage() {
    let errors = render(Tier::Local, "istio:\n  enabled: true\n  samplingPercentage: 150\n").unwrap_err();
    assert!(
        matches!(&errors[0], ModuleError::Option { key, pos: Some(p), .. } if key == "components.istio.samplingPercentage" && p.line == 3),
        "{errors:?}"
    );
}

#[test]
fn needs_the_collector() {
    let errors = render(Tier::Local, "istio: {enabled: true}\ncollector: {enabled: false}\n").unwrap_err();
    assert!(
        errors.iter().any(|e| e.to_string() == "istio needs telemetry-otlp-grpc, but no enabled component provides it"),
        "{errors:?}"
    );
}

/// The mesh-config snippet per tier; the Telemetry is the end-to-end snapshot in `generated/`.
#[test]
fn mesh_config_per_tier() {
    for tier in [Tier::Local, Tier::Staging, Tier::Production] {
        let apps = render(tier, "istio: {enabled: true}\n").unwrap();
        let istio = app(&apps, "istio-tracing");
        insta::assert_snapshot!(format!("istio-mesh-config-{}", tier.as_str()), istio.build_files["mesh-config.yaml"]);
    }
}
