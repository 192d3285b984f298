//! Garage's options with every tier default applied, and the checks that span keys.

use crate::contract::image::Image;
use crate::contract::k8s::{Defaults, Resources, cores, gibibytes, mebibytes, millicores};
use crate::contract::{
    At, ByteSize, Duration, DurationUnit, EnvInfo, MAX_REPLICAS, NodePort, OptionError, OptionErrors, Tier,
};

use super::options::Garage;

/// Garage's options with every default applied.
pub(crate) struct Resolved {
    pub namespace: String,
    pub image: Image,
    pub replicas: u32,
    pub replication_factor: u32,
    pub data_volume: ByteSize,
    pub metadata_volume: ByteSize,
    pub storage_class: Option<String>,
    pub region: String,
    pub snapshot_interval: Option<Duration>,
    pub garage_secret: String,
    pub s3_secret: String,
    pub dev_credentials: bool,
    pub resources: k8s_openapi::api::core::v1::ResourceRequirements,
    pub s3_node_port: Option<u16>,
    /// The NodePort as written, for the claim that names its line.
    pub s3_node_port_claim: Option<NodePort>,
    pub tier: Tier,
}

impl Garage {
    pub(crate) fn resolve(&self, env: &EnvInfo) -> Result<Resolved, Vec<OptionError>> {
        let tier = env.tier;
        let mut errors = OptionErrors::default();
        let replicas = self.replicas.clone().unwrap_or(At::default_value(tier.pick(1, 1, 3)));
        errors.bound_replicas("garage", "replicas", replicas.value, replicas.pos);
        if replicas.value == 0 {
            errors.push(
                OptionError::new("garage", "replicas", replicas.pos, "Garage needs at least one node")
                    .help("set replicas to 1 or more, or disable Garage"),
            );
        }
        let replicas = At { value: replicas.value.min(MAX_REPLICAS), pos: replicas.pos };
        let factor =
            self.replication_factor.clone().unwrap_or(At::default_value(tier.pick(1, 1, 3).min(replicas.value)));
        // With no node at all, the factor has nothing to be checked against.
        if replicas.value > 0 && (factor.value == 0 || factor.value > replicas.value) {
            let message = if factor.value == 0 {
                "a replication factor of 0 keeps no copy of an object: it must be at least 1".to_owned()
            } else {
                format!(
                    "replication factor {} needs as many nodes, and {} run (replicas)",
                    factor.value, replicas.value
                )
            };
            errors.push(OptionError::new("garage", "replicationFactor", factor.pos, message).help(
                if factor.value == 0 {
                    format!("set replicationFactor to a number from 1 to {}", replicas.value)
                } else {
                    format!("set replicationFactor to at most {}, or raise replicas", replicas.value)
                },
            ));
        }
        let creds = self.credentials.clone().unwrap_or_default();
        let dev = creds.dev_defaults.clone().unwrap_or(At::default_value(tier.allows_dev_credentials()));
        if dev.value && !tier.allows_dev_credentials() {
            errors.push(OptionError::new(
                "garage",
                "credentials.devDefaults",
                dev.pos,
                format!("fixed development credentials are allowed only in the local tier, not in {}", tier.as_str()),
            )
            .help(
                "remove devDefaults and create the Secrets named by credentials.garageSecret and credentials.s3Secret",
            ));
        }
        let resources = errors.take(Resources::resolve(
            self.resources.as_ref(),
            "components.garage.resources",
            tier.pick(
                Defaults(millicores(50), mebibytes(128), cores(1), mebibytes(512)),
                Defaults(millicores(100), mebibytes(256), cores(1), gibibytes(1)),
                Defaults(millicores(250), gibibytes(1), cores(2), gibibytes(2)),
            ),
        ));
        let image = errors.take(Image::resolve("garage", "image", self.image.as_ref(), super::IMAGE));
        let (Some(resources), Some(image)) = (resources, image) else { return Err(errors.into_vec()) };
        errors.check()?;
        Ok(Resolved {
            namespace: self.namespace.as_ref().map_or_else(|| env.namespace.clone(), |n| n.to_string()),
            image,
            replicas: replicas.value,
            replication_factor: factor.value,
            data_volume: self.data_volume.clone().unwrap_or(tier.pick(gibibytes(10), gibibytes(50), gibibytes(200))),
            metadata_volume: self.metadata_volume.clone().unwrap_or(tier.pick(
                gibibytes(1),
                gibibytes(5),
                gibibytes(20),
            )),
            storage_class: self.storage_class.as_ref().map(|s| s.to_string()),
            region: self.region.clone().unwrap_or_else(|| "garage".into()),
            snapshot_interval: self.metadata_snapshot_interval.clone().or_else(|| {
                let six_hours = Duration::of(6, DurationUnit::Hour);
                tier.pick(None, Some(six_hours.clone()), Some(six_hours))
            }),
            garage_secret: creds.garage_secret.map_or_else(|| "garage-credentials".into(), |s| s.to_string()),
            s3_secret: creds.s3_secret.map_or_else(|| "s3-credentials".into(), |s| s.to_string()),
            dev_credentials: dev.value,
            resources,
            s3_node_port: self.s3_node_port.as_ref().map(NodePort::port),
            s3_node_port_claim: self.s3_node_port.clone(),
            tier,
        })
    }
}
