//! Loki's config file, rendered from typed structs whose fields are the 3.7 configuration
//! reference's keys. It is written as JSON, which Loki's YAML parser reads as it is.
//! Credentials are placeholders that Loki expands from its environment at start.

use crate::contract::yaml::EncodeError;
use serde::Serialize;

use crate::contract::S3Store;
use crate::contract::ring_config::{AwsKeys, Memberlist, memberlist, s3_client};

use super::options::LokiMode;
use super::resolved::Resolved;
use super::{GOSSIP_PORT, GRPC_PORT, HTTP_PORT};

/// Where every target keeps its local state: WAL, TSDB index before upload, compactor
/// workspace, rule files.
pub(crate) const DATA_DIR: &str = "/var/loki";

/// OTLP resource attributes kept as index labels: the ones that name a workload, none that
/// name a single pod or process (those would create a stream per pod restart). Every other
/// resource attribute becomes structured metadata.
pub(crate) const INDEX_LABELS: [&str; 11] = [
    "service.name",
    "service.namespace",
    "deployment.environment.name",
    "k8s.cluster.name",
    "k8s.namespace.name",
    "k8s.container.name",
    "k8s.deployment.name",
    "k8s.statefulset.name",
    "k8s.daemonset.name",
    "k8s.cronjob.name",
    "k8s.job.name",
];

/// The day the v13 TSDB schema starts. Fixed forever: moving it would hide data written
/// before it. A schema change is a new period appended after this one.
const SCHEMA_FROM: &str = "2024-01-01";

#[derive(Serialize)]
struct LokiConfig {
    /// One tenant: the stack has no authenticating proxy in front of Loki.
    auth_enabled: bool,
    server: Server,
    common: Common,
    #[serde(skip_serializing_if = "Option::is_none")]
    memberlist: Option<Memberlist>,
    schema_config: SchemaConfig,
    storage_config: StorageConfig,
    ruler: Ruler,
    compactor: Compactor,
    limits_config: Limits,
    analytics: Analytics,
}

#[derive(Serialize)]
struct Server {
    http_listen_port: u16,
    grpc_listen_port: u16,
    log_level: &'static str,
}

#[derive(Serialize)]
struct Common {
    path_prefix: &'static str,
    replication_factor: u32,
    ring: Ring,
    /// How the read target reaches the compactor for delete requests.
    #[serde(skip_serializing_if = "Option::is_none")]
    compactor_address: Option<String>,
}

#[derive(Serialize)]
struct Ring {
    kvstore: KvStore,
}

#[derive(Serialize)]
struct KvStore {
    store: &'static str,
}

#[derive(Serialize)]
struct SchemaConfig {
    configs: Vec<PeriodConfig>,
}

#[derive(Serialize)]
struct PeriodConfig {
    from: &'static str,
    store: &'static str,
    object_store: &'static str,
    schema: &'static str,
    index: IndexConfig,
}

#[derive(Serialize)]
struct IndexConfig {
    prefix: &'static str,
    period: &'static str,
}

#[derive(Serialize)]
struct StorageConfig {
    aws: AwsKeys,
    #[serde(skip_serializing_if = "Option::is_none")]
    tsdb_shipper: Option<TsdbShipper>,
}

#[derive(Serialize)]
struct TsdbShipper {
    index_gateway_client: IndexGatewayClient,
}

/// How the read target's queriers reach the index gateways of the backend target.
#[derive(Serialize)]
struct IndexGatewayClient {
    server_address: String,
}

#[derive(Serialize)]
struct Ruler {
    /// Rules are managed through the ruler API and stored in their own bucket.
    enable_api: bool,
    /// Several backend pods split the rule groups between them through the ring, instead of
    /// each evaluating (and alerting on) every group.
    enable_sharding: bool,
    /// Where firing rules are sent; absent when the platform runs no Alertmanager.
    #[serde(skip_serializing_if = "Option::is_none")]
    alertmanager_url: Option<String>,
    storage: RulerStorage,
}

#[derive(Serialize)]
struct RulerStorage {
    #[serde(rename = "type")]
    kind: &'static str,
    s3: AwsKeys,
}

