//! Tempo's config file, rendered from typed structs whose fields are the 2.10 configuration
//! reference's keys. It is written as JSON, which Tempo's YAML parser reads as it is.
//! Credentials are placeholders that Tempo expands from its environment at start.

use crate::contract::yaml::EncodeError;
use std::collections::BTreeMap;

use serde::Serialize;

use crate::contract::S3Store;
use crate::contract::ring_config::{BackendKeys, Memberlist, memberlist, s3_client};

use super::options::TempoMode;
use super::resolved::Resolved;
use super::{GOSSIP_PORT, GRPC_PORT, HTTP_PORT, OTLP_GRPC_PORT, OTLP_HTTP_PORT};

/// Local state of every target: WALs of ingesters and of the metrics generator.
pub(crate) const DATA_DIR: &str = "/var/tempo";
/// The metrics generator's processors: RED metrics per span, the service graph, and the
/// recent blocks that TraceQL metrics queries (Grafana's Tempo metrics, Traces Drilldown)
/// read; without `local-blocks` they fail with "localblocks processor not found".
pub(crate) const PROCESSORS: [&str; 3] = ["local-blocks", "service-graphs", "span-metrics"];

#[derive(Serialize)]
struct TempoConfig {
    /// Grafana's streaming search over HTTP/2 on the HTTP port.
    stream_over_http_enabled: bool,
    server: Server,
    distributor: Distributor,
    ingester: Ingester,
    #[serde(skip_serializing_if = "Option::is_none")]
    memberlist: Option<Memberlist>,
    #[serde(skip_serializing_if = "Option::is_none")]
    querier: Option<Querier>,
    compactor: Compactor,
    metrics_generator: MetricsGenerator,
    storage: Storage,
    overrides: Overrides,
    usage_report: UsageReport,
}

#[derive(Serialize)]
struct Server {
    http_listen_port: u16,
    grpc_listen_port: u16,
    log_level: &'static str,
}

#[derive(Serialize)]
struct Distributor {
    receivers: Receivers,
}

#[derive(Serialize)]
struct Receivers {
    otlp: Otlp,
}

#[derive(Serialize)]
struct Otlp {
    protocols: OtlpProtocols,
}

#[derive(Serialize)]
struct OtlpProtocols {
    grpc: GrpcListen,
    http: Listen,
}

/// The largest OTLP gRPC message Tempo's receivers accept, in MiB. grpc-go's default is 4;
/// a batch of thousands of spans is larger, and the refusal (`ResourceExhausted`) is final
/// for the sender, so the batch is lost. The collector's traces exporter sends at most
/// 8 MiB per request (collector/routes.rs), half of this.
pub(crate) const OTLP_MAX_RECV_MSG_SIZE_MIB: u32 = 16;

/// The OpenTelemetry receiver's gRPC server settings, which Tempo embeds.
#[derive(Serialize)]
struct GrpcListen {
    endpoint: String,
    max_recv_msg_size_mib: u32,
}

#[derive(Serialize)]
struct Listen {
    endpoint: String,
}

#[derive(Serialize)]
struct Ingester {
    lifecycler: Lifecycler,
}

#[derive(Serialize)]
struct Lifecycler {
    ring: LifecyclerRing,
}

#[derive(Serialize)]
struct LifecyclerRing {
    replication_factor: u32,
}

#[derive(Serialize)]
struct Querier {
    frontend_worker: FrontendWorker,
}

#[derive(Serialize)]
struct FrontendWorker {
    frontend_address: String,
}

#[derive(Serialize)]
struct Compactor {
    /// Compactors share out the compaction jobs through this ring; without one (Tempo's
    /// default is an empty store, "not sharded") every compactor takes every job.
    #[serde(skip_serializing_if = "Option::is_none")]
    ring: Option<CompactorRing>,
    compaction: Compaction,
}

#[derive(Serialize)]
struct CompactorRing {
    kvstore: KvStore,
}

#[derive(Serialize)]
struct KvStore {
    store: &'static str,
}

#[derive(Serialize)]
struct Compaction {
    block_retention: String,
}

#[derive(Serialize)]
struct MetricsGenerator {
    processor: GeneratorProcessors,
    registry: Registry,
    storage: GeneratorStorage,
    /// The local-blocks processor's WAL of recent traces.
    traces_storage: WalPath,
}

#[derive(Serialize)]
struct GeneratorProcessors {
    local_blocks: LocalBlocks,
}

#[derive(Serialize)]
struct LocalBlocks {
    /// TraceQL metrics over every span, not only server spans (Tempo's default), so that
    /// Traces Drilldown sees client and internal spans too.
    filter_server_spans: bool,
    /// Completed blocks go to the object store: queries over more than the last minutes
    /// read these replication-factor-1 blocks there.
    flush_to_storage: bool,
}

