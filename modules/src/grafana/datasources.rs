//! `datasources.yaml`: Grafana's datasource provisioning file, rendered from typed structs whose
//! fields are the provisioning reference's keys. Every datasource keeps the uid its backend
//! declared, and the correlations between them refer to those uids.
//!
//! Grafana expands `$NAME` and `${NAME}` in provisioning files from its environment, so every
//! `$` Grafana itself must see is written `$$`.

use crate::contract::yaml::EncodeError;
use serde::Serialize;

use crate::contract::{Context, Datasource, DatasourceKind, ModuleError};

/// The whole file.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Provisioning {
    pub api_version: u32,
    pub datasources: Vec<Entry>,
}

/// One datasource.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Entry {
    pub name: String,
    #[serde(rename = "type")]
    pub type_: &'static str,
    pub uid: String,
    pub access: &'static str,
    pub url: String,
    pub is_default: bool,
    /// Provisioned datasources are changed in Git, not in the UI.
    pub editable: bool,
    pub json_data: JsonData,
}

/// The type-specific settings.
#[derive(Debug, Clone, Serialize)]
#[serde(untagged)]
pub(crate) enum JsonData {
    Prometheus(PrometheusSettings),
    Loki(LokiSettings),
    Tempo(Box<TempoSettings>),
    Alertmanager(AlertmanagerSettings),
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct PrometheusSettings {
    pub http_method: &'static str,
    pub prometheus_type: &'static str,
    /// Exemplars carry a trace id: each becomes a link to that trace.
    pub exemplar_trace_id_destinations: Vec<ExemplarDestination>,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct ExemplarDestination {
    /// The exemplar label holding the trace id.
    pub name: String,
    pub datasource_uid: String,
    pub url_display_label: String,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct LokiSettings {
    pub max_lines: u32,
    pub derived_fields: Vec<DerivedField>,
}

/// A field Grafana derives from a log line or its metadata, here a trace id linking to Tempo.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct DerivedField {
    pub name: String,
    /// `regex`: `matcher_regex` runs on the log line and its first group is the value.
    /// `label`: `matcher_regex` names a label or structured-metadata field.
    pub matcher_type: &'static str,
    pub matcher_regex: String,
    /// With `datasource_uid` set, the query run in that datasource.
    pub url: String,
    pub datasource_uid: String,
    pub url_display_label: String,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct TempoSettings {
    pub traces_to_logs_v2: TracesToLogs,
    pub traces_to_metrics: TracesToMetrics,
    pub service_map: DatasourceRef,
    pub node_graph: Enabled,
    pub search: Hidden,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct TracesToLogs {
    pub datasource_uid: String,
    pub span_start_time_shift: String,
    pub span_end_time_shift: String,
    /// Span attributes turned into Loki label matchers: what `${__tags}` expands to.
    pub tags: Vec<TagMapping>,
    /// Run `query` rather than the query Grafana builds itself (a `label_format` pipeline
    /// that Logs Drilldown does not open). With it, the `filterBy…` switches are ignored.
    pub custom_query: bool,
    pub query: String,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct TracesToMetrics {
    pub datasource_uid: String,
    pub span_start_time_shift: String,
    pub span_end_time_shift: String,
    /// Span attributes turned into the label matchers that `$__tags` expands to.
    pub tags: Vec<TagMapping>,
    pub queries: Vec<LinkedQuery>,
}

/// A span attribute (`key`) and the label it is called in the target (`value`).
#[derive(Debug, Clone, Serialize)]
pub(crate) struct TagMapping {
    pub key: String,
    pub value: String,
}

#[derive(Debug, Clone, Serialize)]
pub(crate) struct LinkedQuery {
    pub name: String,
    pub query: String,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct DatasourceRef {
    pub datasource_uid: String,
}

#[derive(Debug, Clone, Serialize)]
pub(crate) struct Enabled {
    pub enabled: bool,
}

#[derive(Debug, Clone, Serialize)]
pub(crate) struct Hidden {
    pub hide: bool,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct AlertmanagerSettings {
    pub implementation: &'static str,
    /// Grafana's own alerts stay in Grafana; this Alertmanager routes Prometheus' alerts.
    pub handle_grafana_managed_alerts: bool,
}

/// The span-metrics label Tempo's metrics generator writes `service.name` into.
const SERVICE_LABEL: &str = "service";

/// The logs of a trace: the service's streams (`$${__tags}`), then the lines whose `trace_id`
/// is the trace's. Loki's OTLP ingestion keeps a log record's trace id as structured
/// metadata named `trace_id`, which a label filter after the selector reads; the same query
/// opens in Explore and in Logs Drilldown. `$$` is the file's escape for `$`.
pub(crate) const TRACE_LOGS_QUERY: &str = r#"{$${__tags}} | trace_id="$${__trace.traceId}""#;

/// The provisioning file for the datasources the backends declared. Each of the four kinds
/// is required: a correlation to a missing backend would be a dead link.
pub(crate) fn provisioning(ctx: &Context, consumer: &'static str) -> Result<Provisioning, ModuleError> {
    let prometheus = ctx.datasource(DatasourceKind::Prometheus, consumer)?;
    let loki = ctx.datasource(DatasourceKind::Loki, consumer)?;
    let tempo = ctx.datasource(DatasourceKind::Tempo, consumer)?;
    let alertmanager = ctx.datasource(DatasourceKind::Alertmanager, consumer)?;
    Ok(Provisioning {
        api_version: 1,
        datasources: vec![
            entry(prometheus, true, JsonData::Prometheus(prometheus_settings(&tempo.uid))),
            entry(loki, false, JsonData::Loki(loki_settings(&tempo.uid))),
            entry(tempo, false, JsonData::Tempo(Box::new(tempo_settings(&loki.uid, &prometheus.uid)))),
            entry(
                alertmanager,
                false,
                JsonData::Alertmanager(AlertmanagerSettings {
                    implementation: "prometheus",
                    handle_grafana_managed_alerts: false,
                }),
            ),
        ],
    })
}

/// The file's text.
pub(crate) fn text(provisioning: &Provisioning) -> Result<String, EncodeError> {
    crate::contract::yaml::encode(provisioning)
}

fn entry(datasource: &Datasource, is_default: bool, json_data: JsonData) -> Entry {
    Entry {
        name: datasource.name.clone(),
        type_: type_name(datasource.kind),
        uid: datasource.uid.clone(),
        access: "proxy",
        url: datasource.url.clone(),
        is_default,
        editable: false,
        json_data,
    }
}

/// Grafana's plugin id for a kind of datasource.
pub(crate) fn type_name(kind: DatasourceKind) -> &'static str {
    match kind {
        DatasourceKind::Prometheus => "prometheus",
        DatasourceKind::Loki => "loki",
        DatasourceKind::Tempo => "tempo",
        DatasourceKind::Alertmanager => "alertmanager",
    }
}

fn prometheus_settings(tempo_uid: &str) -> PrometheusSettings {
    PrometheusSettings {
        http_method: "POST",
        prometheus_type: "Prometheus",
        // `trace_id` is the label OpenTelemetry SDKs give exemplars (kept by the collector's
        // remote write); `traceID` is the one Tempo's metrics generator gives its span metrics.
        exemplar_trace_id_destinations: ["trace_id", "traceID"]
            .into_iter()
            .map(|label| ExemplarDestination {
                name: label.into(),
                datasource_uid: tempo_uid.into(),
                url_display_label: "View trace".into(),
            })
            .collect(),
    }
}

fn loki_settings(tempo_uid: &str) -> LokiSettings {
    let to_tempo = |name: &str, matcher_type, matcher_regex: &str| DerivedField {
        name: name.into(),
        matcher_type,
        matcher_regex: matcher_regex.into(),
        url: "$${__value.raw}".into(),
        datasource_uid: tempo_uid.into(),
        url_display_label: "View trace".into(),
    };
    LokiSettings {
        max_lines: 1000,
        derived_fields: vec![
            // OTLP logs carry the trace id as structured metadata.
            to_tempo("trace_id", "label", "trace_id"),
            // Applications that print it: `trace_id=…`, `traceID=…`, `"traceId":"…"`.
            to_tempo("TraceID", "regex", r#"(?:trace_id|traceID|traceId)"?[=:]\s*"?([0-9a-fA-F]{16,32})"#),
        ],
    }
}

fn tempo_settings(loki_uid: &str, prometheus_uid: &str) -> TempoSettings {
    let service = |label: &str| TagMapping { key: "service.name".into(), value: label.into() };
    let query = |name: &str, query: &str| LinkedQuery { name: name.into(), query: query.into() };
    TempoSettings {
        traces_to_logs_v2: TracesToLogs {
            datasource_uid: loki_uid.into(),
            span_start_time_shift: "-1h".into(),
            span_end_time_shift: "1h".into(),
            // Loki's OTLP ingestion stores `service.name` as the `service_name` label.
            tags: vec![service("service_name")],
            custom_query: true,
            query: TRACE_LOGS_QUERY.into(),
        },
        traces_to_metrics: TracesToMetrics {
            datasource_uid: prometheus_uid.into(),
            span_start_time_shift: "-2m".into(),
            span_end_time_shift: "2m".into(),
            tags: vec![service(SERVICE_LABEL)],
            queries: vec![
                query("Request rate", "sum(rate(traces_spanmetrics_calls_total{$$__tags}[5m]))"),
                query(
                    "Error rate",
                    r#"sum(rate(traces_spanmetrics_calls_total{$$__tags, status_code="STATUS_CODE_ERROR"}[5m]))"#,
                ),
                query(
                    "Latency (p95)",
                    "histogram_quantile(0.95, sum by (le) (rate(traces_spanmetrics_latency_bucket{$$__tags}[5m])))",
                ),
            ],
        },
        service_map: DatasourceRef { datasource_uid: prometheus_uid.into() },
        node_graph: Enabled { enabled: true },
        search: Hidden { hide: false },
    }
}
