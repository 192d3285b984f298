//! Tests of the collector module: tier tables, option errors and the objects and config files it renders.

use serde_json::Value;

use crate::contract::{App, Declarations, Endpoint, Link, Module, ModuleError, Tier};
use crate::testing::{self, app, env, object};

use super::builder::manifest_text;
use super::pipeline::{DebugExporter, Exporter, Model, Signal};
use super::resolved::Resolved;
use super::routes::{Targets, model};
use super::{Collector, CollectorModule};

/// Offers the three backends the collector exports to, under fake names, so these tests do
/// not depend on the backend modules.
fn declare_backends(decl: &mut Declarations, links: &[Link]) {
    let endpoint = |service: &str, port: u16| Endpoint {
        service: service.into(),
        namespace: "backends".into(),
        port,
        port_name: "http".into(),
        scheme: "http",
    };
    for link in links {
        match link {
            Link::TracesOtlpGrpc => {
                let tempo = endpoint("fake-tempo", 4317);
                let authority = tempo.authority();
                decl.provide_urls("tempo", *link, tempo, vec![authority]);
            }
            Link::MetricsRemoteWrite => {
                let prometheus = endpoint("fake-prometheus", 9090);
                let url = format!("{}/api/v1/write", prometheus.url());
                decl.provide_urls("prometheus", *link, prometheus, vec![url]);
            }
            Link::LogsOtlpHttp => {
                let loki = endpoint("fake-loki", 3100);
                let url = format!("{}/otlp", loki.url());
                decl.provide_urls("loki", *link, loki, vec![url]);
            }
            _ => {}
        }
    }
}

const BACKENDS: [Link; 3] = [Link::TracesOtlpGrpc, Link::MetricsRemoteWrite, Link::LogsOtlpHttp];

/// Renders only the collector, with `options` as its `components.collector` body.
fn render_with_links(tier: Tier, options: &str, links: &[Link]) -> Result<Vec<App>, ModuleError> {
    let mut decl = Declarations::default();
    declare_backends(&mut decl, links);
    let resolved = testing::declare::<CollectorModule>(options, &env(tier), &mut decl)?;
    let ctx = decl.into_context(env(tier)).map_err(|errors| errors[0].clone())?;
    CollectorModule::render(&resolved, &ctx)
}

fn render(tier: Tier, options: &str) -> Vec<App> {
    render_with_links(tier, options, &BACKENDS).expect("collector renders")
}

/// The rendered config file, parsed as YAML (which is how the collector reads it).
fn config(apps: &[App]) -> Value {
    let text = object(app(apps, "collector"), "ConfigMap", "otel-collector-config")["data"]["config.yaml"]
        .as_str()
        .expect("config is text")
        .to_owned();
    serde_saphyr::from_str(&text).expect("config parses as YAML")
}

fn mib(quantity: &Value) -> u64 {
    super::memory::mebibytes(quantity.as_str().expect("quantity is text")).expect("quantity in bytes")
}

#[test]
fn pipelines_route_each_signal_to_its_backend() {
    let config = config(&render(Tier::Staging, "{}"));
    for signal in ["traces", "metrics", "logs"] {
        let pipeline = &config["service"]["pipelines"][signal];
        assert_eq!(pipeline["receivers"], serde_json::json!(["otlp"]), "{signal}");
        assert_eq!(pipeline["processors"], serde_json::json!(["memory_limiter", "batch"]), "{signal}: order matters");
    }
    let exporters = &config["exporters"];
    assert_eq!(config["service"]["pipelines"]["traces"]["exporters"], serde_json::json!(["otlp_grpc"]));
    assert_eq!(exporters["otlp_grpc"]["endpoint"], "fake-tempo.backends.svc.cluster.local:4317");
    assert_eq!(config["service"]["pipelines"]["metrics"]["exporters"], serde_json::json!(["prometheusremotewrite"]));
    assert_eq!(
        exporters["prometheusremotewrite"]["endpoint"],
        "http://fake-prometheus.backends.svc.cluster.local:9090/api/v1/write"
    );
    assert_eq!(config["service"]["pipelines"]["logs"]["exporters"], serde_json::json!(["otlp_http"]));
    assert_eq!(exporters["otlp_http"]["endpoint"], "http://fake-loki.backends.svc.cluster.local:3100/otlp");
    assert_eq!(config["receivers"]["otlp"]["protocols"]["grpc"]["endpoint"], "0.0.0.0:4317");
    assert_eq!(config["receivers"]["otlp"]["protocols"]["http"]["endpoint"], "0.0.0.0:4318");
}

