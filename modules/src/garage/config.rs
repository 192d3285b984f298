//! `garage.toml`, rendered from a typed struct whose fields are the configuration reference's
//! keys. Secrets are absent on purpose: the file names the files Garage reads them from.

use crate::contract::yaml::EncodeError;
use serde::Serialize;

use super::objects::{ADMIN_TOKEN_KEY, METRICS_TOKEN_KEY, RPC_SECRET_KEY};
use super::resolved::Resolved;
use super::{ADMIN_PORT, RPC_PORT, S3_PORT};

pub(crate) const META_DIR: &str = "/var/lib/garage/meta";
pub(crate) const DATA_DIR: &str = "/var/lib/garage/data";
/// Where Garage reads its secrets: owner-only copies of the Secret's files (see
/// `objects::secrets_copy`), since Garage refuses a secret file its group may read.
pub(crate) const SECRETS_DIR: &str = "/run/secrets/garage";

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
    rpc_secret_file: String,
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
    admin_token_file: String,
    metrics_token_file: String,
}

/// The path Garage reads the Secret's `key` from.
pub(crate) fn secret_file(key: &str) -> String {
    format!("{SECRETS_DIR}/{key}")
}

/// The file's text.
pub(crate) fn garage_toml(r: &Resolved) -> Result<String, EncodeError> {
    let config = GarageToml {
        metadata_dir: META_DIR,
        data_dir: DATA_DIR,
        db_engine: "lmdb",
        metadata_fsync: r.tier == crate::contract::Tier::Production,
        replication_factor: r.replication_factor,
        rpc_secret_file: secret_file(RPC_SECRET_KEY),
        metadata_auto_snapshot_interval: r.snapshot_interval.as_ref().map(|d| d.to_string()),
        rpc_bind_addr: format!("[::]:{RPC_PORT}"),
        s3_api: S3Api { s3_region: r.region.clone(), api_bind_addr: format!("[::]:{S3_PORT}") },
        admin: Admin {
            api_bind_addr: format!("[::]:{ADMIN_PORT}"),
            admin_token_file: secret_file(ADMIN_TOKEN_KEY),
            metrics_token_file: secret_file(METRICS_TOKEN_KEY),
        },
    };
    Ok(toml::to_string(&config)?)
}
