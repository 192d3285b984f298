//! The Grafana datasources of Prometheus and Alertmanager, with Prometheus' exemplars linked
//! to the traces datasource.

use serde_json::json;

use crate::contract::{Datasource, Endpoint, Role};

/// Prometheus, the default datasource. Exemplars carry a trace id: each becomes a link to
/// that trace.
pub(crate) fn prometheus(endpoint: &Endpoint) -> Datasource {
    let mut ds = Datasource::new("prometheus", "Prometheus", "prometheus", Role::METRICS, endpoint.url())
        .default_datasource()
        .setting("httpMethod", json!("POST"))
        .setting("prometheusType", json!("Prometheus"));
    // `trace_id` is the label OpenTelemetry SDKs give exemplars (kept by remote write);
    // `traceID` is the one span metrics generators give theirs.
    for label in ["trace_id", "traceID"] {
        ds = ds.correlate(
            "exemplarTraceIdDestinations[]",
            Role::TRACES,
            json!({ "name": label, "urlDisplayLabel": "View trace" }),
        );
    }
    ds
}

/// Alertmanager. Grafana's own alerts stay in Grafana; this Alertmanager routes Prometheus'.
pub(crate) fn alertmanager(endpoint: &Endpoint) -> Datasource {
    Datasource::new("alertmanager", "Alertmanager", "alertmanager", Role::ALERTS, endpoint.url())
        .setting("implementation", json!("prometheus"))
        .setting("handleGrafanaManagedAlerts", json!(false))
}
