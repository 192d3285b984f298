//! Loki: log storage on Garage S3.
//!
//! Targets Loki v3.7.6: every key of the rendered config is from the 3.7 configuration
//! reference (`docs/sources/shared/configuration.md`). The config is schema v13 on TSDB with
//! chunks and index in one Garage bucket and recording/alerting rules in another; the S3 keys
//! reach the container as `AWS_ACCESS_KEY_ID`/`AWS_SECRET_ACCESS_KEY` from the store's Secret
//! and are expanded into the config at start (`-config.expand-env=true`), so the ConfigMap
//! never holds them.
//!
//! Topology per tier:
//! - local: single binary, one StatefulSet pod with a volume, in-memory rings.
//! - staging: the simple scalable layout at its smallest: write 1, read 2, backend 1,
//!   replication factor 1. Staging runs the same targets, Services and memberlist wiring as
//!   production, so a topology change is exercised before it reaches production; only the
//!   stateless read target gets two replicas.
//! - production: simple scalable, write 3, read 2, backend 2, replication factor 3.
//!
//! In the simple scalable layout a small nginx gateway is the one HTTP entry point
//! ([`crate::contract::Link::LokiHttp`], Service `loki`, port 3100): pushes and OTLP go to the
//! write target, rule and delete APIs to the backend target, and every query to the read
//! target, so consumers need one URL whatever the layout.
//!
//! OTLP ingestion (`/otlp/v1/logs`) keeps a fixed, low-cardinality set of resource attributes
//! as index labels ([`config::INDEX_LABELS`]); every other attribute is stored as structured
//! metadata. Retention is enforced by the compactor.

mod alerts;
mod config;
mod datasource;
mod gateway;
mod module;
mod objects;
mod options;
mod resolved;
#[cfg(test)]
mod tests;

pub(crate) use module::LokiModule;
pub use options::Loki;

/// The image every tier runs unless an env file pins another.
pub(crate) const IMAGE: &str = "grafana/loki:3.7.6";
pub(crate) const VERSION: &str = "3.7.6";

pub(crate) const HTTP_PORT: u16 = 3100;
pub(crate) const GRPC_PORT: u16 = 9095;
pub(crate) const GOSSIP_PORT: u16 = 7946;
