//! The options with every tier default applied, and the checks that need more than one
//! value (an image's tag, a namespace clash, a volume size in bytes).

use k8s_openapi::api::core::v1::ResourceRequirements;

use crate::contract::k8s::Resources;
use crate::contract::{At, Duration, EnvInfo, ModuleError, NodePort, Pos, Quantity, Tier};

use super::options::{AlertmanagerOptions, Prometheus};

/// A pinned image and the version its tag names.
#[derive(Debug, Clone)]
pub(crate) struct Image {
    pub reference: String,
    pub version: String,
}

pub(crate) struct ServerResolved {
    pub image: Image,
    pub replicas: i32,
    pub retention: Duration,
    pub volume_size: Quantity,
    /// The volume size in bytes, for the retention limit and the storage alerts.
    pub volume_bytes: u64,
    pub storage_class: Option<String>,
    pub resources: ResourceRequirements,
    pub node_port: Option<NodePort>,
    pub exemplars_max_size: u32,
}

pub(crate) struct AlertmanagerResolved {
    pub image: Image,
    pub replicas: i32,
    pub resources: ResourceRequirements,
    pub node_port: Option<NodePort>,
    /// `None` routes every alert to a null receiver.
    pub notifications: Option<NotificationsResolved>,
    /// Routing from the env file, which replaces the default configuration.
    pub routing: Option<super::routing::Routing>,
}

pub(crate) struct NotificationsResolved {
    pub secret: String,
    pub slack_channel: String,
}

pub(crate) struct ExporterResolved {
    pub namespace: String,
    pub image: Image,
    pub resources: ResourceRequirements,
}

/// The options with every default applied.
pub(crate) struct Resolved {
    pub namespace: String,
    /// The environment's name, written into every series and alert as `env`.
    pub env_name: String,
    pub server: ServerResolved,
    pub alertmanager: AlertmanagerResolved,
    pub operator_resources: ResourceRequirements,
    pub node_exporter: Option<ExporterResolved>,
    pub kube_state_metrics: Option<ExporterResolved>,
    pub scrape_kubelet: bool,
    /// Control-plane switches and runbook links (`cluster.rs`).
    pub cluster: super::cluster::ClusterResolved,
}

fn quantity(text: &str) -> Quantity {
    Quantity::parse(text).expect("tier defaults are valid quantities")
}

fn duration(text: &str) -> Duration {
    Duration::parse(text).expect("tier defaults are valid durations")
}

pub(crate) fn option_error(key: &str, pos: Option<Pos>, message: String, help: Option<String>) -> ModuleError {
    ModuleError::Option { key: format!("components.prometheus.{key}"), pos, message, help }
}

/// Checks that an image is pinned by a tag other than `latest`, and reads the version off it.
fn image(key: &str, set: Option<&At<String>>, default: &str) -> Result<Image, ModuleError> {
    let Some(at) = set else {
        return Ok(Image {
            reference: default.into(),
            version: crate::contract::image::tag(default).unwrap_or_default().into(),
        });
    };
    match crate::contract::image::tag(&at.value) {
        Some(tag) if tag != "latest" => Ok(Image { reference: at.value.clone(), version: tag.into() }),
        _ => Err(option_error(
            key,
            at.pos,
            format!("image `{}` is not pinned to a version tag", at.value),
            Some(format!("name a release tag, as the default `{default}` does")),
        )),
    }
}

/// A replica count the resource accepts: at least one, and within the API's int32.
fn replicas(key: &str, set: Option<u32>, default: i32) -> Result<i32, ModuleError> {
    match set.map(i32::try_from) {
        None => Ok(default),
        Some(Ok(n)) if n >= 1 => Ok(n),
        _ => Err(option_error(
            key,
            None,
            format!("{} replicas cannot run", set.unwrap_or_default()),
            Some(format!("set {key} to 1 or more, or disable the component")),
        )),
    }
}

impl Prometheus {
    pub(crate) fn is_enabled(&self) -> bool {
        self.enabled != Some(false)
    }

