//! Building blocks every module uses for Kubernetes objects, so that pod security, labels and
//! probes are written once.

use std::collections::BTreeMap;

use k8s_openapi::api::apps::v1::{Deployment, DeploymentSpec, StatefulSet, StatefulSetSpec};
use k8s_openapi::api::core::v1::{
    Capabilities, ConfigMap, ConfigMapVolumeSource, ContainerPort, EmptyDirVolumeSource, EnvVar, EnvVarSource,
    ExecAction, HTTPGetAction, KeyToPath, PersistentVolumeClaim, PersistentVolumeClaimSpec, PodSecurityContext,
    PodTemplateSpec, Probe, ResourceRequirements, SeccompProfile, SecretKeySelector, SecretVolumeSource,
    SecurityContext, ServiceAccount, ServicePort, TCPSocketAction, TopologySpreadConstraint, Volume, VolumeMount,
    VolumeResourceRequirements,
};
use k8s_openapi::api::policy::v1::{PodDisruptionBudget, PodDisruptionBudgetSpec};
use k8s_openapi::apimachinery::pkg::api::resource::Quantity as K8sQuantity;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{LabelSelector, ObjectMeta};
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::error::OptionError;
use super::units::{ByteSize, Quantity, QuantityUnit};
use super::values::At;

/// The recommended labels of one component. Selectors use [`selector_labels`], a stable subset.
pub fn labels(name: &str, component: &str, version: &str) -> BTreeMap<String, String> {
    let mut l = selector_labels(name, component);
    l.insert("app.kubernetes.io/part-of".into(), "oxidy".into());
    l.insert("app.kubernetes.io/version".into(), version.into());
    l
}

/// The labels a workload's selector matches: never changes with versions (selectors are immutable).
pub fn selector_labels(name: &str, component: &str) -> BTreeMap<String, String> {
    BTreeMap::from([
        ("app.kubernetes.io/name".to_owned(), name.to_owned()),
        ("app.kubernetes.io/component".to_owned(), component.to_owned()),
    ])
}

pub fn selector(name: &str, component: &str) -> LabelSelector {
    LabelSelector { match_labels: Some(selector_labels(name, component)), ..Default::default() }
}

/// The annotation prefix that exempts an object from one rule of the engine's policy gate:
/// `policy.oxidy.dev/<rule>: <reason>`. The reason is rendered with the object, so reviewers
/// see it; the README's Security section lists every exemption.
pub const EXEMPTION_PREFIX: &str = "policy.oxidy.dev/";

/// `meta` exempted from `rule` of the policy gate, for `reason`.
pub fn exempt(mut meta: ObjectMeta, rule: &str, reason: &str) -> ObjectMeta {
    meta.annotations.get_or_insert_with(Default::default).insert(format!("{EXEMPTION_PREFIX}{rule}"), reason.into());
    meta
}

/// Object metadata with a name and labels; the engine fills in the namespace.
pub fn meta(name: &str, labels: &BTreeMap<String, String>) -> ObjectMeta {
    ObjectMeta { name: Some(name.into()), labels: Some(labels.clone()), ..Default::default() }
}

/// The pod half of the pod-security "restricted" profile: non-root, RuntimeDefault seccomp,
/// and a group that owns the writable volumes.
pub fn restricted_pod(user: i64) -> PodSecurityContext {
    PodSecurityContext {
        run_as_non_root: Some(true),
        run_as_user: Some(user),
        run_as_group: Some(user),
        fs_group: Some(user),
        fs_group_change_policy: Some("OnRootMismatch".into()),
        seccomp_profile: Some(SeccompProfile { type_: "RuntimeDefault".into(), ..Default::default() }),
        ..Default::default()
    }
}

/// The container half of "restricted": no escalation, no capabilities, read-only root
/// filesystem (writable paths are explicit volumes).
pub fn restricted_container() -> SecurityContext {
    SecurityContext {
        allow_privilege_escalation: Some(false),
        capabilities: Some(Capabilities { drop: Some(vec!["ALL".into()]), ..Default::default() }),
        read_only_root_filesystem: Some(true),
        run_as_non_root: Some(true),
        seccomp_profile: Some(SeccompProfile { type_: "RuntimeDefault".into(), ..Default::default() }),
        ..Default::default()
    }
}

/// The pull policy of every container the platform renders. With images pinned by tag,
/// `Always` has the kubelet ask the registry, at every container start, which image the tag
/// names and whether the pod may pull it: a node's cached copy of a tag that was moved, or that
/// another pod pulled with credentials this one lacks, is never used unchecked. The layers stay
/// cached; the cost is one manifest request per start.
pub const IMAGE_PULL_POLICY: &str = "Always";

