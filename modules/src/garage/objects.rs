//! Garage's Kubernetes objects.

use std::collections::BTreeMap;

use k8s_openapi::api::apps::v1::StatefulSet;
use k8s_openapi::api::core::v1::{
    ConfigMap, Container, PodSpec, PodTemplateSpec, Secret, Service, ServiceAccount, ServicePort, ServiceSpec,
};
use k8s_openapi::api::policy::v1::PodDisruptionBudget;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;

use crate::contract::k8s;
use crate::contract::{App, ModuleError};

use super::access;
use super::config::{self, DATA_DIR, META_DIR, garage_toml};
use super::resolved::Resolved;
use super::{ADMIN_PORT, RPC_PORT, S3_PORT, VERSION, reconnect, setup};

pub(crate) const NAME: &str = "garage";
const M: &str = "garage";
/// The user Garage runs as: a static binary that needs no user of its own; its volumes
/// belong to the pod's group.
const USER: i64 = 10001;
pub(crate) const S3_SERVICE: &str = "garage";
pub(crate) const RPC_SERVICE: &str = "garage-rpc";
pub(crate) const ADMIN_SERVICE: &str = "garage-admin";
const CONFIG_MAP: &str = "garage-config";
const CONFIG_FILE: &str = "garage.toml";
pub(crate) const RPC_SECRET_KEY: &str = "rpc-secret";
pub(crate) const ADMIN_TOKEN_KEY: &str = "admin-token";
pub(crate) const METRICS_TOKEN_KEY: &str = "metrics-token";
pub(crate) const ACCESS_KEY_ID_KEY: &str = "access-key-id";
pub(crate) const SECRET_ACCESS_KEY_KEY: &str = "secret-access-key";

/// Publicly known values for local clusters only: a Secret carrying them is labelled so.
const DEV_RPC_SECRET: &str = "6f786964792d6c6f63616c2d6f6e6c792d7270632d7365637265742d30303030";
const DEV_ADMIN_TOKEN: &str = "oxidy-local-only-admin-token";
const DEV_METRICS_TOKEN: &str = "oxidy-local-only-metrics-token";
const DEV_ACCESS_KEY_ID: &str = "GK6f786964792d6c6f63616c";
const DEV_SECRET_ACCESS_KEY: &str = "6f786964792d6c6f63616c2d6f6e6c792d73332d7365637265742d3030303030";

/// `monitored` is whether a metrics store runs: it then scrapes Garage's metrics.
pub(crate) fn render(r: &Resolved, monitored: bool, app: &mut App) -> Result<(), ModuleError> {
    let labels = k8s::labels(NAME, "storage", VERSION);
    let config = garage_toml(r).map_err(ModuleError::config_file(M, CONFIG_FILE))?;
    app.push(config_map(&config, &labels))?;
    if r.replicas > 1 {
        app.push(reconnect::config_map(r, &labels))?;
    }
    app.push(service_account(&labels))?;
    app.push(stateful_set(r, &config, &labels))?;
    app.push(s3_service(r, &labels))?;
    app.push(rpc_service(&labels))?;
    app.push(admin_service(&labels))?;
    if monitored {
        app.push(access::service_monitor(r, &labels))?;
    }
    if r.replicas > 1 {
        app.push(disruption_budget(&labels))?;
    }
    if r.dev_credentials {
        app.push(dev_secret(
            &r.garage_secret,
            &labels,
            [
                (RPC_SECRET_KEY, DEV_RPC_SECRET),
                (ADMIN_TOKEN_KEY, DEV_ADMIN_TOKEN),
                (METRICS_TOKEN_KEY, DEV_METRICS_TOKEN),
            ],
        ))?;
        app.push(dev_secret(
            &r.s3_secret,
            &labels,
            [(ACCESS_KEY_ID_KEY, DEV_ACCESS_KEY_ID), (SECRET_ACCESS_KEY_KEY, DEV_SECRET_ACCESS_KEY)],
        ))?;
    }
    Ok(())
}

