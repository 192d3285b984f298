//! prometheus-operator custom resources (monitoring.coreos.com/v1, CRDs of v0.93.0), typed:
//! the fields the stack uses, named and typed as the upstream CRDs have them. The models are
//! partial, so they read leniently (every field defaults, unknown fields are ignored): an
//! env file's objects of these kinds are checked for the types of the modelled fields, never
//! refused for a field the upstream CRD has and the model lacks.

use std::collections::BTreeMap;

use k8s_openapi::api::core::v1::{
    Affinity, PersistentVolumeClaimSpec, PodSecurityContext, ResourceRequirements, SecretKeySelector,
};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{LabelSelector, ObjectMeta};
use k8s_openapi::{NamespaceResourceScope, Resource};
use serde::{Deserialize, Deserializer, Serialize};

/// Implements k8s-openapi's `Resource` for a namespaced monitoring.coreos.com/v1 kind.
macro_rules! monitoring_resource {
    ($ty:ident, $kind:literal, $plural:literal) => {
        impl Resource for $ty {
            const API_VERSION: &'static str = "monitoring.coreos.com/v1";
            const GROUP: &'static str = "monitoring.coreos.com";
            const KIND: &'static str = $kind;
            const VERSION: &'static str = "v1";
            const URL_PATH_SEGMENT: &'static str = $plural;
            type Scope = NamespaceResourceScope;
        }
    };
}

/// Tells Prometheus to scrape the endpoints of matching Services.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct ServiceMonitor {
    pub metadata: ObjectMeta,
    pub spec: ServiceMonitorSpec,
}
monitoring_resource!(ServiceMonitor, "ServiceMonitor", "servicemonitors");

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
#[serde(rename_all = "camelCase")]
pub struct ServiceMonitorSpec {
    pub selector: LabelSelector,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub namespace_selector: Option<NamespaceSelector>,
    pub endpoints: Vec<ScrapeEndpoint>,
    /// The Service label whose value becomes the `job` label.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub job_label: Option<String>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
#[serde(rename_all = "camelCase")]
pub struct NamespaceSelector {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub any: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub match_names: Option<Vec<String>>,
}

/// One scraped port of a ServiceMonitor (or PodMonitor).
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
#[serde(rename_all = "camelCase")]
pub struct ScrapeEndpoint {
    /// The Service port's name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub port: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub scheme: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub interval: Option<String>,
    /// `Authorization: <type> <credentials>` from a Secret, for bearer-token metrics.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub authorization: Option<SafeAuthorization>,
    /// A bearer token read from a file in the Prometheus pod (its own service-account token).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub bearer_token_file: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tls_config: Option<TlsConfig>,
    /// Keep the scraped series' own labels where they clash with the target's.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub honor_labels: Option<bool>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub relabelings: Vec<Relabeling>,
}

/// TLS settings of a scrape.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
#[serde(rename_all = "camelCase")]
pub struct TlsConfig {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub insecure_skip_verify: Option<bool>,
    /// A CA bundle in the Prometheus pod (its service-account CA, for the API server).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ca_file: Option<String>,
    /// The name the server's certificate must carry.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub server_name: Option<String>,
}

/// A relabeling rule applied to targets before the scrape.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
#[serde(rename_all = "camelCase")]
pub struct Relabeling {
    pub source_labels: Vec<String>,
    pub target_label: String,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
#[serde(rename_all = "camelCase")]
pub struct SafeAuthorization {
    #[serde(rename = "type", skip_serializing_if = "Option::is_none")]
    pub type_: Option<String>,
    pub credentials: SecretKeySelector,
}

impl ServiceMonitor {
    /// Scrapes `port` (by name) at `path` on the Services labelled `selector` in the
    /// monitor's own namespace.
    pub fn new(name: &str, labels: &BTreeMap<String, String>, selector: LabelSelector, port: &str, path: &str) -> Self {
        ServiceMonitor {
            metadata: ObjectMeta { name: Some(name.into()), labels: Some(labels.clone()), ..Default::default() },
            spec: ServiceMonitorSpec {
                selector,
                namespace_selector: None,
                endpoints: vec![ScrapeEndpoint {
                    port: Some(port.into()),
                    path: Some(path.into()),
                    interval: Some("30s".into()),
                    ..Default::default()
                }],
                job_label: None,
            },
        }
    }
}

/// Labels and annotations the operator copies onto the pods it creates.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct EmbeddedMetadata {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub labels: Option<BTreeMap<String, String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub annotations: Option<BTreeMap<String, String>>,
}

/// Scrapes pods directly, without a Service in front of them.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct PodMonitor {
    pub metadata: ObjectMeta,
    pub spec: PodMonitorSpec,
}
monitoring_resource!(PodMonitor, "PodMonitor", "podmonitors");

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
#[serde(rename_all = "camelCase")]
pub struct PodMonitorSpec {
    pub selector: LabelSelector,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub namespace_selector: Option<NamespaceSelector>,
    pub pod_metrics_endpoints: Vec<PodMetricsEndpoint>,
    /// The pod label whose value becomes the `job` label.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub job_label: Option<String>,
}

/// One scraped container port of a PodMonitor.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
#[serde(rename_all = "camelCase")]
pub struct PodMetricsEndpoint {
    /// The container port's name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub port: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub interval: Option<String>,
    /// Keep the scraped series' own labels where they clash with the target's, for exporters
    /// that describe other objects (kube-state-metrics' `namespace` and `pod`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub honor_labels: Option<bool>,
}

