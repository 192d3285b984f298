//! The OpenTelemetry Collector: OTLP in, traces to Tempo, metrics to Prometheus, logs to Loki.
//!
//! Targets the collector v0.159.0 (component modules v0.159.0, confmap providers v1.65.0).
//! In that release the OTLP exporters are named `otlp_grpc` and `otlp_http`; `otlp` and
//! `otlphttp` are their deprecated aliases, so the config uses the new names.
//!
//! One typed model ([`pipeline::Model`]) describes the pipelines. Both the collector's config
//! file and the OpenTelemetry Collector Builder manifest for the minimal custom build
//! (`build/collector/builder-config.yaml`) are derived from it, so the build always contains
//! exactly the components the config uses.
//!
//! The default image is the upstream contrib distribution at the same version, which contains
//! every component of the model, so a fresh cluster runs without a private registry. Point
//! `image` at the custom build made from the builder manifest to run the minimal binary: both
//! images start the collector from their entrypoint, and the pod passes only `--config`.

mod alerts;
mod builder;
mod config;
mod memory;
mod module;
mod objects;
mod options;
mod pipeline;
mod resolved;
mod routes;
#[cfg(test)]
mod tests;

pub(crate) use module::CollectorModule;
pub use options::Collector;

/// The collector release every version below belongs to.
pub(crate) const VERSION: &str = "0.159.0";
/// The default image: upstream contrib, a superset of the custom build.
pub(crate) const IMAGE: &str = "otel/opentelemetry-collector-contrib:0.159.0";
/// The contrib image's user; the custom build's Dockerfile uses the same.
pub(crate) const USER: i64 = 10001;

pub(crate) const OTLP_GRPC_PORT: u16 = 4317;
pub(crate) const OTLP_HTTP_PORT: u16 = 4318;
pub(crate) const HEALTH_PORT: u16 = 13133;
pub(crate) const METRICS_PORT: u16 = 8888;
