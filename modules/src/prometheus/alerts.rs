//! The platform's own alerts: components down, Loki and Tempo errors, the collector refusing
//! or failing to export, Prometheus' remote-write receiver and storage, Garage's health.
//!
//! Expressions match on metric names, not on the job names other components choose, so they
//! hold whatever those components' monitors are called; a component that is not deployed
//! simply produces no series.

use super::resolved::Resolved;
use super::rules::{Alert, Group, Severity};
use super::server::{self, RETENTION_PERCENT};

fn alert(
    name: &'static str,
    severity: Severity,
    for_: &'static str,
    expr: String,
    summary: &str,
    description: &str,
) -> Alert {
    Alert { name, expr, for_, severity, summary: summary.into(), description: description.into() }
}

/// Every group the platform ships. `jobs` are the stack's own scrape jobs and their
/// namespaces, each of which must always be discovered.
pub(crate) fn groups(r: &Resolved, jobs: &[(String, String)]) -> Vec<Group> {
    let mut groups = vec![availability(jobs), prometheus(r), logs_and_traces(), collector(), garage()];
    if r.kube_state_metrics.is_some() {
        groups.push(workloads());
    }
    if r.node_exporter.is_some() {
        groups.push(nodes());
    }
    groups
}

fn availability(jobs: &[(String, String)]) -> Group {
    let mut alerts = vec![
        alert(
            "TargetDown",
            Severity::Warning,
            "10m",
            "up == 0".into(),
            "A scrape target is down",
            "{{ $labels.job }} target {{ $labels.instance }} in {{ $labels.namespace }} has not answered scrapes for 10 minutes.",
        ),
        alert(
            "TargetDown",
            Severity::Critical,
            "5m",
            "sum by (namespace, job) (up) == 0".into(),
            "Every target of a job is down",
            "No target of {{ $labels.job }} in {{ $labels.namespace }} has answered scrapes for 5 minutes.",
        ),
    ];
    // `up` is absent, rather than 0, when a job is no longer discovered at all (its monitor
    // or Service deleted, a selector broken): the stack's own jobs must always be there.
    if !jobs.is_empty() {
        let absent: Vec<String> =
            jobs.iter().map(|(job, ns)| format!("absent(up{{job=\"{job}\", namespace=\"{ns}\"}})")).collect();
        alerts.push(alert(
            "ComponentNotScraped",
            Severity::Critical,
            "10m",
            absent.join(" or "),
            "A platform component is not scraped at all",
            "Prometheus has no target for {{ $labels.job }} in {{ $labels.namespace }}: its monitor, Service or pods are gone.",
        ));
    }
    Group { name: "platform-availability", alerts }
}

fn prometheus(r: &Resolved) -> Group {
    let mut alerts = vec![
        alert(
            "PrometheusRemoteWriteReceiveErrors",
            Severity::Warning,
            "15m",
            "sum by (namespace, job, pod) (rate(prometheus_http_requests_total{handler=\"/api/v1/write\", code!~\"2..\"}[5m])) / sum by (namespace, job, pod) (rate(prometheus_http_requests_total{handler=\"/api/v1/write\"}[5m])) > 0.01".into(),
            "Prometheus refuses remote-write requests",
            "{{ $value | humanizePercentage }} of remote-write requests to {{ $labels.pod }} failed over the last 5 minutes: samples from the collector or Tempo's metrics generator are being lost.",
        ),
        alert(
            "PrometheusRuleEvaluationFailures",
            Severity::Warning,
            "15m",
            "sum by (namespace, job, pod, rule_group) (increase(prometheus_rule_evaluation_failures_total[5m])) > 0".into(),
            "Prometheus fails to evaluate rules",
            "{{ $labels.pod }} failed to evaluate rules of group {{ $labels.rule_group }}: alerts of that group may not fire.",
        ),
        alert(
            "PrometheusNotificationsFailing",
            Severity::Critical,
            "15m",
            "sum by (namespace, job, pod) (rate(prometheus_notifications_errors_total[5m])) > 0".into(),
            "Prometheus cannot send alerts to Alertmanager",
            "{{ $labels.pod }} fails to deliver alerts to Alertmanager.",
        ),
        alert(
            "AlertmanagerNotificationsFailing",
            Severity::Critical,
            "15m",
            "sum by (namespace, job, pod, integration) (rate(alertmanager_notifications_failed_total[5m])) > 0".into(),
            "Alertmanager cannot deliver notifications",
            "{{ $labels.pod }} fails to deliver notifications through {{ $labels.integration }}: check the receiver Secret and its URLs.",
        ),
    ];
    // The volume size is known here, so the alerts compare against it rather than a guess.
    let volume = r.server.volume_size.bytes();
    let job = server::SERVICE;
    let used = format!(
        "(prometheus_tsdb_storage_blocks_bytes{{job=\"{job}\"}} + prometheus_tsdb_wal_storage_size_bytes{{job=\"{job}\"}} + prometheus_tsdb_head_chunks_storage_size_bytes{{job=\"{job}\"}})"
    );
    let size = &r.server.volume_size;
    alerts.push(alert(
        "PrometheusStorageFilling",
        Severity::Warning,
        "30m",
        // Just below the share at which size-based retention starts deleting blocks.
        format!("{used} / {volume} > 0.{}", RETENTION_PERCENT - 5),
        "Prometheus storage is nearly at its size-based retention",
        &format!("{{{{ $labels.pod }}}} uses {{{{ $value | humanizePercentage }}}} of its {size} volume: the oldest data will be dropped before the configured retention ends. Raise volumeSize or lower retention."),
    ));
    alerts.push(alert(
        "PrometheusStorageFilling",
        Severity::Critical,
        "10m",
        format!("{used} / {volume} > 0.95"),
        "Prometheus storage is about to run out",
        &format!("{{{{ $labels.pod }}}} uses {{{{ $value | humanizePercentage }}}} of its {size} volume: writes will fail when it is full."),
    ));
    Group { name: "platform-prometheus", alerts }
}