/// Alerting and recording rules, loaded by every Prometheus whose rule selectors match.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct PrometheusRule {
    pub metadata: ObjectMeta,
    pub spec: PrometheusRuleSpec,
}
monitoring_resource!(PrometheusRule, "PrometheusRule", "prometheusrules");

/// The spec is also the body of a Prometheus rule file, so `promtool check rules` reads it as is.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct PrometheusRuleSpec {
    pub groups: Vec<RuleGroup>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct RuleGroup {
    pub name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub interval: Option<String>,
    pub rules: Vec<Rule>,
}

/// An alerting rule (`alert`) or a recording rule (`record`).
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct Rule {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub alert: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub record: Option<String>,
    /// An int-or-string in the CRD: a bare number is a valid expression.
    #[serde(deserialize_with = "int_or_string")]
    pub expr: String,
    #[serde(rename = "for", skip_serializing_if = "Option::is_none")]
    pub for_: Option<String>,
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub labels: BTreeMap<String, String>,
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub annotations: BTreeMap<String, String>,
}

/// A Prometheus server, run by the operator as a StatefulSet.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct Prometheus {
    pub metadata: ObjectMeta,
    pub spec: PrometheusSpec,
}
monitoring_resource!(Prometheus, "Prometheus", "prometheuses");

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
#[serde(rename_all = "camelCase")]
pub struct PrometheusSpec {
    /// The Prometheus version the image runs, so the operator renders a matching config.
    pub version: String,
    pub image: String,
    pub replicas: i32,
    pub service_account_name: String,
    /// Prometheus discovers targets through the Kubernetes API, so it needs a token.
    pub automount_service_account_token: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pod_metadata: Option<EmbeddedMetadata>,
    /// Where the pods may run; replicas on different nodes survive a node's loss.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub affinity: Option<Affinity>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub security_context: Option<PodSecurityContext>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub resources: Option<ResourceRequirements>,
    pub retention: String,
    /// A size such as `4GiB`, after which the oldest blocks are dropped.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub retention_size: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub storage: Option<StorageSpec>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub scrape_interval: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub evaluation_interval: Option<String>,
    /// Accept samples on `/api/v1/write`.
    pub enable_remote_write_receiver: bool,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub enable_features: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub exemplars: Option<Exemplars>,
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub external_labels: BTreeMap<String, String>,
    /// `None` selects nothing; an empty selector selects everything.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub service_monitor_selector: Option<LabelSelector>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub service_monitor_namespace_selector: Option<LabelSelector>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pod_monitor_selector: Option<LabelSelector>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pod_monitor_namespace_selector: Option<LabelSelector>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rule_selector: Option<LabelSelector>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rule_namespace_selector: Option<LabelSelector>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub alerting: Option<AlertingSpec>,
    /// The URL users reach Prometheus at, for the links in its UI and in alerts.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub external_url: Option<String>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
#[serde(rename_all = "camelCase")]
pub struct Exemplars {
    /// Exemplars kept in memory across all series.
    pub max_size: i64,
}

/// Where a Prometheus or Alertmanager keeps its data.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
#[serde(rename_all = "camelCase")]
pub struct StorageSpec {
    pub volume_claim_template: EmbeddedVolumeClaim,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct EmbeddedVolumeClaim {
    pub spec: PersistentVolumeClaimSpec,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct AlertingSpec {
    pub alertmanagers: Vec<AlertmanagerEndpoints>,
}

/// An Alertmanager Service that Prometheus sends alerts to.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
#[serde(rename_all = "camelCase")]
pub struct AlertmanagerEndpoints {
    pub name: String,
    pub namespace: String,
    /// The Service port's name (an int-or-string in the CRD: a number is the port).
    #[serde(deserialize_with = "int_or_string")]
    pub port: String,
    pub api_version: String,
}

/// An Alertmanager cluster, run by the operator as a StatefulSet.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct Alertmanager {
    pub metadata: ObjectMeta,
    pub spec: AlertmanagerSpec,
}
monitoring_resource!(Alertmanager, "Alertmanager", "alertmanagers");

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
#[serde(rename_all = "camelCase")]
pub struct AlertmanagerSpec {
    pub version: String,
    pub image: String,
    pub replicas: i32,
    pub service_account_name: String,
    pub automount_service_account_token: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pod_metadata: Option<EmbeddedMetadata>,
    /// Where the pods may run; replicas on different nodes survive a node's loss.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub affinity: Option<Affinity>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub security_context: Option<PodSecurityContext>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub resources: Option<ResourceRequirements>,
    /// The Secret whose `alertmanager.yaml` key holds the configuration.
    pub config_secret: String,
    /// Secrets mounted at `/etc/alertmanager/secrets/<name>/`, for `*_file` settings.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub secrets: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub retention: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub storage: Option<StorageSpec>,
    /// The URL users reach Alertmanager at, for the links in notifications.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub external_url: Option<String>,
}

/// A CRD field that is an int-or-string, read as its text.
fn int_or_string<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum IntOrString {
        Int(i64),
        String(String),
    }
    Ok(match IntOrString::deserialize(d)? {
        IntOrString::Int(i) => i.to_string(),
        IntOrString::String(s) => s,
    })
}
