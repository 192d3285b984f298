//! The metrics stack's own platform alerts: scrape targets down, Prometheus' remote-write
//! receiver, rules, notifications and storage, crash-looping pods and full node disks. Every
//! other component hands over its own alerts through the context.
//!
//! Expressions match on metric names, not on the job names other components choose, so they
//! hold whatever those components' monitors are called.

use super::kubernetes::{RuleSet, platform_docs};
use super::resolved::Resolved;
use super::rules::{Alert, Group, Severity};
use super::server::{self, RETENTION_PERCENT};
use crate::contract::ScrapeJob;

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

/// The groups this component hands to the context, with their runbooks and tests: all but
/// the availability group, which needs every component's scrape jobs.
pub(crate) fn rule_sets(r: &Resolved) -> Vec<RuleSet> {
    platform_docs::from_groups(&groups(r))
}

/// The availability group over `jobs`, every scrape job the context collected, each of
/// which must always be discovered; with its runbooks and tests.
pub(crate) fn availability_set(jobs: &[ScrapeJob]) -> RuleSet {
    let pairs: Vec<(String, String)> = jobs.iter().map(|j| (j.job.clone(), j.namespace.clone())).collect();
    platform_docs::availability(&availability(&pairs), jobs)
}

/// The groups the metrics stack ships of its own besides availability.
pub(crate) fn groups(r: &Resolved) -> Vec<Group> {
    let mut groups = vec![prometheus(r)];
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
            "{{ $value | humanizePercentage }} of remote-write requests to {{ $labels.pod }} failed over the last 5 minutes: samples from remote-write senders are being lost.",
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
