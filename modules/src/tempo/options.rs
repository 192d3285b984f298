use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::contract::k8s::Resources;
use crate::contract::{
    App, At, Context, Datasource, DatasourceKind, Declarations, DnsLabel, Duration, Endpoint, EnvInfo, Link, Module,
    ModuleError, Quantity, Wave,
};

use super::{HTTP_PORT, OTLP_GRPC_PORT, objects};

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
    /// How long traces are kept (the compactor's block retention). Default: 24h (local), 7d
    /// (staging), 30d (production).
    pub retention: Option<Duration>,
    /// Volume of each stateful pod (monolithic, ingesters, metrics generators) for the
    /// write-ahead logs. Default: 5Gi (local), 10Gi (staging), 20Gi (production).
    pub volume: Option<Quantity>,
    /// StorageClass of the volumes. Default: the cluster's default class.
    pub storage_class: Option<DnsLabel>,
    /// Replicas of each target in the distributed layout (monolithic always runs one).
    /// Default: 1 of each (local); stateless targets 2, stateful ones 1 (staging); ingesters
    /// 3, every other target 2 (production).
    pub replicas: Option<Replicas>,
    /// Copies of every trace the ingesters keep; at most the ingester replicas. Default: 1
    /// (local), 1 (staging), 3 (production).
    pub replication_factor: Option<u32>,
    /// Bucket for trace blocks. Default: `tempo-traces`.
    pub bucket: Option<DnsLabel>,
    /// Resources of each Tempo container. Default: 100m/256Mi requests and 1/1Gi limits
    /// (local), 250m/512Mi and 2/2Gi (staging), 500m/1Gi and 4/4Gi (production).
    pub resources: Option<Resources>,
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
    pub distributor: Option<u32>,
    /// Ingesters, which hold recent traces and write blocks (StatefulSet). Default: 1 (local), 1
    /// (staging), 3 (production).
    pub ingester: Option<u32>,
    /// Queriers (Deployment). Default: 1 (local), 2 (staging), 2 (production).
    pub querier: Option<u32>,
    /// Query frontends, behind the query API (Deployment). Default: 1 (local), 2 (staging), 2
    /// (production).
    pub query_frontend: Option<u32>,
    /// Compactors, which merge blocks and enforce retention (Deployment). Default: 1 (local), 1
    /// (staging), 2 (production).
    pub compactor: Option<u32>,
    /// Metrics generators (StatefulSet). Default: 1 (local), 1 (staging), 2 (production).
    pub metrics_generator: Option<u32>,
}

/// Tempo's options with every default applied.
pub(crate) struct Resolved {
    pub namespace: String,
    pub image: String,
    pub mode: TempoMode,
    pub retention: Duration,
    pub volume: Quantity,
    pub storage_class: Option<String>,
    pub distributor: u32,
    pub ingester: u32,
    pub querier: u32,
    pub query_frontend: u32,
    pub compactor: u32,
    pub metrics_generator: u32,
    pub replication_factor: u32,
    pub bucket: String,
    pub resources: k8s_openapi::api::core::v1::ResourceRequirements,
}

fn parse<T>(parsed: Result<T, crate::contract::ValueError>) -> T {
    parsed.expect("tier defaults are valid values")
}

