//! The `Prometheus` resource with its ServiceAccount, discovery RBAC and Service.

use std::collections::BTreeMap;

use k8s_openapi::api::core::v1::{PersistentVolumeClaimSpec, VolumeResourceRequirements};
use k8s_openapi::api::rbac::v1::PolicyRule;
use k8s_openapi::apimachinery::pkg::api::resource::Quantity as K8sQuantity;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::LabelSelector;

use crate::contract::exposure::Exposure;
use crate::contract::monitoring::{
    AlertingSpec, AlertmanagerEndpoints, EmbeddedMetadata, EmbeddedVolumeClaim, Exemplars, Prometheus, PrometheusSpec,
    StorageSpec,
};
use crate::contract::{App, ModuleError, k8s};

use super::cluster_monitors::{RELOADER_PORT, RELOADER_PORT_NAME};
use super::objects::{self, Labels, rule};
use super::resolved::Resolved;
use super::{PROMETHEUS_PORT, alertmanager};

/// The Service other components reach Prometheus through, and the `job` of its metrics.
pub(crate) const SERVICE: &str = "prometheus";
pub(crate) const COMPONENT: &str = "metrics";
/// The resource's name; the operator names the StatefulSet `prometheus-platform`.
const NAME: &str = "platform";
const SERVICE_ACCOUNT: &str = "prometheus";
/// The user Prometheus runs as: any ID works (its volume belongs to the pod's group), and one
/// of 10000 or above is no user of the node.
const USER: i64 = 10001;
/// The headless Service the operator (v0.93) creates as the StatefulSets' governing Service:
/// it gives every pod a DNS name of its own.
const GOVERNING_SERVICE: &str = "prometheus-operated";

/// The remote-write URL of every replica, by pod DNS name. Replicas scrape the same targets
/// but each keeps only what is written to it, so pushed samples must reach all of them for
/// any replica a query lands on to hold everything. The operator names the StatefulSet
/// `prometheus-<name>` (one shard) and its pods `-0`, `-1`, ... A single replica is reached
/// through the Service, which then leads nowhere else.
pub(crate) fn remote_write_urls(r: &Resolved) -> Vec<String> {
    if r.server.replicas == 1 {
        return vec![format!("http://{SERVICE}.{}.svc.cluster.local:{PROMETHEUS_PORT}/api/v1/write", r.namespace)];
    }
    (0..r.server.replicas)
        .map(|i| {
            format!(
                "http://prometheus-{NAME}-{i}.{GOVERNING_SERVICE}.{}.svc.cluster.local:{PROMETHEUS_PORT}/api/v1/write",
                r.namespace
            )
        })
        .collect()
}
/// Percent of the volume the TSDB may fill before the oldest blocks are dropped: the rest is
/// headroom for the write-ahead log and compaction.
pub(crate) const RETENTION_PERCENT: u64 = 80;

pub(crate) fn labels(r: &Resolved) -> Labels {
    k8s::labels(SERVICE, COMPONENT, &r.server.image.version)
}

pub(crate) fn push(r: &Resolved, app: &mut App) -> Result<(), ModuleError> {
    let labels = labels(r);
    app.push(objects::service_account(SERVICE_ACCOUNT, &labels, true))?;
    app.push(objects::cluster_role(SERVICE_ACCOUNT, &labels, discovery_rules()))?;
    app.push(objects::cluster_role_binding(SERVICE_ACCOUNT, &labels, &r.namespace))?;
    app.push(prometheus(r, &labels))?;
    app.push(objects::service(
        SERVICE,
        &labels,
        k8s::selector_labels(SERVICE, COMPONENT),
        vec![
            objects::service_port("web", PROMETHEUS_PORT, r.server.node_port.as_ref()),
            objects::service_port(RELOADER_PORT_NAME, RELOADER_PORT, None),
        ],
    ))?;
    if let Some(exposure) = &r.server.exposure {
        exposure.push(app, SERVICE, &labels, SERVICE, PROMETHEUS_PORT)?;
    }
    if r.server.replicas > 1 {
        app.push(objects::disruption_budget(SERVICE, &labels, k8s::selector(SERVICE, COMPONENT)))?;
    }
    Ok(())
}

