//! Tempo: trace storage on Garage S3, with the metrics generator.
//!
//! Targets Tempo v2.10.8: every key of the rendered config is from the 2.10 configuration
//! reference (`docs/sources/tempo/configuration/`). Blocks are written to one Garage bucket
//! in the default parquet format (vParquet4); the write-ahead logs of ingesters and of the
//! metrics generator live on volumes. The S3 keys reach the container as
//! `AWS_ACCESS_KEY_ID`/`AWS_SECRET_ACCESS_KEY` from the store's Secret and are expanded into
//! the config at start (`-config.expand-env=true`), so the ConfigMap never holds them.
//!
//! Topology per tier:
//! - local: monolithic, one StatefulSet pod (`-target=all`) with a volume.
//! - staging: distributed, the same targets as production with the stateful ones (ingester,
//!   metrics generator, compactor) at one replica and the stateless ones (distributor,
//!   querier, query frontend) at two; replication factor 1.
//! - production: distributed, ingesters 3 with replication factor 3, every other target 2.
//!
//! The distributed targets are the 2.x classic write path (distributor → ingester → S3,
//! compactor), joined by memberlist. Tempo 3.0 replaces ingester and compactor with
//! Kafka-based targets; that needs a Kafka the stack does not run.
//!
//! The metrics generator runs the `service-graphs` and `span-metrics` processors and remote
//! writes to Prometheus with exemplars, so dashboards link metrics back to traces.

mod alerts;
mod config;
mod datasource;
mod module;
mod objects;
mod options;
mod resolved;
#[cfg(test)]
mod tests;

pub(crate) use module::TempoModule;
pub use options::Tempo;

/// The image every tier runs unless an env file pins another.
pub(crate) const IMAGE: &str = "grafana/tempo:2.10.8";
pub(crate) const VERSION: &str = "2.10.8";

pub(crate) const HTTP_PORT: u16 = 3200;
pub(crate) const GRPC_PORT: u16 = 9095;
pub(crate) const OTLP_GRPC_PORT: u16 = 4317;
pub(crate) const OTLP_HTTP_PORT: u16 = 4318;
pub(crate) const GOSSIP_PORT: u16 = 7946;
