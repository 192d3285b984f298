//! Loki's options with every tier default applied, and the checks that span keys.

use crate::contract::image::Image;
use crate::contract::ring_options::RingOptions;
use crate::contract::k8s::{Defaults, Resources, cores, gibibytes, mebibytes, millicores};
use crate::contract::{At, ByteSize, Duration, DurationUnit, EnvInfo, OptionError, OptionErrors};

use super::options::{Loki, LokiMode};

/// Loki's options with every default applied.
pub(crate) struct Resolved {
    pub namespace: String,
    pub image: Image,
    pub gateway_image: Image,
    pub mode: LokiMode,
    pub retention: Duration,
    pub volume: ByteSize,
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

/// The shortest retention Loki applies: its compactor deletes by day-long index tables, its
/// limits refuse per-stream retention below 24h, and it reads 0 as "keep forever".
pub(crate) const MIN_RETENTION: Duration = Duration::of(24, DurationUnit::Hour);

impl Loki {
    pub(crate) fn resolve(&self, env: &EnvInfo) -> Result<Resolved, Vec<OptionError>> {
        let tier = env.tier;
        let mut errors = OptionErrors::default();
        let mode =
            self.mode.unwrap_or(tier.pick(LokiMode::SingleBinary, LokiMode::SimpleScalable, LokiMode::SimpleScalable));
        let replicas = self.replicas.clone().unwrap_or_default();
        let count = |set: &Option<At<u32>>, default: u32| set.clone().unwrap_or(At::default_value(default));
        let write = count(&replicas.write, tier.pick(1, 1, 3));
        let read = count(&replicas.read, tier.pick(1, 2, 2));
        let backend = count(&replicas.backend, tier.pick(1, 1, 2));
        let gateway = count(&replicas.gateway, tier.pick(1, 2, 2));
        let ring = RingOptions { component: "loki", title: "Loki", item: "stream", ingester_key: "replicas.write" };
        ring.check_targets(&[("write", &write), ("read", &read), ("backend", &backend), ("gateway", &gateway)], &mut errors);
        // The single binary keeps its rings in memory, so it can only ever be one pod.
        let ingesters = if mode == LokiMode::SingleBinary { 1 } else { write.value };
        let factor = self.replication_factor.clone().unwrap_or(At::default_value(tier.pick(1, 1, 3).min(ingesters)));
        let single = (mode == LokiMode::SingleBinary).then_some("the single binary runs one ingester: use mode simpleScalable");
        ring.check_replication_factor(&factor, ingesters, single, &mut errors);
        let retention = self.retention.clone().unwrap_or(At::default_value(tier.pick(
            Duration::of(24, DurationUnit::Hour),
            Duration::of(7, DurationUnit::Day),
            Duration::of(30, DurationUnit::Day),
        )));
        if retention.value < MIN_RETENTION {
            errors.push(OptionError::new("loki", "retention", retention.pos, format!(
                "retention `{}` is below Loki's minimum of {MIN_RETENTION}: its compactor deletes logs by day-long index tables (and reads 0 as keep forever)",
                retention.value
            ))
            .help("use 24h or more, such as 24h, 7d or 30d"));
        }
        let resources = errors.take(Resources::resolve(
            self.resources.as_ref(),
            "components.loki.resources",
            tier.pick(
                Defaults(millicores(100), mebibytes(256), cores(1), gibibytes(1)),
                Defaults(millicores(250), mebibytes(512), cores(2), gibibytes(2)),
                Defaults(millicores(500), gibibytes(2), cores(4), gibibytes(4)),
            ),
        ));
        let image = errors.take(Image::resolve("loki", "image", self.image.as_ref(), super::IMAGE));
        let gateway_image = errors.take(Image::resolve(
            "loki",
            "gatewayImage",
            self.gateway_image.as_ref(),
            super::gateway::GATEWAY_IMAGE,
        ));
        let (Some(resources), Some(image), Some(gateway_image)) = (resources, image, gateway_image) else {
            return Err(errors.into_vec());
        };
        errors.check()?;
        Ok(Resolved {
            namespace: self.namespace.as_ref().map_or_else(|| env.namespace.clone(), |n| n.to_string()),
            image,
            gateway_image,
            mode,
            retention: retention.value,
            volume: self.volume.clone().unwrap_or(tier.pick(gibibytes(5), gibibytes(20), gibibytes(50))),
            storage_class: self.storage_class.as_ref().map(|s| s.to_string()),
            write: write.value,
            read: read.value,
            backend: backend.value,
            gateway_replicas: gateway.value,
            replication_factor: factor.value,
            chunks_bucket: self.chunks_bucket.as_ref().map_or_else(|| "loki-chunks".into(), |b| b.to_string()),
            ruler_bucket: self.ruler_bucket.as_ref().map_or_else(|| "loki-ruler".into(), |b| b.to_string()),
            resources,
        })
    }
}

