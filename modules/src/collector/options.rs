use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::contract::k8s::Resources;
use crate::contract::{
    App, Context, Declarations, DnsLabel, Duration, Endpoint, EnvInfo, Link, Module, ModuleError, Tier, Wave,
};

use super::memory::mebibytes;
use super::{OTLP_GRPC_PORT, OTLP_HTTP_PORT, objects, routes};

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
    pub image: Option<String>,
    /// Number of pods; in production the autoscaler's minimum. Default: 1 (local), 2
    /// (staging), 2 (production).
    pub replicas: Option<u32>,
    /// The autoscaler's maximum number of pods (production only). Default: 6.
    pub max_replicas: Option<u32>,
    /// Items (spans, data points, log records) after which a batch is sent. Default: 1024
    /// (local), 4096 (staging), 8192 (production). Batches are split at twice this size.
    pub batch_size: Option<u32>,
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
}

/// The collector's options with every default applied.
pub(crate) struct Resolved {
    pub namespace: String,
    pub image: String,
    pub replicas: u32,
    /// `Some((min, max))` when an autoscaler owns the replica count.
    pub autoscaling: Option<(u32, u32)>,
    pub batch_size: u32,
    pub batch_timeout: String,
    pub debug: bool,
    pub resources: k8s_openapi::api::core::v1::ResourceRequirements,
    /// The memory limiter's hard limit, below the container's memory limit.
    pub memory_limit_mib: u64,
}

/// The smallest memory limit that leaves the collector room to work.
const MIN_MEMORY_MIB: u64 = 64;

impl Collector {
    fn enabled(&self) -> bool {
        self.enabled.unwrap_or(true)
    }

    pub(super) fn resolve(&self, env: &EnvInfo) -> Result<Resolved, ModuleError> {
        let tier = env.tier;
        let replicas = self.replicas.unwrap_or(tier.pick(1, 2, 2));
        if replicas == 0 {
            return Err(option_error("replicas", "the collector needs at least one pod".into(), None));
        }
        let autoscaling = match tier {
            Tier::Production => {
                let max = self.max_replicas.unwrap_or(6);
                if max < replicas {
                    return Err(option_error(
                        "maxReplicas",
                        format!("maxReplicas {max} is below replicas {replicas}, the autoscaler's minimum"),
                        Some(format!("set maxReplicas to at least {replicas}")),
                    ));
                }
                Some((replicas, max))
            }
            Tier::Local | Tier::Staging => None,
        };
        let resources = Resources::resolve(
            self.resources.as_ref(),
            tier.pick(
                ["50m", "128Mi", "500m", "256Mi"],
                ["100m", "256Mi", "1", "512Mi"],
                ["250m", "512Mi", "2", "1Gi"],
            ),
        );
        let limit = resources.limits.as_ref().and_then(|l| l.get("memory")).map(|q| q.0.clone()).unwrap_or_default();
        let memory_limit_mib = match mebibytes(&limit) {
            Some(mib) if mib >= MIN_MEMORY_MIB => mib * 4 / 5,
            _ => {
                return Err(option_error(
                    "resources.limits.memory",
                    format!(
                        "memory limit `{limit}` must be at least {MIN_MEMORY_MIB}Mi, written in bytes (Mi, Gi, M, G)"
                    ),
                    Some("write the limit as, say, 512Mi".into()),
                ));
            }
        };
        let batch_size = self.batch_size.unwrap_or(tier.pick(1024, 4096, 8192));
        if batch_size == 0 {
            return Err(option_error("batchSize", "a batch needs at least one item".into(), None));
        }
        let image = self.image.clone().unwrap_or_else(|| super::IMAGE.into());
        if !crate::contract::image::is_pinned(&image) {
            return Err(option_error(
                "image",
                format!("image `{image}` is not pinned: name a tag other than `latest`, or a digest"),
                Some(format!("such as {}", super::IMAGE)),
            ));
        }
        let batch_timeout =
            self.batch_timeout.as_ref().map_or_else(|| tier.pick("1s", "2s", "5s").into(), Duration::to_go);
        Ok(Resolved {
            namespace: self.namespace.as_ref().map_or_else(|| env.namespace.clone(), |n| n.to_string()),
            image,
            replicas,
            autoscaling,
            batch_size,
            batch_timeout,
            debug: self.debug.unwrap_or(false),
            resources,
            memory_limit_mib,
        })
    }
}

fn option_error(key: &str, message: String, help: Option<String>) -> ModuleError {
    ModuleError::Option { key: format!("components.collector.{key}"), pos: None, message, help }
}

impl Module for Collector {
    const KEY: &'static str = "collector";

    fn declare(&self, env: &EnvInfo, decl: &mut Declarations) -> Result<(), ModuleError> {
        if !self.enabled() {
            return Ok(());
        }
        let r = self.resolve(env)?;
        let endpoint = |port: u16, port_name: &str| Endpoint {
            service: objects::SERVICE.into(),
            namespace: r.namespace.clone(),
            port,
            port_name: port_name.into(),
            scheme: "http",
        };
        decl.provide(Self::KEY, Link::CollectorOtlpGrpc, endpoint(OTLP_GRPC_PORT, objects::OTLP_GRPC_PORT_NAME));
        decl.provide(Self::KEY, Link::CollectorOtlpHttp, endpoint(OTLP_HTTP_PORT, objects::OTLP_HTTP_PORT_NAME));
        Ok(())
    }

    fn render(&self, ctx: &Context) -> Result<Vec<App>, ModuleError> {
        if !self.enabled() {
            return Ok(Vec::new());
        }
        let r = self.resolve(&ctx.env)?;
        let targets = routes::Targets::from_context(ctx, Self::KEY)?;
        let model = routes::model(&r, &targets);
        let mut app = App::new(Self::KEY, r.namespace.clone(), Wave::Pipeline);
        objects::render(&r, &model, &mut app)?;
        Ok(vec![app])
    }
}