#[test]
fn health_and_own_metrics_are_served_for_probes_and_scrapes() {
    let apps = render(Tier::Local, "{}");
    let config = config(&apps);
    assert_eq!(config["service"]["extensions"], serde_json::json!(["health_check"]));
    assert_eq!(config["extensions"]["health_check"]["endpoint"], "0.0.0.0:13133");
    let reader = &config["service"]["telemetry"]["metrics"]["readers"][0]["pull"]["exporter"]["prometheus"];
    assert_eq!((reader["host"].as_str(), reader["port"].as_u64()), (Some("0.0.0.0"), Some(8888)));

    let collector = app(&apps, "collector");
    let pod = &object(collector, "Deployment", "otel-collector")["spec"]["template"]["spec"];
    let container = &pod["containers"][0];
    let port_named = |name: &str| container["ports"].as_array().unwrap().iter().find(|p| p["name"] == name).cloned();
    assert_eq!(port_named("health").unwrap()["containerPort"], 13133);
    assert_eq!(port_named("metrics").unwrap()["containerPort"], 8888);
    for probe in ["livenessProbe", "readinessProbe"] {
        assert_eq!(container[probe]["httpGet"]["port"], "health", "{probe}");
        assert_eq!(container[probe]["httpGet"]["path"], config["extensions"]["health_check"]["path"], "{probe}");
    }
    let monitor = object(collector, "ServiceMonitor", "otel-collector");
    assert_eq!(monitor["spec"]["endpoints"][0]["port"], "metrics");
    let service = object(collector, "Service", "otel-collector");
    let service_ports: Vec<_> =
        service["spec"]["ports"].as_array().unwrap().iter().map(|p| p["name"].clone()).collect();
    assert_eq!(service_ports, ["otlp-grpc", "otlp-http", "metrics"]);
    assert!(
        monitor["spec"]["selector"]["matchLabels"]
            .as_object()
            .unwrap()
            .iter()
            .all(|(k, v)| service["metadata"]["labels"][k] == *v),
        "the ServiceMonitor must select the Service"
    );
}

#[test]
fn memory_limiter_stays_below_the_container_limit() {
    for (tier, options) in [
        (Tier::Local, "{}"),
        (Tier::Staging, "{}"),
        (Tier::Production, "{}"),
        (Tier::Production, "resources:\n  limits:\n    memory: 3G\n"),
    ] {
        let apps = render(tier, options);
        let limiter = &config(&apps)["processors"]["memory_limiter"];
        let container = &object(app(&apps, "collector"), "Deployment", "otel-collector")["spec"]["template"]["spec"]["containers"]
            [0];
        let container_limit = mib(&container["resources"]["limits"]["memory"]);
        let hard = limiter["limit_mib"].as_u64().unwrap();
        let spike = limiter["spike_limit_mib"].as_u64().unwrap();
        assert!(
            hard < container_limit && hard * 10 >= container_limit * 7,
            "{tier:?} {options}: {hard} of {container_limit}"
        );
        assert!(spike > 0 && spike < hard, "{tier:?}: spike {spike} of {hard}");
        assert_eq!(container["env"][0]["name"], "GOMEMLIMIT");
        assert_eq!(container["env"][0]["value"], format!("{hard}MiB"), "{tier:?}");
    }
}

#[test]
fn memory_limits_that_are_not_bytes_are_refused() {
    let error = render_with_links(Tier::Local, "resources:\n  limits:\n    memory: 32Mi\n", &BACKENDS).unwrap_err();
    assert!(
        matches!(&error, ModuleError::Option { key, .. } if key == "components.collector.resources.limits.memory"),
        "{error:?}"
    );
}

#[test]
fn tiers_size_the_collector() {
    for (tier, replicas, autoscaled) in
        [(Tier::Local, 1, false), (Tier::Staging, 2, false), (Tier::Production, 2, true)]
    {
        let apps = render(tier, "{}");
        let collector = app(&apps, "collector");
        let deployment = object(collector, "Deployment", "otel-collector");
        let has = |kind: &str| collector.objects.iter().any(|o| o.kind() == kind);
        assert_eq!(has("HorizontalPodAutoscaler"), autoscaled, "{tier:?}");
        assert_eq!(has("PodDisruptionBudget"), autoscaled, "{tier:?}");
        if autoscaled {
            let hpa = object(collector, "HorizontalPodAutoscaler", "otel-collector");
            assert_eq!(hpa["apiVersion"], "autoscaling/v2");
            assert_eq!(hpa["spec"]["minReplicas"], replicas);
            assert_eq!(hpa["spec"]["maxReplicas"], 6);
            assert_eq!(hpa["spec"]["scaleTargetRef"]["name"], "otel-collector");
            assert!(deployment["spec"].get("replicas").is_none(), "the autoscaler owns the replica count");
        } else {
            assert_eq!(deployment["spec"]["replicas"], replicas, "{tier:?}");
        }
        let batch = &config(&apps)["processors"]["batch"];
        assert_eq!(batch["send_batch_size"], tier.pick(1024, 4096, 8192), "{tier:?}");
        assert_eq!(batch["timeout"], tier.pick("1s", "2s", "5s"), "{tier:?}");
    }
}

