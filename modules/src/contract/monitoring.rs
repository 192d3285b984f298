//! prometheus-operator custom resources (monitoring.coreos.com/v1), typed: the fields the
//! stack uses, named as the upstream CRDs name them.

use std::collections::BTreeMap;

use k8s_openapi::api::core::v1::SecretKeySelector;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{LabelSelector, ObjectMeta};
use k8s_openapi::{NamespaceResourceScope, Resource};
use serde::Serialize;

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
#[derive(Debug, Clone, Default, Serialize)]
pub struct ServiceMonitor {
    pub metadata: ObjectMeta,
    pub spec: ServiceMonitorSpec,
}
monitoring_resource!(ServiceMonitor, "ServiceMonitor", "servicemonitors");

#[derive(Debug, Clone, Default, Serialize)]
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

#[derive(Debug, Clone, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct NamespaceSelector {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub any: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub match_names: Option<Vec<String>>,
}

/// One scraped port of a ServiceMonitor (or PodMonitor).
#[derive(Debug, Clone, Default, Serialize)]
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
}

#[derive(Debug, Clone, Default, Serialize)]
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
