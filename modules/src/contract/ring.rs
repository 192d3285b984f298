//! A shared builder for Grafana-style components (Loki, Tempo; Mimir or Pyroscope next): one
//! binary run as several targets (`-target=`), joined by memberlist rings behind a headless
//! Service, keeping its data in the S3 store with credentials from the environment. Each
//! component says what differs (paths, ports, probes); the shape of the pods, Services and
//! disruption budgets is written once, here, and the memberlist and S3 blocks of their config
//! files once in [`super::ring_config`].

use std::collections::BTreeMap;

use k8s_openapi::api::core::v1::{
    Container, PodSpec, PodTemplateSpec, Probe, ResourceRequirements, Service, ServicePort, ServiceSpec,
};
use k8s_openapi::api::policy::v1::PodDisruptionBudget;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;

use super::app::App;
use super::context::S3Store;
use super::error::ModuleError;
use super::k8s;
use super::ring_config::{ACCESS_KEY_ENV, SECRET_KEY_ENV};
use super::units::ByteSize;

/// What one Grafana-style component shares across its targets.
pub struct RingComponent<'a> {
    /// `app.kubernetes.io/name`, the container's name and the prefix of every object.
    pub name: &'static str,
    pub version: &'a str,
    pub image: &'a str,
    /// The image's user.
    pub uid: i64,
    /// Where the config file is mounted, and its ConfigMap and file name.
    pub config_dir: &'static str,
    pub config_map: &'static str,
    pub config_file: &'static str,
    /// The config's text, hashed into the pods so that a change rolls them.
    pub config: &'a str,
    /// Where the WAL and local state live: the volume of stateful targets.
    pub data_dir: &'static str,
    /// Headless over every pod: memberlist seeds and the StatefulSets' pod DNS.
    pub headless_service: &'static str,
    /// Whether the targets gossip (every layout but the single pod).
    pub memberlist: bool,
    pub http_port: u16,
    pub grpc_port: u16,
    pub gossip_port: u16,
    /// Answers while the HTTP server runs, ready or not.
    pub liveness_path: &'static str,
    pub resources: &'a ResourceRequirements,
    pub volume: &'a ByteSize,
    pub storage_class: Option<&'a str>,
    pub store: &'a S3Store,
}

/// One workload of the component, run with `-target=<target>`.
pub struct RingTarget {
    /// The `app.kubernetes.io/component` label and the workload's name suffix.
    pub component: &'static str,
    /// The `-target=` value.
    pub target: &'static str,
    pub service: &'static str,
    pub replicas: u32,
    /// Keeps state across restarts: a StatefulSet with a volume. Otherwise a Deployment
    /// with scratch space.
    pub stateful: bool,
    /// The whole component in one pod: the workload takes the component's bare name.
    pub single: bool,
    /// Ports besides HTTP, gRPC and gossip (OTLP receivers, say).
    pub extra_ports: &'static [(&'static str, u16)],
}

