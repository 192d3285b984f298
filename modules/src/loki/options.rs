use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::contract::k8s::Resources;
use crate::contract::{
    App, At, Context, Datasource, DatasourceKind, Declarations, DnsLabel, Duration, Endpoint, EnvInfo, Link, Module,
    ModuleError, Quantity, Wave,
};

use super::{HTTP_PORT, objects};

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
    /// How long logs are kept; whole days, enforced by the compactor. Default: 24h (local),
    /// 7d (staging), 30d (production).
    pub retention: Option<Duration>,
    /// Volume of each stateful pod (single binary, write and backend targets). Default: 5Gi
    /// (local), 20Gi (staging), 50Gi (production).
    pub volume: Option<Quantity>,
    /// StorageClass of the volumes. Default: the cluster's default class.
    pub storage_class: Option<DnsLabel>,
    /// Replicas of each target in the simple scalable layout (the single binary always runs
    /// one). Default: 1 of each (local); write 1, read 2, backend 1, gateway 2 (staging);
    /// write 3, read 2, backend 2, gateway 2 (production).
    pub replicas: Option<Replicas>,
    /// Copies of every log stream the write target keeps; at most the write replicas.
    /// Default: 1 (local), 1 (staging), 3 (production).
    pub replication_factor: Option<u32>,
    /// Bucket for chunks and index. Default: `loki-chunks`.
    pub chunks_bucket: Option<DnsLabel>,
    /// Bucket for recording and alerting rules. Default: `loki-ruler`.
    pub ruler_bucket: Option<DnsLabel>,
    /// Resources of each Loki container. Default: 100m/256Mi requests and 1/1Gi limits
    /// (local), 250m/512Mi and 2/2Gi (staging), 500m/2Gi and 4/4Gi (production).
    pub resources: Option<Resources>,
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
    pub write: Option<u32>,
    /// Query frontends and queriers (Deployment). Default: 1 (local), 2 (staging), 2
    /// (production).
    pub read: Option<u32>,
    /// Compactor, index gateway, query scheduler and ruler (StatefulSet). Default: 1
    /// (local), 1 (staging), 2 (production).
    pub backend: Option<u32>,
    /// The nginx gateway in front of the three targets (Deployment). Default: 1 (local), 2
    /// (staging), 2 (production).
    pub gateway: Option<u32>,
}

/// Loki's options with every default applied.
pub(crate) struct Resolved {
    pub namespace: String,
    pub image: String,
    pub gateway_image: String,
    pub mode: LokiMode,
    pub retention: Duration,
    pub volume: Quantity,
    pub storage_class: Option<String>,
    pub write: u32,
    pub read: u32,
    pub backend: u32,
    pub gateway_replicas: u32,
    pub replication_factor: u32,
    pub chunks_bucket: String,
    pub ruler_bucket: String,
    pub resources: k8s_openapi::api::core::v1::ResourceRequirements,
}

fn parse<T>(parsed: Result<T, crate::contract::ValueError>) -> T {
    parsed.expect("tier defaults are valid values")
}

