//! Garage: the S3-compatible object store Loki and Tempo keep their data in.
//!
//! Targets Garage v2.5.0: every key of `garage.toml` is from the 2.x configuration reference
//! (`doc/book/reference-manual/configuration.md`). Secrets never enter the ConfigMap: the RPC
//! secret and admin token reach the container as `GARAGE_RPC_SECRET` and `GARAGE_ADMIN_TOKEN`
//! from a Secret.
//!
//! Nodes do not discover each other through the Kubernetes API (that would need a CRD and a
//! ClusterRole); they are connected by the storage bootstrap, which reaches every pod through
//! the headless RPC Service. With more than one node, a reconnect loop beside each node
//! (`reconnect.rs`) connects them again after they all restarted on new addresses.
//!
//! Two apps: `garage` (the nodes, at the storage wave) and `garage-setup` (the bootstrap Job
//! that applies the layout, imports the S3 key and creates every bucket the other components
//! claim, at the storage-setup wave; see `setup.rs`). Only that Job, the nodes' reconnect
//! loops, and Prometheus for `/metrics` with its own token, may reach the admin API: the
//! engine's network policies follow the setup's use of `object-store-admin` (see `access.rs`).

mod access;
mod alerts;
mod bootstrap;
mod config;
mod module;
mod objects;
mod options;
mod reconnect;
mod resolved;
mod setup;
#[cfg(test)]
mod tests;

pub(crate) use module::GarageModule;
pub use options::Garage;

/// The image every tier runs unless an env file pins another.
pub(crate) const IMAGE: &str = "dxflrs/garage:v2.5.0";
pub(crate) const VERSION: &str = "v2.5.0";

pub(crate) const S3_PORT: u16 = 3900;
pub(crate) const RPC_PORT: u16 = 3901;
pub(crate) const ADMIN_PORT: u16 = 3903;