    pub(crate) fn resolve(&self, env: &EnvInfo) -> Result<Resolved, ModuleError> {
        let tier = env.tier;
        let namespace = self.namespace.as_ref().map_or_else(|| env.namespace.clone(), |n| n.to_string());
        let am = self.alertmanager.clone().unwrap_or_default();
        let ne = self.node_exporter.clone().unwrap_or_default();
        let ksm = self.kube_state_metrics.clone().unwrap_or_default();
        let operator = self.operator.clone().unwrap_or_default();
        let node_exporter = match ne.enabled {
            Some(false) => None,
            _ => Some(ExporterResolved {
                namespace: ne.namespace.map_or_else(|| "node-exporter".into(), |n| n.to_string()),
                image: image("nodeExporter.image", ne.image.as_ref(), super::NODE_EXPORTER_IMAGE)?,
                resources: Resources::resolve(ne.resources.as_ref(), ["50m", "64Mi", "250m", "180Mi"]),
            }),
        };
        if node_exporter.as_ref().is_some_and(|n| n.namespace == namespace) {
            return Err(option_error(
                "nodeExporter.namespace",
                None,
                format!(
                    "node-exporter needs pod-security level \"privileged\" and must not share namespace `{namespace}`"
                ),
                Some("give node-exporter a namespace of its own".into()),
            ));
        }
        let kube_state_metrics = match ksm.enabled {
            Some(false) => None,
            _ => Some(ExporterResolved {
                namespace: namespace.clone(),
                image: image("kubeStateMetrics.image", ksm.image.as_ref(), super::KUBE_STATE_METRICS_IMAGE)?,
                resources: Resources::resolve(ksm.resources.as_ref(), ["10m", "128Mi", "100m", "256Mi"]),
            }),
        };
        Ok(Resolved {
            env_name: env.name.clone(),
            server: self.resolve_server(tier)?,
            alertmanager: resolve_alertmanager(&am, tier)?,
            operator_resources: Resources::resolve(operator.resources.as_ref(), ["100m", "100Mi", "200m", "200Mi"]),
            node_exporter,
            kube_state_metrics,
            scrape_kubelet: self.scrape_kubelet.unwrap_or(true),
            cluster: self.resolve_cluster(env)?,
            namespace,
        })
    }

    fn resolve_server(&self, tier: Tier) -> Result<ServerResolved, ModuleError> {
        let replicas = replicas("replicas", self.replicas, tier.pick(1, 1, 2))?;
        let volume_size = self.volume_size.clone().unwrap_or_else(|| quantity(tier.pick("5Gi", "20Gi", "100Gi")));
        let volume_bytes = volume_size.bytes().ok_or_else(|| {
            option_error(
                "volumeSize",
                None,
                format!("volume size `{volume_size}` is not a whole number of bytes"),
                Some("write the size with a binary suffix, such as 20Gi".into()),
            )
        })?;
        Ok(ServerResolved {
            image: image("image", self.image.as_ref(), super::PROMETHEUS_IMAGE)?,
            replicas,
            retention: self.retention.clone().unwrap_or_else(|| duration(tier.pick("24h", "7d", "30d"))),
            volume_size,
            volume_bytes,
            storage_class: self.storage_class.as_ref().map(|s| s.to_string()),
            resources: Resources::resolve(
                self.resources.as_ref(),
                tier.pick(["100m", "512Mi", "1", "1Gi"], ["250m", "1Gi", "2", "2Gi"], ["500m", "4Gi", "4", "8Gi"]),
            ),
            node_port: self.node_port.clone().or_else(|| tier.pick(Some(NodePort::default_port(30090)), None, None)),
            exemplars_max_size: self.exemplars_max_size.unwrap_or(100_000),
        })
    }
}

fn resolve_alertmanager(am: &AlertmanagerOptions, tier: Tier) -> Result<AlertmanagerResolved, ModuleError> {
    let replicas = replicas("alertmanager.replicas", am.replicas, tier.pick(1, 1, 2))?;
    let notifications = am.notifications.clone().unwrap_or_default();
    let notify = notifications.enabled.unwrap_or(tier != Tier::Local);
    Ok(AlertmanagerResolved {
        image: image("alertmanager.image", am.image.as_ref(), super::ALERTMANAGER_IMAGE)?,
        replicas,
        resources: Resources::resolve(
            am.resources.as_ref(),
            tier.pick(
                ["10m", "64Mi", "200m", "128Mi"],
                ["50m", "128Mi", "500m", "256Mi"],
                ["50m", "128Mi", "500m", "256Mi"],
            ),
        ),
        node_port: am.node_port.clone().or_else(|| tier.pick(Some(NodePort::default_port(30093)), None, None)),
        routing: am.routing.clone(),
        notifications: notify.then(|| NotificationsResolved {
            secret: notifications.secret.map_or_else(|| "alertmanager-notifications".into(), |s| s.to_string()),
            slack_channel: notifications.slack_channel.unwrap_or_else(|| "#platform-alerts".into()),
        }),
    })
}
