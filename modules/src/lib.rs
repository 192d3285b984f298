//! The observability stack as typed modules, and the contract they share with the engine.
//!
//! - [`contract`] is everything the engine and the modules agree on: the [`contract::Stack`]
//!   trait, tiers, validated option values, the shared [`contract::Context`] through which
//!   modules link to each other, and the [`contract::App`]s they return.
//! - Each stack module (`garage`, ...) owns one component. Modules do no I/O and never import
//!   each other: whatever one needs from another (a URL, a port, a bucket) goes through the
//!   shared context, so a rename is one edit and a missing link is a render error.
//! - [`Platform`] is the composition root, the `compose!` table below: the one place that names
//!   every module.

pub mod contract;
#[macro_use]
mod platform;
#[cfg(test)]
mod testing;

// The composition root: one line per component, its `components:` key, options and module.
// Each line also declares the module folder of that key (`mod <key>;`).
compose! {
    /// Garage S3 storage for Loki and Tempo.
    garage: Garage => GarageModule,
    /// Loki: logs.
    loki: Loki => LokiModule,
    /// Tempo: traces.
    tempo: Tempo => TempoModule,
    /// The OpenTelemetry Collector: the telemetry pipeline.
    collector: Collector => CollectorModule,
    /// prometheus-operator, Prometheus, Alertmanager, exporters and rules.
    prometheus: Prometheus => PrometheusModule,
    /// Grafana with datasources and dashboards.
    grafana: Grafana => GrafanaModule,
    /// Istio mesh tracing into the collector (off unless enabled).
    istio: Istio => IstioModule,
}

/// The alert rules' promtool fixtures, generated from their definitions: every component's
/// groups as a local environment with default options hands them over, and every Kubernetes
/// family.
pub fn rule_fixtures() -> Result<Vec<(String, String)>, contract::ModuleError> {
    prometheus::rule_fixtures(&platform::documented_rule_sets()?)
}

/// The runbook page of every alert [`rule_fixtures`] covers.
pub fn runbook_pages() -> Result<Vec<(String, String)>, contract::ModuleError> {
    prometheus::runbook_pages(&platform::documented_rule_sets()?)
}
