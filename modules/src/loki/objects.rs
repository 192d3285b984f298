//! Loki's Kubernetes objects: one workload, Service, ServiceMonitor and (when replicated)
//! PodDisruptionBudget per target, plus the shared config, account and headless Service.

use std::collections::BTreeMap;

use k8s_openapi::api::core::v1::{ConfigMap, Service, ServiceAccount, ServicePort, ServiceSpec};
use k8s_openapi::api::policy::v1::PodDisruptionBudget;

use crate::contract::k8s;
use crate::contract::monitoring::ServiceMonitor;
use crate::contract::ring::{RingComponent, RingTarget};
use crate::contract::{App, ModuleError, S3Store};

use super::config::DATA_DIR;
use super::config::loki_config;
use super::options::LokiMode;
use super::resolved::Resolved;
use super::{GOSSIP_PORT, GRPC_PORT, HTTP_PORT, VERSION, gateway};

/// The image's `loki` user.
const LOKI_UID: i64 = 10001;

pub(crate) const NAME: &str = "loki";
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

/// Loki's workloads, run with `-target=<target>`.
pub(crate) fn targets(r: &Resolved) -> Vec<RingTarget> {
    let target = |component, target, service, replicas, stateful| RingTarget {
        component,
        target,
        service,
        replicas,
        stateful,
        single: false,
        extra_ports: &[],
    };
    match r.mode {
        LokiMode::SingleBinary => {
            vec![RingTarget { single: true, ..target("single-binary", "all", HTTP_SERVICE, 1, true) }]
        }
        LokiMode::SimpleScalable => vec![
            // Write and backend keep state across restarts (WAL, compactor marks, rule WAL).
            target("write", "write", WRITE_SERVICE, r.write, true),
            target("read", "read", READ_SERVICE, r.read, false),
            target("backend", "backend", BACKEND_SERVICE, r.backend, true),
        ],
    }
}

/// What Loki's targets share, for the contract's ring builder.
fn ring<'a>(r: &'a Resolved, store: &'a S3Store, config: &'a str) -> RingComponent<'a> {
    RingComponent {
        name: NAME,
        version: VERSION,
        image: &r.image.reference,
        uid: LOKI_UID,
        config_dir: "/etc/loki",
        config_map: CONFIG_MAP,
        config_file: CONFIG_FILE,
        config,
        data_dir: DATA_DIR,
        headless_service: MEMBERLIST_SERVICE,
        memberlist: r.mode == LokiMode::SimpleScalable,
        http_port: HTTP_PORT,
        grpc_port: GRPC_PORT,
        gossip_port: GOSSIP_PORT,
        liveness_path: "/loki/api/v1/status/buildinfo",
        resources: &r.resources,
        volume: &r.volume,
        storage_class: r.storage_class.as_deref(),
        store,
    }
}

pub(crate) fn render(
    r: &Resolved,
    store: &S3Store,
    alertmanager: Option<&str>,
    app: &mut App,
) -> Result<(), ModuleError> {
    let config = loki_config(r, store, alertmanager).map_err(ModuleError::config_file(NAME, CONFIG_FILE))?;
    let ring = ring(r, store, &config);
    let shared = k8s::labels(NAME, "config", VERSION);
    app.push(config_map(&config, &shared))?;
    app.push(service_account(&shared))?;
    app.push(ring.headless_service(headless_ports(r)))?;
    for target in targets(r) {
        let labels = k8s::labels(NAME, target.component, VERSION);
        ring.push_workload(&target, &labels, app)?;
        app.push(ring.target_service(&target, &labels))?;
        app.push(ServiceMonitor::new(
            &ring.workload_name(&target),
            &labels,
            k8s::selector(NAME, target.component),
            "http",
            "/metrics",
        ))?;
        if target.replicas > 1 {
            app.push(ring.disruption_budget(&target, &labels))?;
        }
        if target.component == "backend" {
            app.push(backend_headless_service())?;
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

/// Ports of the headless Service: HTTP and gRPC, and gossip where the targets form rings.
fn headless_ports(r: &Resolved) -> Vec<ServicePort> {
    let mut ports = vec![service_port("http", HTTP_PORT), service_port("grpc", GRPC_PORT)];
    if r.mode == LokiMode::SimpleScalable {
        ports.push(service_port("gossip", GOSSIP_PORT));
    }
    ports
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