/// Read access to what ServiceMonitors and PodMonitors point at, in every namespace.
fn discovery_rules() -> Vec<PolicyRule> {
    let read = ["get", "list", "watch"];
    // Targets that serve metrics behind the API server's authorization.
    let metrics = PolicyRule {
        non_resource_urls: Some(vec!["/metrics".into()]),
        verbs: vec!["get".into()],
        ..Default::default()
    };
    vec![
        rule(&[""], &["nodes", "nodes/metrics", "services", "endpoints", "pods"], &read),
        rule(&["discovery.k8s.io"], &["endpointslices"], &read),
        rule(&[""], &["configmaps"], &["get"]),
        rule(&["networking.k8s.io"], &["ingresses"], &read),
        metrics,
    ]
}

/// The size-based retention limit, in the unit form the CRD asks for (`4096MiB`).
fn retention_size(r: &Resolved) -> Option<String> {
    let mib = r.server.volume_size.bytes() * RETENTION_PERCENT / 100 / 1_048_576;
    (mib > 0).then(|| format!("{mib}MiB"))
}

fn everything() -> Option<LabelSelector> {
    Some(LabelSelector::default())
}

fn prometheus(r: &Resolved, labels: &Labels) -> Prometheus {
    let s = &r.server;
    let volume = PersistentVolumeClaimSpec {
        access_modes: Some(vec!["ReadWriteOnce".into()]),
        storage_class_name: s.storage_class.clone(),
        resources: Some(VolumeResourceRequirements {
            requests: Some(BTreeMap::from([("storage".into(), K8sQuantity(s.volume_size.to_string()))])),
            ..Default::default()
        }),
        ..Default::default()
    };
    let mut pod_labels = k8s::selector_labels(SERVICE, COMPONENT);
    pod_labels.insert("app.kubernetes.io/part-of".into(), "oxidy".into());
    Prometheus {
        metadata: k8s::meta(NAME, labels),
        spec: PrometheusSpec {
            version: s.image.version.clone(),
            image: s.image.reference.clone(),
            replicas: s.replicas,
            service_account_name: SERVICE_ACCOUNT.into(),
            automount_service_account_token: true,
            pod_metadata: Some(EmbeddedMetadata { labels: Some(pod_labels), annotations: None }),
            affinity: objects::spread_over_nodes(s.replicas, k8s::selector(SERVICE, COMPONENT)),
            security_context: Some(k8s::restricted_pod(USER)),
            resources: Some(s.resources.clone()),
            retention: s.retention.to_string(),
            retention_size: retention_size(r),
            storage: Some(StorageSpec { volume_claim_template: EmbeddedVolumeClaim { spec: volume } }),
            scrape_interval: Some("30s".into()),
            evaluation_interval: Some("30s".into()),
            enable_remote_write_receiver: true,
            // Remote-write senders (span-metrics generators, the telemetry pipeline) send
            // exemplars (trace ids) along with samples; the datasource links them to traces.
            enable_features: vec!["exemplar-storage".into()],
            exemplars: Some(Exemplars { max_size: i64::from(s.exemplars_max_size) }),
            external_labels: BTreeMap::from([("env".into(), r.env_name.clone())]),
            service_monitor_selector: everything(),
            service_monitor_namespace_selector: everything(),
            pod_monitor_selector: everything(),
            pod_monitor_namespace_selector: everything(),
            rule_selector: everything(),
            rule_namespace_selector: everything(),
            alerting: Some(AlertingSpec {
                alertmanagers: vec![AlertmanagerEndpoints {
                    name: alertmanager::SERVICE.into(),
                    namespace: r.namespace.clone(),
                    port: "web".into(),
                    api_version: "v2".into(),
                }],
            }),
            external_url: s.exposure.as_ref().map(Exposure::external_url),
        },
    }
}
