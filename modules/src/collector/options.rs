//! The env-file options of Collector; `resolved.rs` applies their tier defaults.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::contract::k8s::Resources;
use crate::contract::{At, DnsLabel, Duration};

/// The OpenTelemetry Collector (v0.159.0): OTLP in, traces to Tempo, metrics to Prometheus,
/// logs to Loki. Every field is optional; the defaults follow the environment's tier.
#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Collector {
    /// Render the collector. Default: true. It needs Tempo, Prometheus and Loki enabled.
    pub enabled: Option<bool>,
    /// Namespace. Default: the environment's `namespace`.
    pub namespace: Option<DnsLabel>,
    /// Container image, pinned by a tag other than `latest` or by a digest. Default:
    /// `otel/opentelemetry-collector-contrib:0.159.0`.
    /// Set it to the image built from `build/collector/builder-config.yaml` to run the
    /// minimal build; its entrypoint must be the collector binary.
    pub image: Option<At<String>>,
    /// Number of pods; in production the autoscaler's minimum. Default: 1 (local), 2
    /// (staging), 2 (production).
    pub replicas: Option<At<u32>>,
    /// The autoscaler's maximum number of pods (production only). Default: 6.
    pub max_replicas: Option<At<u32>>,
    /// Items (spans, data points, log records) after which a batch is sent. Default: 1024
    /// (local), 4096 (staging), 8192 (production). Batches are split at twice this size.
    pub batch_size: Option<At<u32>>,
    /// Time after which a batch is sent, however small. Default: 1s (local), 2s (staging),
    /// 5s (production).
    pub batch_timeout: Option<Duration>,
    /// Also print a summary of every batch to the collector's log (the debug exporter).
    /// Default: false.
    pub debug: Option<bool>,
    /// Container resources. Default: 50m/128Mi requests and 500m/256Mi limits (local),
    /// 100m/256Mi and 1/512Mi (staging), 250m/512Mi and 2/1Gi (production). The memory
    /// limiter refuses data at 80% of the memory limit, minus a quarter of that for spikes.
    pub resources: Option<Resources>,
    /// How Argo CD syncs the component's apps, as under an own app's `argocd:`.
    #[serde(default, skip_serializing)]
    pub argocd: crate::contract::argocd::ArgoSettings,
}
