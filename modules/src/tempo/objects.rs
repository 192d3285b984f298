//! Tempo's Kubernetes objects: one workload, Service, ServiceMonitor and (when replicated)
//! PodDisruptionBudget per target, plus the shared config, account and headless Services.

use std::collections::BTreeMap;

use k8s_openapi::api::core::v1::{ConfigMap, Service, ServiceAccount, ServicePort, ServiceSpec};
use k8s_openapi::api::policy::v1::PodDisruptionBudget;

use crate::contract::k8s;
use crate::contract::monitoring::ServiceMonitor;
use crate::contract::{App, ModuleError, S3Store};

use super::config::tempo_config;
use super::options::{Resolved, TempoMode};
use super::{GOSSIP_PORT, GRPC_PORT, HTTP_PORT, OTLP_GRPC_PORT, OTLP_HTTP_PORT, VERSION, workloads};

pub(crate) const NAME: &str = "tempo";
pub(crate) const M: &str = "tempo";
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

/// One Tempo workload, run with `-target=<target>`.
pub(crate) struct Target {
    /// The `app.kubernetes.io/component` label; also the `-target`.
    pub component: &'static str,
    pub service: &'static str,
    pub replicas: u32,
    /// Keeps a WAL across restarts: a StatefulSet with a volume. Otherwise a Deployment with
    /// scratch space.
    pub stateful: bool,
    /// Listens for OTLP.
    pub receives_otlp: bool,
}

impl Target {
    pub fn workload_name(&self) -> String {
        if self.component == "all" { NAME.into() } else { format!("{NAME}-{}", self.component) }
    }
    /// `-target=` value.
    pub fn target(&self) -> &'static str {
        self.component
    }
}

pub(crate) fn targets(r: &Resolved) -> Vec<Target> {
    let target = |component, service, replicas, stateful| Target {
        component,
        service,
        replicas,
        stateful,
        receives_otlp: component == "all" || component == "distributor",
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

pub(crate) fn render(r: &Resolved, store: &S3Store, remote_write: &str, app: &mut App) -> Result<(), ModuleError> {
    let config = tempo_config(r, store, remote_write);
    let shared = k8s::labels(NAME, "config", VERSION);
    app.push(M, config_map(&config, &shared))?;
    app.push(M, service_account(&shared))?;
    app.push(M, headless_service(r))?;
    for target in targets(r) {
        let labels = k8s::labels(NAME, target.component, VERSION);
        workloads::push(r, store, &target, &config, &labels, app)?;
        app.push(M, target_service(&target, &labels))?;
        if target.component == "query-frontend" {
            app.push(M, frontend_discovery_service())?;
        }
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
            app.push(M, disruption_budget(&target, &labels))?;
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

fn target_service(target: &Target, labels: &BTreeMap<String, String>) -> Service {
    let mut ports = vec![service_port("http", HTTP_PORT), service_port("grpc", GRPC_PORT)];
    if target.receives_otlp {
        ports.push(service_port("otlp-grpc", OTLP_GRPC_PORT));
        ports.push(service_port("otlp-http", OTLP_HTTP_PORT));
    }
    Service {
        metadata: k8s::meta(target.service, labels),
        spec: Some(ServiceSpec {
            type_: Some("ClusterIP".into()),
            selector: Some(k8s::selector_labels(NAME, target.component)),
            ports: Some(ports),
            ..Default::default()
        }),
        ..Default::default()
    }
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

fn headless_service(r: &Resolved) -> Service {
    let mut ports = vec![service_port("http", HTTP_PORT)];
    if r.mode == TempoMode::Distributed {
        ports.push(service_port("gossip", GOSSIP_PORT));
    }
    headless(HEADLESS_SERVICE, "headless", BTreeMap::from([("app.kubernetes.io/name".into(), NAME.into())]), ports)
}

fn frontend_discovery_service() -> Service {
    headless(
        FRONTEND_DISCOVERY_SERVICE,
        "query-frontend-discovery",
        k8s::selector_labels(NAME, "query-frontend"),
        vec![service_port("grpc", GRPC_PORT)],
    )
}

fn disruption_budget(target: &Target, labels: &BTreeMap<String, String>) -> PodDisruptionBudget {
    // One pod at a time: with replication 3 every trace keeps a write quorum.
    k8s::disruption_budget(&target.workload_name(), labels, k8s::selector(NAME, target.component))
}
