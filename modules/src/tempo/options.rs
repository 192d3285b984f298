//! The env-file options of Tempo; `resolved.rs` applies their tier defaults.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::contract::k8s::Resources;
use crate::contract::{At, ByteSize, DnsLabel, Duration};

/// Tempo, the trace store (v2.10.8). Every field is optional; the defaults follow the
/// environment's tier.
#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Tempo {
    /// Render Tempo. Default: true. Needs an S3 store (Garage) and Prometheus (the metrics
    /// generator's remote write).
    pub enabled: Option<bool>,
    /// Namespace. Default: the environment's `namespace`.
    pub namespace: Option<DnsLabel>,
    /// Container image, pinned by tag. Default: `grafana/tempo:2.10.8`.
    pub image: Option<At<String>>,
    /// Deployment layout. Default: monolithic (local), distributed (staging, production).
    pub mode: Option<TempoMode>,
    /// How long traces are kept (the compactor's block retention), at least 1h. Default: 24h
    /// (local), 7d (staging), 30d (production).
    pub retention: Option<At<Duration>>,
    /// Volume of each stateful pod (monolithic, ingesters, metrics generators) for the
    /// write-ahead logs. Default: 5Gi (local), 10Gi (staging), 20Gi (production).
    pub volume: Option<ByteSize>,
    /// StorageClass of the volumes. Default: the cluster's default class.
    pub storage_class: Option<DnsLabel>,
    /// Replicas of each target in the distributed layout (monolithic always runs one).
    /// Default: 1 of each (local); stateless targets 2, stateful ones 1 (staging); ingesters
    /// 3, every other target 2 (production).
    pub replicas: Option<Replicas>,
    /// Copies of every trace the ingesters keep; at most the ingester replicas. Default: 1
    /// (local), 1 (staging), 3 (production).
    pub replication_factor: Option<At<u32>>,
    /// Bucket for trace blocks. Default: `tempo-traces`.
    pub bucket: Option<DnsLabel>,
    /// Resources of each Tempo container. Default: 100m/256Mi requests and 1/1Gi limits
    /// (local), 250m/512Mi and 2/2Gi (staging), 500m/1Gi and 4/4Gi (production).
    pub resources: Option<Resources>,
    /// How Argo CD syncs the component's apps, as under an own app's `argocd:`.
    #[serde(default, skip_serializing)]
    pub argocd: crate::contract::argocd::ArgoSettings,
}

/// How Tempo is laid out.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub enum TempoMode {
    /// Every target in one pod with a volume.
    Monolithic,
    /// Each target its own workload, joined by memberlist.
    Distributed,
}

/// Replicas per target of the distributed layout.
#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Replicas {
    /// Distributors, which receive OTLP (Deployment). Default: 1 (local), 2 (staging), 2
    /// (production).
    pub distributor: Option<At<u32>>,
    /// Ingesters, which hold recent traces and write blocks (StatefulSet). Default: 1 (local), 1
    /// (staging), 3 (production).
    pub ingester: Option<At<u32>>,
    /// Queriers (Deployment). Default: 1 (local), 2 (staging), 2 (production).
    pub querier: Option<At<u32>>,
    /// Query frontends, behind the query API (Deployment). Default: 1 (local), 2 (staging), 2
    /// (production).
    pub query_frontend: Option<At<u32>>,
    /// Compactors, which merge blocks and enforce retention (Deployment). Default: 1 (local), 1
    /// (staging), 2 (production).
    pub compactor: Option<At<u32>>,
    /// Metrics generators (StatefulSet). Default: 1 (local), 1 (staging), 2 (production).
    pub metrics_generator: Option<At<u32>>,
}
