//! The env-file options of Grafana; `resolved.rs` applies their tier defaults.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::contract::exposure::{IngressOptions, RouteOptions};
use crate::contract::k8s::Resources;
use crate::contract::{At, ByteSize, DnsLabel, NodePort};

use super::selection::DashboardSelection;

/// Grafana with provisioned datasources and dashboards (12.4.5). Every field is optional; the
/// defaults follow the environment's tier.
#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Grafana {
    /// Render Grafana. Default: true.
    pub enabled: Option<bool>,
    /// Namespace. Default: the environment's `namespace`.
    pub namespace: Option<DnsLabel>,
    /// Container image, pinned by tag. Default: `grafana/grafana:12.4.5`.
    pub image: Option<At<String>>,
    /// Volume for Grafana's SQLite database. Default: 1Gi (local), 5Gi (staging), 10Gi
    /// (production).
    pub volume: Option<ByteSize>,
    /// StorageClass of the volume. Default: the cluster's default class.
    pub storage_class: Option<DnsLabel>,
    /// Expose the UI on this NodePort. Default: 30300 in local; none (ClusterIP) in staging
    /// and production.
    pub node_port: Option<NodePort>,
    /// The URL users reach Grafana at (`http://` or `https://`), for links in alerts and
    /// shares. Default: from `ingress` or `route` when set (`https://<host>/` behind TLS),
    /// else Grafana's own (`http://localhost:3000/`).
    pub root_url: Option<At<String>>,
    /// Expose the UI through an Ingress; the Service stays ClusterIP. Default: none.
    pub ingress: Option<At<IngressOptions>>,
    /// Expose the UI through a Gateway API HTTPRoute instead of an Ingress. Default: none.
    pub route: Option<At<RouteOptions>>,
    /// Where the admin user and password come from.
    pub credentials: Option<Credentials>,
    /// Container resources. Default: 100m/256Mi requests and 1/512Mi limits (local),
    /// 200m/512Mi and 1/1Gi (staging), 500m/1Gi and 2/2Gi (production).
    pub resources: Option<Resources>,
    /// Which dashboards ship. Default: every dashboard in `dashboards/`.
    pub dashboards: Option<DashboardSelection>,
    /// How Argo CD syncs the component's apps, as under an own app's `argocd:`.
    #[serde(default, skip_serializing)]
    pub argocd: crate::contract::argocd::ArgoSettings,
}

/// Grafana's admin credentials.
#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Credentials {
    /// Secret with `admin-user` and `admin-password`. Default: `grafana-admin`.
    pub admin_secret: Option<DnsLabel>,
    /// Render that Secret with the publicly known `admin`/`admin`. Allowed only in the local
    /// tier. Default: true in local, false elsewhere.
    pub dev_defaults: Option<At<bool>>,
}
