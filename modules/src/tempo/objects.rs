//! Tempo's Kubernetes objects: one workload, Service, ServiceMonitor and (when replicated)
//! PodDisruptionBudget per target, plus the shared config, account and headless Services.

use std::collections::BTreeMap;

use k8s_openapi::api::core::v1::{ConfigMap, Service, ServiceAccount, ServicePort, ServiceSpec};

use crate::contract::k8s;
use crate::contract::monitoring::ServiceMonitor;
use crate::contract::ring::{RingComponent, RingTarget};
use crate::contract::{App, ModuleError, S3Store};

use super::config::DATA_DIR;
use super::config::tempo_config;
use super::options::TempoMode;
use super::resolved::Resolved;
use super::{GOSSIP_PORT, GRPC_PORT, HTTP_PORT, OTLP_GRPC_PORT, OTLP_HTTP_PORT, VERSION};

/// The image's `tempo` user.
const TEMPO_UID: i64 = 10001;

pub(crate) const NAME: &str = "tempo";
/// The query API: the monolithic pod, or the query frontends.
pub(crate) const HTTP_SERVICE: &str = "tempo";
pub(crate) const DISTRIBUTOR_SERVICE: &str = "tempo-distributor";
/// Headless, over the query frontends: each querier connects to every frontend.
pub(crate) const FRONTEND_DISCOVERY_SERVICE: &str = "tempo-query-frontend-discovery";
/// Headless, over every Tempo pod: memberlist seeds and the StatefulSets' pod DNS.
pub(crate) const HEADLESS_SERVICE: &str = "tempo-headless";
pub(crate) const CONFIG_MAP: &str = "tempo-config";
pub(crate) const CONFIG_FILE: &str = "tempo.yaml";

/// Where OTLP is received: the monolithic pod, or the distributors.
pub(crate) fn ingest_service(mode: TempoMode) -> &'static str {
    match mode {
        TempoMode::Monolithic => HTTP_SERVICE,
        TempoMode::Distributed => DISTRIBUTOR_SERVICE,
    }
}

/// The ports of the targets that receive OTLP: the monolithic pod and the distributors.
const OTLP_PORTS: &[(&str, u16)] = &[("otlp-grpc", OTLP_GRPC_PORT), ("otlp-http", OTLP_HTTP_PORT)];

/// Tempo's workloads, run with `-target=<component>`.
pub(crate) fn targets(r: &Resolved) -> Vec<RingTarget> {
    // Ingesters and generators keep a WAL across restarts; the rest keep nothing.
    let target = |component, service, replicas, stateful| RingTarget {
        component,
        target: component,
        service,
        replicas,
        stateful,
        single: component == "all",
        extra_ports: if component == "all" || component == "distributor" { OTLP_PORTS } else { &[] },
    };
    match r.mode {
        TempoMode::Monolithic => vec![target("all", HTTP_SERVICE, 1, true)],
        TempoMode::Distributed => vec![
            target("distributor", DISTRIBUTOR_SERVICE, r.distributor, false),
            target("ingester", "tempo-ingester", r.ingester, true),
            target("querier", "tempo-querier", r.querier, false),
            target("query-frontend", HTTP_SERVICE, r.query_frontend, false),
            target("compactor", "tempo-compactor", r.compactor, false),
            target("metrics-generator", "tempo-metrics-generator", r.metrics_generator, true),
        ],
    }
}

/// What Tempo's targets share, for the contract's ring builder.
fn ring<'a>(r: &'a Resolved, store: &'a S3Store, config: &'a str) -> RingComponent<'a> {
    RingComponent {
        name: NAME,
        version: VERSION,
        image: &r.image.reference,
        uid: TEMPO_UID,
        config_dir: "/etc/tempo",
        config_map: CONFIG_MAP,
        config_file: CONFIG_FILE,
        config,
        data_dir: DATA_DIR,
        headless_service: HEADLESS_SERVICE,
        memberlist: r.mode == TempoMode::Distributed,
        http_port: HTTP_PORT,
        grpc_port: GRPC_PORT,
        gossip_port: GOSSIP_PORT,
        liveness_path: "/api/status/buildinfo",
        resources: &r.resources,
        volume: &r.volume,
        storage_class: r.storage_class.as_deref(),
        store,
    }
}

pub(crate) fn render(r: &Resolved, store: &S3Store, remote_write: &[String], app: &mut App) -> Result<(), ModuleError> {
    let config = tempo_config(r, store, remote_write).map_err(ModuleError::config_file(NAME, CONFIG_FILE))?;
    let ring = ring(r, store, &config);
    let shared = k8s::labels(NAME, "config", VERSION);
    app.push(config_map(&config, &shared))?;
    app.push(service_account(&shared))?;
    app.push(ring.headless_service(headless_ports(r)))?;
    for target in targets(r) {
        let labels = k8s::labels(NAME, target.component, VERSION);
        ring.push_workload(&target, &labels, app)?;
        app.push(ring.target_service(&target, &labels))?;
        if target.component == "query-frontend" {
            app.push(frontend_discovery_service())?;
        }
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
    }
    Ok(())
}

fn config_map(config: &str, labels: &BTreeMap<String, String>) -> ConfigMap {
    k8s::config_map(CONFIG_MAP, labels, CONFIG_FILE, config)
}

fn service_account(labels: &BTreeMap<String, String>) -> ServiceAccount {
    // No Tempo target talks to the Kubernetes API.
    k8s::service_account(NAME, labels)
}

fn service_port(name: &str, port: u16) -> ServicePort {
    k8s::service_port(name, port)
}

/// A headless Service; its own component label keeps it out of the ServiceMonitors'
/// selectors, so no pod is scraped twice.
fn headless(name: &str, component: &str, selector: BTreeMap<String, String>, ports: Vec<ServicePort>) -> Service {
    Service {
        metadata: k8s::meta(name, &k8s::labels(NAME, component, VERSION)),
        spec: Some(ServiceSpec {
            cluster_ip: Some("None".into()),
            // Members must find each other before they are ready: readiness waits for the ring.
            publish_not_ready_addresses: Some(true),
            selector: Some(selector),
            ports: Some(ports),
            ..Default::default()
        }),
        ..Default::default()
    }
}

/// Ports of the headless Service: HTTP, and gossip where the targets form rings.
fn headless_ports(r: &Resolved) -> Vec<ServicePort> {
    let mut ports = vec![service_port("http", HTTP_PORT)];
    if r.mode == TempoMode::Distributed {
        ports.push(service_port("gossip", GOSSIP_PORT));
    }
    ports
}

fn frontend_discovery_service() -> Service {
    headless(
        FRONTEND_DISCOVERY_SERVICE,
        "query-frontend-discovery",
        k8s::selector_labels(NAME, "query-frontend"),
        vec![service_port("grpc", GRPC_PORT)],
    )
}
