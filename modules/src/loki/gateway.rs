//! The gateway of the simple scalable layout: one nginx in front of the three targets, so the
//! `loki` Service takes pushes, OTLP, rules and queries alike, as the single binary does.

use std::collections::BTreeMap;

use k8s_openapi::api::apps::v1::{Deployment, DeploymentSpec};
use k8s_openapi::api::core::v1::{
    ConfigMap, ConfigMapVolumeSource, Container, EmptyDirVolumeSource, PodSpec, PodTemplateSpec, Probe, Service,
    ServiceSpec, TopologySpreadConstraint, Volume, VolumeMount,
};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;

use crate::contract::k8s;
use crate::contract::{App, ModuleError};

use super::HTTP_PORT;
use super::objects::{
    BACKEND_SERVICE, HTTP_SERVICE, NAME, READ_SERVICE, WRITE_SERVICE, disruption_budget, service_port,
};
use super::resolved::Resolved;

/// nginx that runs as an unprivileged user and listens on 8080 (stable branch).
pub(crate) const GATEWAY_IMAGE: &str = "nginxinc/nginx-unprivileged:1.30.0-alpine";
const GATEWAY_VERSION: &str = "1.30.0";
const GATEWAY: &str = "loki-gateway";
const LISTEN_PORT: u16 = 8080;
/// The image's `nginx` user.
const NGINX_UID: i64 = 10101;

/// nginx.conf: every writable path is under /tmp, the one writable volume. Each
/// `proxy_pass` names its target literally and without a URI, so nginx resolves the Service
/// names once at start (no resolver needed) and passes the request URI on unchanged.
fn nginx_conf(r: &Resolved) -> String {
    let host = |service: &str| format!("{service}.{}.svc.cluster.local:{HTTP_PORT}", r.namespace);
    let (write, read, backend) = (host(WRITE_SERVICE), host(READ_SERVICE), host(BACKEND_SERVICE));
    format!(
        r#"worker_processes 1;
error_log /dev/stderr warn;
pid /tmp/nginx.pid;

events {{
  worker_connections 1024;
}}

http {{
  client_body_temp_path /tmp/client_temp;
  proxy_temp_path /tmp/proxy_temp;
  fastcgi_temp_path /tmp/fastcgi_temp;
  uwsgi_temp_path /tmp/uwsgi_temp;
  scgi_temp_path /tmp/scgi_temp;
  access_log off;
  # OTLP and push batches from the collector.
  client_max_body_size 16m;
  proxy_http_version 1.1;
  # Long range queries stream for minutes.
  proxy_read_timeout 300s;

  map $http_upgrade $connection_upgrade {{
    default upgrade;
    '' close;
  }}

  server {{
    listen {LISTEN_PORT};

    location = / {{
      return 200 "OK\n";
    }}
    location = /otlp/v1/logs {{
      proxy_pass http://{write};
    }}
    location = /loki/api/v1/push {{
      proxy_pass http://{write};
    }}
    location ^~ /loki/api/v1/rules {{
      proxy_pass http://{backend};
    }}
    location ^~ /prometheus/api/v1/ {{
      proxy_pass http://{backend};
    }}
    location ^~ /loki/api/v1/delete {{
      proxy_pass http://{backend};
    }}
    location = /loki/api/v1/tail {{
      proxy_pass http://{read};
      proxy_set_header Upgrade $http_upgrade;
      proxy_set_header Connection $connection_upgrade;
    }}
    location / {{
      proxy_pass http://{read};
    }}
  }}
}}
"#
    )
}

