//! Grafana: the one UI over metrics, logs and traces.
//!
//! Targets Grafana 12.4.5 (`grafana/grafana:12.4.5`). What it renders:
//!
//! - the server: a Deployment whose SQLite database lives on a PersistentVolumeClaim, so it
//!   runs one replica with the `Recreate` strategy in every tier (two pods cannot share the
//!   database or the ReadWriteOnce volume);
//! - the datasources the other components declare (none to any number), each with the uid,
//!   plugin and settings its component chose, and each correlation pointed at the datasource
//!   of the role it names (left out when no component offers that role);
//! - the dashboards the engine compiled from `dashboards/*.jsonnet` and read from
//!   `dashboards/*.json`, those the environment selects (`dashboards.include` / `exclude`), one
//!   ConfigMap each, after a lint that checks their uids, panel ids, datasource references,
//!   PromQL and links; links to a dashboard left out are removed.
//!
//! Admin credentials come from a Secret; only the local tier may render one with the fixed
//! `admin`/`admin` pair, labelled as local-only.

mod dashboards;
mod datasources;
mod links;
mod lint;
mod module;
mod objects;
mod options;
mod promql;
mod references;
mod resolved;
mod selection;
#[cfg(test)]
mod tests;

pub(crate) use module::GrafanaModule;
pub use options::Grafana;

/// The image every tier runs unless an env file pins another.
pub(crate) const IMAGE: &str = "grafana/grafana:12.4.5";
pub(crate) const VERSION: &str = "12.4.5";

pub(crate) const HTTP_PORT: u16 = 3000;
/// The user the image runs as.
pub(crate) const USER: i64 = 10472;
