//! Prometheus itself: configuration, discovery, notifications, storage, remote write, rule
//! evaluation and scrape limits. The platform group already pages on failed notifications,
//! rule evaluation failures and remote-write receive errors; these complete the picture.

use crate::contract::alerts::{RuleSet, Severity::*, alert};

const P: &[(&str, &str)] = &[("namespace", "observability"), ("pod", "prometheus-platform-0")];

pub(crate) fn prometheus_server() -> RuleSet {
    RuleSet {
        name: "prometheus",
        records: vec![],
        alerts: vec![
            alert("PrometheusBadConfig", Critical, "10m", "max_over_time(prometheus_config_last_reload_successful[5m]) == 0")
                .about("Prometheus cannot load its configuration", "Prometheus {{ $labels.namespace }}/{{ $labels.pod }} failed to reload its configuration and runs on the previous one.")
                .runbook("New monitors and rules are not picked up; a restart would fail to start.", "The pod's logs (`kubectl logs -c prometheus`) name the broken setting; the operator's logs show what it generated.", "Fix or delete the ServiceMonitor, rule or option that produced the bad configuration.")
                .test(&[(r#"prometheus_config_last_reload_successful{namespace="observability", pod="prometheus-platform-0"}"#, "0", "1")], P),
            alert("PrometheusSDRefreshFailure", Warning, "20m", "increase(prometheus_sd_refresh_failures_total[10m]) > 0")
                .about("Prometheus fails to refresh service discovery", "Prometheus {{ $labels.namespace }}/{{ $labels.pod }} fails to refresh targets of {{ $labels.mechanism }} discovery.")
                .runbook("Target lists go stale: new pods are not scraped, gone ones stay.", "The pod's logs for discovery errors.", "Fix the discovery's access (RBAC, network) to its source.")
                .test(&[(r#"prometheus_sd_refresh_failures_total{namespace="observability", pod="prometheus-platform-0", mechanism="http"}"#, "0+1", "3")], &[("namespace", "observability"), ("pod", "prometheus-platform-0"), ("mechanism", "http")]),
            alert("PrometheusKubernetesListWatchFailures", Warning, "15m", "increase(prometheus_sd_kubernetes_failures_total[5m]) > 0")
                .about("Prometheus fails to list or watch Kubernetes objects", "Kubernetes discovery of Prometheus {{ $labels.namespace }}/{{ $labels.pod }} fails to list or watch objects.")
                .runbook("Targets are not discovered or not removed.", "The pod's logs: usually an RBAC refusal for a namespace or resource.", "Grant Prometheus' ClusterRole the missing list/watch permission.")
                .test(&[(r#"prometheus_sd_kubernetes_failures_total{namespace="observability", pod="prometheus-platform-0"}"#, "0+1", "3")], P),
            alert("PrometheusNotificationQueueRunningFull", Warning, "15m", "predict_linear(prometheus_notifications_queue_length[5m], 60 * 30) > min_over_time(prometheus_notifications_queue_capacity[5m])")
                .about("Prometheus' alert queue is filling", "The notification queue of Prometheus {{ $labels.namespace }}/{{ $labels.pod }} will be full within 30 minutes.")
                .runbook("Alerts will be dropped before they reach Alertmanager.", "Alertmanager's health and latency; the Prometheus dashboard's notification panels.", "Fix or scale Alertmanager; look for an alert storm.")
                .test(&[(r#"prometheus_notifications_queue_length{namespace="observability", pod="prometheus-platform-0"}"#, "0+100", "0"), (r#"prometheus_notifications_queue_capacity{namespace="observability", pod="prometheus-platform-0"}"#, "10000", "10000")], P),
            alert("PrometheusErrorSendingAlertsToSomeAlertmanagers", Warning, "15m", "rate(prometheus_notifications_errors_total[5m]) / rate(prometheus_notifications_sent_total[5m]) > 0.01")
                .about("Prometheus fails to send alerts to an Alertmanager", "Prometheus {{ $labels.namespace }}/{{ $labels.pod }} fails to send more than 1% of alerts to {{ $labels.alertmanager }}.")
                .runbook("That Alertmanager misses alerts; with gossip the others usually still notify.", "That Alertmanager pod's health and logs.", "Restart or repair the failing Alertmanager replica.")
                .test(&[(r#"prometheus_notifications_errors_total{namespace="observability", pod="prometheus-platform-0", alertmanager="http://10.0.0.9:9093/api/v2/alerts"}"#, "0+5", "0"), (r#"prometheus_notifications_sent_total{namespace="observability", pod="prometheus-platform-0", alertmanager="http://10.0.0.9:9093/api/v2/alerts"}"#, "0+100", "0+100")], &[("namespace", "observability"), ("pod", "prometheus-platform-0"), ("alertmanager", "http://10.0.0.9:9093/api/v2/alerts")]),
            alert("PrometheusNotConnectedToAlertmanagers", Warning, "10m", "max_over_time(prometheus_notifications_alertmanagers_discovered[5m]) < 1")
                .about("Prometheus knows no Alertmanager", "Prometheus {{ $labels.namespace }}/{{ $labels.pod }} has discovered no Alertmanager to send alerts to.")
                .runbook("No alert is delivered at all.", "Prometheus' Status → Runtime page; the `alertmanager` Service's endpoints.", "Make the Alertmanager pods ready, or fix the `alerting` section of the Prometheus resource.")
                .test(&[(r#"prometheus_notifications_alertmanagers_discovered{namespace="observability", pod="prometheus-platform-0"}"#, "0", "1")], P),
            alert("PrometheusTSDBReloadsFailing", Warning, "30m", "increase(prometheus_tsdb_reloads_failures_total[1h]) > 0")
                .about("Prometheus fails to reload its blocks", "Prometheus {{ $labels.namespace }}/{{ $labels.pod }} failed to reload data blocks from disk.")
                .runbook("Recent data may be missing from queries; the storage may be damaged.", "The pod's logs for the failing block.", "Delete the damaged block directory from the volume and restart the pod.")
                .test(&[(r#"prometheus_tsdb_reloads_failures_total{namespace="observability", pod="prometheus-platform-0"}"#, "0+1", "2")], P),
            alert("PrometheusTSDBCompactionsFailing", Warning, "30m", "increase(prometheus_tsdb_compactions_failed_total[1h]) > 0")
                .about("Prometheus fails to compact its blocks", "Prometheus {{ $labels.namespace }}/{{ $labels.pod }} failed to compact data blocks.")
                .runbook("Blocks pile up: disk use and query time grow, and retention cannot delete them.", "The pod's logs; disk space on its volume.", "Free or grow the volume; delete a corrupt block the logs name.")
                .test(&[(r#"prometheus_tsdb_compactions_failed_total{namespace="observability", pod="prometheus-platform-0"}"#, "0+1", "2")], P),
            alert("PrometheusHeadTruncationsFailing", Warning, "30m", "increase(prometheus_tsdb_head_truncations_failed_total[1h]) > 0")
                .about("Prometheus fails to truncate its in-memory head", "Prometheus {{ $labels.namespace }}/{{ $labels.pod }} failed to truncate its head block.")
                .runbook("Memory use grows until the pod is killed.", "The pod's logs.", "Restart the pod; if it recurs, check the volume for damage.")
                .test(&[(r#"prometheus_tsdb_head_truncations_failed_total{namespace="observability", pod="prometheus-platform-0"}"#, "0+1", "2")], P),
            alert("PrometheusNotIngestingSamples", Warning, "10m", "sum by (namespace, pod) (rate(prometheus_tsdb_head_samples_appended_total[5m])) <= 0 and on (namespace, pod) (sum by (namespace, pod) (prometheus_target_metadata_cache_entries) > 0 or sum by (namespace, pod) (prometheus_rule_group_rules) > 0)")
                .about("Prometheus ingests no samples", "Prometheus {{ $labels.namespace }}/{{ $labels.pod }} has targets or rules but stores no samples.")
                .runbook("No new data: dashboards go flat and alerts cannot fire.", "The pod's logs; Status → TSDB; the volume's free space.", "Fix the storage (space, permissions) and restart the pod.")
                .test(&[(r#"prometheus_tsdb_head_samples_appended_total{namespace="observability", pod="prometheus-platform-0"}"#, "5", "0+100"), (r#"prometheus_rule_group_rules{namespace="observability", pod="prometheus-platform-0", rule_group="g"}"#, "10", "10")], P),
            alert("PrometheusDuplicateTimestamps", Warning, "10m", "rate(prometheus_target_scrapes_sample_duplicate_timestamp_total[5m]) > 0")
                .about("Prometheus drops samples with duplicate timestamps", "Prometheus {{ $labels.namespace }}/{{ $labels.pod }} drops samples that repeat a timestamp with another value.")
                .runbook("Some series lose samples.", "Which target exposes the same series twice: the pod's debug logs name it.", "Fix the exporter, or relabel so the series differ.")
                .test(&[(r#"prometheus_target_scrapes_sample_duplicate_timestamp_total{namespace="observability", pod="prometheus-platform-0"}"#, "0+1", "2")], P),
            alert("PrometheusOutOfOrderTimestamps", Warning, "10m", "rate(prometheus_target_scrapes_sample_out_of_order_total[5m]) > 0")
                .about("Prometheus drops out-of-order samples", "Prometheus {{ $labels.namespace }}/{{ $labels.pod }} drops samples whose timestamps go backwards.")
                .runbook("Some series lose samples.", "Targets exposing explicit timestamps; the pod's debug logs name them.", "Fix the exporter's timestamps, or let Prometheus assign them.")
                .test(&[(r#"prometheus_target_scrapes_sample_out_of_order_total{namespace="observability", pod="prometheus-platform-0"}"#, "0+1", "2")], P),
            alert("PrometheusRemoteStorageFailures", Critical, "15m", "rate(prometheus_remote_storage_samples_failed_total[5m]) / (rate(prometheus_remote_storage_samples_failed_total[5m]) + rate(prometheus_remote_storage_samples_total[5m])) > 0.01")
                .about("Prometheus fails to send samples to remote storage", "Prometheus {{ $labels.namespace }}/{{ $labels.pod }} fails to send more than 1% of its samples to {{ $labels.remote_name }}.")
                .runbook("The remote store misses data; it is lost once the write-ahead log moves on.", "The pod's logs for the remote endpoint's errors.", "Fix the remote endpoint or its credentials.")
                .test(&[(r#"prometheus_remote_storage_samples_failed_total{namespace="observability", pod="prometheus-platform-0", remote_name="r", url="http://r"}"#, "0+10", "0"), (r#"prometheus_remote_storage_samples_total{namespace="observability", pod="prometheus-platform-0", remote_name="r", url="http://r"}"#, "0+90", "0+100")], &[("namespace", "observability"), ("pod", "prometheus-platform-0"), ("remote_name", "r"), ("url", "http://r")]),
            alert("PrometheusRemoteWriteBehind", Critical, "15m", "max_over_time(prometheus_remote_storage_highest_timestamp_in_seconds[5m]) - ignoring (remote_name, url) group_right max_over_time(prometheus_remote_storage_queue_highest_sent_timestamp_seconds[5m]) > 120")
                .about("Prometheus' remote write falls behind", "Remote write of Prometheus {{ $labels.namespace }}/{{ $labels.pod }} to {{ $labels.remote_name }} is more than two minutes behind.")
                .runbook("The remote store's data is late, and lost if the lag outgrows the write-ahead log.", "The pod's logs and the remote endpoint's latency.", "Raise `maxShards`, or fix the slow remote endpoint.")
                .test(&[(r#"prometheus_remote_storage_highest_timestamp_in_seconds{namespace="observability", pod="prometheus-platform-0"}"#, "1000+60", "1000+60"), (r#"prometheus_remote_storage_queue_highest_sent_timestamp_seconds{namespace="observability", pod="prometheus-platform-0", remote_name="r", url="http://r"}"#, "1000", "1000+60")], &[("namespace", "observability"), ("pod", "prometheus-platform-0"), ("remote_name", "r"), ("url", "http://r")]),
            alert("PrometheusRemoteWriteDesiredShards", Warning, "15m", "max_over_time(prometheus_remote_storage_shards_desired[5m]) > max_over_time(prometheus_remote_storage_shards_max[5m])")
                .about("Prometheus' remote write needs more shards", "Remote write of Prometheus {{ $labels.namespace }}/{{ $labels.pod }} to {{ $labels.remote_name }} wants more shards than its maximum.")
                .runbook("Remote write cannot keep up and will fall behind.", "The desired and maximum shards on the Prometheus dashboard.", "Raise `queueConfig.maxShards`.")
                .test(&[(r#"prometheus_remote_storage_shards_desired{namespace="observability", pod="prometheus-platform-0", remote_name="r", url="http://r"}"#, "60", "5"), (r#"prometheus_remote_storage_shards_max{namespace="observability", pod="prometheus-platform-0", remote_name="r", url="http://r"}"#, "50", "50")], &[("namespace", "observability"), ("pod", "prometheus-platform-0"), ("remote_name", "r"), ("url", "http://r")]),
            alert("PrometheusMissingRuleEvaluations", Warning, "15m", "increase(prometheus_rule_group_iterations_missed_total[5m]) > 0")
                .about("Prometheus skips rule evaluations", "Prometheus {{ $labels.namespace }}/{{ $labels.pod }} skipped evaluations of rule group {{ $labels.rule_group }}: it is too slow.")
                .runbook("Alerts of that group fire late or not at all.", "Status → Rules shows each group's evaluation time.", "Simplify the group's expressions or record their expensive parts.")
                .test(&[(r#"prometheus_rule_group_iterations_missed_total{namespace="observability", pod="prometheus-platform-0", rule_group="g"}"#, "0+1", "2")], &[("namespace", "observability"), ("pod", "prometheus-platform-0"), ("rule_group", "g")]),
            alert("PrometheusRuleGroupSlow", Warning, "15m", "prometheus_rule_group_last_duration_seconds > prometheus_rule_group_interval_seconds")
                .about("A rule group is slower than its interval", "Rule group {{ $labels.rule_group }} of Prometheus {{ $labels.namespace }}/{{ $labels.pod }} takes longer to evaluate than its interval.")
                .runbook("Evaluations will be skipped; alerts of the group fire late.", "Status → Rules for the group's slowest rules.", "Record the expensive parts or raise the group's interval.")
                .test(&[(r#"prometheus_rule_group_last_duration_seconds{namespace="observability", pod="prometheus-platform-0", rule_group="g"}"#, "45", "2"), (r#"prometheus_rule_group_interval_seconds{namespace="observability", pod="prometheus-platform-0", rule_group="g"}"#, "30", "30")], &[("namespace", "observability"), ("pod", "prometheus-platform-0"), ("rule_group", "g")]),
            alert("PrometheusTargetLimitHit", Warning, "15m", "increase(prometheus_target_scrape_pool_exceeded_target_limit_total[5m]) > 0")
                .about("A scrape pool exceeds its target limit", "Prometheus {{ $labels.namespace }}/{{ $labels.pod }} dropped targets of a scrape pool above its target limit.")
                .runbook("Targets beyond the limit are not scraped.", "Which monitor's pool: Status → Targets.", "Raise the monitor's `targetLimit` or narrow its selector.")
                .test(&[(r#"prometheus_target_scrape_pool_exceeded_target_limit_total{namespace="observability", pod="prometheus-platform-0"}"#, "0+1", "2")], P),
            alert("PrometheusLabelLimitHit", Warning, "15m", "increase(prometheus_target_scrape_pool_exceeded_label_limits_total[5m]) > 0")
                .about("Targets exceed their label limits", "Prometheus {{ $labels.namespace }}/{{ $labels.pod }} refused scrapes whose series exceed the label limits.")
                .runbook("Those targets' scrapes are dropped entirely.", "Status → Targets shows the failing targets.", "Raise the label limits or drop the offending labels by relabelling.")
                .test(&[(r#"prometheus_target_scrape_pool_exceeded_label_limits_total{namespace="observability", pod="prometheus-platform-0"}"#, "0+1", "2")], P),
            alert("PrometheusSampleLimitHit", Warning, "15m", "increase(prometheus_target_scrapes_exceeded_sample_limit_total[5m]) > 0")
                .about("Targets exceed their sample limit", "Prometheus {{ $labels.namespace }}/{{ $labels.pod }} refused scrapes with more samples than their limit.")
                .runbook("Those targets' scrapes are dropped entirely: their metrics go missing.", "Status → Targets shows the failing targets and the limit.", "Raise the monitor's `sampleLimit` or drop series by metric relabelling.")
                .test(&[(r#"prometheus_target_scrapes_exceeded_sample_limit_total{namespace="observability", pod="prometheus-platform-0"}"#, "0+1", "2")], P),
            alert("PrometheusScrapeBodySizeLimitHit", Warning, "15m", "increase(prometheus_target_scrapes_exceeded_body_size_limit_total[5m]) > 0")
                .about("Targets exceed the body size limit", "Prometheus {{ $labels.namespace }}/{{ $labels.pod }} refused scrapes whose responses exceed the body size limit.")
                .runbook("Those targets' metrics go missing.", "Status → Targets shows the failing targets.", "Raise `enforcedBodySizeLimit` or reduce what the target exposes.")
                .test(&[(r#"prometheus_target_scrapes_exceeded_body_size_limit_total{namespace="observability", pod="prometheus-platform-0"}"#, "0+1", "2")], P),
            alert("PrometheusTargetSyncFailure", Critical, "5m", "increase(prometheus_target_sync_failed_total[30m]) > 0")
                .about("Prometheus fails to sync targets", "Prometheus {{ $labels.namespace }}/{{ $labels.pod }} failed to sync the targets of {{ $labels.scrape_job }}.")
                .runbook("That job's targets are not scraped.", "The pod's logs: usually a bad relabelling or a missing credential file.", "Fix the monitor behind that scrape job.")
                .test(&[(r#"prometheus_target_sync_failed_total{namespace="observability", pod="prometheus-platform-0", scrape_job="serviceMonitor/shop/web/0"}"#, "0+1", "2")], &[("namespace", "observability"), ("pod", "prometheus-platform-0"), ("scrape_job", "serviceMonitor/shop/web/0")]),
            alert("PrometheusHighQueryLoad", Warning, "15m", "avg_over_time(prometheus_engine_queries[5m]) / max_over_time(prometheus_engine_queries_concurrent_max[5m]) > 0.8")
                .about("Prometheus is near its query capacity", "Prometheus {{ $labels.namespace }}/{{ $labels.pod }} runs more than 80% of the queries it can run at once.")
                .runbook("Queries queue; dashboards and rule evaluation slow down.", "The query log, or the slowest dashboards' queries.", "Record expensive queries, raise `query.maxConcurrency`, or add replicas.")
                .test(&[(r#"prometheus_engine_queries{namespace="observability", pod="prometheus-platform-0"}"#, "19", "2"), (r#"prometheus_engine_queries_concurrent_max{namespace="observability", pod="prometheus-platform-0"}"#, "20", "20")], P),
        ],
    }
}
