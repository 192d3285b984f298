//! Who may reach which Garage port, and how Prometheus scrapes it.
//!
//! The admin API (3903) can change everything: only the setup Job's pods may reach it, the
//! nodes themselves where there are several (their reconnect loops ask each other for their
//! ids; they hold the admin token anyway), and Prometheus' pods, because Garage serves its
//! metrics there too (`/metrics`). The metrics
//! endpoint requires its own token (`metrics-token`), so a Prometheus pod holds no admin
//! power, and pods elsewhere that merely copy Prometheus' labels get nothing without it.

use std::collections::BTreeMap;

use k8s_openapi::api::core::v1::SecretKeySelector;
use k8s_openapi::api::networking::v1::{
    NetworkPolicy, NetworkPolicyIngressRule, NetworkPolicyPeer, NetworkPolicyPort, NetworkPolicySpec,
};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::LabelSelector;
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;

use crate::contract::k8s;
use crate::contract::monitoring::{SafeAuthorization, ServiceMonitor};

use super::objects::{METRICS_TOKEN_KEY, NAME};
use super::resolved::Resolved;
use super::{ADMIN_PORT, RPC_PORT, S3_PORT, setup};

/// The label prometheus-operator puts on the Prometheus pods it runs.
const PROMETHEUS_POD_LABEL: (&str, &str) = ("app.kubernetes.io/name", "prometheus");

fn port(port: u16) -> Option<Vec<NetworkPolicyPort>> {
    Some(vec![NetworkPolicyPort {
        port: Some(IntOrString::Int(port.into())),
        protocol: Some("TCP".into()),
        ..Default::default()
    }])
}

fn pods(labels: BTreeMap<String, String>) -> NetworkPolicyPeer {
    NetworkPolicyPeer {
        pod_selector: Some(LabelSelector { match_labels: Some(labels), ..Default::default() }),
        ..Default::default()
    }
}

/// `prometheus_namespace` is where the Prometheus pods run, when Prometheus is enabled;
/// `reconnecting` is whether the nodes run reconnect loops.
pub(crate) fn network_policy(
    labels: &BTreeMap<String, String>,
    prometheus_namespace: Option<&str>,
    reconnecting: bool,
) -> NetworkPolicy {
    let mut admin_peers = vec![pods(k8s::selector_labels(setup::NAME, setup::COMPONENT))];
    if reconnecting {
        admin_peers.push(pods(k8s::selector_labels(NAME, "storage")));
    }
    if let Some(namespace) = prometheus_namespace {
        admin_peers.push(NetworkPolicyPeer {
            namespace_selector: Some(LabelSelector {
                match_labels: Some(BTreeMap::from([("kubernetes.io/metadata.name".into(), namespace.into())])),
                ..Default::default()
            }),
            pod_selector: Some(LabelSelector {
                match_labels: Some(BTreeMap::from([(
                    PROMETHEUS_POD_LABEL.0.to_owned(),
                    PROMETHEUS_POD_LABEL.1.to_owned(),
                )])),
                ..Default::default()
            }),
            ..Default::default()
        });
    }
    NetworkPolicy {
        metadata: k8s::meta(NAME, labels),
        spec: Some(NetworkPolicySpec {
            pod_selector: Some(k8s::selector(NAME, "storage")),
            policy_types: Some(vec!["Ingress".into()]),
            ingress: Some(vec![
                // S3 is for every client of the store (and the NodePort, where exposed).
                NetworkPolicyIngressRule { from: None, ports: port(S3_PORT) },
                NetworkPolicyIngressRule {
                    from: Some(vec![pods(k8s::selector_labels(NAME, "storage"))]),
                    ports: port(RPC_PORT),
                },
                NetworkPolicyIngressRule { from: Some(admin_peers), ports: port(ADMIN_PORT) },
            ]),
            ..Default::default()
        }),
    }
}

/// Scrapes `/metrics` on the admin port with the metrics token.
pub(crate) fn service_monitor(r: &Resolved, labels: &BTreeMap<String, String>) -> ServiceMonitor {
    let mut monitor = ServiceMonitor::new(NAME, labels, k8s::selector(NAME, "storage"), "admin", "/metrics");
    for endpoint in &mut monitor.spec.endpoints {
        endpoint.authorization = Some(SafeAuthorization {
            type_: Some("Bearer".into()),
            credentials: SecretKeySelector {
                name: r.garage_secret.clone(),
                key: METRICS_TOKEN_KEY.into(),
                optional: Some(false),
            },
        });
    }
    monitor
}
