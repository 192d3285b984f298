//! Tempo's options with every tier default applied, and the checks that span keys.

use crate::contract::image::Image;
use crate::contract::ring_options::RingOptions;
use crate::contract::k8s::{Defaults, Resources, cores, gibibytes, mebibytes, millicores};
use crate::contract::{At, ByteSize, Duration, DurationUnit, EnvInfo, OptionError, OptionErrors};

use super::options::{Tempo, TempoMode};

/// Tempo's options with every default applied.
pub(crate) struct Resolved {
    pub namespace: String,
    pub image: Image,
    pub mode: TempoMode,
    pub retention: Duration,
    pub volume: ByteSize,
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

/// The shortest retention Tempo keeps blocks for: an ingester cuts a block after up to 30m
/// (`max_block_duration`) and keeps it another 15m (`complete_block_timeout`) before the
/// queriers find it in the store, so a shorter retention deletes traces before they are seen.
pub(crate) const MIN_RETENTION: Duration = Duration::of(1, DurationUnit::Hour);

impl Tempo {
    pub(crate) fn resolve(&self, env: &EnvInfo) -> Result<Resolved, Vec<OptionError>> {
        let tier = env.tier;
        let mut errors = OptionErrors::default();
        let mode =
            self.mode.unwrap_or(tier.pick(TempoMode::Monolithic, TempoMode::Distributed, TempoMode::Distributed));
        let replicas = self.replicas.clone().unwrap_or_default();
        let count = |set: &Option<At<u32>>, default: u32| set.clone().unwrap_or(At::default_value(default));
        let stateless = tier.pick(1, 2, 2);
        let distributor = count(&replicas.distributor, stateless);
        let ingester = count(&replicas.ingester, tier.pick(1, 1, 3));
        let querier = count(&replicas.querier, stateless);
        let query_frontend = count(&replicas.query_frontend, stateless);
        let compactor = count(&replicas.compactor, tier.pick(1, 1, 2));
        let metrics_generator = count(&replicas.metrics_generator, tier.pick(1, 1, 2));
        let parts = [
            ("distributor", &distributor),
            ("ingester", &ingester),
            ("querier", &querier),
            ("queryFrontend", &query_frontend),
            ("compactor", &compactor),
            ("metricsGenerator", &metrics_generator),
        ];
        let ring = RingOptions { component: "tempo", title: "Tempo", item: "trace", ingester_key: "replicas.ingester" };
        ring.check_targets(&parts, &mut errors);
        // The monolithic pod is the one ingester.
        let ingesters = if mode == TempoMode::Monolithic { 1 } else { ingester.value };
        let factor = self.replication_factor.clone().unwrap_or(At::default_value(tier.pick(1, 1, 3).min(ingesters)));
        let single = (mode == TempoMode::Monolithic).then_some("the monolithic layout runs one ingester: use mode distributed");
        ring.check_replication_factor(&factor, ingesters, single, &mut errors);
        let retention = self.retention.clone().unwrap_or(At::default_value(tier.pick(
            Duration::of(24, DurationUnit::Hour),
            Duration::of(7, DurationUnit::Day),
            Duration::of(30, DurationUnit::Day),
        )));
        if retention.value < MIN_RETENTION {
            errors.push(OptionError::new("tempo", "retention", retention.pos, format!(
                "retention `{}` is below Tempo's minimum of {MIN_RETENTION}: blocks are cut after up to 30m and queried from the store only 15m later, so shorter retention deletes traces before anyone sees them",
                retention.value
            ))
            .help("use 1h or more, such as 24h or 7d"));
        }
        let resources = errors.take(Resources::resolve(
            self.resources.as_ref(),
            "components.tempo.resources",
            tier.pick(
                Defaults(millicores(100), mebibytes(256), cores(1), gibibytes(1)),
                Defaults(millicores(250), mebibytes(512), cores(2), gibibytes(2)),
                Defaults(millicores(500), gibibytes(1), cores(4), gibibytes(4)),
            ),
        ));
        let image = errors.take(Image::resolve("tempo", "image", self.image.as_ref(), super::IMAGE));
        let (Some(resources), Some(image)) = (resources, image) else { return Err(errors.into_vec()) };
        errors.check()?;
        Ok(Resolved {
            namespace: self.namespace.as_ref().map_or_else(|| env.namespace.clone(), |n| n.to_string()),
            image,
            mode,
            retention: retention.value,
            volume: self.volume.clone().unwrap_or(tier.pick(gibibytes(5), gibibytes(10), gibibytes(20))),
            storage_class: self.storage_class.as_ref().map(|s| s.to_string()),
            distributor: distributor.value,
            ingester: ingester.value,
            querier: querier.value,
            query_frontend: query_frontend.value,
            compactor: compactor.value,
            metrics_generator: metrics_generator.value,
            replication_factor: factor.value,
            bucket: self.bucket.as_ref().map_or_else(|| "tempo-traces".into(), |b| b.to_string()),
            resources,
        })
    }
}

