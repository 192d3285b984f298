//! Grafana's Kubernetes objects.

use std::collections::BTreeMap;

use k8s_openapi::api::apps::v1::{Deployment, DeploymentSpec, DeploymentStrategy};
use k8s_openapi::api::core::v1::{
    ConfigMap, ConfigMapProjection, Container, KeyToPath, PersistentVolumeClaim, PersistentVolumeClaimVolumeSource,
    PodSpec, PodTemplateSpec, ProjectedVolumeSource, Secret, Service, ServiceAccount, ServicePort, ServiceSpec, Volume,
    VolumeMount, VolumeProjection,
};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;

use crate::contract::k8s::{self, env};
use crate::contract::monitoring::ServiceMonitor;
use crate::contract::{App, ModuleError};

use super::dashboards::{self, Delivered, FOLDERS};
use super::datasources::{self, Provisioning};
use super::resolved::Resolved;
use super::{HTTP_PORT, USER, VERSION};

const NAME: &str = "grafana";
const COMPONENT: &str = "frontend";
const M: &str = "grafana";
pub(crate) const SERVICE: &str = "grafana";
pub(crate) const DATASOURCES_CONFIG_MAP: &str = "grafana-datasources";
pub(crate) const PROVIDERS_CONFIG_MAP: &str = "grafana-dashboard-providers";
pub(crate) const DATASOURCES_FILE: &str = "datasources.yaml";
pub(crate) const PROVIDERS_FILE: &str = "dashboards.yaml";
pub(crate) const ADMIN_USER_KEY: &str = "admin-user";
pub(crate) const ADMIN_PASSWORD_KEY: &str = "admin-password";
const DATA_DIR: &str = "/var/lib/grafana";
const PROVISIONING_DIR: &str = "/etc/grafana/provisioning";
/// Dashboards sit outside the data volume, read-only, one folder per Grafana folder.
pub(crate) const DASHBOARDS_DIR: &str = "/etc/grafana/dashboards";

pub(crate) fn render(
    r: &Resolved,
    provisioning: &Provisioning,
    delivered: &[Delivered],
    app: &mut App,
) -> Result<(), ModuleError> {
    let labels = k8s::labels(NAME, COMPONENT, VERSION);
    let datasources_text = datasources::text(provisioning).map_err(ModuleError::config_file(M, DATASOURCES_FILE))?;
    let providers_text =
        dashboards::provider_text(DASHBOARDS_DIR).map_err(ModuleError::config_file(M, PROVIDERS_FILE))?;
    app.push(config_map(DATASOURCES_CONFIG_MAP, &labels, DATASOURCES_FILE, datasources_text.clone()))?;
    app.push(config_map(PROVIDERS_CONFIG_MAP, &labels, PROVIDERS_FILE, providers_text.clone()))?;
    for d in delivered {
        app.push(dashboard_config_map(d, &labels))?;
    }
    app.push(service_account(&labels))?;
    app.push(volume_claim(r, &labels))?;
    let config_hash = k8s::content_hash(&(datasources_text + &providers_text));
    app.push(deployment(r, &labels, delivered, config_hash))?;
    app.push(service(r, &labels))?;
    // Grafana serves its own metrics on the UI port; the Grafana dashboard reads them.
    app.push(ServiceMonitor::new(NAME, &labels, k8s::selector(NAME, COMPONENT), "http", "/metrics"))?;
    if let Some(exposure) = &r.exposure {
        exposure.push(app, NAME, &labels, SERVICE, HTTP_PORT)?;
    }
    if r.dev_credentials {
        app.push(dev_secret(&r.admin_secret, &labels))?;
    }
    Ok(())
}

fn config_map(name: &str, labels: &BTreeMap<String, String>, file: &str, text: String) -> ConfigMap {
    k8s::config_map(name, labels, file, &text)
}

fn dashboard_config_map(d: &Delivered, labels: &BTreeMap<String, String>) -> ConfigMap {
    let mut meta = k8s::meta(&d.config_map, labels);
    meta.labels.get_or_insert_default().insert(dashboards::LABEL.0.into(), dashboards::LABEL.1.into());
    meta.annotations = Some(BTreeMap::from([(dashboards::FOLDER_ANNOTATION.into(), d.folder.into())]));
    ConfigMap { metadata: meta, data: Some(BTreeMap::from([(d.key.clone(), d.text.clone())])), ..Default::default() }
}

