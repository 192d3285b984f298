//! Istio's `Telemetry` resource (telemetry.istio.io/v1, the CRD of Istio 1.30), typed: the
//! fields the stack uses, named and typed as the upstream CRD has them. A partial model, read
//! leniently like the prometheus-operator kinds (`monitoring.rs`).

use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
use k8s_openapi::{NamespaceResourceScope, Resource};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct Telemetry {
    pub metadata: ObjectMeta,
    pub spec: TelemetrySpec,
}

impl Resource for Telemetry {
    const API_VERSION: &'static str = "telemetry.istio.io/v1";
    const GROUP: &'static str = "telemetry.istio.io";
    const KIND: &'static str = "Telemetry";
    const VERSION: &'static str = "v1";
    const URL_PATH_SEGMENT: &'static str = "telemetries";
    type Scope = NamespaceResourceScope;
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct TelemetrySpec {
    pub tracing: Vec<Tracing>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct Tracing {
    pub providers: Vec<ProviderRef>,
    /// Nullable in the CRD.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub random_sampling_percentage: Option<f64>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct ProviderRef {
    pub name: String,
}
