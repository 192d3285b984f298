//! The storage setup app: the bootstrap script in a ConfigMap and the Job that runs it.
//!
//! It is an app of its own at [`Wave::StorageSetup`]: the app-of-apps syncs it only once
//! Garage is healthy, and the backends that need its buckets (Loki, Tempo) only after it.
//! The Job is an Argo CD `Sync` hook with `BeforeHookCreation`: a Job's pod template cannot
//! be changed, so rather than being updated it is deleted and created again, and so runs
//! again, on every sync of the app, such as when a component claims a new bucket. The script
//! is idempotent, so a run with nothing to do changes nothing.
//!
//! A hook runs on a sync only: after every Garage pod restarted at once, nothing runs the Job
//! again, and it is not needed. The layout, key and buckets are kept in the nodes' metadata
//! volumes, and the reconnect loop beside each node (`reconnect.rs`) connects the nodes
//! again. Only new buckets or nodes need the Job, and they come with a sync.

use std::collections::BTreeMap;

use k8s_openapi::api::batch::v1::{Job, JobSpec};
use k8s_openapi::api::core::v1::{
    ConfigMap, Container, PodSpec, PodTemplateSpec, ResourceRequirements, ServiceAccount, VolumeMount,
};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;

use crate::contract::k8s::{self, Resources};
use crate::contract::{App, BucketClaim, ModuleError, Wave};

use super::bootstrap::{Plan, check_bucket_name, script};
use super::objects::{ACCESS_KEY_ID_KEY, ADMIN_TOKEN_KEY, SECRET_ACCESS_KEY_KEY};
use super::resolved::Resolved;

pub(crate) const APP: &str = "garage-setup";
/// The setup pods' name label.
pub(crate) const NAME: &str = "garage-setup";
pub(crate) const COMPONENT: &str = "storage-setup";
const CONFIG_MAP: &str = "garage-setup-script";
const SCRIPT_FILE: &str = "bootstrap.sh";
/// curl with busybox's sh, sed, grep and tail; runs as `curl_user` (uid 100).
pub(crate) const IMAGE: &str = "curlimages/curl:8.20.0";

/// What a shell loop in [`IMAGE`] beside each node needs (the secrets copy, the reconnect
/// loop): a few millicores and megabytes, bounded.
pub(crate) fn sidecar_resources() -> ResourceRequirements {
    Resources::fixed(k8s::Defaults(k8s::millicores(5), k8s::mebibytes(8), k8s::millicores(100), k8s::mebibytes(32)))
}
const USER: i64 = 10001;
/// Where the Job finds the admin token, and the S3 key it imports, as files.
const GARAGE_CREDENTIALS_DIR: &str = "/credentials/garage";
const S3_CREDENTIALS_DIR: &str = "/credentials/s3";

/// The zone every node is placed in: one site, so zone redundancy is not asked for.
const ZONE: &str = "dc1";

pub(crate) fn render(r: &Resolved, buckets: &[BucketClaim]) -> Result<App, ModuleError> {
    for claim in buckets {
        check_bucket_name(&claim.name)?;
    }
    let capacity = r.data_volume.bytes();
    let plan = Plan {
        nodes: super::reconnect::nodes(r),
        buckets: buckets.iter().map(|b| b.name.clone()).collect(),
        zone: ZONE,
        capacity,
        key_name: "oxidy",
        admin_token_file: format!("{GARAGE_CREDENTIALS_DIR}/{ADMIN_TOKEN_KEY}"),
        access_key_id_file: format!("{S3_CREDENTIALS_DIR}/{ACCESS_KEY_ID_KEY}"),
        secret_access_key_file: format!("{S3_CREDENTIALS_DIR}/{SECRET_ACCESS_KEY_KEY}"),
    };
    let labels = k8s::labels(NAME, COMPONENT, super::VERSION);
    let mut app = App::owned("garage", APP, r.namespace.clone(), Wave::StorageSetup);
    app.push(config_map(&script(&plan), &labels))?;
    app.push(service_account(&labels))?;
    app.push(job(r, &labels))?;
    Ok(app)
}

fn config_map(script: &str, labels: &BTreeMap<String, String>) -> ConfigMap {
    k8s::config_map(CONFIG_MAP, labels, SCRIPT_FILE, script)
}

fn service_account(labels: &BTreeMap<String, String>) -> ServiceAccount {
    // The bootstrap talks to Garage only, never to the Kubernetes API.
    k8s::service_account(NAME, labels)
}

fn job(r: &Resolved, labels: &BTreeMap<String, String>) -> Job {
    let container = Container {
        name: NAME.into(),
        image: Some(IMAGE.into()),
        image_pull_policy: Some(k8s::IMAGE_PULL_POLICY.into()),
        command: Some(vec!["/bin/sh".into(), format!("/scripts/{SCRIPT_FILE}")]),
        resources: Some(Resources::fixed(k8s::Defaults(
            k8s::millicores(10),
            k8s::mebibytes(16),
            k8s::millicores(200),
            k8s::mebibytes(64),
        ))),
        security_context: Some(k8s::restricted_container()),
        volume_mounts: Some(vec![
            VolumeMount {
                name: "script".into(),
                mount_path: "/scripts".into(),
                read_only: Some(true),
                ..Default::default()
            },
            VolumeMount { name: "tmp".into(), mount_path: "/tmp".into(), ..Default::default() },
            k8s::mount("garage-credentials", GARAGE_CREDENTIALS_DIR, true),
            k8s::mount("s3-credentials", S3_CREDENTIALS_DIR, true),
        ]),
        // No probes: the pod runs to completion. The deadline below and curl's timeouts
        // bound it instead.
        ..Default::default()
    };
    let pod = PodSpec {
        service_account_name: Some(NAME.into()),
        automount_service_account_token: Some(false),
        security_context: Some(k8s::restricted_pod(USER)),
        restart_policy: Some("Never".into()),
        containers: vec![container],
        volumes: Some(vec![
            k8s::config_map_volume("script", CONFIG_MAP),
            k8s::empty_dir("tmp"),
            k8s::secret_keys_volume("garage-credentials", &r.garage_secret, &[ADMIN_TOKEN_KEY]),
            k8s::secret_keys_volume("s3-credentials", &r.s3_secret, &[ACCESS_KEY_ID_KEY, SECRET_ACCESS_KEY_KEY]),
        ]),
        ..Default::default()
    };
    let mut metadata = k8s::meta(NAME, labels);
    metadata.annotations = Some(BTreeMap::from([
        ("argocd.argoproj.io/hook".into(), "Sync".into()),
        ("argocd.argoproj.io/hook-delete-policy".into(), "BeforeHookCreation".into()),
    ]));
    Job {
        metadata,
        spec: Some(JobSpec {
            backoff_limit: Some(4),
            active_deadline_seconds: Some(900),
            template: PodTemplateSpec {
                metadata: Some(ObjectMeta { labels: Some(labels.clone()), ..Default::default() }),
                spec: Some(pod),
            },
            ..Default::default()
        }),
        ..Default::default()
    }
}
