//! The platform's pipelines: every signal arrives over OTLP, passes the memory limiter and
//! the batcher, and leaves for its backend, found through the context.

use crate::contract::{Context, Link, ModuleError};

use super::pipeline::{
    Batch, ClientTls, DebugExporter, Exporter, Extension, HealthCheck, MemoryLimiter, Model, OtlpGrpcExporter,
    OtlpHttpExporter, OtlpProtocols, OtlpReceiver, Pipeline, Processor, QueueBatch, Receiver, RemoteWriteExporter,
    SendingQueue, ServerEndpoint, Signal,
};
use super::resolved::Resolved;
use super::{HEALTH_PORT, METRICS_PORT, OTLP_GRPC_PORT, OTLP_HTTP_PORT};

/// The largest traces request sent to Tempo, in bytes: 8 MiB, half of the 16 MiB its OTLP
/// gRPC receivers accept (tempo/config.rs), so that no batch is refused there. The batch
/// processor counts spans; a span's size varies a hundredfold with its attributes and
/// events, so only a limit in bytes bounds the message.
pub(crate) const TRACES_MAX_REQUEST_BYTES: u64 = 8 * 1024 * 1024;

/// The path the health check answers on, for the probes.
pub(crate) const HEALTH_PATH: &str = "/";

/// Where each signal goes.
pub(crate) struct Targets {
    /// Tempo's OTLP gRPC receiver, `host:port`.
    pub traces: String,
    /// The remote-write URL of every replica of the metrics store: each gets every sample.
    pub metrics: Vec<String>,
    /// Loki's OTLP base URL.
    pub logs: String,
}

impl Targets {
    /// The backends' endpoints; a disabled backend is a missing-link error naming `consumer`.
    pub(crate) fn from_context(ctx: &Context, consumer: &'static str) -> Result<Self, ModuleError> {
        Ok(Targets {
            traces: ctx.url(Link::TracesOtlpGrpc, consumer)?.to_owned(),
            metrics: ctx.urls(Link::MetricsRemoteWrite, consumer)?.to_vec(),
            logs: ctx.url(Link::LogsOtlpHttp, consumer)?.to_owned(),
        })
    }
}

/// The collector's model for these options and backends.
pub(crate) fn model(r: &Resolved, targets: &Targets) -> Model {
    let receiver = Receiver::Otlp(OtlpReceiver {
        protocols: OtlpProtocols {
            grpc: ServerEndpoint::all_interfaces(OTLP_GRPC_PORT),
            http: ServerEndpoint::all_interfaces(OTLP_HTTP_PORT),
        },
    });
    // The limiter comes first so that data is refused before anything else holds it.
    let processors = vec![
        Processor::MemoryLimiter(MemoryLimiter {
            check_interval: "1s".into(),
            limit_mib: r.memory_limit_mib,
            spike_limit_mib: r.memory_limit_mib / 4,
        }),
        Processor::Batch(Batch {
            send_batch_size: r.batch_size,
            send_batch_max_size: r.batch_size.saturating_mul(2),
            timeout: r.batch_timeout.clone(),
        }),
    ];
    let pipeline = |signal: Signal, mut exporters: Vec<Exporter>| {
        if r.debug {
            exporters.push(Exporter::Debug(DebugExporter { verbosity: "basic" }));
        }
        Pipeline { signal, receivers: vec![receiver.clone()], processors: processors.clone(), exporters }
    };
    Model {
        extensions: vec![Extension::HealthCheck(HealthCheck {
            endpoint: format!("0.0.0.0:{HEALTH_PORT}"),
            path: HEALTH_PATH,
        })],
        pipelines: vec![
            pipeline(
                Signal::Traces,
                vec![Exporter::OtlpGrpc(OtlpGrpcExporter {
                    endpoint: targets.traces.clone(),
                    tls: ClientTls { insecure: true },
                    // Splits only: with no minimum, each batch from the batch processor
                    // leaves at once, in pieces of at most the maximum.
                    sending_queue: SendingQueue {
                        batch: QueueBatch {
                            sizer: "bytes",
                            min_size: 0,
                            max_size: TRACES_MAX_REQUEST_BYTES,
                            flush_timeout: "200ms".into(),
                        },
                    },
                })],
            ),
            pipeline(Signal::Metrics, remote_write(&targets.metrics)),
            pipeline(Signal::Logs, vec![Exporter::OtlpHttp(OtlpHttpExporter { endpoint: targets.logs.clone() })]),
        ],
        metrics_port: METRICS_PORT,
    }
}

/// One remote-write exporter per URL: the exporter takes a single endpoint, and every replica
/// must receive every sample. A lone URL keeps the plain id; several are numbered in order.
fn remote_write(urls: &[String]) -> Vec<Exporter> {
    urls.iter()
        .enumerate()
        .map(|(i, url)| {
            Exporter::PrometheusRemoteWrite(RemoteWriteExporter {
                name: (urls.len() > 1).then(|| i.to_string()),
                endpoint: url.clone(),
            })
        })
        .collect()
}