fn logs_and_traces() -> Group {
    let errors = |metric: &str| {
        format!(
            "sum by (namespace, job, route) (rate({metric}{{status_code=~\"5..\"}}[5m])) / sum by (namespace, job, route) (rate({metric}[5m])) > 0.05"
        )
    };
    Group {
        name: "platform-logs-traces",
        alerts: vec![
            alert(
                "LokiRequestErrors",
                Severity::Critical,
                "15m",
                errors("loki_request_duration_seconds_count"),
                "Loki answers requests with errors",
                "{{ $value | humanizePercentage }} of requests to {{ $labels.job }} on {{ $labels.route }} fail: log ingestion or queries are broken.",
            ),
            alert(
                "LokiDiscardingSamples",
                Severity::Warning,
                "15m",
                "sum by (namespace, job, reason) (rate(loki_discarded_samples_total[5m])) > 0".into(),
                "Loki discards log lines",
                "{{ $labels.job }} discards log lines ({{ $labels.reason }}): they are lost.",
            ),
            alert(
                "TempoRequestErrors",
                Severity::Critical,
                "15m",
                errors("tempo_request_duration_seconds_count"),
                "Tempo answers requests with errors",
                "{{ $value | humanizePercentage }} of requests to {{ $labels.job }} on {{ $labels.route }} fail: trace ingestion or queries are broken.",
            ),
            alert(
                "TempoDiscardingSpans",
                Severity::Warning,
                "15m",
                "sum by (namespace, job, reason) (rate(tempo_discarded_spans_total[5m])) > 0".into(),
                "Tempo discards spans",
                "{{ $labels.job }} discards spans ({{ $labels.reason }}): they are lost.",
            ),
        ],
    }
}

fn collector() -> Group {
    Group {
        name: "platform-collector",
        alerts: vec![
            alert(
                "CollectorRefusingData",
                Severity::Warning,
                "10m",
                "sum by (namespace, job, receiver) (rate({__name__=~\"otelcol_receiver_refused_(spans|metric_points|log_records)\"}[5m])) > 0".into(),
                "The collector refuses telemetry",
                "Receiver {{ $labels.receiver }} of {{ $labels.job }} refuses data: senders are being pushed back, usually because exports are failing or the memory limit is reached.",
            ),
            alert(
                "CollectorExportFailing",
                Severity::Critical,
                "10m",
                "sum by (namespace, job, exporter) (rate({__name__=~\"otelcol_exporter_send_failed_(spans|metric_points|log_records)\"}[5m])) > 0".into(),
                "The collector fails to export telemetry",
                "Exporter {{ $labels.exporter }} of {{ $labels.job }} fails to send data to its backend: it is lost once the queue is full.",
            ),
            alert(
                "CollectorQueueSaturated",
                Severity::Warning,
                "10m",
                "max by (namespace, job, exporter) (otelcol_exporter_queue_size / otelcol_exporter_queue_capacity) > 0.8".into(),
                "The collector's export queue is nearly full",
                "The queue of exporter {{ $labels.exporter }} of {{ $labels.job }} is {{ $value | humanizePercentage }} full: the backend is slow or unreachable.",
            ),
        ],
    }
}

fn garage() -> Group {
    Group {
        name: "platform-storage",
        alerts: vec![
            alert(
                "GarageUnhealthy",
                Severity::Warning,
                "10m",
                "min by (namespace, job) (cluster_healthy) == 0".into(),
                "Garage has disconnected storage nodes",
                "Not every storage node of {{ $labels.job }} in {{ $labels.namespace }} is connected: data is less redundant until it returns.",
            ),
            alert(
                "GarageUnhealthy",
                Severity::Critical,
                "5m",
                "min by (namespace, job) (cluster_available) == 0".into(),
                "Garage cannot serve every request",
                "{{ $labels.job }} has lost quorum for some partitions: Loki and Tempo cannot read or write all their data.",
            ),
        ],
    }
}

fn workloads() -> Group {
    Group {
        name: "platform-workloads",
        alerts: vec![alert(
            "PodCrashLooping",
            Severity::Warning,
            "15m",
            "max_over_time(kube_pod_container_status_waiting_reason{reason=\"CrashLoopBackOff\"}[5m]) >= 1".into(),
            "A container is crash-looping",
            "Container {{ $labels.container }} of {{ $labels.namespace }}/{{ $labels.pod }} keeps restarting.",
        )],
    }
}

fn nodes() -> Group {
    Group {
        name: "platform-nodes",
        alerts: vec![alert(
            "NodeFilesystemAlmostFull",
            Severity::Warning,
            "30m",
            "node_filesystem_avail_bytes{fstype!~\"tmpfs|overlay|squashfs\"} / node_filesystem_size_bytes{fstype!~\"tmpfs|overlay|squashfs\"} < 0.1".into(),
            "A node's filesystem is almost full",
            "{{ $labels.mountpoint }} on {{ $labels.instance }} has {{ $value | humanizePercentage }} space left.",
        )],
    }
}
