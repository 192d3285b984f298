//! The collector's alerts, with their runbooks and unit tests: receivers refusing data,
//! exports failing, queues filling. Handed to the context; the metrics component loads them.

use crate::contract::alerts::{RuleSet, Severity::*, alert};

/// The rule group of the collector's alerts.
pub(crate) fn rule_set() -> RuleSet {
    const NS: (&str, &str) = ("namespace", "observability");
    const JOB: (&str, &str) = ("job", "otel-collector");
    RuleSet {
        name: "platform-collector",
        records: vec![],
        alerts: vec![
            alert("CollectorRefusingData", Warning, "10m", "sum by (namespace, job, receiver) (rate({__name__=~\"otelcol_receiver_refused_(spans|metric_points|log_records)\"}[5m])) > 0")
                .about("The collector refuses telemetry", "Receiver {{ $labels.receiver }} of {{ $labels.job }} refuses data: senders are being pushed back, usually because exports are failing or the memory limit is reached.")
                .runbook("Senders retry or drop telemetry.", "The collector's logs; CollectorExportFailing and its memory use.", "Fix the export that backs up, or give the collector more memory.")
                .test(&[(r#"otelcol_receiver_refused_spans{namespace="observability", job="otel-collector", receiver="otlp"}"#, "0+1", "2")], &[NS, JOB, ("receiver", "otlp")]),
            alert("CollectorExportFailing", Critical, "10m", "sum by (namespace, job, exporter) (rate({__name__=~\"otelcol_exporter_send_failed_(spans|metric_points|log_records)\"}[5m])) > 0")
                .about("The collector fails to export telemetry", "Exporter {{ $labels.exporter }} of {{ $labels.job }} fails to send data to its backend: it is lost once the queue is full.")
                .runbook("Telemetry queues up and is lost once the queue is full.", "The collector's logs name the backend's error.", "Restore the backend (Loki, Tempo, Prometheus) or the collector's credentials for it.")
                .test(&[(r#"otelcol_exporter_send_failed_spans{namespace="observability", job="otel-collector", exporter="otlp/tempo"}"#, "0+1", "2")], &[NS, JOB, ("exporter", "otlp/tempo")]),
            alert("CollectorQueueSaturated", Warning, "10m", "max by (namespace, job, exporter) (otelcol_exporter_queue_size / otelcol_exporter_queue_capacity) > 0.8")
                .about("The collector's export queue is nearly full", "The queue of exporter {{ $labels.exporter }} of {{ $labels.job }} is {{ $value | humanizePercentage }} full: the backend is slow or unreachable.")
                .runbook("When the queue is full, new telemetry is dropped.", "The backend's latency and errors.", "Fix the slow backend or enlarge the queue.")
                .test(
                    &[
                        (r#"otelcol_exporter_queue_size{namespace="observability", job="otel-collector", exporter="otlp/tempo"}"#, "900", "10"),
                        (r#"otelcol_exporter_queue_capacity{namespace="observability", job="otel-collector", exporter="otlp/tempo"}"#, "1000", "1000"),
                    ],
                    &[NS, JOB, ("exporter", "otlp/tempo")],
                )
                .value("90%"),
        ],
    }
}