#[derive(Serialize)]
struct WalPath {
    path: String,
}

#[derive(Serialize)]
struct Registry {
    external_labels: BTreeMap<&'static str, &'static str>,
}

#[derive(Serialize)]
struct GeneratorStorage {
    path: String,
    remote_write: Vec<RemoteWrite>,
}

#[derive(Serialize)]
struct RemoteWrite {
    url: String,
    /// Exemplars carry trace ids, so a latency panel links to the traces behind it.
    send_exemplars: bool,
}

#[derive(Serialize)]
struct Storage {
    trace: TraceStorage,
}

#[derive(Serialize)]
struct TraceStorage {
    backend: &'static str,
    wal: Wal,
    block: Block,
    s3: BackendKeys,
}

#[derive(Serialize)]
struct Wal {
    path: String,
}

#[derive(Serialize)]
struct Block {
    version: &'static str,
}

#[derive(Serialize)]
struct Overrides {
    defaults: OverrideDefaults,
}

#[derive(Serialize)]
struct OverrideDefaults {
    metrics_generator: GeneratorOverrides,
}

#[derive(Serialize)]
struct GeneratorOverrides {
    processors: Vec<&'static str>,
}

#[derive(Serialize)]
struct UsageReport {
    /// No usage reports leave the cluster.
    reporting_enabled: bool,
}

fn service_host(service: &str, r: &Resolved) -> String {
    format!("{service}.{}.svc.cluster.local", r.namespace)
}

/// The config file's text. `remote_write` holds the remote-write URL of every replica of the
/// metrics store: the generator writes each sample to all of them.
pub(crate) fn tempo_config(r: &Resolved, store: &S3Store, remote_write: &[String]) -> Result<String, EncodeError> {
    let distributed = r.mode == TempoMode::Distributed;
    let config = TempoConfig {
        stream_over_http_enabled: true,
        server: Server { http_listen_port: HTTP_PORT, grpc_listen_port: GRPC_PORT, log_level: "info" },
        distributor: Distributor {
            receivers: Receivers {
                otlp: Otlp {
                    protocols: OtlpProtocols {
                        grpc: GrpcListen {
                            endpoint: format!("0.0.0.0:{OTLP_GRPC_PORT}"),
                            max_recv_msg_size_mib: OTLP_MAX_RECV_MSG_SIZE_MIB,
                        },
                        http: Listen { endpoint: format!("0.0.0.0:{OTLP_HTTP_PORT}") },
                    },
                },
            },
        },
        ingester: Ingester {
            lifecycler: Lifecycler { ring: LifecyclerRing { replication_factor: r.replication_factor } },
        },
        memberlist: distributed
            .then(|| memberlist(super::objects::NAME, &r.namespace, super::objects::HEADLESS_SERVICE, GOSSIP_PORT)),
        querier: distributed.then(|| Querier {
            frontend_worker: FrontendWorker {
                frontend_address: format!(
                    "{}:{GRPC_PORT}",
                    service_host(super::objects::FRONTEND_DISCOVERY_SERVICE, r)
                ),
            },
        }),
        compactor: Compactor {
            // The monolithic layout runs one compactor, in-process: there is nothing to share.
            ring: distributed.then_some(CompactorRing { kvstore: KvStore { store: "memberlist" } }),
            compaction: Compaction { block_retention: r.retention.to_go() },
        },
        metrics_generator: MetricsGenerator {
            processor: GeneratorProcessors {
                local_blocks: LocalBlocks { filter_server_spans: false, flush_to_storage: true },
            },
            registry: Registry { external_labels: BTreeMap::from([("source", "tempo")]) },
            storage: GeneratorStorage {
                path: format!("{DATA_DIR}/generator/wal"),
                remote_write: remote_write
                    .iter()
                    .map(|url| RemoteWrite { url: url.clone(), send_exemplars: true })
                    .collect(),
            },
            traces_storage: WalPath { path: format!("{DATA_DIR}/generator/traces") },
        },
        storage: Storage {
            trace: TraceStorage {
                backend: "s3",
                wal: Wal { path: format!("{DATA_DIR}/wal") },
                block: Block { version: "vParquet4" },
                s3: s3_client(store, &r.bucket).backend_keys(),
            },
        },
        overrides: Overrides {
            defaults: OverrideDefaults { metrics_generator: GeneratorOverrides { processors: PROCESSORS.to_vec() } },
        },
        usage_report: UsageReport { reporting_enabled: false },
    };
    // Structs of strings, numbers and lists always serialize; an empty file would stop Tempo
    // at start rather than let it run misconfigured.
    crate::contract::yaml::encode(&config)
}
