//! Collector's options with every tier default applied, and the checks that span keys.

use crate::contract::image::Image;
use crate::contract::k8s::{Defaults, Resources, cores, gibibytes, mebibytes, millicores};
use crate::contract::{At, Duration, DurationUnit, EnvInfo, OptionError, OptionErrors, Tier};

use super::options::Collector;

/// The collector's options with every default applied.
pub(crate) struct Resolved {
    pub namespace: String,
    pub image: Image,
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
    pub(crate) fn resolve(&self, env: &EnvInfo) -> Result<Resolved, Vec<OptionError>> {
        let tier = env.tier;
        let mut errors = OptionErrors::default();
        let replicas = self.replicas.clone().unwrap_or(At::default_value(tier.pick(1, 2, 2)));
        errors.bound_replicas("collector", "replicas", replicas.value, replicas.pos);
        if replicas.value == 0 {
            errors.push(
                OptionError::new("collector", "replicas", replicas.pos, "the collector needs at least one pod")
                    .help("set replicas to 1 or more, or disable the collector"),
            );
        }
        let replicas = replicas.value;
        let autoscaling = match tier {
            Tier::Production => {
                let max = self.max_replicas.clone().unwrap_or(At::default_value(6));
                errors.bound_replicas("collector", "maxReplicas", max.value, max.pos);
                if max.value < replicas {
                    errors.push(
                        OptionError::new(
                            "collector",
                            "maxReplicas",
                            max.pos,
                            format!("maxReplicas {} is below replicas {replicas}, the autoscaler's minimum", max.value),
                        )
                        .help(format!("set maxReplicas to at least {replicas}")),
                    );
                }
                Some((replicas, max.value))
            }
            Tier::Local | Tier::Staging => None,
        };
        let resources = errors.take(Resources::resolve(
            self.resources.as_ref(),
            "components.collector.resources",
            tier.pick(
                Defaults(millicores(50), mebibytes(128), millicores(500), mebibytes(256)),
                Defaults(millicores(100), mebibytes(256), cores(1), mebibytes(512)),
                Defaults(millicores(250), mebibytes(512), cores(2), gibibytes(1)),
            ),
        ));
        let limit = resources
            .as_ref()
            .and_then(|r| r.limits.as_ref())
            .as_ref()
            .and_then(|l| l.get("memory"))
            .map(|q| q.0.clone())
            .unwrap_or_default();
        let memory_limit_mib = match super::memory::mebibytes(&limit) {
            Some(mib) if mib >= MIN_MEMORY_MIB => mib * 4 / 5,
            // Resources already refused: their error says why.
            _ if resources.is_none() => 0,
            _ => {
                let pos = self.resources.as_ref().and_then(|r| r.limits.as_ref()).and_then(|l| l.memory.as_ref());
                errors.push(
                    OptionError::new(
                        "collector",
                        "resources.limits.memory",
                        pos.and_then(|m| m.pos),
                        format!("memory limit `{limit}` must be at least {MIN_MEMORY_MIB}Mi"),
                    )
                    .help("write the limit as, say, 512Mi"),
                );
                0
            }
        };
        let batch_size = self.batch_size.clone().unwrap_or(At::default_value(tier.pick(1024, 4096, 8192)));
        if batch_size.value == 0 {
            errors.push(
                OptionError::new("collector", "batchSize", batch_size.pos, "a batch needs at least one item")
                    .help("set batchSize to 1 or more, such as 8192"),
            );
        }
        let batch_size = batch_size.value;
        let image = errors.take(Image::resolve("collector", "image", self.image.as_ref(), super::IMAGE));
        let (Some(resources), Some(image)) = (resources, image) else { return Err(errors.into_vec()) };
        errors.check()?;
        let second = |n| Duration::of(n, DurationUnit::Second);
        let batch_timeout = self.batch_timeout.clone().unwrap_or(tier.pick(second(1), second(2), second(5))).to_go();
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
