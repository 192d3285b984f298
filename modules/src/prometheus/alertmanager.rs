//! The `Alertmanager` resource, its configuration Secret and its Service.

use std::collections::BTreeMap;

use k8s_openapi::api::core::v1::Secret;

use crate::contract::exposure::Exposure;
use crate::contract::monitoring::{Alertmanager, AlertmanagerSpec, EmbeddedMetadata};
use crate::contract::{App, ModuleError, k8s};

use super::cluster_monitors::{RELOADER_PORT, RELOADER_PORT_NAME};
use super::objects::{self, Labels};
use super::resolved::Resolved;
use super::{ALERTMANAGER_PORT, alertmanager_config};
use crate::contract::yaml::{EncodeError, encode};

/// The Service Prometheus and Grafana reach Alertmanager through, and the `job` of its metrics.
pub(crate) const SERVICE: &str = "alertmanager";
pub(crate) const COMPONENT: &str = "alerting";
/// The resource's name; the operator names the StatefulSet `alertmanager-platform`.
const NAME: &str = "platform";
pub(crate) const CONFIG_SECRET: &str = "alertmanager-platform-config";
/// The user Alertmanager runs as: see the Prometheus server's.
const USER: i64 = 10001;
pub(crate) const CONFIG_KEY: &str = "alertmanager.yaml";
const M: &str = "prometheus";

pub(crate) fn push(r: &Resolved, app: &mut App) -> Result<(), ModuleError> {
    let labels = k8s::labels(SERVICE, COMPONENT, &r.alertmanager.image.version);
    // Alertmanager never talks to the Kubernetes API.
    app.push(objects::service_account(SERVICE, &labels, false))?;
    app.push(config_secret(r, &labels)?)?;
    app.push(alertmanager(r, &labels))?;
    app.push(objects::service(
        SERVICE,
        &labels,
        k8s::selector_labels(SERVICE, COMPONENT),
        vec![
            objects::service_port("web", ALERTMANAGER_PORT, r.alertmanager.node_port.as_ref()),
            objects::service_port(RELOADER_PORT_NAME, RELOADER_PORT, None),
        ],
    ))?;
    if let Some(exposure) = &r.alertmanager.exposure {
        exposure.push(app, SERVICE, &labels, SERVICE, ALERTMANAGER_PORT)?;
    }
    if r.alertmanager.replicas > 1 {
        app.push(objects::disruption_budget(SERVICE, &labels, k8s::selector(SERVICE, COMPONENT)))?;
    }
    Ok(())
}

/// The configuration text, as the operator hands it to Alertmanager.
pub(crate) fn config_text(r: &Resolved) -> Result<String, ModuleError> {
    let value = match &r.alertmanager.routing {
        Some(routing) => super::routing::config(routing)?,
        None => serde_json::to_value(alertmanager_config::config(r.alertmanager.notifications.as_ref()))
            .map_err(|e| ModuleError::config_file(M, CONFIG_KEY)(EncodeError::Json(e)))?,
    };
    encode(&value).map_err(ModuleError::config_file(M, CONFIG_KEY))
}

/// The operator reads the configuration from this Secret (`spec.configSecret`). It holds no
/// credentials, but the operator only reads Secrets.
fn config_secret(r: &Resolved, labels: &Labels) -> Result<Secret, ModuleError> {
    Ok(Secret {
        metadata: k8s::exempt(
            k8s::meta(CONFIG_SECRET, labels),
            "secret-data",
            "the routing tree only (the operator reads it from a Secret); receiver credentials are files of the alertmanager-notifications Secret, created in the cluster",
        ),
        type_: Some("Opaque".into()),
        string_data: Some(BTreeMap::from([(CONFIG_KEY.into(), config_text(r)?)])),
        ..Default::default()
    })
}

fn alertmanager(r: &Resolved, labels: &Labels) -> Alertmanager {
    let a = &r.alertmanager;
    let mut pod_labels = k8s::selector_labels(SERVICE, COMPONENT);
    pod_labels.insert("app.kubernetes.io/part-of".into(), "oxidy".into());
    Alertmanager {
        metadata: k8s::meta(NAME, labels),
        spec: AlertmanagerSpec {
            version: a.image.version.clone(),
            image: a.image.reference.clone(),
            replicas: a.replicas,
            service_account_name: SERVICE.into(),
            automount_service_account_token: false,
            pod_metadata: Some(EmbeddedMetadata { labels: Some(pod_labels), annotations: None }),
            affinity: objects::spread_over_nodes(a.replicas, k8s::selector(SERVICE, COMPONENT)),
            security_context: Some(k8s::restricted_pod(USER)),
            resources: Some(a.resources.clone()),
            config_secret: CONFIG_SECRET.into(),
            secrets: match &a.routing {
                Some(routing) => vec![routing.secret.to_string()],
                None => a.notifications.iter().map(|n| n.secret.clone()).collect(),
            },
            // Silences and the notification log; replicas share them by gossip.
            retention: Some("120h".into()),
            storage: None,
            external_url: a.exposure.as_ref().map(Exposure::external_url),
        },
    }
}
