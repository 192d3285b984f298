//! Metrics and alerting, rendered natively as typed objects the way kube-prometheus lays them
//! out: prometheus-operator, one `Prometheus` and one `Alertmanager` resource, node-exporter,
//! kube-state-metrics, and the platform's own alerting rules.
//!
//! Targets prometheus-operator v0.93.0 (its CRDs are installed from the upstream release at
//! that tag, never written by hand), Prometheus v3.13.1 (the newest version in that operator's
//! compatibility matrix), Alertmanager v0.33.1 (that operator's default), node-exporter v1.12.1
//! and kube-state-metrics v2.19.1 (the versions kube-prometheus pairs with it).
//!
//! The stack is split into Argo CD Applications whose sync waves keep custom resources behind
//! their definitions and controllers:
//!
//! | app | wave | contents |
//! | --- | --- | --- |
//! | `prometheus-crds` | CRDs | the operator's CRDs, from the upstream repository |
//! | `prometheus-operator` | operators | the operator and its RBAC |
//! | `prometheus` | backends | `Prometheus`, `Alertmanager`, their Services, RBAC and config |
//! | `kube-state-metrics`, `node-exporter` | monitoring | exporters with their monitors |
//! | `platform-monitoring` | monitoring | ServiceMonitors of the above and the `PrometheusRule`s |
//!
//! Every pod meets the pod-security "restricted" profile except node-exporter's: it reads the
//! host's `/proc`, `/sys` and root filesystem and shares the host's PID and network
//! namespaces, which only the "privileged" level allows. It therefore runs in a namespace of
//! its own (`node-exporter` by default), so the exception covers nothing else; its container
//! still runs as nobody, read-only, without capabilities.
//!
//! Every alert expression is parsed as PromQL while rendering: a broken rule is a render error
//! naming its group and alert, never a rule Prometheus silently refuses.

mod alertmanager;
mod alertmanager_config;
mod alerts;
mod cluster;
mod cluster_monitors;
mod crds;
mod datasources;
mod extra_rules;
mod kube_state_metrics;
mod kubelet;
mod kubernetes;
mod module;
mod monitors;
mod node_exporter;
mod objects;
mod operator;
mod options;
mod resolved;
mod routing;
mod rules;
mod server;
#[cfg(test)]
mod tests;

pub(crate) use alerts::availability_set;
pub(crate) use kubernetes::{rule_fixtures, runbook_pages};
pub(crate) use module::PrometheusModule;
pub use options::Prometheus;

pub(crate) const OPERATOR_VERSION: &str = "v0.93.0";
pub(crate) const OPERATOR_IMAGE: &str = "quay.io/prometheus-operator/prometheus-operator:v0.93.0";
pub(crate) const CONFIG_RELOADER_IMAGE: &str = "quay.io/prometheus-operator/prometheus-config-reloader:v0.93.0";
pub(crate) const PROMETHEUS_IMAGE: &str = "quay.io/prometheus/prometheus:v3.13.1";
pub(crate) const ALERTMANAGER_IMAGE: &str = "quay.io/prometheus/alertmanager:v0.33.1";
pub(crate) const NODE_EXPORTER_IMAGE: &str = "quay.io/prometheus/node-exporter:v1.12.1";
pub(crate) const KUBE_STATE_METRICS_IMAGE: &str = "registry.k8s.io/kube-state-metrics/kube-state-metrics:v2.19.1";

/// The upstream repository and folder the CRDs are installed from.
pub(crate) const CRD_REPO: &str = "https://github.com/prometheus-operator/prometheus-operator.git";
pub(crate) const CRD_PATH: &str = "example/prometheus-operator-crd";

pub(crate) const PROMETHEUS_PORT: u16 = 9090;
pub(crate) const ALERTMANAGER_PORT: u16 = 9093;
pub(crate) const OPERATOR_PORT: u16 = 8080;
pub(crate) const NODE_EXPORTER_PORT: u16 = 9100;
pub(crate) const KSM_METRICS_PORT: u16 = 8080;
pub(crate) const KSM_TELEMETRY_PORT: u16 = 8081;