fn config_map(config: &str, labels: &BTreeMap<String, String>) -> ConfigMap {
    k8s::config_map(CONFIG_MAP, labels, CONFIG_FILE, config)
}

fn service_account(labels: &BTreeMap<String, String>) -> ServiceAccount {
    // Garage never talks to the Kubernetes API.
    k8s::service_account(NAME, labels)
}

fn dev_secret<const N: usize>(name: &str, labels: &BTreeMap<String, String>, data: [(&str, &str); N]) -> Secret {
    let mut meta = k8s::meta(name, labels);
    meta.labels.get_or_insert_default().insert("oxidy.dev/local-only".into(), "true".into());
    meta.annotations = Some(BTreeMap::from([(
        "oxidy.dev/warning".into(),
        "Fixed development credentials, publicly known. Rendered only for the local tier.".into(),
    )]));
    Secret {
        metadata: meta,
        type_: Some("Opaque".into()),
        string_data: Some(data.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect()),
        ..Default::default()
    }
}

/// Where the pod's containers find the Secret's files, readable by the pod's group.
pub(crate) const CREDENTIALS_DIR: &str = "/credentials";
/// The Secret's keys the pod mounts.
const POD_KEYS: [&str; 3] = [RPC_SECRET_KEY, ADMIN_TOKEN_KEY, METRICS_TOKEN_KEY];

/// The init container's script: owner-only copies of the Secret's files for Garage. The
/// kubelet makes a Secret volume's files readable by the pod's `fsGroup` whatever its
/// `defaultMode` (kubernetes/kubernetes#57923), and Garage refuses a secret file its group or
/// others may read; the copies, made by Garage's own user with umask 077, are mode 0400 and
/// live in memory. Old copies are removed first: a 0400 file cannot be written over.
pub(crate) fn secrets_copy_script() -> String {
    let mut script = String::from("set -eu\numask 077\n");
    for key in POD_KEYS {
        script.push_str(&format!(
            "rm -f {dir}/{key}\ncp {CREDENTIALS_DIR}/{key} {dir}/{key}\n",
            dir = config::SECRETS_DIR
        ));
    }
    script
}

/// The init container that makes Garage's owner-only copies of its secrets.
fn secrets_copy() -> Container {
    Container {
        name: "secrets".into(),
        image: Some(setup::IMAGE.into()),
        image_pull_policy: Some(k8s::IMAGE_PULL_POLICY.into()),
        command: Some(vec!["/bin/sh".into(), "-c".into(), secrets_copy_script()]),
        resources: Some(setup::sidecar_resources()),
        security_context: Some(k8s::restricted_container()),
        volume_mounts: Some(vec![
            k8s::mount("credentials", CREDENTIALS_DIR, true),
            k8s::mount("secrets", config::SECRETS_DIR, false),
        ]),
        ..Default::default()
    }
}

