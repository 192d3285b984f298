//! The config-file blocks every Grafana-style ring component writes alike: memberlist over
//! its headless Service, and the S3 client with credentials the config expands from the
//! environment. Each component puts the blocks where its own config file wants them.

use serde::Serialize;

use super::context::S3Store;

/// The environment variables the pods get the S3 access key in (from the store's Secret)
/// and the config expands (`-config.expand-env=true`).
pub const ACCESS_KEY_ENV: &str = "AWS_ACCESS_KEY_ID";
pub const SECRET_KEY_ENV: &str = "AWS_SECRET_ACCESS_KEY";

/// The `memberlist:` block.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Memberlist {
    /// Keep starting when no peer answers yet: the first pods of a fresh install have no one
    /// to join, and memberlist keeps retrying in the background.
    pub abort_if_cluster_join_fails: bool,
    /// Gossip from any other ring (another component's, or another namespace's, reaching a
    /// reused pod IP) is dropped instead of merged into this one's rings.
    pub cluster_label: String,
    pub join_members: Vec<String>,
}

/// The memberlist block of component `name` in `namespace`, joining through its headless
/// Service `headless_service` on `gossip_port`.
pub fn memberlist(name: &str, namespace: &str, headless_service: &str, gossip_port: u16) -> Memberlist {
    Memberlist {
        abort_if_cluster_join_fails: false,
        cluster_label: format!("{namespace}-{name}"),
        join_members: vec![format!("{headless_service}.{namespace}.svc.cluster.local:{gossip_port}")],
    }
}

/// One S3 client: where the store is, the bucket, and the credentials as `${ENV}`
/// references, written in the key style the component's config takes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct S3Client {
    pub endpoint: String,
    pub region: String,
    pub bucket: String,
    pub access_key: String,
    pub secret_key: String,
    /// Plain HTTP inside the cluster.
    pub insecure: bool,
}

/// The client of `bucket` in `store`.
pub fn s3_client(store: &S3Store, bucket: &str) -> S3Client {
    S3Client {
        endpoint: store.endpoint.authority(),
        region: store.region.clone(),
        bucket: bucket.to_owned(),
        access_key: format!("${{{ACCESS_KEY_ENV}}}"),
        secret_key: format!("${{{SECRET_KEY_ENV}}}"),
        insecure: store.endpoint.scheme == "http",
    }
}

/// The client in the keys of the `aws` storage client (`storage_config.aws`, a ruler's `s3`).
#[derive(Debug, Clone, Serialize)]
pub struct AwsKeys {
    endpoint: String,
    region: String,
    bucketnames: String,
    access_key_id: String,
    secret_access_key: String,
    /// The store serves buckets under the path, not as virtual hosts.
    s3forcepathstyle: bool,
    insecure: bool,
}

/// The client in the keys of a `backend: s3` block (`storage.trace.s3`).
#[derive(Debug, Clone, Serialize)]
pub struct BackendKeys {
    bucket: String,
    endpoint: String,
    region: String,
    access_key: String,
    secret_key: String,
    insecure: bool,
    /// The store serves buckets under the path, not as virtual hosts.
    forcepathstyle: bool,
}

impl S3Client {
    /// As the `aws` storage client's keys.
    pub fn aws_keys(&self) -> AwsKeys {
        AwsKeys {
            endpoint: self.endpoint.clone(),
            region: self.region.clone(),
            bucketnames: self.bucket.clone(),
            access_key_id: self.access_key.clone(),
            secret_access_key: self.secret_key.clone(),
            s3forcepathstyle: true,
            insecure: self.insecure,
        }
    }

    /// As a `backend: s3` block's keys.
    pub fn backend_keys(&self) -> BackendKeys {
        BackendKeys {
            bucket: self.bucket.clone(),
            endpoint: self.endpoint.clone(),
            region: self.region.clone(),
            access_key: self.access_key.clone(),
            secret_key: self.secret_key.clone(),
            insecure: self.insecure,
            forcepathstyle: true,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::contract::Endpoint;

    #[test]
    fn memberlist_joins_through_the_headless_service_under_its_own_label() {
        let m = memberlist("logs", "obs", "logs-headless", 7946);
        assert_eq!(m.cluster_label, "obs-logs");
        assert_eq!(m.join_members, ["logs-headless.obs.svc.cluster.local:7946"]);
        assert!(!m.abort_if_cluster_join_fails);
    }

    #[test]
    fn the_s3_client_reads_credentials_from_the_environment() {
        let store = S3Store {
            endpoint: Endpoint {
                service: "s3".into(),
                namespace: "store".into(),
                port: 3900,
                port_name: "s3".into(),
                scheme: "http",
            },
            region: "garage".into(),
            credentials_secret: "creds".into(),
            access_key_id_key: "id".into(),
            secret_access_key_key: "key".into(),
        };
        let client = s3_client(&store, "chunks");
        assert_eq!(client.endpoint, "s3.store.svc.cluster.local:3900");
        assert_eq!(
            (client.access_key.as_str(), client.secret_key.as_str()),
            ("${AWS_ACCESS_KEY_ID}", "${AWS_SECRET_ACCESS_KEY}")
        );
        assert!(client.insecure);
        let aws = serde_json::to_value(client.aws_keys()).unwrap();
        assert_eq!((&aws["bucketnames"], &aws["s3forcepathstyle"]), (&"chunks".into(), &true.into()));
        let backend = serde_json::to_value(client.backend_keys()).unwrap();
        assert_eq!((&backend["bucket"], &backend["access_key"]), (&"chunks".into(), &"${AWS_ACCESS_KEY_ID}".into()));
    }
}