#[test]
fn images_must_be_pinned() {
    for image in ["ghcr.io/example/oxidy-otelcol", "ghcr.io/example/oxidy-otelcol:latest", "localhost:5000/otelcol"] {
        let error = render_with_links(Tier::Local, &format!("image: {image}\n"), &BACKENDS).unwrap_err();
        assert!(error.to_string().contains("is not pinned"), "{image}: {error}");
    }
    for image in ["localhost:5000/otelcol:0.159.0", "ghcr.io/example/oxidy-otelcol@sha256:0123"] {
        assert!(render_with_links(Tier::Local, &format!("image: \"{image}\"\n"), &BACKENDS).is_ok(), "{image}");
    }
}

#[test]
fn autoscaler_bounds_are_checked() {
    let error = render_with_links(Tier::Production, "replicas: 4\nmaxReplicas: 3\n", &BACKENDS).unwrap_err();
    assert!(error.to_string().contains("maxReplicas 3 is below replicas 4"), "{error}");
}

#[test]
fn pods_are_restricted_and_pinned() {
    let apps = render(Tier::Production, "{}");
    let pod = &object(app(&apps, "collector"), "Deployment", "otel-collector")["spec"]["template"]["spec"];
    assert_eq!(pod["securityContext"]["runAsNonRoot"], true);
    assert_eq!(pod["automountServiceAccountToken"], false);
    let container = &pod["containers"][0];
    assert_eq!(container["securityContext"]["readOnlyRootFilesystem"], true);
    assert_eq!(container["securityContext"]["capabilities"]["drop"], serde_json::json!(["ALL"]));
    assert_eq!(container["image"], "otel/opentelemetry-collector-contrib:0.159.0");
    for amount in ["requests", "limits"] {
        assert!(container["resources"][amount]["cpu"].is_string(), "{amount}");
        assert!(container["resources"][amount]["memory"].is_string(), "{amount}");
    }
}

#[test]
fn each_missing_backend_is_a_render_error() {
    for missing in BACKENDS {
        let links: Vec<_> = BACKENDS.into_iter().filter(|l| *l != missing).collect();
        let error = render_with_links(Tier::Local, "{}", &links).unwrap_err();
        assert!(
            matches!(&error, ModuleError::MissingLink { consumer: "collector", link, .. } if *link == missing.to_string()),
            "{error:?}"
        );
    }
}

#[test]
fn offers_its_receivers_to_the_others() {
    let mut decl = Declarations::default();
    testing::declare::<CollectorModule>("{}", &env(Tier::Local), &mut decl).unwrap();
    let ctx = decl.into_context(env(Tier::Local)).unwrap();
    assert_eq!(
        ctx.endpoint(Link::TelemetryOtlpGrpc, "test").unwrap().authority(),
        "otel-collector.observability.svc.cluster.local:4317"
    );
    assert_eq!(
        ctx.endpoint(Link::TelemetryOtlpHttp, "test").unwrap().url(),
        "http://otel-collector.observability.svc.cluster.local:4318"
    );
}

/// The default model for a tier, to change in tests.
fn default_model() -> Model {
    let targets = Targets {
        traces: "tempo:4317".into(),
        metrics: vec!["http://prom/api/v1/write".into()],
        logs: "http://loki/otlp".into(),
    };
    let resolved: Resolved = Collector::default().resolve(&env(Tier::Local)).expect("defaults resolve");
    model(&resolved, &targets)
}

fn gomods(manifest: &str) -> Vec<String> {
    let parsed: Value = serde_saphyr::from_str(manifest).expect("manifest parses as YAML");
    ["receivers", "processors", "exporters", "extensions"]
        .iter()
        .flat_map(|section| parsed[section].as_array().cloned().unwrap_or_default())
        .filter_map(|entry| entry["gomod"].as_str().map(str::to_owned))
        .collect()
}