/// An HTTP GET probe on a named container port.
pub fn http_probe(path: &str, port: &str, period_seconds: i32) -> Probe {
    Probe {
        http_get: Some(HTTPGetAction {
            path: Some(path.into()),
            port: IntOrString::String(port.into()),
            ..Default::default()
        }),
        period_seconds: Some(period_seconds),
        timeout_seconds: Some(5),
        failure_threshold: Some(3),
        ..Default::default()
    }
}

/// A TCP probe on a named container port.
pub fn tcp_probe(port: &str, period_seconds: i32) -> Probe {
    Probe {
        tcp_socket: Some(TCPSocketAction { port: IntOrString::String(port.into()), ..Default::default() }),
        period_seconds: Some(period_seconds),
        timeout_seconds: Some(5),
        failure_threshold: Some(3),
        ..Default::default()
    }
}

/// A probe that runs `command` in the container; exit status 0 is success.
pub fn exec_probe(command: &[&str], period_seconds: i32) -> Probe {
    Probe {
        exec: Some(ExecAction { command: Some(command.iter().map(|c| (*c).to_owned()).collect()) }),
        period_seconds: Some(period_seconds),
        timeout_seconds: Some(5),
        failure_threshold: Some(3),
        ..Default::default()
    }
}

/// A named TCP container port.
pub fn container_port(name: &str, port: u16) -> ContainerPort {
    ContainerPort {
        name: Some(name.into()),
        container_port: port.into(),
        protocol: Some("TCP".into()),
        ..Default::default()
    }
}

/// A volume mounted at `path`.
pub fn mount(name: &str, path: &str, read_only: bool) -> VolumeMount {
    VolumeMount {
        name: name.into(),
        mount_path: path.into(),
        read_only: read_only.then_some(true),
        ..Default::default()
    }
}

/// Scratch space that lives as long as the pod: the writable paths of a read-only root.
pub fn empty_dir(name: &str) -> Volume {
    Volume { name: name.into(), empty_dir: Some(EmptyDirVolumeSource::default()), ..Default::default() }
}

/// Scratch space in memory, never on the node's disk: for copies of credentials.
pub fn memory_dir(name: &str) -> Volume {
    Volume {
        name: name.into(),
        empty_dir: Some(EmptyDirVolumeSource {
            medium: Some("Memory".into()),
            size_limit: Some(K8sQuantity("1Mi".into())),
        }),
        ..Default::default()
    }
}

/// A ConfigMap as a volume.
pub fn config_map_volume(name: &str, config_map: &str) -> Volume {
    Volume {
        name: name.into(),
        config_map: Some(ConfigMapVolumeSource { name: config_map.into(), ..Default::default() }),
        ..Default::default()
    }
}

/// A Secret as a volume of read-only files, readable by the pod's group (its `fsGroup`) only:
/// programs that can read their credentials from files get them this way, never through the
/// environment, where any process of the container (and a crash dump) can read them.
pub fn secret_volume(name: &str, secret: &str) -> Volume {
    Volume {
        name: name.into(),
        secret: Some(SecretVolumeSource {
            secret_name: Some(secret.into()),
            default_mode: Some(0o440),
            ..Default::default()
        }),
        ..Default::default()
    }
}

/// [`secret_volume`] holding only the Secret's `keys`, each a file of its own name.
pub fn secret_keys_volume(name: &str, secret: &str, keys: &[&str]) -> Volume {
    let mut volume = secret_volume(name, secret);
    if let Some(source) = volume.secret.as_mut() {
        source.items = Some(
            keys.iter()
                .map(|k| KeyToPath { key: (*k).to_owned(), path: (*k).to_owned(), ..Default::default() })
                .collect(),
        );
    }
    volume
}

/// Replicas on different nodes where the cluster has them, so losing a node loses at most
/// one replica; on a cluster with fewer nodes they still schedule.
pub fn spread(name: &str, component: &str) -> Vec<TopologySpreadConstraint> {
    vec![TopologySpreadConstraint {
        max_skew: 1,
        topology_key: "kubernetes.io/hostname".into(),
        when_unsatisfiable: "ScheduleAnyway".into(),
        label_selector: Some(selector(name, component)),
        ..Default::default()
    }]
}

/// A short, stable digest of a config file, put on a pod template so that a config change
/// rolls the pods. FNV-1a: the same on every platform and release, unlike std's hasher.
pub fn content_hash(text: &str) -> String {
    let hash = text.bytes().fold(0xcbf2_9ce4_8422_2325_u64, |h, b| (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3));
    format!("{hash:016x}")
}

