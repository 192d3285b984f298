//! Tempo's Grafana datasource: traces link to their logs, to their span metrics and to the
//! service map in the logs and metrics datasources.

use serde_json::json;

use crate::contract::{Datasource, Role};

/// The span-metrics label Tempo's metrics generator writes `service.name` into.
const SERVICE_LABEL: &str = "service";

/// The logs of a trace: the service's streams (`${__tags}`), then the lines whose `trace_id`
/// is the trace's. Loki's OTLP ingestion keeps a log record's trace id as structured
/// metadata named `trace_id`, which a label filter after the selector reads; the same query
/// opens in Explore and in Logs Drilldown.
pub(crate) const TRACE_LOGS_QUERY: &str = r#"{${__tags}} | trace_id="${__trace.traceId}""#;

/// The span-metrics queries a trace links to, by name; `$__tags` becomes the span's service.
pub(crate) const METRIC_QUERIES: [(&str, &str); 3] = [
    ("Request rate", "sum(rate(traces_spanmetrics_calls_total{$__tags}[5m]))"),
    ("Error rate", r#"sum(rate(traces_spanmetrics_calls_total{$__tags, status_code="STATUS_CODE_ERROR"}[5m]))"#),
    ("Latency (p95)", "histogram_quantile(0.95, sum by (le) (rate(traces_spanmetrics_latency_bucket{$__tags}[5m])))"),
];

/// The datasource Grafana provisions for Tempo at `url`.
pub(crate) fn datasource(url: String) -> Datasource {
    let service = |label: &str| json!({ "key": "service.name", "value": label });
    let queries: Vec<_> = METRIC_QUERIES.iter().map(|(name, query)| json!({ "name": name, "query": query })).collect();
    Datasource::new("tempo", "Tempo", "tempo", Role::TRACES, url)
        .correlate(
            "tracesToLogsV2",
            Role::LOGS,
            json!({
                "spanStartTimeShift": "-1h",
                "spanEndTimeShift": "1h",
                // Loki's OTLP ingestion stores `service.name` as the `service_name` label.
                "tags": [service("service_name")],
                // Run `query` rather than the query Grafana builds itself (a `label_format`
                // pipeline that Logs Drilldown does not open); the `filterBy…` switches are
                // then ignored.
                "customQuery": true,
                "query": TRACE_LOGS_QUERY,
            }),
        )
        .correlate(
            "tracesToMetrics",
            Role::METRICS,
            json!({
                "spanStartTimeShift": "-2m",
                "spanEndTimeShift": "2m",
                "tags": [service(SERVICE_LABEL)],
                "queries": queries,
            }),
        )
        .correlate("serviceMap", Role::METRICS, json!({}))
        .setting("nodeGraph", json!({ "enabled": true }))
        .setting("search", json!({ "hide": false }))
}
