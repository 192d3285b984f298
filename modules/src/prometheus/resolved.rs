//! The options with every tier default applied, and the checks that need more than one
//! value (an image's tag, a namespace clash, a volume size in bytes).

use k8s_openapi::api::core::v1::ResourceRequirements;

use crate::contract::exposure::Exposure;
use crate::contract::image::Image;
use crate::contract::k8s::{Defaults, Resources, cores, gibibytes, mebibytes, millicores};
use crate::contract::{
    At, ByteSize, Duration, DurationUnit, EnvInfo, MAX_REPLICAS, NodePort, OptionError, OptionErrors, Pos, Tier,
};

use super::options::{AlertmanagerOptions, Prometheus};

pub(crate) struct ServerResolved {
    pub image: Image,
    pub replicas: i32,
    pub retention: Duration,
    pub volume_size: ByteSize,
    pub storage_class: Option<String>,
    pub resources: ResourceRequirements,
    pub node_port: Option<NodePort>,
    /// The Ingress or HTTPRoute in front of the Service, if any.
    pub exposure: Option<Exposure>,
    pub exemplars_max_size: u32,
}

pub(crate) struct AlertmanagerResolved {
    pub image: Image,
    pub replicas: i32,
    pub resources: ResourceRequirements,
    pub node_port: Option<NodePort>,
    /// The Ingress or HTTPRoute in front of the Service, if any.
    pub exposure: Option<Exposure>,
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

/// The shortest retention that means what it says: Prometheus writes 2h blocks and keeps the
/// head block (up to 3h of samples) whatever the retention.
pub(crate) const MIN_RETENTION: Duration = Duration::of(2, DurationUnit::Hour);

/// An error at `components.prometheus.<key>`, with a suggestion where one exists.
pub(crate) fn option_error(key: &str, pos: Option<Pos>, message: String, help: Option<String>) -> OptionError {
    let error = OptionError::new("prometheus", key, pos, message);
    match help {
        Some(help) => error.help(help),
        None => error,
    }
}

/// The image at `key`, or `default`: pinned, with the version its tag names.
fn image(key: &str, set: Option<&At<String>>, default: &str) -> Result<Image, OptionError> {
    Image::resolve("prometheus", key, set, default)
}

/// A replica count the resource accepts: at least one, and within the API's int32.
fn replicas(key: &str, set: Option<&At<u32>>, default: i32) -> Result<i32, OptionError> {
    let Some(at) = set else { return Ok(default) };
    if at.value > MAX_REPLICAS {
        return Err(OptionError::new(
            "prometheus",
            key,
            at.pos,
            format!("{} replicas is more than the {MAX_REPLICAS} oxidy renders", at.value),
        )
        .help(format!("set {key} to at most {MAX_REPLICAS}")));
    }
    match i32::try_from(at.value) {
        Ok(n) if n >= 1 => Ok(n),
        _ => Err(OptionError::new("prometheus", key, at.pos, format!("{} replicas cannot run", at.value))
            .help(format!("set {key} to 1 or more, or disable the component"))),
    }
}

impl Prometheus {
    pub(crate) fn resolve(&self, env: &EnvInfo) -> Result<Resolved, Vec<OptionError>> {
        let tier = env.tier;
        let mut errors = OptionErrors::default();
        let namespace = self.namespace.as_ref().map_or_else(|| env.namespace.clone(), |n| n.to_string());
        let am = self.alertmanager.clone().unwrap_or_default();
        let ne = self.node_exporter.clone().unwrap_or_default();
        let ksm = self.kube_state_metrics.clone().unwrap_or_default();
        let operator = self.operator.clone().unwrap_or_default();
        let node_exporter = match ne.enabled {
            Some(false) => None,
            _ => Some(exporter(
                &mut errors,
                ne.namespace.as_ref().map_or_else(|| "node-exporter".into(), |n| n.value.to_string()),
                image("nodeExporter.image", ne.image.as_ref(), super::NODE_EXPORTER_IMAGE),
                Resources::resolve(
                    ne.resources.as_ref(),
                    "components.prometheus.nodeExporter.resources",
                    Defaults(millicores(50), mebibytes(64), millicores(250), mebibytes(180)),
                ),
            )),
        };
        if ne.enabled != Some(false) && ne.namespace.as_ref().map_or("node-exporter", |n| n.value.as_str()) == namespace
        {
            let pos = ne.namespace.as_ref().and_then(|n| n.pos);
            errors.push(
                OptionError::new(
                    "prometheus",
                    "nodeExporter.namespace",
                    pos,
                    format!(
                        "node-exporter needs pod-security level \"privileged\" and must not share namespace `{namespace}`"
                    ),
                )
                .help("give node-exporter a namespace of its own"),
            );
        }
        let kube_state_metrics = match ksm.enabled {
            Some(false) => None,
            _ => Some(exporter(
                &mut errors,
                namespace.clone(),
                image("kubeStateMetrics.image", ksm.image.as_ref(), super::KUBE_STATE_METRICS_IMAGE),
                Resources::resolve(
                    ksm.resources.as_ref(),
                    "components.prometheus.kubeStateMetrics.resources",
                    Defaults(millicores(10), mebibytes(128), millicores(100), mebibytes(256)),
                ),
            )),
        };
        let server = self.resolve_server(tier, &mut errors);
        let alertmanager = resolve_alertmanager(&am, tier, &mut errors);
        let operator_resources = errors.take(Resources::resolve(
            operator.resources.as_ref(),
            "components.prometheus.operator.resources",
            Defaults(millicores(100), mebibytes(100), millicores(200), mebibytes(200)),
        ));
        let cluster = self.resolve_cluster(env, &mut errors);
        let (Some(server), Some(alertmanager), Some(operator_resources), Some(cluster)) =
            (server, alertmanager, operator_resources, cluster)
        else {
            return Err(errors.into_vec());
        };
        errors.check()?;
        Ok(Resolved {
            env_name: env.name.clone(),
            server,
            alertmanager,
            operator_resources,
            node_exporter: node_exporter.flatten(),
            kube_state_metrics: kube_state_metrics.flatten(),
            scrape_kubelet: self.scrape_kubelet.unwrap_or(true),
            cluster,
            namespace,
        })
    }