impl RingComponent<'_> {
    pub fn workload_name(&self, target: &RingTarget) -> String {
        if target.single { self.name.into() } else { format!("{}-{}", self.name, target.component) }
    }

    /// The target's StatefulSet (with a `data` volume) or Deployment.
    pub fn push_workload(
        &self,
        target: &RingTarget,
        labels: &BTreeMap<String, String>,
        app: &mut App,
    ) -> Result<(), ModuleError> {
        let template = self.pod_template(target, labels);
        let name = self.workload_name(target);
        let selector = k8s::selector(self.name, target.component);
        if target.stateful {
            let claims = vec![k8s::volume_claim("data", self.volume, self.storage_class)];
            let mut workload = k8s::peer_stateful_set(
                &name,
                labels,
                selector,
                target.replicas,
                self.headless_service,
                template,
                claims,
            );
            workload.metadata = Self::s3_keys_from_env(workload.metadata);
            app.push(workload)?;
        } else {
            let mut workload = k8s::deployment(&name, labels, selector, target.replicas, template);
            workload.metadata = Self::s3_keys_from_env(workload.metadata);
            app.push(workload)?;
        }
        Ok(())
    }

    /// The exemption of ring workloads from reading Secrets as files: Loki and Tempo take S3
    /// keys only from their config file, where `-config.expand-env` fills them in from the
    /// environment, so the keys stay out of the ConfigMap.
    fn s3_keys_from_env(meta: ObjectMeta) -> ObjectMeta {
        k8s::exempt(
            meta,
            "secret-env",
            "S3 keys reach the config file only through -config.expand-env; the program reads no key file",
        )
    }

    /// The target's ClusterIP Service: HTTP, gRPC and its own extra ports.
    pub fn target_service(&self, target: &RingTarget, labels: &BTreeMap<String, String>) -> Service {
        let mut ports = vec![k8s::service_port("http", self.http_port), k8s::service_port("grpc", self.grpc_port)];
        ports.extend(target.extra_ports.iter().map(|(name, port)| k8s::service_port(name, *port)));
        Service {
            metadata: k8s::meta(target.service, labels),
            spec: Some(ServiceSpec {
                type_: Some("ClusterIP".into()),
                selector: Some(k8s::selector_labels(self.name, target.component)),
                ports: Some(ports),
                ..Default::default()
            }),
            ..Default::default()
        }
    }

    /// The headless Service over every pod, with `ports`. Its own component label keeps it
    /// out of the ServiceMonitors' selectors, so no pod is scraped twice.
    pub fn headless_service(&self, ports: Vec<ServicePort>) -> Service {
        Service {
            metadata: k8s::meta(self.headless_service, &k8s::labels(self.name, "headless", self.version)),
            spec: Some(ServiceSpec {
                cluster_ip: Some("None".into()),
                // Members must find each other before they are ready: readiness waits for the ring.
                publish_not_ready_addresses: Some(true),
                selector: Some(BTreeMap::from([("app.kubernetes.io/name".into(), self.name.into())])),
                ports: Some(ports),
                ..Default::default()
            }),
            ..Default::default()
        }
    }

    /// One pod of a replicated target down at a time: with replication 3 a write quorum
    /// survives it.
    pub fn disruption_budget(&self, target: &RingTarget, labels: &BTreeMap<String, String>) -> PodDisruptionBudget {
        k8s::disruption_budget(&self.workload_name(target), labels, k8s::selector(self.name, target.component))
    }

    /// Ready once the target has joined its rings and can serve; checked often, so traffic
    /// leaves a pod that is shutting down.
    fn readiness() -> Probe {
        Probe { initial_delay_seconds: Some(15), ..k8s::http_probe("/ready", "http", 10) }
    }

    /// Alive while the HTTP server answers: an ingester replaying its WAL, or a pod waiting
    /// for its ring, is not ready, but must not be restarted for it.
    fn liveness(&self) -> Probe {
        Probe { initial_delay_seconds: Some(30), ..k8s::http_probe(self.liveness_path, "http", 20) }
    }

    fn pod_template(&self, target: &RingTarget, labels: &BTreeMap<String, String>) -> PodTemplateSpec {
        let mut ports = vec![k8s::container_port("http", self.http_port), k8s::container_port("grpc", self.grpc_port)];
        if self.memberlist {
            ports.push(k8s::container_port("gossip", self.gossip_port));
        }
        ports.extend(target.extra_ports.iter().map(|(name, port)| k8s::container_port(name, *port)));
        let store = self.store;
        let container = Container {
            name: self.name.into(),
            image: Some(self.image.into()),
            image_pull_policy: Some(k8s::IMAGE_PULL_POLICY.into()),
            args: Some(vec![
                format!("-config.file={}/{}", self.config_dir, self.config_file),
                "-config.expand-env=true".into(),
                format!("-target={}", target.target),
            ]),
            env: Some(vec![
                k8s::env_from_secret(ACCESS_KEY_ENV, &store.credentials_secret, &store.access_key_id_key),
                k8s::env_from_secret(SECRET_KEY_ENV, &store.credentials_secret, &store.secret_access_key_key),
            ]),
            ports: Some(ports),
            readiness_probe: Some(Self::readiness()),
            liveness_probe: Some(self.liveness()),
            resources: Some(self.resources.clone()),
            security_context: Some(k8s::restricted_container()),
            volume_mounts: Some(vec![
                k8s::mount("config", self.config_dir, true),
                k8s::mount("data", self.data_dir, false),
                k8s::mount("tmp", "/tmp", false),
            ]),
            ..Default::default()
        };
        let mut volumes = vec![k8s::config_map_volume("config", self.config_map), k8s::empty_dir("tmp")];
        if !target.stateful {
            // Stateless targets keep nothing across restarts: scratch space is enough.
            volumes.push(k8s::empty_dir("data"));
        }
        PodTemplateSpec {
            metadata: Some(ObjectMeta {
                labels: Some(labels.clone()),
                annotations: Some(BTreeMap::from([("oxidy.dev/config-hash".into(), k8s::content_hash(self.config))])),
                ..Default::default()
            }),
            spec: Some(PodSpec {
                service_account_name: Some(self.name.into()),
                automount_service_account_token: Some(false),
                security_context: Some(k8s::restricted_pod(self.uid)),
                // Stateful targets flush their in-memory data (streams, open traces, series)
                // to the WAL or the store before they stop, which can take longer than 30s.
                termination_grace_period_seconds: Some(if target.stateful { 300 } else { 30 }),
                topology_spread_constraints: (target.replicas > 1).then(|| k8s::spread(self.name, target.component)),
                containers: vec![container],
                volumes: Some(volumes),
                ..Default::default()
            }),
        }
    }
}
