use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::contract::k8s::Resources;
use crate::contract::{
    App, At, Context, Declarations, DnsLabel, Duration, Endpoint, EnvInfo, Link, Module, ModuleError, NodePort,
    Quantity, S3Store, Tier, Wave,
};

use super::{ADMIN_PORT, RPC_PORT, S3_PORT, objects, setup};

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
    pub image: Option<String>,
    /// Number of Garage nodes. Default: 1 (local), 1 (staging), 3 (production).
    pub replicas: Option<u32>,
    /// Copies kept of every object; at most `replicas`. Default: 1, 1, 3.
    pub replication_factor: Option<u32>,
    /// Data volume per node. Default: 10Gi, 50Gi, 200Gi.
    pub data_volume: Option<Quantity>,
    /// Metadata volume per node. Default: 1Gi, 5Gi, 20Gi.
    pub metadata_volume: Option<Quantity>,
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

/// Garage's options with every default applied.
pub(crate) struct Resolved {
    pub namespace: String,
    pub image: String,
    pub replicas: u32,
    pub replication_factor: u32,
    pub data_volume: Quantity,
    pub metadata_volume: Quantity,
    pub storage_class: Option<String>,
    pub region: String,
    pub snapshot_interval: Option<Duration>,
    pub garage_secret: String,
    pub s3_secret: String,
    pub dev_credentials: bool,
    pub resources: k8s_openapi::api::core::v1::ResourceRequirements,
    pub s3_node_port: Option<u16>,
    pub tier: Tier,
}

fn quantity(text: &str) -> Quantity {
    Quantity::parse(text).expect("tier defaults are valid quantities")
}

impl Garage {
    fn resolve(&self, env: &EnvInfo) -> Result<Resolved, ModuleError> {
        let tier = env.tier;
        let replicas = self.replicas.unwrap_or(tier.pick(1, 1, 3));
        let replication_factor = self.replication_factor.unwrap_or(tier.pick(1, 1, 3).min(replicas));
        if replication_factor == 0 || replication_factor > replicas {
            return Err(option_error(
                "replicationFactor",
                None,
                format!("replication factor {replication_factor} needs between 1 and {replicas} nodes (replicas)"),
                Some(format!("set replicationFactor to at most {replicas}, or raise replicas")),
            ));
        }
        let creds = self.credentials.clone().unwrap_or_default();
        let dev = creds.dev_defaults.clone().unwrap_or(At::default_value(tier.allows_dev_credentials()));
        if dev.value && !tier.allows_dev_credentials() {
            return Err(option_error(
                "credentials.devDefaults",
                dev.pos,
                format!("fixed development credentials are allowed only in the local tier, not in {}", tier.as_str()),
                Some("remove devDefaults and create the Secrets named by credentials.garageSecret and credentials.s3Secret".into()),
            ));
        }
        let resources = Resources::resolve(
            self.resources.as_ref(),
            tier.pick(["50m", "128Mi", "1", "512Mi"], ["100m", "256Mi", "1", "1Gi"], ["250m", "1Gi", "2", "2Gi"]),
        );
        Ok(Resolved {
            namespace: self.namespace.as_ref().map_or_else(|| env.namespace.clone(), |n| n.to_string()),
            image: self.image.clone().unwrap_or_else(|| super::IMAGE.into()),
            replicas,
            replication_factor,
            data_volume: self.data_volume.clone().unwrap_or_else(|| quantity(tier.pick("10Gi", "50Gi", "200Gi"))),
            metadata_volume: self.metadata_volume.clone().unwrap_or_else(|| quantity(tier.pick("1Gi", "5Gi", "20Gi"))),
            storage_class: self.storage_class.as_ref().map(|s| s.to_string()),
            region: self.region.clone().unwrap_or_else(|| "garage".into()),
            snapshot_interval: self.metadata_snapshot_interval.clone().or_else(|| {
                tier.pick(None, Some("6h"), Some("6h")).map(|d| Duration::parse(d).expect("valid default"))
            }),
            garage_secret: creds.garage_secret.map_or_else(|| "garage-credentials".into(), |s| s.to_string()),
            s3_secret: creds.s3_secret.map_or_else(|| "s3-credentials".into(), |s| s.to_string()),
            dev_credentials: dev.value,
            resources,
            s3_node_port: self.s3_node_port.as_ref().map(NodePort::port),
            tier,
        })
    }
}

fn option_error(key: &str, pos: Option<crate::contract::Pos>, message: String, help: Option<String>) -> ModuleError {
    ModuleError::Option { key: format!("components.garage.{key}"), pos, message, help }
}

impl Module for Garage {
    const KEY: &'static str = "garage";

    fn declare(&self, env: &EnvInfo, decl: &mut Declarations) -> Result<(), ModuleError> {
        if self.enabled == Some(false) {
            return Ok(());
        }
        let r = self.resolve(env)?;
        let endpoint = |service: &str, port: u16, port_name: &str| Endpoint {
            service: service.into(),
            namespace: r.namespace.clone(),
            port,
            port_name: port_name.into(),
            scheme: "http",
        };
        decl.provide(Self::KEY, Link::GarageS3, endpoint(objects::S3_SERVICE, S3_PORT, "s3"));
        decl.provide(Self::KEY, Link::GarageRpc, endpoint(objects::RPC_SERVICE, RPC_PORT, "rpc"));
        decl.provide(Self::KEY, Link::GarageAdmin, endpoint(objects::ADMIN_SERVICE, ADMIN_PORT, "admin"));
        decl.provide_s3(
            Self::KEY,
            S3Store {
                endpoint: endpoint(objects::S3_SERVICE, S3_PORT, "s3"),
                region: r.region.clone(),
                credentials_secret: r.s3_secret.clone(),
                access_key_id_key: objects::ACCESS_KEY_ID_KEY.into(),
                secret_access_key_key: objects::SECRET_ACCESS_KEY_KEY.into(),
            },
        );
        if let Some(port) = &self.s3_node_port {
            decl.claim_node_port(Self::KEY, "components.garage.s3NodePort", port);
        }
        Ok(())
    }

    fn render(&self, ctx: &Context) -> Result<Vec<App>, ModuleError> {
        if self.enabled == Some(false) {
            return Ok(Vec::new());
        }
        let r = self.resolve(&ctx.env)?;
        let prometheus = ctx.endpoint(Link::PrometheusHttp, Self::KEY).ok().map(|e| e.namespace.as_str());
        let mut app = App::new(Self::KEY, r.namespace.clone(), Wave::Storage);
        objects::render(&r, prometheus, &mut app)?;
        let setup = setup::render(&r, ctx.buckets())?;
        Ok(vec![app, setup])
    }
}
