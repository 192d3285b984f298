//! The collector's Kubernetes objects and its build manifest.

use std::collections::BTreeMap;

use k8s_openapi::api::apps::v1::{Deployment, DeploymentSpec};
use k8s_openapi::api::autoscaling::v2::{
    CrossVersionObjectReference, HorizontalPodAutoscaler, HorizontalPodAutoscalerSpec, MetricSpec, MetricTarget,
    ResourceMetricSource,
};
use k8s_openapi::api::core::v1::{
    ConfigMap, Container, PodSpec, PodTemplateSpec, Service, ServiceAccount, ServicePort, ServiceSpec,
    TopologySpreadConstraint, VolumeMount,
};
use k8s_openapi::api::policy::v1::{PodDisruptionBudget, PodDisruptionBudgetSpec};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;

use crate::contract::k8s;
use crate::contract::monitoring::ServiceMonitor;
use crate::contract::{App, ModuleError};

use super::builder::manifest_text;
use super::config::config_text;
use super::pipeline::Model;
use super::resolved::Resolved;
use super::routes::HEALTH_PATH;
use super::{HEALTH_PORT, METRICS_PORT, OTLP_GRPC_PORT, OTLP_HTTP_PORT, USER, VERSION};

const M: &str = "collector";
pub(crate) const NAME: &str = "otel-collector";
const COMPONENT: &str = "pipeline";
pub(crate) const SERVICE: &str = "otel-collector";
const CONFIG_MAP: &str = "otel-collector-config";
const CONFIG_FILE: &str = "config.yaml";
const CONFIG_DIR: &str = "/etc/otelcol";
pub(crate) const BUILD_FILE: &str = "builder-config.yaml";
pub(crate) const OTLP_GRPC_PORT_NAME: &str = "otlp-grpc";
pub(crate) const OTLP_HTTP_PORT_NAME: &str = "otlp-http";
const HEALTH_PORT_NAME: &str = "health";
const METRICS_PORT_NAME: &str = "metrics";

pub(crate) fn render(r: &Resolved, model: &Model, app: &mut App) -> Result<(), ModuleError> {
    let config = config_text(model).map_err(|problem| ModuleError::invalid(M, problem))?;
    let manifest = manifest_text(model).map_err(ModuleError::config_file(M, BUILD_FILE))?;
    let labels = k8s::labels(NAME, COMPONENT, VERSION);
    app.push(config_map(&config, &labels))?;
    app.push(service_account(&labels))?;
    app.push(deployment(r, &config, &labels))?;
    app.push(service(&labels))?;
    app.push(ServiceMonitor::new(NAME, &labels, k8s::selector(NAME, COMPONENT), METRICS_PORT_NAME, "/metrics"))?;
    if let Some((min, max)) = r.autoscaling {
        app.push(autoscaler(min, max, &labels))?;
        app.push(disruption_budget(&labels))?;
    }
    app.build_files.insert(BUILD_FILE.into(), manifest);
    Ok(())
}

fn config_map(config: &str, labels: &BTreeMap<String, String>) -> ConfigMap {
    k8s::config_map(CONFIG_MAP, labels, CONFIG_FILE, config)
}

fn service_account(labels: &BTreeMap<String, String>) -> ServiceAccount {
    // The collector never talks to the Kubernetes API (no k8sattributes processor).
    k8s::service_account(NAME, labels)
}