#[derive(Serialize)]
struct Compactor {
    compaction_interval: &'static str,
    retention_enabled: bool,
    /// Time between marking chunks for deletion and deleting them, so queries in flight
    /// never read a chunk that is gone.
    retention_delete_delay: &'static str,
    delete_request_store: &'static str,
}

#[derive(Serialize)]
struct Limits {
    retention_period: String,
    allow_structured_metadata: bool,
    volume_enabled: bool,
    otlp_config: OtlpConfig,
}

#[derive(Serialize)]
struct OtlpConfig {
    resource_attributes: ResourceAttributes,
}

#[derive(Serialize)]
struct ResourceAttributes {
    /// Use exactly [`INDEX_LABELS`]; the built-in list includes `k8s.pod.name`.
    ignore_defaults: bool,
    attributes_config: Vec<AttributesConfig>,
}

#[derive(Serialize)]
struct AttributesConfig {
    action: &'static str,
    attributes: Vec<&'static str>,
}

#[derive(Serialize)]
struct Analytics {
    /// No usage reports leave the cluster.
    reporting_enabled: bool,
}

/// The config file's text.
pub(crate) fn loki_config(r: &Resolved, store: &S3Store, alertmanager: Option<&str>) -> Result<String, EncodeError> {
    let scalable = r.mode == LokiMode::SimpleScalable;
    let config = LokiConfig {
        auth_enabled: false,
        server: Server { http_listen_port: HTTP_PORT, grpc_listen_port: GRPC_PORT, log_level: "info" },
        common: Common {
            path_prefix: DATA_DIR,
            replication_factor: r.replication_factor,
            ring: Ring { kvstore: KvStore { store: if scalable { "memberlist" } else { "inmemory" } } },
            compactor_address: scalable.then(|| {
                format!("http://{}.{}.svc.cluster.local:{HTTP_PORT}", super::objects::BACKEND_SERVICE, r.namespace)
            }),
        },
        memberlist: scalable
            .then(|| memberlist(super::objects::NAME, &r.namespace, super::objects::MEMBERLIST_SERVICE, GOSSIP_PORT)),
        schema_config: SchemaConfig {
            configs: vec![PeriodConfig {
                from: SCHEMA_FROM,
                store: "tsdb",
                object_store: "s3",
                schema: "v13",
                index: IndexConfig { prefix: "index_", period: "24h" },
            }],
        },
        storage_config: StorageConfig {
            aws: s3_client(store, &r.chunks_bucket).aws_keys(),
            tsdb_shipper: scalable.then(|| TsdbShipper {
                index_gateway_client: IndexGatewayClient {
                    // `dns+`: every backend pod, not one address behind a Service's virtual IP.
                    server_address: format!(
                        "dns+{}.{}.svc.cluster.local:{GRPC_PORT}",
                        super::objects::BACKEND_HEADLESS_SERVICE,
                        r.namespace
                    ),
                },
            }),
        },
        ruler: Ruler {
            enable_api: true,
            enable_sharding: scalable,
            alertmanager_url: alertmanager.map(str::to_owned),
            storage: RulerStorage { kind: "s3", s3: s3_client(store, &r.ruler_bucket).aws_keys() },
        },
        compactor: Compactor {
            compaction_interval: "10m",
            retention_enabled: true,
            retention_delete_delay: "2h",
            delete_request_store: "s3",
        },
        limits_config: Limits {
            retention_period: r.retention.to_go(),
            allow_structured_metadata: true,
            volume_enabled: true,
            otlp_config: OtlpConfig {
                resource_attributes: ResourceAttributes {
                    ignore_defaults: true,
                    attributes_config: vec![AttributesConfig {
                        action: "index_label",
                        attributes: INDEX_LABELS.to_vec(),
                    }],
                },
            },
        },
        analytics: Analytics { reporting_enabled: false },
    };
    // Structs of strings, numbers and lists always serialize; an empty file would stop Loki
    // at start rather than let it run misconfigured.
    crate::contract::yaml::encode(&config)
}
