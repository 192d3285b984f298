//! The env-file options of Loki; `resolved.rs` applies their tier defaults.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::contract::k8s::Resources;
use crate::contract::{At, ByteSize, DnsLabel, Duration};

/// Loki, the log store (v3.7.6). Every field is optional; the defaults follow the
/// environment's tier.
#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Loki {
    /// Render Loki. Default: true. Needs an S3 store (Garage).
    pub enabled: Option<bool>,
    /// Namespace. Default: the environment's `namespace`.
    pub namespace: Option<DnsLabel>,
    /// Container image, pinned by tag. Default: `grafana/loki:3.7.6`.
    pub image: Option<At<String>>,
    /// Image of the simple scalable layout's nginx gateway, pinned by tag. Default:
    /// `nginxinc/nginx-unprivileged:1.30.0-alpine`.
    pub gateway_image: Option<At<String>>,
    /// Deployment layout. Default: singleBinary (local), simpleScalable (staging, production).
    pub mode: Option<LokiMode>,
    /// How long logs are kept, at least 24h (Loki's compactor minimum). Default: 24h (local),
    /// 7d (staging), 30d (production).
    pub retention: Option<At<Duration>>,
    /// Volume of each stateful pod (single binary, write and backend targets). Default: 5Gi
    /// (local), 20Gi (staging), 50Gi (production).
    pub volume: Option<ByteSize>,
    /// StorageClass of the volumes. Default: the cluster's default class.
    pub storage_class: Option<DnsLabel>,
    /// Replicas of each target in the simple scalable layout (the single binary always runs
    /// one). Default: 1 of each (local); write 1, read 2, backend 1, gateway 2 (staging);
    /// write 3, read 2, backend 2, gateway 2 (production).
    pub replicas: Option<Replicas>,
    /// Copies of every log stream the write target keeps; at most the write replicas.
    /// Default: 1 (local), 1 (staging), 3 (production).
    pub replication_factor: Option<At<u32>>,
    /// Bucket for chunks and index. Default: `loki-chunks`.
    pub chunks_bucket: Option<DnsLabel>,
    /// Bucket for recording and alerting rules. Default: `loki-ruler`.
    pub ruler_bucket: Option<DnsLabel>,
    /// Resources of each Loki container. Default: 100m/256Mi requests and 1/1Gi limits
    /// (local), 250m/512Mi and 2/2Gi (staging), 500m/2Gi and 4/4Gi (production).
    pub resources: Option<Resources>,
    /// How Argo CD syncs the component's apps, as under an own app's `argocd:`.
    #[serde(default, skip_serializing)]
    pub argocd: crate::contract::argocd::ArgoSettings,
}

/// How Loki is laid out.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub enum LokiMode {
    /// Every target in one pod with a volume.
    SingleBinary,
    /// Write, read and backend targets scaled separately, joined by memberlist.
    SimpleScalable,
}

/// Replicas per target of the simple scalable layout.
#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Replicas {
    /// Distributors and ingesters (StatefulSet). Default: 1 (local), 1 (staging), 3
    /// (production).
    pub write: Option<At<u32>>,
    /// Query frontends and queriers (Deployment). Default: 1 (local), 2 (staging), 2
    /// (production).
    pub read: Option<At<u32>>,
    /// Compactor, index gateway, query scheduler and ruler (StatefulSet). Default: 1
    /// (local), 1 (staging), 2 (production).
    pub backend: Option<At<u32>>,
    /// The nginx gateway in front of the three targets (Deployment). Default: 1 (local), 2
    /// (staging), 2 (production).
    pub gateway: Option<At<u32>>,
}