fn deployment(r: &Resolved, config: &str, labels: &BTreeMap<String, String>) -> Deployment {
    let container = Container {
        name: NAME.into(),
        image: Some(r.image.reference.clone()),
        image_pull_policy: Some(k8s::IMAGE_PULL_POLICY.into()),
        // Only the config: the image's entrypoint is the collector binary, whichever build.
        args: Some(vec![format!("--config={CONFIG_DIR}/{CONFIG_FILE}")]),
        // The Go runtime collects harder as it nears the limiter's hard limit, before the
        // kubelet's limit is reached.
        env: Some(vec![k8s::env("GOMEMLIMIT", &format!("{}MiB", r.memory_limit_mib))]),
        ports: Some(vec![
            k8s::container_port(OTLP_GRPC_PORT_NAME, OTLP_GRPC_PORT),
            k8s::container_port(OTLP_HTTP_PORT_NAME, OTLP_HTTP_PORT),
            k8s::container_port(HEALTH_PORT_NAME, HEALTH_PORT),
            k8s::container_port(METRICS_PORT_NAME, METRICS_PORT),
        ]),
        liveness_probe: Some(k8s::http_probe(HEALTH_PATH, HEALTH_PORT_NAME, 20)),
        readiness_probe: Some(k8s::http_probe(HEALTH_PATH, HEALTH_PORT_NAME, 10)),
        resources: Some(r.resources.clone()),
        security_context: Some(k8s::restricted_container()),
        volume_mounts: Some(vec![VolumeMount {
            name: "config".into(),
            mount_path: CONFIG_DIR.into(),
            read_only: Some(true),
            ..Default::default()
        }]),
        ..Default::default()
    };
    let pod = PodSpec {
        service_account_name: Some(NAME.into()),
        automount_service_account_token: Some(false),
        security_context: Some(k8s::restricted_pod(USER)),
        containers: vec![container],
        volumes: Some(vec![k8s::config_map_volume("config", CONFIG_MAP)]),
        // Replicas on different nodes, so a node drain never takes the whole pipeline.
        topology_spread_constraints: (r.replicas > 1).then(|| {
            vec![TopologySpreadConstraint {
                max_skew: 1,
                topology_key: "kubernetes.io/hostname".into(),
                when_unsatisfiable: "ScheduleAnyway".into(),
                label_selector: Some(k8s::selector(NAME, COMPONENT)),
                ..Default::default()
            }]
        }),
        ..Default::default()
    };
    Deployment {
        metadata: k8s::meta(NAME, labels),
        spec: Some(DeploymentSpec {
            // With an autoscaler, the replica count is its to set: a fixed one here would
            // be reset on every sync.
            replicas: r.autoscaling.is_none().then_some(r.replicas as i32),
            selector: k8s::selector(NAME, COMPONENT),
            template: PodTemplateSpec {
                metadata: Some(ObjectMeta {
                    labels: Some(labels.clone()),
                    annotations: Some(BTreeMap::from([("oxidy.dev/config-hash".into(), k8s::content_hash(config))])),
                    ..Default::default()
                }),
                spec: Some(pod),
            },
            ..Default::default()
        }),
        ..Default::default()
    }
}

fn service_port(name: &str, port: u16, app_protocol: Option<&str>) -> ServicePort {
    ServicePort { app_protocol: app_protocol.map(str::to_owned), ..k8s::service_port(name, port) }
}

fn service(labels: &BTreeMap<String, String>) -> Service {
    Service {
        metadata: k8s::meta(SERVICE, labels),
        spec: Some(ServiceSpec {
            type_: Some("ClusterIP".into()),
            selector: Some(k8s::selector_labels(NAME, COMPONENT)),
            ports: Some(vec![
                service_port(OTLP_GRPC_PORT_NAME, OTLP_GRPC_PORT, Some("grpc")),
                service_port(OTLP_HTTP_PORT_NAME, OTLP_HTTP_PORT, Some("http")),
                service_port(METRICS_PORT_NAME, METRICS_PORT, Some("http")),
            ]),
            ..Default::default()
        }),
        ..Default::default()
    }
}

fn autoscaler(min: u32, max: u32, labels: &BTreeMap<String, String>) -> HorizontalPodAutoscaler {
    HorizontalPodAutoscaler {
        metadata: k8s::meta(NAME, labels),
        spec: Some(HorizontalPodAutoscalerSpec {
            scale_target_ref: CrossVersionObjectReference {
                api_version: Some("apps/v1".into()),
                kind: "Deployment".into(),
                name: NAME.into(),
            },
            min_replicas: Some(min as i32),
            max_replicas: max as i32,
            // CPU tracks throughput; memory is held in check by the memory limiter, which
            // refuses data rather than grow, so it is no scaling signal.
            metrics: Some(vec![MetricSpec {
                type_: "Resource".into(),
                resource: Some(ResourceMetricSource {
                    name: "cpu".into(),
                    target: MetricTarget {
                        type_: "Utilization".into(),
                        average_utilization: Some(70),
                        ..Default::default()
                    },
                }),
                ..Default::default()
            }]),
            ..Default::default()
        }),
        ..Default::default()
    }
}

fn disruption_budget(labels: &BTreeMap<String, String>) -> PodDisruptionBudget {
    PodDisruptionBudget {
        metadata: k8s::meta(NAME, labels),
        spec: Some(PodDisruptionBudgetSpec {
            // Keep one pod receiving while nodes drain.
            min_available: Some(IntOrString::Int(1)),
            selector: Some(k8s::selector(NAME, COMPONENT)),
            ..Default::default()
        }),
        ..Default::default()
    }
}