pub(crate) fn render(r: &Resolved, app: &mut App) -> Result<(), ModuleError> {
    // Its own name label keeps the gateway out of the memberlist Service, which selects
    // every `loki` pod.
    let labels = k8s::labels(GATEWAY, "gateway", GATEWAY_VERSION);
    let conf = nginx_conf(r);
    app.push(ConfigMap {
        metadata: k8s::meta(GATEWAY, &labels),
        data: Some(BTreeMap::from([("nginx.conf".into(), conf.clone())])),
        ..Default::default()
    })?;
    app.push(deployment(r, &conf, &labels))?;
    app.push(Service {
        metadata: k8s::meta(HTTP_SERVICE, &labels),
        spec: Some(ServiceSpec {
            type_: Some("ClusterIP".into()),
            selector: Some(k8s::selector_labels(GATEWAY, "gateway")),
            ports: Some(vec![service_port("http", HTTP_PORT)]),
            ..Default::default()
        }),
        ..Default::default()
    })?;
    if r.gateway_replicas > 1 {
        let mut budget = disruption_budget(GATEWAY, "gateway", &labels);
        if let Some(spec) = budget.spec.as_mut() {
            spec.selector = Some(k8s::selector(GATEWAY, "gateway"));
        }
        app.push(budget)?;
    }
    Ok(())
}

fn deployment(r: &Resolved, conf: &str, labels: &BTreeMap<String, String>) -> Deployment {
    let probe = |period| Probe { initial_delay_seconds: Some(5), ..k8s::http_probe("/", "http", period) };
    let container = Container {
        name: "nginx".into(),
        image: Some(r.gateway_image.reference.clone()),
        image_pull_policy: Some(k8s::IMAGE_PULL_POLICY.into()),
        // nginx itself, without the image's entrypoint scripts: they rewrite files under
        // /etc/nginx, which is read-only here.
        command: Some(vec![
            "nginx".into(),
            "-c".into(),
            "/etc/nginx/gateway/nginx.conf".into(),
            "-g".into(),
            "daemon off;".into(),
        ]),
        ports: Some(vec![k8s::container_port("http", LISTEN_PORT)]),
        readiness_probe: Some(probe(10)),
        liveness_probe: Some(probe(20)),
        resources: Some(k8s::Resources::fixed(k8s::Defaults(
            k8s::millicores(50),
            k8s::mebibytes(64),
            k8s::millicores(500),
            k8s::mebibytes(256),
        ))),
        security_context: Some(k8s::restricted_container()),
        volume_mounts: Some(vec![
            VolumeMount {
                name: "config".into(),
                mount_path: "/etc/nginx/gateway".into(),
                read_only: Some(true),
                ..Default::default()
            },
            VolumeMount { name: "tmp".into(), mount_path: "/tmp".into(), ..Default::default() },
        ]),
        ..Default::default()
    };
    Deployment {
        metadata: k8s::meta(GATEWAY, labels),
        spec: Some(DeploymentSpec {
            replicas: Some(r.gateway_replicas as i32),
            selector: k8s::selector(GATEWAY, "gateway"),
            template: PodTemplateSpec {
                metadata: Some(ObjectMeta {
                    labels: Some(labels.clone()),
                    annotations: Some(BTreeMap::from([("oxidy.dev/config-hash".into(), k8s::content_hash(conf))])),
                    ..Default::default()
                }),
                spec: Some(PodSpec {
                    service_account_name: Some(NAME.into()),
                    automount_service_account_token: Some(false),
                    security_context: Some(k8s::restricted_pod(NGINX_UID)),
                    // One gateway per node where the cluster has several.
                    topology_spread_constraints: (r.gateway_replicas > 1).then(|| {
                        vec![TopologySpreadConstraint {
                            max_skew: 1,
                            topology_key: "kubernetes.io/hostname".into(),
                            when_unsatisfiable: "ScheduleAnyway".into(),
                            label_selector: Some(k8s::selector(GATEWAY, "gateway")),
                            ..Default::default()
                        }]
                    }),
                    containers: vec![container],
                    volumes: Some(vec![
                        Volume {
                            name: "config".into(),
                            config_map: Some(ConfigMapVolumeSource { name: GATEWAY.into(), ..Default::default() }),
                            ..Default::default()
                        },
                        Volume {
                            name: "tmp".into(),
                            empty_dir: Some(EmptyDirVolumeSource::default()),
                            ..Default::default()
                        },
                    ]),
                    ..Default::default()
                }),
            },
            ..Default::default()
        }),
        ..Default::default()
    }
}
