//! Tempo's alerts, with their runbooks and unit tests: requests failing and spans
//! discarded. Handed to the context; the metrics component loads them.

use crate::contract::alerts::{RuleSet, Severity::*, alert, server_error_ratio, server_error_series};

/// The rule group of Tempo's alerts.
pub(crate) fn rule_set() -> RuleSet {
    const LABELS: &[(&str, &str)] = &[("namespace", "observability"), ("job", "tempo")];
    RuleSet {
        name: "platform-traces",
        records: vec![],
        alerts: vec![
            alert("TempoRequestErrors", Critical, "15m", server_error_ratio("tempo_request_duration_seconds_count", "0.05"))
                .about("Tempo answers requests with errors", "{{ $value | humanizePercentage }} of requests to {{ $labels.job }} on {{ $labels.route }} fail: trace ingestion or queries are broken.")
                .runbook("Traces are not stored or cannot be queried.", "Tempo's logs for the route; its object storage's health.", "Fix the failing dependency, usually object storage or an overloaded component.")
                .test(&server_error_series("tempo_request_duration_seconds_count", "observability", "tempo"), &[LABELS[0], LABELS[1], ("route", "push")])
                .value("50%"),
            alert("TempoDiscardingSpans", Warning, "15m", "sum by (namespace, job, reason) (rate(tempo_discarded_spans_total[5m])) > 0")
                .about("Tempo discards spans", "{{ $labels.job }} discards spans ({{ $labels.reason }}): they are lost.")
                .runbook("The discarded spans are lost; traces have gaps.", "The `reason` label: rate limits or trace size.", "Raise the limit named by the reason, or sample more at the source.")
                .test(&[(r#"tempo_discarded_spans_total{namespace="observability", job="tempo", reason="rate_limited"}"#, "0+1", "2")], &[LABELS[0], LABELS[1], ("reason", "rate_limited")]),
        ],
    }
}
