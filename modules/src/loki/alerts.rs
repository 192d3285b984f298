//! Loki's alerts, with their runbooks and unit tests: requests failing and log lines
//! discarded. Handed to the context; the metrics component loads them.

use crate::contract::alerts::{RuleSet, Severity::*, alert, server_error_ratio, server_error_series};

/// The rule group of Loki's alerts.
pub(crate) fn rule_set() -> RuleSet {
    const LABELS: &[(&str, &str)] = &[("namespace", "observability"), ("job", "loki")];
    RuleSet {
        name: "platform-logs",
        records: vec![],
        alerts: vec![
            alert("LokiRequestErrors", Critical, "15m", server_error_ratio("loki_request_duration_seconds_count", "0.05"))
                .about("Loki answers requests with errors", "{{ $value | humanizePercentage }} of requests to {{ $labels.job }} on {{ $labels.route }} fail: log ingestion or queries are broken.")
                .runbook("Logs are not stored or cannot be queried.", "Loki's logs for the route; its object storage's health.", "Fix the failing dependency, usually object storage or an overloaded component.")
                .test(&server_error_series("loki_request_duration_seconds_count", "observability", "loki"), &[LABELS[0], LABELS[1], ("route", "push")])
                .value("50%"),
            alert("LokiDiscardingSamples", Warning, "15m", "sum by (namespace, job, reason) (rate(loki_discarded_samples_total[5m])) > 0")
                .about("Loki discards log lines", "{{ $labels.job }} discards log lines ({{ $labels.reason }}): they are lost.")
                .runbook("The discarded log lines are lost.", "The `reason` label: rate limits, line size, out-of-order or too-old entries.", "Raise the limit named by the reason, or fix the sender.")
                .test(&[(r#"loki_discarded_samples_total{namespace="observability", job="loki", reason="rate_limited"}"#, "0+1", "2")], &[LABELS[0], LABELS[1], ("reason", "rate_limited")]),
        ],
    }
}
