//! The collector's config file, rendered from the pipeline model: every component the
//! pipelines use is defined once under its id, and every pipeline lists ids in model order.
//! The text is pretty JSON, which the collector reads as the YAML it is.

use std::collections::BTreeMap;

use serde::Serialize;

use super::pipeline::{Component, Exporter, Extension, Model, Processor, Receiver};

#[derive(Serialize)]
struct ConfigFile<'a> {
    receivers: BTreeMap<String, &'a Receiver>,
    processors: BTreeMap<String, &'a Processor>,
    exporters: BTreeMap<String, &'a Exporter>,
    extensions: BTreeMap<String, &'a Extension>,
    service: Service,
}

#[derive(Serialize)]
struct Service {
    extensions: Vec<String>,
    pipelines: BTreeMap<&'static str, PipelineIds>,
    telemetry: Telemetry,
}

#[derive(Serialize)]
struct PipelineIds {
    receivers: Vec<String>,
    processors: Vec<String>,
    exporters: Vec<String>,
}

/// `service.telemetry` in the v0.159 format: the collector's own metrics through a
/// Prometheus pull reader. Its default host is `localhost`, which a scraper cannot reach.
#[derive(Serialize)]
struct Telemetry {
    metrics: TelemetryMetrics,
}

#[derive(Serialize)]
struct TelemetryMetrics {
    level: &'static str,
    readers: Vec<MetricReader>,
}

#[derive(Serialize)]
struct MetricReader {
    pull: PullReader,
}

#[derive(Serialize)]
struct PullReader {
    exporter: PullExporter,
}

#[derive(Serialize)]
struct PullExporter {
    prometheus: PrometheusPull,
}

#[derive(Serialize)]
struct PrometheusPull {
    host: &'static str,
    port: u16,
}

/// Each component once under its id; one id with two different configs is a model error.
fn define<'a, C: Component + 'a>(items: impl Iterator<Item = &'a C>) -> Result<BTreeMap<String, &'a C>, String> {
    let mut defined: BTreeMap<String, &C> = BTreeMap::new();
    for item in items {
        match defined.get(&item.id()) {
            Some(existing) if *existing != item => {
                return Err(format!("component `{}` is configured twice, differently", item.id()));
            }
            Some(_) => {}
            None => {
                defined.insert(item.id(), item);
            }
        }
    }
    Ok(defined)
}

fn ids<C: Component>(items: &[C]) -> Vec<String> {
    items.iter().map(Component::id).collect()
}

/// The config file's text.
pub(crate) fn config_text(model: &Model) -> Result<String, String> {
    let file = ConfigFile {
        receivers: define(model.receivers())?,
        processors: define(model.processors())?,
        exporters: define(model.exporters())?,
        extensions: define(model.extensions.iter())?,
        service: Service {
            extensions: ids(&model.extensions),
            pipelines: model
                .pipelines
                .iter()
                .map(|p| {
                    let ids = PipelineIds {
                        receivers: ids(&p.receivers),
                        processors: ids(&p.processors),
                        exporters: ids(&p.exporters),
                    };
                    (p.signal.as_str(), ids)
                })
                .collect(),
            telemetry: Telemetry {
                metrics: TelemetryMetrics {
                    level: "normal",
                    readers: vec![MetricReader {
                        pull: PullReader {
                            exporter: PullExporter {
                                prometheus: PrometheusPull { host: "0.0.0.0", port: model.metrics_port },
                            },
                        },
                    }],
                },
            },
        },
    };
    crate::contract::yaml::to_yaml(&file)
}
