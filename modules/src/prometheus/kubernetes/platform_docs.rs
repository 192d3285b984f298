//! The metrics stack's own platform alerts (`alerts.rs`) as rule sets with runbooks and unit
//! tests, so they get runbook links, pages and promtool cases like the Kubernetes families
//! and the alerts other components hand over.

use crate::contract::ScrapeJob;
use crate::contract::alerts::Series;
use crate::contract::alerts::{AlertRule, RuleSet, Severity::*, alert};
use crate::prometheus::rules::Group;

/// Attaches texts, runbook and test of the platform alert `name` of `severity`.
fn document(a: AlertRule) -> AlertRule {
    const P: &[(&str, &str)] =
        &[("namespace", "observability"), ("job", "prometheus"), ("pod", "prometheus-platform-0")];
    match (a.name, a.severity) {
        ("TargetDown", Warning) => a
            .runbook("The target's metrics are missing, and alerts built on them cannot fire.", "Prometheus' Targets page shows the scrape error; `kubectl -n <namespace> get pods` shows whether the pod runs.", "Restart or repair the pod, or fix the monitor's port, path or credentials.")
            .test(&[(r#"up{job="checkout", instance="10.0.0.7:3100", namespace="observability"}"#, "0", "1")], &[("job", "checkout"), ("instance", "10.0.0.7:3100"), ("namespace", "observability")])
            .also_fires(Critical, &[("job", "checkout"), ("namespace", "observability")]),
        ("TargetDown", Critical) => a
            .runbook("The component is down or unreachable: its function and its metrics are gone.", "`kubectl -n <namespace> get pods` for the job's pods and their events.", "Bring the component back; the Targets page confirms it is scraped again.")
            .test(&[(r#"up{job="checkout", instance="10.0.0.7:3100", namespace="observability"}"#, "0", "1")], &[("job", "checkout"), ("namespace", "observability")])
            .also_fires(Warning, &[("job", "checkout"), ("instance", "10.0.0.7:3100"), ("namespace", "observability")]),
        ("ComponentNotScraped", _) => a
            .runbook("A platform component is invisible: neither its metrics nor TargetDown reach anyone.", "`kubectl -n <namespace> get servicemonitor,service,pods` for the component.", "Restore the monitor or Service (re-sync the Argo CD app), or fix the selector."),
        ("PrometheusRemoteWriteReceiveErrors", _) => a
            .runbook("Samples pushed by remote-write senders are lost.", "Prometheus' logs for rejected writes (out-of-order samples, limits).", "Fix the sender's timestamps or labels, or raise the limit it hits.")
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

/// The availability group with its runbooks and tests; `jobs` are the scrape jobs
/// ComponentNotScraped watches. Its test leaves the first job undiscovered and every other
/// one scraped.
pub(crate) fn availability(group: &Group, jobs: &[ScrapeJob]) -> RuleSet {
    let mut set = from_groups(std::slice::from_ref(group)).remove(0);
    for a in set.alerts.iter_mut().filter(|a| a.name == "ComponentNotScraped") {
        a.case.series = jobs
            .iter()
            .enumerate()
            .map(|(i, j)| Series {
                selector: format!(r#"up{{job="{}", namespace="{}"}}"#, j.job, j.namespace),
                firing: if i == 0 { "_" } else { "1" }.into(),
                healthy: "1".into(),
            })
            .collect();
        a.case.fires = jobs
            .first()
            .map(|j| vec![(a.severity, vec![("job", j.job.clone()), ("namespace", j.namespace.clone())])])
            .unwrap_or_default();
    }
    set
}
