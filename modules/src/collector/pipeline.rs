//! The collector's pipelines as a typed model: which components exist, how each is configured,
//! and which pipeline uses them in what order. The config file and the builder manifest are
//! both derived from it.

use serde::Serialize;

/// A telemetry signal; each has one pipeline.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Signal {
    Traces,
    Metrics,
    Logs,
}

impl Signal {
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Signal::Traces => "traces",
            Signal::Metrics => "metrics",
            Signal::Logs => "logs",
        }
    }
}

/// What every component tells the config file (its id) and the build (its Go module).
pub(crate) trait Component: Serialize + PartialEq {
    /// The component's id in the config file: its type as the pinned release names it, or
    /// `type/name` where one type is configured more than once.
    fn id(&self) -> String;
    /// The Go module that implements it, without version.
    fn go_module(&self) -> &'static str;
}

/// Declares an enum of typed component configs and its [`Component`] implementation, so a
/// component's id, module and config type are written side by side, once.
macro_rules! components {
    ($(#[$doc:meta])* $name:ident { $($variant:ident($config:ty) => $id:literal, $module:literal;)+ }) => {
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq, Serialize)]
        #[serde(untagged)]
        pub(crate) enum $name {
            $($variant($config),)+
        }

        impl Component for $name {
            fn id(&self) -> String {
                match self {
                    $($name::$variant(config) => match Instance::name(config) {
                        Some(name) => format!("{}/{name}", $id),
                        None => $id.to_owned(),
                    },)+
                }
            }
            fn go_module(&self) -> &'static str {
                match self {
                    $($name::$variant(_) => $module,)+
                }
            }
        }
    };
}

/// The name that tells apart two components of one type; most are configured once.
pub(crate) trait Instance {
    fn name(&self) -> Option<&str> {
        None
    }
}

impl Instance for OtlpReceiver {}
impl Instance for MemoryLimiter {}
impl Instance for Batch {}
impl Instance for OtlpGrpcExporter {}
impl Instance for OtlpHttpExporter {}
impl Instance for DebugExporter {}
impl Instance for HealthCheck {}
impl Instance for RemoteWriteExporter {
    fn name(&self) -> Option<&str> {
        self.name.as_deref()
    }
}

components!(
    /// Where telemetry enters.
    Receiver {
        Otlp(OtlpReceiver) => "otlp", "go.opentelemetry.io/collector/receiver/otlpreceiver";
    }
);

components!(
    /// What happens to telemetry between receiving and exporting, in pipeline order.
    Processor {
        MemoryLimiter(MemoryLimiter) => "memory_limiter", "go.opentelemetry.io/collector/processor/memorylimiterprocessor";
        Batch(Batch) => "batch", "go.opentelemetry.io/collector/processor/batchprocessor";
    }
);

components!(
    /// Where telemetry leaves.
    Exporter {
        OtlpGrpc(OtlpGrpcExporter) => "otlp_grpc", "go.opentelemetry.io/collector/exporter/otlpexporter";
        OtlpHttp(OtlpHttpExporter) => "otlp_http", "go.opentelemetry.io/collector/exporter/otlphttpexporter";
        PrometheusRemoteWrite(RemoteWriteExporter) => "prometheusremotewrite",
            "github.com/open-telemetry/opentelemetry-collector-contrib/exporter/prometheusremotewriteexporter";
        Debug(DebugExporter) => "debug", "go.opentelemetry.io/collector/exporter/debugexporter";
    }
);

components!(
    /// Services beside the pipelines.
    Extension {
        HealthCheck(HealthCheck) => "health_check",
            "github.com/open-telemetry/opentelemetry-collector-contrib/extension/healthcheckextension";
    }
);

/// A server socket, `host:port`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub(crate) struct ServerEndpoint {
    pub endpoint: String,
}

impl ServerEndpoint {
    /// Listens on every interface: the collector's default, `localhost`, is unreachable from
    /// other pods.
    pub(crate) fn all_interfaces(port: u16) -> Self {
        ServerEndpoint { endpoint: format!("0.0.0.0:{port}") }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub(crate) struct OtlpReceiver {
    pub protocols: OtlpProtocols,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub(crate) struct OtlpProtocols {
    pub grpc: ServerEndpoint,
    pub http: ServerEndpoint,
}

/// Refuses data before the process outgrows its memory: the hard limit is `limit_mib`, and
/// the collector starts refusing at `limit_mib - spike_limit_mib`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub(crate) struct MemoryLimiter {
    pub check_interval: String,
    pub limit_mib: u64,
    pub spike_limit_mib: u64,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub(crate) struct Batch {
    pub send_batch_size: u32,
    pub send_batch_max_size: u32,
    pub timeout: String,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub(crate) struct OtlpGrpcExporter {
    /// `host:port`, as gRPC dials it.
    pub endpoint: String,
    pub tls: ClientTls,
    pub sending_queue: SendingQueue,
}

/// The exporter's queue (exporterhelper), with its batcher.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub(crate) struct SendingQueue {
    pub batch: QueueBatch,
}

/// The queue's batcher: requests are merged up to `min_size` and split at `max_size`,
/// measured by `sizer`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub(crate) struct QueueBatch {
    /// `bytes`: the serialized size, which is what a gRPC server limits.
    pub sizer: &'static str,
    pub min_size: u64,
    pub max_size: u64,
    pub flush_timeout: String,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub(crate) struct ClientTls {
    /// Plain text inside the cluster, where the backends do not serve TLS.
    pub insecure: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub(crate) struct OtlpHttpExporter {
    /// The base URL; the exporter appends `/v1/logs` (and the other signals' paths).
    pub endpoint: String,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub(crate) struct RemoteWriteExporter {
    /// Tells this exporter apart where there is one per replica; not part of its config.
    #[serde(skip)]
    pub name: Option<String>,
    /// The full remote-write URL.
    pub endpoint: String,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub(crate) struct DebugExporter {
    pub verbosity: &'static str,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub(crate) struct HealthCheck {
    pub endpoint: String,
    pub path: &'static str,
}

/// One signal's path through the collector.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Pipeline {
    pub signal: Signal,
    pub receivers: Vec<Receiver>,
    /// Applied in this order.
    pub processors: Vec<Processor>,
    pub exporters: Vec<Exporter>,
}

/// Every pipeline and extension of the collector, plus the port of its own metrics.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Model {
    pub extensions: Vec<Extension>,
    pub pipelines: Vec<Pipeline>,
    pub metrics_port: u16,
}

impl Model {
    /// The pipeline of `signal`, to add or remove components.
    #[cfg(test)]
    pub(crate) fn pipeline_mut(&mut self, signal: Signal) -> Option<&mut Pipeline> {
        self.pipelines.iter_mut().find(|p| p.signal == signal)
    }

    pub(crate) fn receivers(&self) -> impl Iterator<Item = &Receiver> {
        self.pipelines.iter().flat_map(|p| &p.receivers)
    }
    pub(crate) fn processors(&self) -> impl Iterator<Item = &Processor> {
        self.pipelines.iter().flat_map(|p| &p.processors)
    }
    pub(crate) fn exporters(&self) -> impl Iterator<Item = &Exporter> {
        self.pipelines.iter().flat_map(|p| &p.exporters)
    }
}
