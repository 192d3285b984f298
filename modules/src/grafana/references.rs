//! Every datasource uid the provisioning file refers to (the correlations between
//! datasources) must be provisioned, and be of the kind the field expects; every PromQL query
//! a correlation runs must parse.

use crate::contract::{Datasource, DatasourceKind};

use super::datasources::{JsonData, Provisioning};
use super::promql;

/// A field of one datasource that names another datasource by uid.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Reference {
    /// The name of the datasource the field belongs to.
    pub datasource: String,
    /// The field's path in the provisioning file.
    pub field: String,
    pub uid: String,
    /// The kind of datasource the field must point at.
    pub kind: DatasourceKind,
}

/// Every cross-datasource reference in `provisioning`.
pub(crate) fn references(provisioning: &Provisioning) -> Vec<Reference> {
    let mut found = Vec::new();
    for entry in &provisioning.datasources {
        let mut add = |field: String, uid: &str, kind| {
            found.push(Reference { datasource: entry.name.clone(), field, uid: uid.to_owned(), kind });
        };
        match &entry.json_data {
            JsonData::Prometheus(p) => {
                for (i, d) in p.exemplar_trace_id_destinations.iter().enumerate() {
                    let field = format!("jsonData.exemplarTraceIdDestinations[{i}].datasourceUid");
                    add(field, &d.datasource_uid, DatasourceKind::Tempo);
                }
            }
            JsonData::Loki(l) => {
                for (i, d) in l.derived_fields.iter().enumerate() {
                    add(format!("jsonData.derivedFields[{i}].datasourceUid"), &d.datasource_uid, DatasourceKind::Tempo);
                }
            }
            JsonData::Tempo(t) => {
                add(
                    "jsonData.tracesToLogsV2.datasourceUid".into(),
                    &t.traces_to_logs_v2.datasource_uid,
                    DatasourceKind::Loki,
                );
                add(
                    "jsonData.tracesToMetrics.datasourceUid".into(),
                    &t.traces_to_metrics.datasource_uid,
                    DatasourceKind::Prometheus,
                );
                add(
                    "jsonData.serviceMap.datasourceUid".into(),
                    &t.service_map.datasource_uid,
                    DatasourceKind::Prometheus,
                );
            }
            JsonData::Alertmanager(_) => {}
        }
    }
    found
}

/// One message per dangling or mistyped reference and per query that does not parse.
pub(crate) fn check_datasources(provisioning: &Provisioning, available: &[Datasource]) -> Vec<String> {
    let mut problems = Vec::new();
    for r in references(provisioning) {
        let place = format!("datasource \"{}\" field {}", r.datasource, r.field);
        match available.iter().find(|d| d.uid == r.uid) {
            None => problems.push(format!("{place}: no datasource has uid `{}` ({})", r.uid, known(available))),
            Some(d) if d.kind != r.kind => problems.push(format!(
                "{place}: uid `{}` is the {:?} datasource \"{}\", but the field needs a {:?} datasource",
                r.uid, d.kind, d.name, r.kind
            )),
            Some(_) => {}
        }
    }
    for entry in &provisioning.datasources {
        if let JsonData::Tempo(t) = &entry.json_data {
            for (i, q) in t.traces_to_metrics.queries.iter().enumerate() {
                // `$$` is the file's escape for `$`; Grafana then expands `$__tags` to matchers.
                let expr = q.query.replace("$$__tags", "service=\"checkout\"");
                if let Err(e) = promql::check(&expr, &[]) {
                    problems.push(format!(
                        "datasource \"{}\" field jsonData.tracesToMetrics.queries[{i}] (\"{}\"): {e}",
                        entry.name, q.name
                    ));
                }
            }
        }
    }
    problems
}

/// The uids there are, for messages.
pub(crate) fn known(available: &[Datasource]) -> String {
    if available.is_empty() {
        return "no datasources are provisioned".into();
    }
    let uids: Vec<String> = available.iter().map(|d| format!("`{}`", d.uid)).collect();
    format!("provisioned uids: {}", uids.join(", "))
}