/// A Service port forwarding to the container port of the same name.
pub fn service_port(name: &str, port: u16) -> ServicePort {
    ServicePort {
        name: Some(name.into()),
        port: port.into(),
        target_port: Some(IntOrString::String(name.into())),
        protocol: Some("TCP".into()),
        ..Default::default()
    }
}

/// A ConfigMap holding one file.
pub fn config_map(name: &str, labels: &BTreeMap<String, String>, file: &str, text: &str) -> ConfigMap {
    ConfigMap {
        metadata: meta(name, labels),
        data: Some(BTreeMap::from([(file.to_owned(), text.to_owned())])),
        ..Default::default()
    }
}

/// A ServiceAccount whose token is not mounted, for pods that never talk to the Kubernetes API.
pub fn service_account(name: &str, labels: &BTreeMap<String, String>) -> ServiceAccount {
    ServiceAccount { metadata: meta(name, labels), automount_service_account_token: Some(false), ..Default::default() }
}

/// A StatefulSet of peers governed by the headless Service `service`: pods keep their names
/// and volumes, and start together rather than one by one, since peers find each other
/// through a ring or a cluster layout, not through start order.
pub fn peer_stateful_set(
    name: &str,
    labels: &BTreeMap<String, String>,
    selector: LabelSelector,
    replicas: u32,
    service: &str,
    template: PodTemplateSpec,
    claims: Vec<PersistentVolumeClaim>,
) -> StatefulSet {
    StatefulSet {
        metadata: meta(name, labels),
        spec: Some(StatefulSetSpec {
            replicas: Some(i32::try_from(replicas).unwrap_or(i32::MAX)),
            service_name: Some(service.into()),
            pod_management_policy: Some("Parallel".into()),
            selector,
            template,
            volume_claim_templates: Some(claims),
            ..Default::default()
        }),
        ..Default::default()
    }
}

/// A Deployment of interchangeable pods.
pub fn deployment(
    name: &str,
    labels: &BTreeMap<String, String>,
    selector: LabelSelector,
    replicas: u32,
    template: PodTemplateSpec,
) -> Deployment {
    Deployment {
        metadata: meta(name, labels),
        spec: Some(DeploymentSpec {
            replicas: Some(i32::try_from(replicas).unwrap_or(i32::MAX)),
            selector,
            template,
            ..Default::default()
        }),
        ..Default::default()
    }
}

/// A budget that lets drains and upgrades take one pod of `selector` at a time.
pub fn disruption_budget(
    name: &str,
    labels: &BTreeMap<String, String>,
    selector: LabelSelector,
) -> PodDisruptionBudget {
    PodDisruptionBudget {
        metadata: meta(name, labels),
        spec: Some(PodDisruptionBudgetSpec {
            max_unavailable: Some(IntOrString::Int(1)),
            selector: Some(selector),
            ..Default::default()
        }),
        ..Default::default()
    }
}

/// An environment variable read from a Secret key: how credentials reach a container.
pub fn env_from_secret(name: &str, secret: &str, key: &str) -> EnvVar {
    EnvVar {
        name: name.into(),
        value_from: Some(EnvVarSource {
            secret_key_ref: Some(SecretKeySelector { name: secret.into(), key: key.into(), optional: Some(false) }),
            ..Default::default()
        }),
        ..Default::default()
    }
}

/// A plain environment variable.
pub fn env(name: &str, value: &str) -> EnvVar {
    EnvVar { name: name.into(), value: Some(value.into()), ..Default::default() }
}

/// A ReadWriteOnce volume claim template for a StatefulSet.
pub fn volume_claim(name: &str, size: &ByteSize, storage_class: Option<&str>) -> PersistentVolumeClaim {
    PersistentVolumeClaim {
        metadata: ObjectMeta { name: Some(name.into()), ..Default::default() },
        spec: Some(PersistentVolumeClaimSpec {
            access_modes: Some(vec!["ReadWriteOnce".into()]),
            storage_class_name: storage_class.map(str::to_owned),
            resources: Some(VolumeResourceRequirements {
                requests: Some(BTreeMap::from([("storage".into(), K8sQuantity(size.to_string()))])),
                ..Default::default()
            }),
            ..Default::default()
        }),
        ..Default::default()
    }
}

/// CPU and memory amounts, with where each was written.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Amounts {
    /// CPU, such as `100m` or `2`.
    pub cpu: Option<At<Quantity>>,
    /// Memory, such as `256Mi`.
    pub memory: Option<At<ByteSize>>,
}

