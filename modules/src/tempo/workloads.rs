//! Tempo's pods: one StatefulSet or Deployment per target, all from one container shape.

use std::collections::BTreeMap;

use k8s_openapi::api::core::v1::{Container, PodSpec, PodTemplateSpec, Probe};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;

use crate::contract::k8s::{self, env_from_secret};
use crate::contract::{App, ModuleError, S3Store};

use super::config::{ACCESS_KEY_ENV, DATA_DIR, SECRET_KEY_ENV};
use super::objects::{CONFIG_FILE, CONFIG_MAP, HEADLESS_SERVICE, M, NAME, Target};
use super::options::{Resolved, TempoMode};
use super::{GOSSIP_PORT, GRPC_PORT, HTTP_PORT, OTLP_GRPC_PORT, OTLP_HTTP_PORT};

/// The image's `tempo` user.
const TEMPO_UID: i64 = 10001;

pub(crate) fn push(
    r: &Resolved,
    store: &S3Store,
    target: &Target,
    config: &str,
    labels: &BTreeMap<String, String>,
    app: &mut App,
) -> Result<(), ModuleError> {
    let template = pod_template(r, store, target, config, labels);
    let name = target.workload_name();
    let selector = k8s::selector(NAME, target.component);
    if target.stateful {
        let claims = vec![k8s::volume_claim("data", &r.volume, r.storage_class.as_deref())];
        app.push(
            M,
            k8s::peer_stateful_set(&name, labels, selector, target.replicas, HEADLESS_SERVICE, template, claims),
        )?;
    } else {
        app.push(M, k8s::deployment(&name, labels, selector, target.replicas, template))?;
    }
    Ok(())
}

/// Ready once the target has joined its rings and can serve; checked often, so traffic
/// leaves a pod that is shutting down.
fn readiness() -> Probe {
    Probe { initial_delay_seconds: Some(15), ..k8s::http_probe("/ready", "http", 10) }
}

/// Alive while the HTTP server answers: an ingester replaying its WAL, or a pod waiting for
/// its ring, is not ready, but must not be restarted for it.
fn liveness() -> Probe {
    Probe { initial_delay_seconds: Some(30), ..k8s::http_probe("/api/status/buildinfo", "http", 20) }
}

fn pod_template(
    r: &Resolved,
    store: &S3Store,
    target: &Target,
    config: &str,
    labels: &BTreeMap<String, String>,
) -> PodTemplateSpec {
    let mut ports = vec![k8s::container_port("http", HTTP_PORT), k8s::container_port("grpc", GRPC_PORT)];
    if r.mode == TempoMode::Distributed {
        ports.push(k8s::container_port("gossip", GOSSIP_PORT));
    }
    if target.receives_otlp {
        ports.push(k8s::container_port("otlp-grpc", OTLP_GRPC_PORT));
        ports.push(k8s::container_port("otlp-http", OTLP_HTTP_PORT));
    }
    let container = Container {
        name: NAME.into(),
        image: Some(r.image.clone()),
        image_pull_policy: Some("IfNotPresent".into()),
        args: Some(vec![
            format!("-config.file=/etc/tempo/{CONFIG_FILE}"),
            "-config.expand-env=true".into(),
            format!("-target={}", target.target()),
        ]),
        env: Some(vec![
            env_from_secret(ACCESS_KEY_ENV, &store.credentials_secret, &store.access_key_id_key),
            env_from_secret(SECRET_KEY_ENV, &store.credentials_secret, &store.secret_access_key_key),
        ]),
        ports: Some(ports),
        readiness_probe: Some(readiness()),
        liveness_probe: Some(liveness()),
        resources: Some(r.resources.clone()),
        security_context: Some(k8s::restricted_container()),
        volume_mounts: Some(vec![
            k8s::mount("config", "/etc/tempo", true),
            k8s::mount("data", DATA_DIR, false),
            k8s::mount("tmp", "/tmp", false),
        ]),
        ..Default::default()
    };
    let mut volumes = vec![k8s::config_map_volume("config", CONFIG_MAP), k8s::empty_dir("tmp")];
    if !target.stateful {
        // Queriers, frontends, distributors and compactors keep nothing across restarts.
        volumes.push(k8s::empty_dir("data"));
    }
    PodTemplateSpec {
        metadata: Some(ObjectMeta {
            labels: Some(labels.clone()),
            annotations: Some(BTreeMap::from([("oxidy.dev/config-hash".into(), k8s::content_hash(config))])),
            ..Default::default()
        }),
        spec: Some(PodSpec {
            service_account_name: Some(NAME.into()),
            automount_service_account_token: Some(false),
            security_context: Some(k8s::restricted_pod(TEMPO_UID)),
            // Ingesters cut their open traces into the WAL before they stop, and generators
            // flush their series; both can take longer than the default 30s.
            termination_grace_period_seconds: Some(if target.stateful { 300 } else { 30 }),
            topology_spread_constraints: (target.replicas > 1).then(|| k8s::spread(NAME, target.component)),
            containers: vec![container],
            volumes: Some(volumes),
            ..Default::default()
        }),
    }
}