fn service_account(labels: &BTreeMap<String, String>) -> ServiceAccount {
    // Dashboards and datasources come from files: Grafana never talks to the Kubernetes API.
    k8s::service_account(NAME, labels)
}

fn volume_claim(r: &Resolved, labels: &BTreeMap<String, String>) -> PersistentVolumeClaim {
    let mut claim = k8s::volume_claim(NAME, &r.volume, r.storage_class.as_deref());
    claim.metadata.labels = Some(labels.clone());
    claim
}

fn dev_secret(name: &str, labels: &BTreeMap<String, String>) -> Secret {
    let mut meta = k8s::meta(name, labels);
    meta.labels.get_or_insert_default().insert("oxidy.dev/local-only".into(), "true".into());
    meta.annotations = Some(BTreeMap::from([(
        "oxidy.dev/warning".into(),
        "Fixed development credentials, publicly known. Rendered only for the local tier.".into(),
    )]));
    Secret {
        metadata: meta,
        type_: Some("Opaque".into()),
        string_data: Some(BTreeMap::from([
            (ADMIN_USER_KEY.into(), "admin".into()),
            (ADMIN_PASSWORD_KEY.into(), "admin".into()),
        ])),
        ..Default::default()
    }
}

/// The volume name of a dashboard folder.
fn folder_volume(folder: &str) -> String {
    format!("dashboards-{}", folder.to_ascii_lowercase())
}

/// One projected volume per folder that has dashboards, each ConfigMap's file inside it.
/// Projected volumes (unlike subPath mounts) follow ConfigMap updates, and Grafana rereads
/// the files without a restart.
fn folder_volumes(delivered: &[Delivered]) -> Vec<(Volume, VolumeMount)> {
    FOLDERS
        .iter()
        .filter_map(|folder| {
            let sources: Vec<VolumeProjection> = delivered
                .iter()
                .filter(|d| d.folder == *folder)
                .map(|d| VolumeProjection {
                    config_map: Some(ConfigMapProjection {
                        name: d.config_map.clone(),
                        items: Some(vec![KeyToPath { key: d.key.clone(), path: d.key.clone(), ..Default::default() }]),
                        ..Default::default()
                    }),
                    ..Default::default()
                })
                .collect();
            if sources.is_empty() {
                return None;
            }
            let name = folder_volume(folder);
            let volume = Volume {
                name: name.clone(),
                projected: Some(ProjectedVolumeSource { sources: Some(sources), ..Default::default() }),
                ..Default::default()
            };
            Some((volume, k8s::mount(&name, &format!("{DASHBOARDS_DIR}/{folder}"), true)))
        })
        .collect()
}

/// Where the admin Secret's keys are files.
const ADMIN_DIR: &str = "/etc/grafana/admin";

fn container(r: &Resolved, mounts: Vec<VolumeMount>) -> Container {
    let mut env_vars = vec![
        // Grafana reads any setting from a file named by `<VARIABLE>__FILE`.
        env("GF_SECURITY_ADMIN_USER__FILE", &format!("{ADMIN_DIR}/{ADMIN_USER_KEY}")),
        env("GF_SECURITY_ADMIN_PASSWORD__FILE", &format!("{ADMIN_DIR}/{ADMIN_PASSWORD_KEY}")),
        env("GF_PATHS_DATA", DATA_DIR),
        env("GF_PATHS_PLUGINS", &format!("{DATA_DIR}/plugins")),
        env("GF_PATHS_PROVISIONING", PROVISIONING_DIR),
        env("GF_PATHS_LOGS", "/var/log/grafana"),
        // Logs go to stdout, where the cluster's log pipeline picks them up.
        env("GF_LOG_MODE", "console"),
        env("GF_ANALYTICS_REPORTING_ENABLED", "false"),
        env("GF_ANALYTICS_CHECK_FOR_UPDATES", "false"),
        env("GF_ANALYTICS_CHECK_FOR_PLUGIN_UPDATES", "false"),
        env("GF_USERS_ALLOW_SIGN_UP", "false"),
        env("GF_AUTH_ANONYMOUS_ENABLED", "false"),
    ];
    if let Some(url) = &r.root_url {
        env_vars.push(env("GF_SERVER_ROOT_URL", url));
    }
    // Redirects and cookies are issued for the host users reach Grafana at.
    if let Some(exposure) = &r.exposure {
        env_vars.push(env("GF_SERVER_DOMAIN", exposure.host()));
    }
    // The first start migrates the database; give it a minute before liveness counts.
    let liveness = k8s_openapi::api::core::v1::Probe {
        initial_delay_seconds: Some(60),
        ..k8s::http_probe("/api/health", "http", 20)
    };
    Container {
        name: NAME.into(),
        image: Some(r.image.reference.clone()),
        image_pull_policy: Some(k8s::IMAGE_PULL_POLICY.into()),
        env: Some(env_vars),
        ports: Some(vec![k8s::container_port("http", HTTP_PORT)]),
        liveness_probe: Some(liveness),
        readiness_probe: Some(k8s::http_probe("/api/health", "http", 10)),
        resources: Some(r.resources.clone()),
        security_context: Some(k8s::restricted_container()),
        volume_mounts: Some(mounts),
        ..Default::default()
    }
}

