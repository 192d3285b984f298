//! kube-state-metrics: the state of Kubernetes objects (pods waiting, deployments short of
//! replicas) as metrics. It reads only the kinds listed in [`RESOURCES`], and its ClusterRole
//! grants list and watch on exactly those: Secrets and ConfigMaps are never read.

use k8s_openapi::api::apps::v1::Deployment;
use k8s_openapi::api::core::v1::{Container, PodSpec, PodTemplateSpec};
use k8s_openapi::api::rbac::v1::PolicyRule;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;

use crate::contract::monitoring::{PodMetricsEndpoint, PodMonitor, PodMonitorSpec, ServiceMonitor};
use crate::contract::{App, ModuleError, Wave, k8s};

use super::objects::{self, Labels, rule};
use super::resolved::ExporterResolved;
use super::{KSM_METRICS_PORT, KSM_TELEMETRY_PORT};

pub(crate) const APP: &str = "kube-state-metrics";
/// The Service's name and the pods' `app.kubernetes.io/name`, and so the `job` of the metrics.
pub(crate) const NAME: &str = "kube-state-metrics";
const COMPONENT: &str = "exporter";

/// (API group, resource as kube-state-metrics names it in `--resources`).
const RESOURCES: [(&str, &str); 14] = [
    ("", "namespaces"),
    ("", "nodes"),
    ("", "pods"),
    ("", "services"),
    ("", "persistentvolumeclaims"),
    ("", "persistentvolumes"),
    ("apps", "deployments"),
    ("apps", "statefulsets"),
    ("apps", "daemonsets"),
    ("apps", "replicasets"),
    ("batch", "jobs"),
    ("batch", "cronjobs"),
    ("autoscaling", "horizontalpodautoscalers"),
    ("policy", "poddisruptionbudgets"),
];

pub(crate) fn app(ksm: &ExporterResolved) -> Result<App, ModuleError> {
    let labels = k8s::labels(NAME, COMPONENT, &ksm.image.version);
    let mut app = App::owned("prometheus", APP, ksm.namespace.clone(), Wave::Monitoring);
    app.push(objects::service_account(NAME, &labels, true))?;
    app.push(objects::cluster_role(NAME, &labels, rules()))?;
    app.push(objects::cluster_role_binding(NAME, &labels, &ksm.namespace))?;
    app.push(deployment(ksm, &labels))?;
    app.push(objects::service(
        NAME,
        &labels,
        k8s::selector_labels(NAME, COMPONENT),
        vec![
            objects::service_port("http-metrics", KSM_METRICS_PORT, None),
            objects::service_port("telemetry", KSM_TELEMETRY_PORT, None),
        ],
    ))?;
    // Its own health, through the Service like every other component.
    app.push(ServiceMonitor::new(NAME, &labels, k8s::selector(NAME, COMPONENT), "telemetry", "/metrics"))?;
    app.push(object_metrics_monitor(&labels))?;
    Ok(app)
}

/// The object metrics carry the `namespace` and `pod` of the objects they describe, which
/// must win over the scraped pod's own: only a PodMonitor endpoint can honor them.
fn object_metrics_monitor(labels: &Labels) -> PodMonitor {
    PodMonitor {
        metadata: k8s::meta(NAME, labels),
        spec: PodMonitorSpec {
            selector: k8s::selector(NAME, COMPONENT),
            namespace_selector: None,
            pod_metrics_endpoints: vec![PodMetricsEndpoint {
                port: Some("http-metrics".into()),
                path: Some("/metrics".into()),
                interval: Some("30s".into()),
                honor_labels: Some(true),
            }],
            job_label: Some("app.kubernetes.io/name".into()),
        },
    }
}

fn rules() -> Vec<PolicyRule> {
    let mut groups: Vec<&str> = RESOURCES.iter().map(|(g, _)| *g).collect();
    groups.dedup();
    groups
        .into_iter()
        .map(|group| {
            let resources: Vec<&str> = RESOURCES.iter().filter(|(g, _)| *g == group).map(|(_, r)| *r).collect();
            rule(&[group], &resources, &["list", "watch"])
        })
        .collect()
}

fn deployment(ksm: &ExporterResolved, labels: &Labels) -> Deployment {
    let resources: Vec<&str> = RESOURCES.iter().map(|(_, r)| *r).collect();
    let container = Container {
        name: NAME.into(),
        image: Some(ksm.image.reference.clone()),
        image_pull_policy: Some(k8s::IMAGE_PULL_POLICY.into()),
        args: Some(vec![
            format!("--port={KSM_METRICS_PORT}"),
            format!("--telemetry-port={KSM_TELEMETRY_PORT}"),
            format!("--resources={}", resources.join(",")),
        ]),
        ports: Some(vec![
            k8s::container_port("http-metrics", KSM_METRICS_PORT),
            k8s::container_port("telemetry", KSM_TELEMETRY_PORT),
        ]),
        liveness_probe: Some(k8s::http_probe("/livez", "http-metrics", 20)),
        readiness_probe: Some(k8s::http_probe("/readyz", "telemetry", 10)),
        resources: Some(ksm.resources.clone()),
        security_context: Some(k8s::restricted_container()),
        ..Default::default()
    };
    let template = PodTemplateSpec {
        metadata: Some(ObjectMeta { labels: Some(labels.clone()), ..Default::default() }),
        spec: Some(PodSpec {
            service_account_name: Some(NAME.into()),
            // It lists and watches objects through the API server.
            automount_service_account_token: Some(true),
            security_context: Some(k8s::restricted_pod(65534)),
            containers: vec![container],
            ..Default::default()
        }),
    };
    // Every replica would export every series again: one is the supported layout.
    k8s::deployment(NAME, labels, k8s::selector(NAME, COMPONENT), 1, template)
}
