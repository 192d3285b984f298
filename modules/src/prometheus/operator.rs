//! prometheus-operator: turns `Prometheus`, `Alertmanager`, monitors and rules into
//! StatefulSets and configuration. RBAC as kube-prometheus grants it.

use k8s_openapi::api::apps::v1::Deployment;
use k8s_openapi::api::core::v1::{Container, PodSpec, PodTemplateSpec};
use k8s_openapi::api::rbac::v1::PolicyRule;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;

use crate::contract::k8s;
use crate::contract::{App, ModuleError, Wave};

use super::kubelet;
use super::objects::{self, Labels, rule};
use super::resolved::Resolved;
use super::{CONFIG_RELOADER_IMAGE, OPERATOR_IMAGE, OPERATOR_PORT, OPERATOR_VERSION};

pub(crate) const APP: &str = "prometheus-operator";
pub(crate) const NAME: &str = "prometheus-operator";
pub(crate) const COMPONENT: &str = "controller";

pub(crate) fn labels() -> Labels {
    k8s::labels(NAME, COMPONENT, OPERATOR_VERSION)
}

pub(crate) fn app(r: &Resolved) -> Result<App, ModuleError> {
    let labels = labels();
    let mut app = App::owned("prometheus", APP, r.namespace.clone(), Wave::Operators);
    app.push(objects::service_account(NAME, &labels, true))?;
    app.push(objects::cluster_role(NAME, &labels, rules()))?;
    app.push(objects::cluster_role_binding(NAME, &labels, &r.namespace))?;
    app.push(deployment(r, &labels))?;
    app.push(objects::service(
        NAME,
        &labels,
        k8s::selector_labels(NAME, COMPONENT),
        vec![objects::service_port("http", OPERATOR_PORT, None)],
    ))?;
    Ok(app)
}

/// The verbs the operator uses on what it owns: its informers get, list and watch; its
/// reconcilers create, update, patch and delete, one object at a time. Upstream's ClusterRole
/// grants `*` here; on these resources that adds only `deletecollection`, and a wildcard on
/// Secrets cluster-wide reads as "anything". The named verbs say what the operator does.
const OWNED: &[&str] = &["get", "list", "watch", "create", "update", "patch", "delete"];

/// What the operator reconciles and creates, cluster-wide: it watches every namespace.
fn rules() -> Vec<PolicyRule> {
    vec![
        rule(
            &["monitoring.coreos.com"],
            &[
                "alertmanagers",
                "alertmanagers/finalizers",
                "alertmanagers/status",
                "alertmanagerconfigs",
                "prometheuses",
                "prometheuses/finalizers",
                "prometheuses/status",
                "prometheusagents",
                "prometheusagents/finalizers",
                "prometheusagents/status",
                "thanosrulers",
                "thanosrulers/finalizers",
                "thanosrulers/status",
                "scrapeconfigs",
                "scrapeconfigs/status",
                "servicemonitors",
                "servicemonitors/status",
                "podmonitors",
                "podmonitors/status",
                "probes",
                "probes/status",
                "prometheusrules",
                "prometheusrules/status",
            ],
            OWNED,
        ),
        rule(&["apps"], &["statefulsets"], OWNED),
        rule(&[""], &["configmaps", "secrets"], OWNED),
        rule(&[""], &["pods"], &["list", "delete"]),
        rule(&[""], &["services", "services/finalizers"], &["get", "create", "update", "delete"]),
        rule(&[""], &["nodes"], &["list", "watch"]),
        rule(&[""], &["namespaces"], &["get", "list", "watch"]),
        rule(&["events.k8s.io"], &["events"], &["patch", "create"]),
        rule(&["networking.k8s.io"], &["ingresses"], &["get", "list", "watch"]),
        rule(&["storage.k8s.io"], &["storageclasses"], &["get"]),
        rule(&[""], &["endpoints"], &["get", "create", "update", "delete"]),
        rule(&["discovery.k8s.io"], &["endpointslices"], &["get", "create", "list", "update", "delete"]),
        rule(&["authentication.k8s.io"], &["tokenreviews"], &["create"]),
        rule(&["authorization.k8s.io"], &["subjectaccessreviews"], &["create"]),
    ]
}

fn operator_args(r: &Resolved) -> Vec<String> {
    let mut args = vec![
        format!("--prometheus-config-reloader={CONFIG_RELOADER_IMAGE}"),
        // The reloader sidecars of Prometheus and Alertmanager get probes too.
        "--enable-config-reloader-probes=true".into(),
        format!("--web.listen-address=:{OPERATOR_PORT}"),
    ];
    if r.scrape_kubelet {
        // The operator keeps a Service listing every node's kubelet, which the kubelet
        // ServiceMonitor selects.
        args.push(format!("--kubelet-service={}", kubelet::SERVICE));
    }
    args
}

fn deployment(r: &Resolved, labels: &Labels) -> Deployment {
    let container = Container {
        name: NAME.into(),
        image: Some(OPERATOR_IMAGE.into()),
        image_pull_policy: Some(k8s::IMAGE_PULL_POLICY.into()),
        args: Some(operator_args(r)),
        // The operator's Go runtime otherwise grows its heap with the size of the cluster.
        env: Some(vec![k8s::env("GOGC", "30")]),
        ports: Some(vec![k8s::container_port("http", OPERATOR_PORT)]),
        liveness_probe: Some(k8s::http_probe("/healthz", "http", 20)),
        readiness_probe: Some(k8s::http_probe("/healthz", "http", 10)),
        resources: Some(r.operator_resources.clone()),
        security_context: Some(k8s::restricted_container()),
        ..Default::default()
    };
    let template = PodTemplateSpec {
        metadata: Some(ObjectMeta { labels: Some(labels.clone()), ..Default::default() }),
        spec: Some(PodSpec {
            service_account_name: Some(NAME.into()),
            // It watches and writes objects through the API server.
            automount_service_account_token: Some(true),
            security_context: Some(k8s::restricted_pod(65534)),
            containers: vec![container],
            ..Default::default()
        }),
    };
    // The operator has no leader election: two replicas would fight over every object.
    k8s::deployment(NAME, labels, k8s::selector(NAME, COMPONENT), 1, template)
}