fn deployment(
    r: &Resolved,
    labels: &BTreeMap<String, String>,
    delivered: &[Delivered],
    config_hash: String,
) -> Deployment {
    let folders = folder_volumes(delivered);
    let mut mounts = vec![
        k8s::mount("data", DATA_DIR, false),
        k8s::mount("datasources", &format!("{PROVISIONING_DIR}/datasources"), true),
        k8s::mount("dashboard-providers", &format!("{PROVISIONING_DIR}/dashboards"), true),
        k8s::mount("tmp", "/tmp", false),
        k8s::mount("logs", "/var/log/grafana", false),
        k8s::mount("admin", ADMIN_DIR, true),
    ];
    let mut volumes = vec![
        Volume {
            name: "data".into(),
            persistent_volume_claim: Some(PersistentVolumeClaimVolumeSource {
                claim_name: NAME.into(),
                ..Default::default()
            }),
            ..Default::default()
        },
        k8s::config_map_volume("datasources", DATASOURCES_CONFIG_MAP),
        k8s::config_map_volume("dashboard-providers", PROVIDERS_CONFIG_MAP),
        k8s::empty_dir("tmp"),
        k8s::empty_dir("logs"),
        k8s::secret_volume("admin", &r.admin_secret),
    ];
    for (volume, folder_mount) in folders {
        volumes.push(volume);
        mounts.push(folder_mount);
    }
    let pod = PodSpec {
        service_account_name: Some(NAME.into()),
        automount_service_account_token: Some(false),
        security_context: Some(k8s::restricted_pod(USER)),
        containers: vec![container(r, mounts)],
        volumes: Some(volumes),
        ..Default::default()
    };
    Deployment {
        metadata: k8s::meta(NAME, labels),
        spec: Some(DeploymentSpec {
            // SQLite on a ReadWriteOnce volume: one pod, and the old one stops before the new
            // one starts.
            replicas: Some(1),
            strategy: Some(DeploymentStrategy { type_: Some("Recreate".into()), ..Default::default() }),
            selector: k8s::selector(NAME, COMPONENT),
            template: PodTemplateSpec {
                metadata: Some(ObjectMeta {
                    labels: Some(labels.clone()),
                    // Provisioning files are read at start only: a change must restart Grafana.
                    annotations: Some(BTreeMap::from([("oxidy.dev/config-hash".into(), config_hash)])),
                    ..Default::default()
                }),
                spec: Some(pod),
            },
            ..Default::default()
        }),
        ..Default::default()
    }
}

fn service(r: &Resolved, labels: &BTreeMap<String, String>) -> Service {
    Service {
        metadata: k8s::meta(SERVICE, labels),
        spec: Some(ServiceSpec {
            type_: Some(if r.node_port.is_some() { "NodePort" } else { "ClusterIP" }.into()),
            selector: Some(k8s::selector_labels(NAME, COMPONENT)),
            ports: Some(vec![ServicePort {
                name: Some("http".into()),
                port: HTTP_PORT.into(),
                target_port: Some(IntOrString::String("http".into())),
                protocol: Some("TCP".into()),
                node_port: r.node_port.map(i32::from),
                ..Default::default()
            }]),
            ..Default::default()
        }),
        ..Default::default()
    }
}
