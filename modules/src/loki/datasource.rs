//! Loki's Grafana datasource: log lines link to their trace in the traces datasource, by the
//! trace id in their structured metadata or in their text.

use serde_json::json;

use crate::contract::{Datasource, Role};

/// The datasource Grafana provisions for Loki at `url`.
pub(crate) fn datasource(url: String) -> Datasource {
    let to_traces = |name: &str, matcher_type: &str, matcher_regex: &str| {
        json!({
            "name": name,
            "matcherType": matcher_type,
            "matcherRegex": matcher_regex,
            "url": "${__value.raw}",
            "urlDisplayLabel": "View trace",
        })
    };
    Datasource::new("loki", "Loki", "loki", Role::LOGS, url)
        .setting("maxLines", json!(1000))
        // OTLP logs carry the trace id as structured metadata.
        .correlate("derivedFields[]", Role::TRACES, to_traces("trace_id", "label", "trace_id"))
        // Applications that print it: `trace_id=…`, `traceID=…`, `"traceId":"…"`.
        .correlate(
            "derivedFields[]",
            Role::TRACES,
            to_traces("TraceID", "regex", r#"(?:trace_id|traceID|traceId)"?[=:]\s*"?([0-9a-fA-F]{16,32})"#),
        )
}