/// Container resource requests and limits; anything left out keeps the tier's default.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Resources {
    pub requests: Option<Amounts>,
    pub limits: Option<Amounts>,
}

/// A container's resources by default: CPU request, memory request, CPU limit, memory limit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Defaults(pub Quantity, pub ByteSize, pub Quantity, pub ByteSize);

/// `n` thousandths of a CPU (`100m`).
pub const fn millicores(n: u64) -> Quantity {
    Quantity::of(n, QuantityUnit::Milli)
}

/// `n` whole CPUs (`2`).
pub const fn cores(n: u64) -> Quantity {
    Quantity::of(n, QuantityUnit::One)
}

/// `n` MiB (`256Mi`).
pub const fn mebibytes(n: u64) -> ByteSize {
    ByteSize::of(n, QuantityUnit::Mi)
}

/// `n` GiB (`2Gi`).
pub const fn gibibytes(n: u64) -> ByteSize {
    ByteSize::of(n, QuantityUnit::Gi)
}

impl Resources {
    /// Requests and limits that no option can change (a setup Job's, a proxy's).
    pub fn fixed(defaults: Defaults) -> ResourceRequirements {
        let Defaults(cpu_request, memory_request, cpu_limit, memory_limit) = defaults;
        let amounts = |cpu: Quantity, memory: ByteSize| {
            BTreeMap::from([
                ("cpu".into(), K8sQuantity(cpu.to_string())),
                ("memory".into(), K8sQuantity(memory.to_string())),
            ])
        };
        ResourceRequirements {
            requests: Some(amounts(cpu_request, memory_request)),
            limits: Some(amounts(cpu_limit, memory_limit)),
            ..Default::default()
        }
    }

    /// Requests and limits from `defaults`, each overridden where these options (at env-file
    /// key `key`) set it. A request above its limit is refused: Kubernetes would reject the
    /// pod, and only at sync time.
    pub fn resolve(
        this: Option<&Resources>,
        key: &str,
        defaults: Defaults,
    ) -> Result<ResourceRequirements, OptionError> {
        let requests = this.and_then(|r| r.requests.as_ref());
        let limits = this.and_then(|r| r.limits.as_ref());
        let cpu = |a: Option<&Amounts>, default: Quantity| {
            a.and_then(|a| a.cpu.clone()).unwrap_or(At::default_value(default))
        };
        let memory = |a: Option<&Amounts>, default: ByteSize| {
            a.and_then(|a| a.memory.clone()).unwrap_or(At::default_value(default))
        };
        let Defaults(cpu_request, memory_request, cpu_limit, memory_limit) = defaults;
        let (cpu_request, cpu_limit) = (cpu(requests, cpu_request), cpu(limits, cpu_limit));
        let (memory_request, memory_limit) = (memory(requests, memory_request), memory(limits, memory_limit));
        if cpu_request.value.nanos() > cpu_limit.value.nanos() {
            return Err(above_limit(key, "cpu", "CPU", &cpu_request, &cpu_limit));
        }
        if memory_request.value.bytes() > memory_limit.value.bytes() {
            return Err(above_limit(key, "memory", "memory", &memory_request, &memory_limit));
        }
        let amount = |v: String| K8sQuantity(v);
        Ok(ResourceRequirements {
            requests: Some(BTreeMap::from([
                ("cpu".into(), amount(cpu_request.value.to_string())),
                ("memory".into(), amount(memory_request.value.to_string())),
            ])),
            limits: Some(BTreeMap::from([
                ("cpu".into(), amount(cpu_limit.value.to_string())),
                ("memory".into(), amount(memory_limit.value.to_string())),
            ])),
            ..Default::default()
        })
    }
}

/// A request above its limit, pointing at whichever of the two the env file set (the
/// request where both are set: that is the value to lower).
fn above_limit<T: std::fmt::Display>(
    key: &str,
    field: &str,
    what: &str,
    request: &At<T>,
    limit: &At<T>,
) -> OptionError {
    let (at, pos) = match (request.pos, limit.pos) {
        (None, Some(pos)) => ("limits", Some(pos)),
        (pos, _) => ("requests", pos),
    };
    OptionError {
        key: format!("{key}.{at}.{field}"),
        pos,
        message: format!(
            "{what} request {} is above its limit {}: Kubernetes refuses such a pod",
            request.value, limit.value
        ),
        help: Some(format!(
            "set limits.{field} to at least {}, or requests.{field} to at most {}",
            request.value, limit.value
        )),
    }
}
