//! `garage.toml`, rendered from a typed struct whose fields are the configuration reference's
//! keys. Secrets are absent on purpose: they come from the environment.

use crate::contract::yaml::EncodeError;
use serde::Serialize;

use super::resolved::Resolved;
use super::{ADMIN_PORT, RPC_PORT, S3_PORT};

pub(crate) const META_DIR: &str = "/var/lib/garage/meta";
pub(crate) const DATA_DIR: &str = "/var/lib/garage/data";

/// The top level of `garage.toml`. Plain values come before tables, as TOML requires.
#[derive(Serialize)]
struct GarageToml {
    metadata_dir: &'static str,
    data_dir: &'static str,
    /// LMDB is Garage's recommended metadata engine.
    db_engine: &'static str,
    /// Fsync the metadata DB on every write: slower, but a node that loses power keeps a
    /// consistent database.
    metadata_fsync: bool,
    replication_factor: u32,
    #[serde(skip_serializing_if = "Option::is_none")]
    metadata_auto_snapshot_interval: Option<String>,
    rpc_bind_addr: String,
    s3_api: S3Api,
    admin: Admin,
}

#[derive(Serialize)]
struct S3Api {
    s3_region: String,
    api_bind_addr: String,
}

#[derive(Serialize)]
struct Admin {
    api_bind_addr: String,
}

/// The file's text.
pub(crate) fn garage_toml(r: &Resolved) -> Result<String, EncodeError> {
    let config = GarageToml {
        metadata_dir: META_DIR,
        data_dir: DATA_DIR,
        db_engine: "lmdb",
        metadata_fsync: r.tier == crate::contract::Tier::Production,
        replication_factor: r.replication_factor,
        metadata_auto_snapshot_interval: r.snapshot_interval.as_ref().map(|d| d.to_string()),
        rpc_bind_addr: format!("[::]:{RPC_PORT}"),
        s3_api: S3Api { s3_region: r.region.clone(), api_bind_addr: format!("[::]:{S3_PORT}") },
        admin: Admin { api_bind_addr: format!("[::]:{ADMIN_PORT}") },
    };
    Ok(toml::to_string(&config)?)
}
