//! The platform's own alerts (`alerts.rs`) as rule sets with runbooks and unit tests, so
//! they get runbook links, pages and promtool cases like the Kubernetes families. Their
//! expressions are the ones rendered for a local environment with default options.

use super::builder::{AlertRule, RuleSet, Severity::*, alert};
use crate::contract::{EnvInfo, GitSource, ModuleError, Tier};
use crate::prometheus::options::Prometheus;
use crate::prometheus::rules::Group;
use crate::prometheus::{alerts, monitors};

/// Attaches texts, runbook and test of the platform alert `name` of `severity`.
fn document(a: AlertRule) -> AlertRule {
    const P: &[(&str, &str)] =
        &[("namespace", "observability"), ("job", "prometheus"), ("pod", "prometheus-platform-0")];
    match (a.name, a.severity) {
        ("TargetDown", Warning) => a
            .runbook("The target's metrics are missing, and alerts built on them cannot fire.", "Prometheus' Targets page shows the scrape error; `kubectl -n <namespace> get pods` shows whether the pod runs.", "Restart or repair the pod, or fix the monitor's port, path or credentials.")
            .test(&[(r#"up{job="loki", instance="10.0.0.7:3100", namespace="observability"}"#, "0", "1")], &[("job", "loki"), ("instance", "10.0.0.7:3100"), ("namespace", "observability")])
            .also_fires(Critical, &[("job", "loki"), ("namespace", "observability")]),
        ("TargetDown", Critical) => a
            .runbook("The component is down or unreachable: its function and its metrics are gone.", "`kubectl -n <namespace> get pods` for the job's pods and their events.", "Bring the component back; the Targets page confirms it is scraped again.")
            .test(&[(r#"up{job="loki", instance="10.0.0.7:3100", namespace="observability"}"#, "0", "1")], &[("job", "loki"), ("namespace", "observability")])
            .also_fires(Warning, &[("job", "loki"), ("instance", "10.0.0.7:3100"), ("namespace", "observability")]),
        ("ComponentNotScraped", _) => a
            .runbook("A platform component is invisible: neither its metrics nor TargetDown reach anyone.", "`kubectl -n <namespace> get servicemonitor,service,pods` for the component.", "Restore the monitor or Service (re-sync the Argo CD app), or fix the selector.")
            .test(
                &[
                    (r#"up{job="prometheus-operator", namespace="observability"}"#, "_", "1"),
                    (r#"up{job="prometheus", namespace="observability"}"#, "1", "1"),
                    (r#"up{job="alertmanager", namespace="observability"}"#, "1", "1"),
                    (r#"up{job="kube-state-metrics", namespace="observability"}"#, "1", "1"),
                    (r#"up{job="node-exporter", namespace="node-exporter"}"#, "1", "1"),
                ],
                &[("job", "prometheus-operator"), ("namespace", "observability")],
            ),
        ("PrometheusRemoteWriteReceiveErrors", _) => a
            .runbook("Samples pushed by the collector and Tempo's metrics generator are lost.", "Prometheus' logs for rejected writes (out-of-order samples, limits).", "Fix the sender's timestamps or labels, or raise the limit it hits.")
            .test(
                &[
                    (r#"prometheus_http_requests_total{namespace="observability", job="prometheus", pod="prometheus-platform-0", handler="/api/v1/write", code="500"}"#, "0+50", "0"),
                    (r#"prometheus_http_requests_total{namespace="observability", job="prometheus", pod="prometheus-platform-0", handler="/api/v1/write", code="204"}"#, "0+50", "0+100"),
                ],
                P,
            )
            .value("50%"),
        ("PrometheusRuleEvaluationFailures", _) => a
            .runbook("Alerts and records of that group are not evaluated.", "Status → Rules shows each failing rule and its error.", "Fix the rule's expression (often a many-to-many match) or the extra rule file it comes from.")
            .test(&[(r#"prometheus_rule_evaluation_failures_total{namespace="observability", job="prometheus", pod="prometheus-platform-0", rule_group="g"}"#, "0+1", "2")], &[("namespace", "observability"), ("job", "prometheus"), ("pod", "prometheus-platform-0"), ("rule_group", "g")]),
        ("PrometheusNotificationsFailing", _) => a
            .runbook("Alerts do not reach Alertmanager, so nobody is notified.", "Prometheus' logs; the Alertmanager pods' readiness.", "Restore Alertmanager or the network path to it.")
            .test(&[(r#"prometheus_notifications_errors_total{namespace="observability", job="prometheus", pod="prometheus-platform-0"}"#, "0+1", "2")], P),
        ("AlertmanagerNotificationsFailing", _) => a
            .runbook("Notifications through that integration are lost.", "Alertmanager's logs name the receiver's error.", "Fix the receiver's URL or key in its Secret, or the network path to the service.")
            .test(&[(r#"alertmanager_notifications_failed_total{namespace="observability", job="alertmanager", pod="alertmanager-platform-0", integration="slack"}"#, "0+1", "2")], &[("namespace", "observability"), ("job", "alertmanager"), ("pod", "alertmanager-platform-0"), ("integration", "slack")]),
        ("PrometheusStorageFilling", Warning) => a
            .runbook("Size-based retention will delete data younger than the configured retention.", "The Prometheus dashboard's storage panels; Status → TSDB for the largest series.", "Raise `volumeSize` (and the volume), lower `retention`, or drop high-cardinality series.")
            .test(storage_series("4294967296"), P)
            .value("80%"),
        ("PrometheusStorageFilling", Critical) => a
            .runbook("Writes fail once the volume is full: Prometheus stops ingesting.", "The volume's use; the write-ahead log's size.", "Grow the volume now, or lower the retention and restart.")
            .test(storage_series("5234491392"), P)
            .also_fires(Warning, P)
            .value("97.5%"),
        ("LokiRequestErrors", _) => a
            .runbook("Logs are not stored or cannot be queried.", "Loki's logs for the route; its storage (Garage) health.", "Fix the failing dependency, usually object storage or an overloaded component.")
            .test(&status_series("loki_request_duration_seconds_count", "loki"), &[("namespace", "observability"), ("job", "loki"), ("route", "push")])
            .value("50%"),
        ("LokiDiscardingSamples", _) => a
            .runbook("The discarded log lines are lost.", "The `reason` label: rate limits, line size, out-of-order or too-old entries.", "Raise the limit named by the reason, or fix the sender.")
            .test(&[(r#"loki_discarded_samples_total{namespace="observability", job="loki", reason="rate_limited"}"#, "0+1", "2")], &[("namespace", "observability"), ("job", "loki"), ("reason", "rate_limited")]),
        ("TempoRequestErrors", _) => a
            .runbook("Traces are not stored or cannot be queried.", "Tempo's logs for the route; its storage (Garage) health.", "Fix the failing dependency, usually object storage or an overloaded component.")
            .test(&status_series("tempo_request_duration_seconds_count", "tempo"), &[("namespace", "observability"), ("job", "tempo"), ("route", "push")])
            .value("50%"),
        ("TempoDiscardingSpans", _) => a
            .runbook("The discarded spans are lost; traces have gaps.", "The `reason` label: rate limits or trace size.", "Raise the limit named by the reason, or sample more at the source.")
            .test(&[(r#"tempo_discarded_spans_total{namespace="observability", job="tempo", reason="rate_limited"}"#, "0+1", "2")], &[("namespace", "observability"), ("job", "tempo"), ("reason", "rate_limited")]),
        ("CollectorRefusingData", _) => a
            .runbook("Senders retry or drop telemetry.", "The collector's logs; CollectorExportFailing and its memory use.", "Fix the export that backs up, or give the collector more memory.")
            .test(&[(r#"otelcol_receiver_refused_spans{namespace="observability", job="otel-collector", receiver="otlp"}"#, "0+1", "2")], &[("namespace", "observability"), ("job", "otel-collector"), ("receiver", "otlp")]),
        ("CollectorExportFailing", _) => a
            .runbook("Telemetry queues up and is lost once the queue is full.", "The collector's logs name the backend's error.", "Restore the backend (Loki, Tempo, Prometheus) or the collector's credentials for it.")
            .test(&[(r#"otelcol_exporter_send_failed_spans{namespace="observability", job="otel-collector", exporter="otlp/tempo"}"#, "0+1", "2")], &[("namespace", "observability"), ("job", "otel-collector"), ("exporter", "otlp/tempo")]),
        ("CollectorQueueSaturated", _) => a
            .runbook("When the queue is full, new telemetry is dropped.", "The backend's latency and errors.", "Fix the slow backend or enlarge the queue.")
            .test(
                &[
                    (r#"otelcol_exporter_queue_size{namespace="observability", job="otel-collector", exporter="otlp/tempo"}"#, "900", "10"),
                    (r#"otelcol_exporter_queue_capacity{namespace="observability", job="otel-collector", exporter="otlp/tempo"}"#, "1000", "1000"),
                ],
                &[("namespace", "observability"), ("job", "otel-collector"), ("exporter", "otlp/tempo")],
            )
            .value("90%"),
        ("GarageUnhealthy", Warning) => a
            .runbook("Data is less redundant until the node returns.", "`garage status` in a Garage pod.", "Bring the storage node back, or replace it in the layout.")
            .test(&[(r#"cluster_healthy{namespace="garage", job="garage"}"#, "0", "1")], &[("namespace", "garage"), ("job", "garage")]),
        ("GarageUnhealthy", Critical) => a
            .runbook("Loki and Tempo cannot read or write part of their data.", "`garage status` and `garage stats` in a Garage pod.", "Bring back enough storage nodes to restore quorum.")
            .test(&[(r#"cluster_healthy{namespace="garage", job="garage"}"#, "0", "1"), (r#"cluster_available{namespace="garage", job="garage"}"#, "0", "1")], &[("namespace", "garage"), ("job", "garage")])
            .also_fires(Warning, &[("namespace", "garage"), ("job", "garage")]),
        ("PodCrashLooping", _) => a
            .runbook("The container's work is not done; with one replica the workload is down.", "`kubectl -n <namespace> logs --previous <pod> -c <container>` and `describe pod`.", "Fix the crash the logs show: configuration, a missing dependency, or the memory limit.")
            .test(&[(r#"kube_pod_container_status_waiting_reason{namespace="shop", pod="web-1", container="app", reason="CrashLoopBackOff"}"#, "1", "0")], &[("namespace", "shop"), ("pod", "web-1"), ("container", "app"), ("reason", "CrashLoopBackOff")]),
        ("NodeFilesystemAlmostFull", _) => a
            .runbook("The node's disk fills; the kubelet will evict pods.", "`df -h` and `du` on the node.", "Free space or grow the disk; see NodeFilesystemSpaceFillingUp.")
            .test(
                &[
                    (r#"node_filesystem_avail_bytes{instance="a", device="/dev/sda1", fstype="ext4", mountpoint="/"}"#, "500", "5000"),
                    (r#"node_filesystem_size_bytes{instance="a", device="/dev/sda1", fstype="ext4", mountpoint="/"}"#, "10000", "10000"),
                ],
                &[("instance", "a"), ("device", "/dev/sda1"), ("fstype", "ext4"), ("mountpoint", "/")],
            )
            .value("5%"),
        _ => a,
    }
}

fn storage_series(blocks: &'static str) -> &'static [(&'static str, &'static str, &'static str)] {
    match blocks {
        "4294967296" => &[
            (
                r#"prometheus_tsdb_storage_blocks_bytes{namespace="observability", job="prometheus", pod="prometheus-platform-0"}"#,
                "4294967296",
                "1000",
            ),
            (
                r#"prometheus_tsdb_wal_storage_size_bytes{namespace="observability", job="prometheus", pod="prometheus-platform-0"}"#,
                "0",
                "0",
            ),
            (
                r#"prometheus_tsdb_head_chunks_storage_size_bytes{namespace="observability", job="prometheus", pod="prometheus-platform-0"}"#,
                "0",
                "0",
            ),
        ],
        _ => &[
            (
                r#"prometheus_tsdb_storage_blocks_bytes{namespace="observability", job="prometheus", pod="prometheus-platform-0"}"#,
                "5234491392",
                "1000",
            ),
            (
                r#"prometheus_tsdb_wal_storage_size_bytes{namespace="observability", job="prometheus", pod="prometheus-platform-0"}"#,
                "0",
                "0",
            ),
            (
                r#"prometheus_tsdb_head_chunks_storage_size_bytes{namespace="observability", job="prometheus", pod="prometheus-platform-0"}"#,
                "0",
                "0",
            ),
        ],
    }
}

/// Half of `metric`'s requests fail (firing), none do (healthy).
fn status_series(metric: &str, job: &str) -> Vec<(String, &'static str, &'static str)> {
    let s = |code: &str| {
        format!(r#"{metric}{{namespace="observability", job="{job}", route="push", status_code="{code}"}}"#)
    };
    vec![(s("500"), "0+10", "0"), (s("200"), "0+10", "0+20")]
}

/// The platform groups as rendered for a local environment with default options.
pub(crate) fn platform_sets() -> Result<Vec<RuleSet>, ModuleError> {
    let env = EnvInfo {
        name: "local".into(),
        tier: Tier::Local,
        namespace: "observability".into(),
        dashboards: Default::default(),
        git: GitSource {
            repo_url: "https://git.example.com/platform/observability.git".into(),
            revision: "main".into(),
        },
        rule_files: Default::default(),
    };
    let r = Prometheus::default().resolve(&env)?;
    Ok(from_groups(&alerts::groups(&r, &monitors::jobs(&r))))
}

/// The platform groups with their runbooks and tests attached.
pub(crate) fn from_groups(groups: &[Group]) -> Vec<RuleSet> {
    groups
        .iter()
        .map(|g| RuleSet {
            name: g.name,
            records: vec![],
            alerts: g
                .alerts
                .iter()
                .map(|a| document(alert(a.name, a.severity, a.for_, a.expr.clone()).about(&a.summary, &a.description)))
                .collect(),
        })
        .collect()
}
