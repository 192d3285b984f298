//! Kubelet and cAdvisor metrics: container CPU, memory and network use, and the kubelet's own.
//!
//! The operator keeps a `kubelet` Service in `kube-system` whose endpoints are the nodes
//! (`--kubelet-service`); this ServiceMonitor scrapes it over HTTPS with Prometheus' own
//! service-account token, which its ClusterRole lets read `nodes/metrics`.

use k8s_openapi::apimachinery::pkg::apis::meta::v1::LabelSelector;

use crate::contract::k8s;
use crate::contract::monitoring::{NamespaceSelector, Relabeling, ScrapeEndpoint, ServiceMonitor, TlsConfig};

/// `namespace/name` of the Service the operator maintains.
pub(crate) const SERVICE: &str = "kube-system/kubelet";
const TOKEN: &str = "/var/run/secrets/kubernetes.io/serviceaccount/token";

fn endpoint(path: &str) -> ScrapeEndpoint {
    ScrapeEndpoint {
        port: Some("https-metrics".into()),
        path: Some(path.into()),
        scheme: Some("https".into()),
        interval: Some("30s".into()),
        bearer_token_file: Some(TOKEN.into()),
        // Kubelets serve self-signed certificates unless the cluster signs them
        // (serverTLSBootstrap); the token still authenticates Prometheus to them.
        tls_config: Some(TlsConfig { insecure_skip_verify: Some(true), ..Default::default() }),
        // cAdvisor's series describe containers: their `namespace` and `pod` must win over
        // the kubelet target's.
        honor_labels: Some(true),
        // Tells the kubelet's own series from cAdvisor's.
        relabelings: vec![Relabeling {
            source_labels: vec!["__metrics_path__".into()],
            target_label: "metrics_path".into(),
        }],
        ..Default::default()
    }
}

/// The ServiceMonitor of every node's kubelet and cAdvisor.
pub(crate) fn service_monitor() -> ServiceMonitor {
    let labels = k8s::labels("kubelet", "node-metrics", "v1");
    let mut monitor = ServiceMonitor::new(
        "kubelet",
        &labels,
        LabelSelector {
            match_labels: Some([("app.kubernetes.io/name".to_owned(), "kubelet".to_owned())].into()),
            ..Default::default()
        },
        "https-metrics",
        "/metrics",
    );
    let (namespace, _) = SERVICE.split_once('/').unwrap_or(("kube-system", ""));
    monitor.spec.namespace_selector = Some(NamespaceSelector { match_names: Some(vec![namespace.into()]), any: None });
    monitor.spec.job_label = Some("app.kubernetes.io/name".into());
    // `/metrics/probes`: the outcome of every liveness, readiness and startup probe.
    monitor.spec.endpoints = vec![endpoint("/metrics"), endpoint("/metrics/cadvisor"), endpoint("/metrics/probes")];
    monitor
}
