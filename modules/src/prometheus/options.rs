//! The env-file options of the metrics stack; `resolved.rs` applies their tier defaults.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::contract::exposure::{IngressOptions, RouteOptions};
use crate::contract::k8s::Resources;
use crate::contract::{At, ByteSize, DnsLabel, Duration, NodePort};

/// Metrics and alerting: prometheus-operator v0.93.0, Prometheus v3.13.1, Alertmanager
/// v0.33.1, node-exporter v1.12.1 and kube-state-metrics v2.19.1. Every field is optional; the
/// defaults follow the environment's tier.
#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Prometheus {
    /// Render the metrics stack. Default: true. Without it, components that need remote write
    /// or an alert router fail to render, naming the missing link, and no Prometheus or
    /// Alertmanager datasource is provisioned.
    pub enabled: Option<bool>,
    /// Namespace of everything but node-exporter. Default: the environment's `namespace`.
    pub namespace: Option<DnsLabel>,
    /// Prometheus image, pinned by tag; the tag is passed to the operator as the version.
    /// Default: `quay.io/prometheus/prometheus:v3.13.1`.
    pub image: Option<At<String>>,
    /// Prometheus replicas (each keeps a full copy). Default: 1 (local), 1 (staging), 2
    /// (production).
    pub replicas: Option<At<u32>>,
    /// How long samples are kept, at least 2h (one TSDB block). Default: 24h (local), 7d
    /// (staging), 30d (production).
    pub retention: Option<At<Duration>>,
    /// Volume per replica. Default: 5Gi (local), 20Gi (staging), 100Gi (production). The
    /// oldest blocks are dropped once the data reaches 80% of it.
    pub volume_size: Option<ByteSize>,
    /// StorageClass of the volume. Default: the cluster's default class.
    pub storage_class: Option<DnsLabel>,
    /// Prometheus container resources. Default: 100m/512Mi requests and 1/1Gi limits
    /// (local), 250m/1Gi and 2/2Gi (staging), 500m/4Gi and 4/8Gi (production).
    pub resources: Option<Resources>,
    /// Expose the web UI and API on this NodePort. Default: 30090 in local; not exposed in
    /// staging and production.
    pub node_port: Option<NodePort>,
    /// Expose the web UI and API through an Ingress; the Service stays ClusterIP. Its URL
    /// becomes Prometheus' `externalUrl`, so links in alerts lead there. Default: none.
    pub ingress: Option<At<IngressOptions>>,
    /// Expose the web UI and API through a Gateway API HTTPRoute instead. Default: none.
    pub route: Option<At<RouteOptions>>,
    /// Exemplars kept in memory for the metrics-to-traces links. Default: 100000.
    pub exemplars_max_size: Option<u32>,
    /// Alertmanager: replicas, exposure and notification receivers; each field has its own
    /// tier default.
    pub alertmanager: Option<AlertmanagerOptions>,
    /// The prometheus-operator Deployment (always one replica: it has no leader election).
    pub operator: Option<OperatorOptions>,
    /// The node-exporter DaemonSet, in a privileged namespace of its own. Default: rendered.
    pub node_exporter: Option<NodeExporterOptions>,
    /// The kube-state-metrics Deployment (one replica). Default: rendered.
    pub kube_state_metrics: Option<KubeStateMetricsOptions>,
    /// Scrape every node's kubelet and cAdvisor (container CPU, memory, network) through the
    /// `kubelet` Service the operator keeps in `kube-system`. Default: true.
    pub scrape_kubelet: Option<bool>,
    /// Which control-plane components are scraped and alerted on; managed clusters hide
    /// some of them. Each switch turns both the component's monitor and its rule group on
    /// or off.
    pub control_plane: Option<ControlPlaneOptions>,
    /// Base URL of the runbook pages the alerts link to (`<base>/<Alert>.md`). Default:
    /// `<git.repoURL without .git>/blob/<git.revision>/docs/runbooks`, which GitHub and
    /// GitLab serve; set it for other forges.
    pub runbook_base_url: Option<At<String>>,
    /// Extra Prometheus rule files of the project (`rules/*.yaml`, Prometheus' rule-file
    /// format), rendered as the PrometheusRule `extra-rules`; every expression is parsed
    /// while rendering. Default: none.
    pub extra_rules: Option<Vec<At<String>>>,
    /// How Argo CD syncs the component's apps, as under an own app's `argocd:`.
    #[serde(default, skip_serializing)]
    pub argocd: crate::contract::argocd::ArgoSettings,
}

