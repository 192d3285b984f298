//! node-exporter: CPU, memory, disk and network metrics of every node.
//!
//! The one pod of the platform outside the "restricted" profile: it shares the host's PID and
//! network namespaces and reads `/proc`, `/sys` and the root filesystem through read-only
//! hostPath mounts, which only the "privileged" level admits. It gets a namespace of its own
//! so that level covers nothing else, and its container still runs as nobody with a
//! read-only root filesystem, no privilege escalation and no capabilities.

use k8s_openapi::api::apps::v1::{DaemonSet, DaemonSetSpec};
use k8s_openapi::api::core::v1::{
    Container, HostPathVolumeSource, PodSpec, PodTemplateSpec, Toleration, Volume, VolumeMount,
};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;

use crate::contract::monitoring::ServiceMonitor;
use crate::contract::{App, ModuleError, PodSecurity, Wave, k8s};

use super::NODE_EXPORTER_PORT;
use super::objects::{self, Labels};
use super::resolved::ExporterResolved;

pub(crate) const APP: &str = "node-exporter";
/// The Service's name, and so the `job` of the metrics.
pub(crate) const NAME: &str = "node-exporter";
const COMPONENT: &str = "exporter";

/// Host paths, each mounted read-only under `/host`.
const HOST_PATHS: [(&str, &str); 3] = [("proc", "/proc"), ("sys", "/sys"), ("root", "/")];

pub(crate) fn app(ne: &ExporterResolved) -> Result<App, ModuleError> {
    let labels = k8s::labels(NAME, COMPONENT, &ne.image.version);
    let mut app = App::owned("prometheus", APP, ne.namespace.clone(), Wave::Monitoring);
    app.pod_security = PodSecurity::Privileged;
    app.push(objects::service_account(NAME, &labels, false))?;
    app.push(daemon_set(ne, &labels))?;
    app.push(objects::service(
        NAME,
        &labels,
        k8s::selector_labels(NAME, COMPONENT),
        vec![objects::service_port("metrics", NODE_EXPORTER_PORT, None)],
    ))?;
    app.push(ServiceMonitor::new(NAME, &labels, k8s::selector(NAME, COMPONENT), "metrics", "/metrics"))?;
    Ok(app)
}

fn daemon_set(ne: &ExporterResolved, labels: &Labels) -> DaemonSet {
    let mount = |(name, _): &(&str, &str)| VolumeMount {
        name: (*name).into(),
        mount_path: format!("/host/{name}"),
        read_only: Some(true),
        // Filesystems the host mounts later (new volumes) become visible too.
        mount_propagation: Some("HostToContainer".into()),
        ..Default::default()
    };
    let volume = |(name, path): &(&str, &str)| Volume {
        name: (*name).into(),
        host_path: Some(HostPathVolumeSource { path: (*path).into(), type_: Some("Directory".into()) }),
        ..Default::default()
    };
    let container = Container {
        name: NAME.into(),
        image: Some(ne.image.reference.clone()),
        image_pull_policy: Some(k8s::IMAGE_PULL_POLICY.into()),
        args: Some(vec![
            format!("--web.listen-address=:{NODE_EXPORTER_PORT}"),
            "--path.procfs=/host/proc".into(),
            "--path.sysfs=/host/sys".into(),
            "--path.rootfs=/host/root".into(),
            "--no-collector.wifi".into(),
            "--no-collector.hwmon".into(),
            // Container and pod mounts are the runtime's business, not the node's disks.
            "--collector.filesystem.mount-points-exclude=^/(dev|proc|sys|run/containerd/.+|var/lib/docker/.+|var/lib/kubelet/pods/.+)($|/)".into(),
            "--collector.netclass.ignored-devices=^(veth.*|[a-f0-9]{15})$".into(),
            "--collector.netdev.device-exclude=^(veth.*|[a-f0-9]{15})$".into(),
        ]),
        ports: Some(vec![k8s::container_port("metrics", NODE_EXPORTER_PORT)]),
        liveness_probe: Some(k8s::http_probe("/", "metrics", 20)),
        readiness_probe: Some(k8s::http_probe("/", "metrics", 10)),
        resources: Some(ne.resources.clone()),
        security_context: Some(k8s::restricted_container()),
        volume_mounts: Some(HOST_PATHS.iter().map(mount).collect()),
        ..Default::default()
    };
    DaemonSet {
        metadata: k8s::meta(NAME, labels),
        spec: Some(DaemonSetSpec {
            selector: k8s::selector(NAME, COMPONENT),
            template: PodTemplateSpec {
                metadata: Some(ObjectMeta { labels: Some(labels.clone()), ..Default::default() }),
                spec: Some(PodSpec {
                    service_account_name: Some(NAME.into()),
                    automount_service_account_token: Some(false),
                    host_pid: Some(true),
                    host_network: Some(true),
                    dns_policy: Some("ClusterFirstWithHostNet".into()),
                    security_context: Some(k8s::restricted_pod(65534)),
                    // Every node, control plane and tainted ones included.
                    tolerations: Some(vec![Toleration { operator: Some("Exists".into()), ..Default::default() }]),
                    containers: vec![container],
                    volumes: Some(HOST_PATHS.iter().map(volume).collect()),
                    ..Default::default()
                }),
            },
            ..Default::default()
        }),
        ..Default::default()
    }
}