    fn resolve_server(&self, tier: Tier, errors: &mut OptionErrors) -> Option<ServerResolved> {
        let replicas = errors.take(replicas("replicas", self.replicas.as_ref(), tier.pick(1, 1, 2)));
        let retention = self.retention.clone().unwrap_or(At::default_value(tier.pick(
            Duration::of(24, DurationUnit::Hour),
            Duration::of(7, DurationUnit::Day),
            Duration::of(30, DurationUnit::Day),
        )));
        if retention.value < MIN_RETENTION {
            errors.push(OptionError::new("prometheus", "retention", retention.pos, format!(
                "retention `{}` is below Prometheus' minimum of {MIN_RETENTION}: it writes 2h blocks and keeps the newest (the head) whatever the retention",
                retention.value
            ))
            .help("use 2h or more, such as 24h or 7d"));
        }
        let image = errors.take(image("image", self.image.as_ref(), super::PROMETHEUS_IMAGE));
        let resources = errors.take(Resources::resolve(
            self.resources.as_ref(),
            "components.prometheus.resources",
            tier.pick(
                Defaults(millicores(100), mebibytes(512), cores(1), gibibytes(1)),
                Defaults(millicores(250), gibibytes(1), cores(2), gibibytes(2)),
                Defaults(millicores(500), gibibytes(4), cores(4), gibibytes(8)),
            ),
        ));
        let exposure = errors.take(Exposure::resolve("prometheus", "", self.ingress.as_ref(), self.route.as_ref()));
        Some(ServerResolved {
            image: image?,
            replicas: replicas?,
            retention: retention.value,
            volume_size: self.volume_size.clone().unwrap_or(tier.pick(gibibytes(5), gibibytes(20), gibibytes(100))),
            storage_class: self.storage_class.as_ref().map(|s| s.to_string()),
            resources: resources?,
            node_port: self.node_port.clone().or_else(|| tier.pick(Some(NodePort::default_port(30090)), None, None)),
            exposure: exposure?,
            exemplars_max_size: self.exemplars_max_size.unwrap_or(100_000),
        })
    }
}

/// An exporter's settings, `None` with the errors recorded when its image or resources are refused.
fn exporter(
    errors: &mut OptionErrors,
    namespace: String,
    image: Result<Image, OptionError>,
    resources: Result<ResourceRequirements, OptionError>,
) -> Option<ExporterResolved> {
    let image = errors.take(image);
    let resources = errors.take(resources);
    Some(ExporterResolved { namespace, image: image?, resources: resources? })
}

fn resolve_alertmanager(
    am: &AlertmanagerOptions,
    tier: Tier,
    errors: &mut OptionErrors,
) -> Option<AlertmanagerResolved> {
    let replicas = errors.take(replicas("alertmanager.replicas", am.replicas.as_ref(), tier.pick(1, 1, 2)));
    let notifications = am.notifications.clone().unwrap_or_default();
    let notify = notifications.enabled.unwrap_or(tier != Tier::Local);
    if let Some(routing) = &am.routing {
        for e in super::routing::check(routing) {
            errors.push(e);
        }
    }
    let image = errors.take(image("alertmanager.image", am.image.as_ref(), super::ALERTMANAGER_IMAGE));
    let resources = errors.take(Resources::resolve(
        am.resources.as_ref(),
        "components.prometheus.alertmanager.resources",
        tier.pick(
            Defaults(millicores(10), mebibytes(64), millicores(200), mebibytes(128)),
            Defaults(millicores(50), mebibytes(128), millicores(500), mebibytes(256)),
            Defaults(millicores(50), mebibytes(128), millicores(500), mebibytes(256)),
        ),
    ));
    let exposure =
        errors.take(Exposure::resolve("prometheus", "alertmanager.", am.ingress.as_ref(), am.route.as_ref()));
    Some(AlertmanagerResolved {
        image: image?,
        replicas: replicas?,
        resources: resources?,
        node_port: am.node_port.clone().or_else(|| tier.pick(Some(NodePort::default_port(30093)), None, None)),
        exposure: exposure?,
        routing: am.routing.clone(),
        notifications: notify.then(|| NotificationsResolved {
            secret: notifications.secret.map_or_else(|| "alertmanager-notifications".into(), |s| s.to_string()),
            slack_channel: notifications.slack_channel.unwrap_or_else(|| "#platform-alerts".into()),
        }),
    })
}