impl Loki {
    fn resolve(&self, env: &EnvInfo) -> Result<Resolved, ModuleError> {
        let tier = env.tier;
        let mode =
            self.mode.unwrap_or(tier.pick(LokiMode::SingleBinary, LokiMode::SimpleScalable, LokiMode::SimpleScalable));
        let replicas = self.replicas.clone().unwrap_or_default();
        let write = replicas.write.unwrap_or(tier.pick(1, 1, 3));
        let read = replicas.read.unwrap_or(tier.pick(1, 2, 2));
        let backend = replicas.backend.unwrap_or(tier.pick(1, 1, 2));
        let gateway = replicas.gateway.unwrap_or(tier.pick(1, 2, 2));
        let parts = [("write", write), ("read", read), ("backend", backend), ("gateway", gateway)];
        if let Some(zero) = parts.iter().find(|(_, n)| *n == 0) {
            return Err(option_error(
                &format!("replicas.{}", zero.0),
                format!("{} needs at least one replica", zero.0),
                Some("set it to 1 or more, or disable Loki".into()),
            ));
        }
        // The single binary keeps its rings in memory, so it can only ever be one pod.
        let ingesters = if mode == LokiMode::SingleBinary { 1 } else { write };
        let replication_factor = self.replication_factor.unwrap_or(tier.pick(1, 1, 3).min(ingesters));
        if replication_factor == 0 || replication_factor > ingesters {
            return Err(option_error(
                "replicationFactor",
                format!("replication factor {replication_factor} needs between 1 and {ingesters} ingesters"),
                Some(match mode {
                    LokiMode::SingleBinary => "the single binary runs one ingester: use mode simpleScalable".into(),
                    LokiMode::SimpleScalable => {
                        format!("set replicationFactor to at most {write}, or raise replicas.write")
                    }
                }),
            ));
        }
        let retention = self.retention.clone().unwrap_or_else(|| parse(Duration::parse(tier.pick("24h", "7d", "30d"))));
        // The TSDB index has one table a day and the compactor deletes whole tables' worth
        // of chunks, so Loki refuses a retention that is not a multiple of 24h.
        if retention.seconds() == 0 || !retention.seconds().is_multiple_of(86_400) {
            return Err(option_error(
                "retention",
                format!("retention `{retention}` is not a whole number of days"),
                Some("use a multiple of 24h, such as 24h, 7d or 30d".into()),
            ));
        }
        let resources = Resources::resolve(
            self.resources.as_ref(),
            tier.pick(["100m", "256Mi", "1", "1Gi"], ["250m", "512Mi", "2", "2Gi"], ["500m", "2Gi", "4", "4Gi"]),
        );
        Ok(Resolved {
            namespace: self.namespace.as_ref().map_or_else(|| env.namespace.clone(), |n| n.to_string()),
            image: crate::contract::image::pinned(Self::KEY, "image", self.image.as_ref(), super::IMAGE)?,
            gateway_image: crate::contract::image::pinned(
                Self::KEY,
                "gatewayImage",
                self.gateway_image.as_ref(),
                super::gateway::GATEWAY_IMAGE,
            )?,
            mode,
            retention,
            volume: self.volume.clone().unwrap_or_else(|| parse(Quantity::parse(tier.pick("5Gi", "20Gi", "50Gi")))),
            storage_class: self.storage_class.as_ref().map(|s| s.to_string()),
            write,
            read,
            backend,
            gateway_replicas: gateway,
            replication_factor,
            chunks_bucket: self.chunks_bucket.as_ref().map_or_else(|| "loki-chunks".into(), |b| b.to_string()),
            ruler_bucket: self.ruler_bucket.as_ref().map_or_else(|| "loki-ruler".into(), |b| b.to_string()),
            resources,
        })
    }
}

fn option_error(key: &str, message: String, help: Option<String>) -> ModuleError {
    ModuleError::Option { key: format!("components.loki.{key}"), pos: None, message, help }
}

impl Module for Loki {
    const KEY: &'static str = "loki";

    fn declare(&self, env: &EnvInfo, decl: &mut Declarations) -> Result<(), ModuleError> {
        if self.enabled == Some(false) {
            return Ok(());
        }
        let r = self.resolve(env)?;
        decl.need_bucket(Self::KEY, r.chunks_bucket.clone());
        decl.need_bucket(Self::KEY, r.ruler_bucket.clone());
        let entry = Endpoint {
            service: objects::HTTP_SERVICE.into(),
            namespace: r.namespace.clone(),
            port: HTTP_PORT,
            port_name: "http".into(),
            scheme: "http",
        };
        decl.provide_datasource(
            Self::KEY,
            Datasource { uid: "loki".into(), name: "Loki".into(), kind: DatasourceKind::Loki, url: entry.url() },
        );
        decl.provide(Self::KEY, Link::LokiHttp, entry);
        Ok(())
    }

    fn render(&self, ctx: &Context) -> Result<Vec<App>, ModuleError> {
        if self.enabled == Some(false) {
            return Ok(Vec::new());
        }
        let r = self.resolve(&ctx.env)?;
        let store = ctx.s3(Self::KEY)?;
        // Optional on purpose: without an Alertmanager the ruler still evaluates rules (and
        // records), it only has nowhere to send alerts.
        let alertmanager = ctx.endpoint(Link::AlertmanagerHttp, Self::KEY).ok();
        let mut app = App::new(Self::KEY, r.namespace.clone(), Wave::Backends);
        objects::render(&r, store, alertmanager, &mut app)?;
        Ok(vec![app])
    }
}