#[test]
fn build_manifest_holds_exactly_the_components_used() {
    let manifest = manifest_text(&default_model()).unwrap();
    let parsed: Value = serde_saphyr::from_str(&manifest).expect("manifest parses as YAML");
    let modules = |section: &str| -> Vec<&str> {
        parsed[section].as_array().unwrap().iter().map(|m| m["gomod"].as_str().unwrap()).collect()
    };
    assert_eq!(modules("receivers"), ["go.opentelemetry.io/collector/receiver/otlpreceiver v0.159.0"]);
    assert_eq!(
        modules("processors"),
        [
            "go.opentelemetry.io/collector/processor/batchprocessor v0.159.0",
            "go.opentelemetry.io/collector/processor/memorylimiterprocessor v0.159.0"
        ]
    );
    assert_eq!(
        modules("exporters"),
        [
            "github.com/open-telemetry/opentelemetry-collector-contrib/exporter/prometheusremotewriteexporter v0.159.0",
            "go.opentelemetry.io/collector/exporter/otlpexporter v0.159.0",
            "go.opentelemetry.io/collector/exporter/otlphttpexporter v0.159.0"
        ]
    );
    assert_eq!(
        modules("extensions"),
        ["github.com/open-telemetry/opentelemetry-collector-contrib/extension/healthcheckextension v0.159.0"]
    );
    assert_eq!(parsed["dist"]["version"], "0.159.0");
}

#[test]
fn build_manifest_follows_the_pipelines() {
    let debug = "go.opentelemetry.io/collector/exporter/debugexporter v0.159.0";
    let remote_write =
        "github.com/open-telemetry/opentelemetry-collector-contrib/exporter/prometheusremotewriteexporter v0.159.0";
    let mut model = default_model();
    assert!(!gomods(&manifest_text(&model).unwrap()).iter().any(|m| m == debug));

    model.pipeline_mut(Signal::Logs).unwrap().exporters.push(Exporter::Debug(DebugExporter { verbosity: "detailed" }));
    assert!(gomods(&manifest_text(&model).unwrap()).iter().any(|m| m == debug), "an added exporter is built");

    model.pipeline_mut(Signal::Metrics).unwrap().exporters.retain(|e| !matches!(e, Exporter::PrometheusRemoteWrite(_)));
    let modules = gomods(&manifest_text(&model).unwrap());
    assert!(!modules.iter().any(|m| m == remote_write), "a removed exporter is not built: {modules:?}");
    assert!(modules.iter().any(|m| m == debug));
}

#[test]
fn the_app_carries_the_build_manifest_of_its_config() {
    let apps = render(Tier::Local, "debug: true\n");
    let collector = app(&apps, "collector");
    let manifest = collector.build_files.get("builder-config.yaml").expect("build manifest");
    assert!(gomods(manifest).iter().any(|m| m.starts_with("go.opentelemetry.io/collector/exporter/debugexporter ")));
    let config = config(&apps);
    assert_eq!(config["service"]["pipelines"]["logs"]["exporters"], serde_json::json!(["otlp_http", "debug"]));
}

/// The config file and the build manifest per tier; the objects around them are the
/// end-to-end snapshot in `generated/`.
#[test]
fn config_files_per_tier() {
    for tier in [Tier::Local, Tier::Staging, Tier::Production] {
        let apps = render(tier, "{}");
        let collector = app(&apps, "collector");
        insta::assert_snapshot!(
            format!("collector-config-{}", tier.as_str()),
            testing::config_file(collector, "otel-collector-config", "config.yaml")
        );
        insta::assert_snapshot!(
            format!("collector-build-{}", tier.as_str()),
            collector.build_files["builder-config.yaml"]
        );
    }
}

#[test]
fn the_platform_wires_the_collector_to_its_backends() {
    let apps = testing::render(Tier::Staging, "{}").expect("the platform renders");
    assert!(app(&apps, "collector").build_files.contains_key("builder-config.yaml"));
    let errors = testing::render(Tier::Staging, "tempo:\n  enabled: false\n").unwrap_err();
    assert!(
        errors.iter().any(|e| matches!(
            e,
            ModuleError::MissingLink { consumer: "collector", link, .. } if *link == Link::TracesOtlpGrpc.to_string()
        )),
        "{errors:?}"
    );
    let apps = testing::render(Tier::Staging, "collector:\n  enabled: false\n").expect("renders without it");
    assert!(!apps.iter().any(|a| a.name == "collector"));
}

/// Production runs two Prometheus replicas: one remote-write exporter per replica, both in the
/// metrics pipeline, so every replica holds every pushed sample.
#[test]
fn metrics_are_written_to_every_prometheus_replica() {
    let apps = testing::render(Tier::Production, "{}").expect("the platform renders");
    let config = config(&apps);
    assert_eq!(
        config["service"]["pipelines"]["metrics"]["exporters"],
        serde_json::json!(["prometheusremotewrite/0", "prometheusremotewrite/1"])
    );
    for i in 0..2 {
        assert_eq!(
            config["exporters"][format!("prometheusremotewrite/{i}")]["endpoint"],
            format!(
                "http://prometheus-platform-{i}.prometheus-operated.observability.svc.cluster.local:9090/api/v1/write"
            )
        );
    }
    let manifest = app(&apps, "collector").build_files["builder-config.yaml"].clone();
    assert_eq!(manifest.matches("prometheusremotewriteexporter").count(), 1, "built once: {manifest}");
}
