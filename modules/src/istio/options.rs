//! The env-file options of mesh tracing; `resolved.rs` applies their tier defaults.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::contract::{At, DnsLabel};

/// Istio mesh tracing to the collector. Off unless enabled: it needs Istio in the cluster.
#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Istio {
    /// Render mesh tracing. Default: false; enable it where Istio 1.22 or newer runs.
    pub enabled: Option<bool>,
    /// Istio's root namespace, where a Telemetry applies to the whole mesh. Default:
    /// `istio-system`.
    pub root_namespace: Option<DnsLabel>,
    /// Percentage of requests traced when no upstream decision was made, 0 to 100. Default:
    /// 100 (local), 10 (staging), 1 (production).
    pub sampling_percentage: Option<At<f64>>,
    /// Name of the tracing provider in Istio's mesh config. Default: `oxidy-otel`.
    pub provider: Option<DnsLabel>,
    /// How Argo CD syncs the component's apps, as under an own app's `argocd:`.
    #[serde(default, skip_serializing)]
    pub argocd: crate::contract::argocd::ArgoSettings,
}