impl Tempo {
    fn resolve(&self, env: &EnvInfo) -> Result<Resolved, ModuleError> {
        let tier = env.tier;
        let mode =
            self.mode.unwrap_or(tier.pick(TempoMode::Monolithic, TempoMode::Distributed, TempoMode::Distributed));
        let replicas = self.replicas.clone().unwrap_or_default();
        let stateless = tier.pick(1, 2, 2);
        let distributor = replicas.distributor.unwrap_or(stateless);
        let ingester = replicas.ingester.unwrap_or(tier.pick(1, 1, 3));
        let querier = replicas.querier.unwrap_or(stateless);
        let query_frontend = replicas.query_frontend.unwrap_or(stateless);
        let compactor = replicas.compactor.unwrap_or(tier.pick(1, 1, 2));
        let metrics_generator = replicas.metrics_generator.unwrap_or(tier.pick(1, 1, 2));
        let parts = [
            ("distributor", distributor),
            ("ingester", ingester),
            ("querier", querier),
            ("queryFrontend", query_frontend),
            ("compactor", compactor),
            ("metricsGenerator", metrics_generator),
        ];
        if let Some(zero) = parts.iter().find(|(_, n)| *n == 0) {
            return Err(option_error(
                &format!("replicas.{}", zero.0),
                format!("{} needs at least one replica", zero.0),
                Some("set it to 1 or more, or disable Tempo".into()),
            ));
        }
        // The monolithic pod is the one ingester.
        let ingesters = if mode == TempoMode::Monolithic { 1 } else { ingester };
        let replication_factor = self.replication_factor.unwrap_or(tier.pick(1, 1, 3).min(ingesters));
        if replication_factor == 0 || replication_factor > ingesters {
            return Err(option_error(
                "replicationFactor",
                format!("replication factor {replication_factor} needs between 1 and {ingesters} ingesters"),
                Some(match mode {
                    TempoMode::Monolithic => "the monolithic layout runs one ingester: use mode distributed".into(),
                    TempoMode::Distributed => {
                        format!("set replicationFactor to at most {ingester}, or raise replicas.ingester")
                    }
                }),
            ));
        }
        let retention = self.retention.clone().unwrap_or_else(|| parse(Duration::parse(tier.pick("24h", "7d", "30d"))));
        if retention.seconds() < 3600 {
            return Err(option_error(
                "retention",
                format!("retention `{retention}` is shorter than an hour, less than blocks take to be written"),
                Some("use at least 1h, such as 24h or 7d".into()),
            ));
        }
        let resources = Resources::resolve(
            self.resources.as_ref(),
            tier.pick(["100m", "256Mi", "1", "1Gi"], ["250m", "512Mi", "2", "2Gi"], ["500m", "1Gi", "4", "4Gi"]),
        );
        Ok(Resolved {
            namespace: self.namespace.as_ref().map_or_else(|| env.namespace.clone(), |n| n.to_string()),
            image: crate::contract::image::pinned(Self::KEY, "image", self.image.as_ref(), super::IMAGE)?,
            mode,
            retention,
            volume: self.volume.clone().unwrap_or_else(|| parse(Quantity::parse(tier.pick("5Gi", "10Gi", "20Gi")))),
            storage_class: self.storage_class.as_ref().map(|s| s.to_string()),
            distributor,
            ingester,
            querier,
            query_frontend,
            compactor,
            metrics_generator,
            replication_factor,
            bucket: self.bucket.as_ref().map_or_else(|| "tempo-traces".into(), |b| b.to_string()),
            resources,
        })
    }
}

fn option_error(key: &str, message: String, help: Option<String>) -> ModuleError {
    ModuleError::Option { key: format!("components.tempo.{key}"), pos: None, message, help }
}

impl Module for Tempo {
    const KEY: &'static str = "tempo";

    fn declare(&self, env: &EnvInfo, decl: &mut Declarations) -> Result<(), ModuleError> {
        if self.enabled == Some(false) {
            return Ok(());
        }
        let r = self.resolve(env)?;
        decl.need_bucket(Self::KEY, r.bucket.clone());
        let endpoint = |service: &str, port: u16, port_name: &str| Endpoint {
            service: service.into(),
            namespace: r.namespace.clone(),
            port,
            port_name: port_name.into(),
            scheme: "http",
        };
        let http = endpoint(objects::HTTP_SERVICE, HTTP_PORT, "http");
        decl.provide_datasource(
            Self::KEY,
            Datasource { uid: "tempo".into(), name: "Tempo".into(), kind: DatasourceKind::Tempo, url: http.url() },
        );
        decl.provide(Self::KEY, Link::TempoHttp, http);
        decl.provide(
            Self::KEY,
            Link::TempoOtlpGrpc,
            endpoint(objects::ingest_service(r.mode), OTLP_GRPC_PORT, "otlp-grpc"),
        );
        Ok(())
    }

    fn render(&self, ctx: &Context) -> Result<Vec<App>, ModuleError> {
        if self.enabled == Some(false) {
            return Ok(Vec::new());
        }
        let r = self.resolve(&ctx.env)?;
        let store = ctx.s3(Self::KEY)?;
        let prometheus = ctx.endpoint(Link::PrometheusHttp, Self::KEY)?;
        let remote_write = format!("{}/api/v1/write", prometheus.url());
        let mut app = App::new(Self::KEY, r.namespace.clone(), Wave::Backends);
        objects::render(&r, store, &remote_write, &mut app)?;
        Ok(vec![app])
    }
}
