//! Loki's Kubernetes objects: one workload, Service, ServiceMonitor and (when replicated)
//! PodDisruptionBudget per target, plus the shared config, account and headless Service.

use std::collections::BTreeMap;

use k8s_openapi::api::core::v1::{ConfigMap, Service, ServiceAccount, ServicePort, ServiceSpec};
use k8s_openapi::api::policy::v1::PodDisruptionBudget;

use crate::contract::k8s;
use crate::contract::monitoring::ServiceMonitor;
use crate::contract::{App, Endpoint, ModuleError, S3Store};

use super::config::loki_config;
use super::options::{LokiMode, Resolved};
use super::{GOSSIP_PORT, GRPC_PORT, HTTP_PORT, VERSION, gateway, workloads};

pub(crate) const NAME: &str = "loki";
pub(crate) const M: &str = "loki";
/// The one HTTP entry point: the single binary, or the gateway of the scalable layout.
pub(crate) const HTTP_SERVICE: &str = "loki";
pub(crate) const BACKEND_SERVICE: &str = "loki-backend";
/// Headless, over the backend pods: queriers reach every index gateway.
pub(crate) const BACKEND_HEADLESS_SERVICE: &str = "loki-backend-headless";
pub(crate) const READ_SERVICE: &str = "loki-read";
pub(crate) const WRITE_SERVICE: &str = "loki-write";
/// Headless, over every Loki pod: memberlist seeds and the StatefulSets' pod DNS.
pub(crate) const MEMBERLIST_SERVICE: &str = "loki-headless";
pub(crate) const CONFIG_MAP: &str = "loki-config";
pub(crate) const CONFIG_FILE: &str = "config.yaml";

/// One Loki workload, run with `-target=<target>`.
pub(crate) struct Target {
    /// The `app.kubernetes.io/component` label and the workload's name suffix.
    pub component: &'static str,
    pub target: &'static str,
    pub service: &'static str,
    pub replicas: u32,
    /// Keeps state across restarts (WAL, compactor marks, rule WAL): a StatefulSet with a
    /// volume. Otherwise a Deployment with scratch space.
    pub stateful: bool,
}

impl Target {
    pub fn workload_name(&self) -> String {
        if self.component == "single-binary" { NAME.into() } else { format!("{NAME}-{}", self.component) }
    }
}

pub(crate) fn targets(r: &Resolved) -> Vec<Target> {
    match r.mode {
        LokiMode::SingleBinary => vec![Target {
            component: "single-binary",
            target: "all",
            service: HTTP_SERVICE,
            replicas: 1,
            stateful: true,
        }],
        LokiMode::SimpleScalable => vec![
            Target { component: "write", target: "write", service: WRITE_SERVICE, replicas: r.write, stateful: true },
            Target { component: "read", target: "read", service: READ_SERVICE, replicas: r.read, stateful: false },
            Target {
                component: "backend",
                target: "backend",
                service: BACKEND_SERVICE,
                replicas: r.backend,
                stateful: true,
            },
        ],
    }
}

pub(crate) fn render(
    r: &Resolved,
    store: &S3Store,
    alertmanager: Option<&Endpoint>,
    app: &mut App,
) -> Result<(), ModuleError> {
    let config = loki_config(r, store, alertmanager);
    let shared = k8s::labels(NAME, "config", VERSION);
    app.push(M, config_map(&config, &shared))?;
    app.push(M, service_account(&shared))?;
    app.push(M, headless_service(r))?;
    for target in targets(r) {
        let labels = k8s::labels(NAME, target.component, VERSION);
        workloads::push(r, store, &target, &config, &labels, app)?;
        app.push(M, target_service(&target, &labels))?;
        app.push(
            M,
            ServiceMonitor::new(
                &target.workload_name(),
                &labels,
                k8s::selector(NAME, target.component),
                "http",
                "/metrics",
            ),
        )?;
        if target.replicas > 1 {
            app.push(M, disruption_budget(&target.workload_name(), target.component, &labels))?;
        }
        if target.component == "backend" {
            app.push(M, backend_headless_service())?;
        }
    }
    if r.mode == LokiMode::SimpleScalable {
        gateway::render(r, app)?;
    }
    Ok(())
}

fn config_map(config: &str, labels: &BTreeMap<String, String>) -> ConfigMap {
    k8s::config_map(CONFIG_MAP, labels, CONFIG_FILE, config)
}

fn service_account(labels: &BTreeMap<String, String>) -> ServiceAccount {
    // No Loki target talks to the Kubernetes API.
    k8s::service_account(NAME, labels)
}

pub(crate) fn service_port(name: &str, port: u16) -> ServicePort {
    k8s::service_port(name, port)
}

fn target_service(target: &Target, labels: &BTreeMap<String, String>) -> Service {
    Service {
        metadata: k8s::meta(target.service, labels),
        spec: Some(ServiceSpec {
            type_: Some("ClusterIP".into()),
            selector: Some(k8s::selector_labels(NAME, target.component)),
            ports: Some(vec![service_port("http", HTTP_PORT), service_port("grpc", GRPC_PORT)]),
            ..Default::default()
        }),
        ..Default::default()
    }
}

fn headless_service(r: &Resolved) -> Service {
    let mut ports = vec![service_port("http", HTTP_PORT), service_port("grpc", GRPC_PORT)];
    if r.mode == LokiMode::SimpleScalable {
        ports.push(service_port("gossip", GOSSIP_PORT));
    }
    Service {
        // Its own component label keeps it out of the ServiceMonitors' selectors, so no pod
        // is scraped twice.
        metadata: k8s::meta(MEMBERLIST_SERVICE, &k8s::labels(NAME, "headless", VERSION)),
        spec: Some(ServiceSpec {
            cluster_ip: Some("None".into()),
            // Members must find each other before they are ready: readiness waits for the ring.
            publish_not_ready_addresses: Some(true),
            selector: Some(BTreeMap::from([("app.kubernetes.io/name".into(), NAME.into())])),
            ports: Some(ports),
            ..Default::default()
        }),
        ..Default::default()
    }
}

fn backend_headless_service() -> Service {
    Service {
        metadata: k8s::meta(BACKEND_HEADLESS_SERVICE, &k8s::labels(NAME, "backend-headless", VERSION)),
        spec: Some(ServiceSpec {
            cluster_ip: Some("None".into()),
            selector: Some(k8s::selector_labels(NAME, "backend")),
            ports: Some(vec![service_port("grpc", GRPC_PORT)]),
            ..Default::default()
        }),
        ..Default::default()
    }
}

pub(crate) fn disruption_budget(name: &str, component: &str, labels: &BTreeMap<String, String>) -> PodDisruptionBudget {
    // One pod at a time: with replication 3 a write quorum survives one ingester down.
    k8s::disruption_budget(name, labels, k8s::selector(NAME, component))
}