fn stateful_set(r: &Resolved, config: &str, labels: &BTreeMap<String, String>) -> StatefulSet {
    let container = Container {
        name: NAME.into(),
        image: Some(r.image.reference.clone()),
        image_pull_policy: Some(k8s::IMAGE_PULL_POLICY.into()),
        command: Some(vec!["/garage".into(), "-c".into(), format!("/etc/garage/{CONFIG_FILE}"), "server".into()]),
        ports: Some(vec![
            k8s::container_port("s3", S3_PORT),
            k8s::container_port("rpc", RPC_PORT),
            k8s::container_port("admin", ADMIN_PORT),
        ]),
        // Liveness asks only whether the node answers: a node must not be restarted because
        // the cluster around it is degraded or its layout is not applied yet. It uses the S3
        // port, which the NetworkPolicies leave open to the kubelet's node addresses: whether a CNI exempts the kubelet's
        // probes from a policy on the admin port varies.
        liveness_probe: Some(k8s::tcp_probe("s3", 20)),
        readiness_probe: Some(k8s::tcp_probe("s3", 10)),
        resources: Some(r.resources.clone()),
        security_context: Some(k8s::restricted_container()),
        volume_mounts: Some(vec![
            k8s::mount("config", "/etc/garage", true),
            k8s::mount("secrets", config::SECRETS_DIR, true),
            k8s::mount("meta", META_DIR, false),
            k8s::mount("data", DATA_DIR, false),
            k8s::mount("tmp", "/tmp", false),
        ]),
        ..Default::default()
    };
    let mut containers = vec![container];
    let mut volumes = vec![
        k8s::config_map_volume("config", CONFIG_MAP),
        k8s::secret_keys_volume("credentials", &r.garage_secret, &POD_KEYS),
        k8s::memory_dir("secrets"),
        k8s::empty_dir("tmp"),
    ];
    if r.replicas > 1 {
        containers.push(reconnect::container(r));
        volumes.push(reconnect::volume());
    }
    let pod = PodSpec {
        service_account_name: Some(NAME.into()),
        automount_service_account_token: Some(false),
        security_context: Some(k8s::restricted_pod(USER)),
        init_containers: Some(vec![secrets_copy()]),
        containers,
        volumes: Some(volumes),
        ..Default::default()
    };
    let template = PodTemplateSpec {
        metadata: Some(ObjectMeta {
            labels: Some(labels.clone()),
            annotations: Some(BTreeMap::from([("oxidy.dev/config-hash".into(), k8s::content_hash(config))])),
            ..Default::default()
        }),
        spec: Some(pod),
    };
    let claims = vec![
        k8s::volume_claim("meta", &r.metadata_volume, r.storage_class.as_deref()),
        k8s::volume_claim("data", &r.data_volume, r.storage_class.as_deref()),
    ];
    k8s::peer_stateful_set(NAME, labels, k8s::selector(NAME, "storage"), r.replicas, RPC_SERVICE, template, claims)
}

fn service(name: &str, labels: &BTreeMap<String, String>, spec: ServiceSpec) -> Service {
    Service {
        metadata: k8s::meta(name, labels),
        spec: Some(ServiceSpec { selector: Some(k8s::selector_labels(NAME, "storage")), ..spec }),
        ..Default::default()
    }
}

fn service_port(name: &str, port: u16, node_port: Option<u16>) -> ServicePort {
    ServicePort { node_port: node_port.map(i32::from), ..k8s::service_port(name, port) }
}

fn s3_service(r: &Resolved, labels: &BTreeMap<String, String>) -> Service {
    let type_ = if r.s3_node_port.is_some() { "NodePort" } else { "ClusterIP" };
    service(
        S3_SERVICE,
        labels,
        ServiceSpec {
            type_: Some(type_.into()),
            ports: Some(vec![service_port("s3", S3_PORT, r.s3_node_port)]),
            ..Default::default()
        },
    )
}

fn rpc_service(labels: &BTreeMap<String, String>) -> Service {
    service(
        RPC_SERVICE,
        labels,
        ServiceSpec {
            cluster_ip: Some("None".into()),
            // Nodes must find each other before they are ready.
            publish_not_ready_addresses: Some(true),
            ports: Some(vec![service_port("rpc", RPC_PORT, None)]),
            ..Default::default()
        },
    )
}

fn admin_service(labels: &BTreeMap<String, String>) -> Service {
    service(
        ADMIN_SERVICE,
        labels,
        ServiceSpec {
            type_: Some("ClusterIP".into()),
            ports: Some(vec![service_port("admin", ADMIN_PORT, None)]),
            ..Default::default()
        },
    )
}

fn disruption_budget(labels: &BTreeMap<String, String>) -> PodDisruptionBudget {
    // With replication 3, one node down keeps every partition at quorum.
    k8s::disruption_budget(NAME, labels, k8s::selector(NAME, "storage"))
}
