//! The env-file options of Garage; `resolved.rs` applies their tier defaults.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::contract::k8s::Resources;
use crate::contract::{At, ByteSize, DnsLabel, Duration, NodePort};

/// Garage, the S3-compatible object store (v2.5.0). Every field is optional; the defaults
/// follow the environment's tier.
#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Garage {
    /// Render Garage. Default: true. Without it, components that store data in S3 fail to
    /// render, naming the missing link.
    pub enabled: Option<bool>,
    /// Namespace. Default: the environment's `namespace`.
    pub namespace: Option<DnsLabel>,
    /// Container image, pinned by tag. Default: `dxflrs/garage:v2.5.0`.
    pub image: Option<At<String>>,
    /// Number of Garage nodes. Default: 1 (local), 1 (staging), 3 (production).
    pub replicas: Option<At<u32>>,
    /// Copies kept of every object; at most `replicas`. Default: 1, 1, 3.
    pub replication_factor: Option<At<u32>>,
    /// Data volume per node. Default: 10Gi, 50Gi, 200Gi.
    pub data_volume: Option<ByteSize>,
    /// Metadata volume per node. Default: 1Gi, 5Gi, 20Gi.
    pub metadata_volume: Option<ByteSize>,
    /// StorageClass of both volumes. Default: the cluster's default class.
    pub storage_class: Option<DnsLabel>,
    /// Region name S3 clients must sign with. Default: `garage`.
    pub region: Option<String>,
    /// How often Garage snapshots its metadata database. Default: none (local), 6h, 6h.
    pub metadata_snapshot_interval: Option<Duration>,
    /// Where the RPC secret, admin token and S3 access key come from.
    pub credentials: Option<Credentials>,
    /// Container resources. Default: 50m/128Mi requests and 1/512Mi limits (local), scaled
    /// up for staging and production.
    pub resources: Option<Resources>,
    /// Expose the S3 API on this NodePort, to reach it with an S3 client from the host.
    /// Default: not exposed.
    pub s3_node_port: Option<NodePort>,
    /// How Argo CD syncs the component's apps, as under an own app's `argocd:`.
    #[serde(default, skip_serializing)]
    pub argocd: crate::contract::argocd::ArgoSettings,
}

/// Credentials of Garage and of the S3 key its users share. Outside the local tier they are
/// only ever references to Secrets that already exist in the namespace.
#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Credentials {
    /// Secret with `rpc-secret` (64 hex digits), `admin-token` (the setup Job's, for the admin
    /// API) and `metrics-token` (Prometheus', for `/metrics` only); neither token may contain
    /// `"` or `\`. Default: `garage-credentials`.
    pub garage_secret: Option<DnsLabel>,
    /// Secret with `access-key-id` (`GK` and 24 hex digits) and `secret-access-key` (64 hex
    /// digits), read by Garage's users and imported by the bootstrap. Default: `s3-credentials`.
    pub s3_secret: Option<DnsLabel>,
    /// Render both Secrets with fixed, publicly known development values. Allowed only in the
    /// local tier. Default: true in local, false elsewhere.
    pub dev_defaults: Option<At<bool>>,
}