/// Control-plane scrape targets and their rule groups. The defaults suit kind, k3d and
/// managed clusters alike: the API server and CoreDNS are reachable everywhere; the
/// scheduler, controller-manager, kube-proxy and etcd listen on localhost (kubeadm, kind) or
/// are hidden by the provider, so they are off until the cluster exposes them.
#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct ControlPlaneOptions {
    /// The API server (`default/kubernetes` Service): SLO burn rates, certificates,
    /// aggregated APIs. Default: true.
    pub api_server: Option<bool>,
    /// kube-scheduler static pods (`component=kube-scheduler`, HTTPS port 10259). Needs
    /// `--bind-address=0.0.0.0`. Default: false.
    pub scheduler: Option<bool>,
    /// kube-controller-manager static pods (`component=kube-controller-manager`, HTTPS port
    /// 10257). Needs `--bind-address=0.0.0.0`. Default: false.
    pub controller_manager: Option<bool>,
    /// kube-proxy pods (`k8s-app=kube-proxy`, HTTP port 10249). Needs
    /// `metricsBindAddress: 0.0.0.0:10249`. Default: false.
    pub kube_proxy: Option<bool>,
    /// etcd static pods (`component=etcd`, HTTP metrics port 2381). Needs
    /// `--listen-metrics-urls=http://0.0.0.0:2381`. Default: false.
    pub etcd: Option<bool>,
    /// CoreDNS behind the `kube-system/kube-dns` Service (port `metrics`, 9153). Default: true.
    pub core_dns: Option<bool>,
}

/// Alertmanager and where it sends alerts.
#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct AlertmanagerOptions {
    /// Image, pinned by tag. Default: `quay.io/prometheus/alertmanager:v0.33.1`.
    pub image: Option<At<String>>,
    /// Replicas, which deduplicate notifications by gossip. Default: 1 (local), 1 (staging),
    /// 2 (production).
    pub replicas: Option<At<u32>>,
    /// Container resources. Default: 10m/64Mi requests and 200m/128Mi limits (local),
    /// 50m/128Mi and 500m/256Mi elsewhere.
    pub resources: Option<Resources>,
    /// Expose the web UI and API on this NodePort. Default: 30093 in local; not exposed in
    /// staging and production.
    pub node_port: Option<NodePort>,
    /// Expose the web UI and API through an Ingress; the Service stays ClusterIP. Its URL
    /// becomes Alertmanager's `externalUrl`, so links in notifications lead there. Default:
    /// none.
    pub ingress: Option<At<IngressOptions>>,
    /// Expose the web UI and API through a Gateway API HTTPRoute instead. Default: none.
    pub route: Option<At<RouteOptions>>,
    /// Where alerts are sent.
    pub notifications: Option<Notifications>,
    /// Receivers and routes written out in full; replaces `notifications` when set.
    pub routing: Option<super::routing::Routing>,
}

/// Notification receivers. Their URLs and keys are never written here: they are read from
/// files of an existing Secret that Alertmanager mounts.
#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Notifications {
    /// Send alerts to Slack (all) and PagerDuty (critical). Default: false in local (every
    /// alert goes to a null receiver), true in staging and production.
    pub enabled: Option<bool>,
    /// Existing Secret in the namespace with keys `slack-webhook-url` (a Slack incoming
    /// webhook URL) and `pagerduty-routing-key` (a PagerDuty Events v2 routing key).
    /// Default: `alertmanager-notifications`.
    pub secret: Option<DnsLabel>,
    /// Slack channel. Default: `#platform-alerts`.
    pub slack_channel: Option<String>,
}

/// prometheus-operator itself.
#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct OperatorOptions {
    /// Container resources. Default: 100m/100Mi requests and 200m/200Mi limits.
    pub resources: Option<Resources>,
}

/// node-exporter: host metrics from every node.
#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct NodeExporterOptions {
    /// Render node-exporter. Default: true.
    pub enabled: Option<bool>,
    /// Its own namespace, which runs at pod-security level "privileged". Default:
    /// `node-exporter`.
    pub namespace: Option<At<DnsLabel>>,
    /// Image, pinned by tag. Default: `quay.io/prometheus/node-exporter:v1.12.1`.
    pub image: Option<At<String>>,
    /// Container resources. Default: 50m/64Mi requests and 250m/180Mi limits.
    pub resources: Option<Resources>,
}

/// kube-state-metrics: the state of Kubernetes objects as metrics.
#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct KubeStateMetricsOptions {
    /// Render kube-state-metrics. Default: true.
    pub enabled: Option<bool>,
    /// Image, pinned by tag. Default:
    /// `registry.k8s.io/kube-state-metrics/kube-state-metrics:v2.19.1`.
    pub image: Option<At<String>>,
    /// Container resources. Default: 10m/128Mi requests and 100m/256Mi limits.
    pub resources: Option<Resources>,
}
