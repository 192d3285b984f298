//! Small builders shared by the stack's parts: Services, ServiceAccounts, RBAC, budgets.

use std::collections::BTreeMap;

use k8s_openapi::api::core::v1::{
    Affinity, PodAffinityTerm, PodAntiAffinity, Service, ServiceAccount, ServicePort, ServiceSpec,
    WeightedPodAffinityTerm,
};
use k8s_openapi::api::policy::v1::PodDisruptionBudget;
use k8s_openapi::api::rbac::v1::{ClusterRole, ClusterRoleBinding, PolicyRule, RoleRef, Subject};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::LabelSelector;

use crate::contract::NodePort;
use crate::contract::k8s;

pub(crate) type Labels = BTreeMap<String, String>;

/// A Service port whose target is the container port of the same name.
pub(crate) fn service_port(name: &str, port: u16, node_port: Option<&NodePort>) -> ServicePort {
    ServicePort { node_port: node_port.map(|p| i32::from(p.port())), ..k8s::service_port(name, port) }
}

/// A Service over the pods labelled `selector`: NodePort when any port has one, else ClusterIP.
pub(crate) fn service(name: &str, labels: &Labels, selector: Labels, ports: Vec<ServicePort>) -> Service {
    let type_ = if ports.iter().any(|p| p.node_port.is_some()) { "NodePort" } else { "ClusterIP" };
    Service {
        metadata: k8s::meta(name, labels),
        spec: Some(ServiceSpec {
            type_: Some(type_.into()),
            selector: Some(selector),
            ports: Some(ports),
            ..Default::default()
        }),
        ..Default::default()
    }
}

pub(crate) fn service_account(name: &str, labels: &Labels, automount: bool) -> ServiceAccount {
    ServiceAccount {
        metadata: k8s::meta(name, labels),
        automount_service_account_token: Some(automount),
        ..Default::default()
    }
}

pub(crate) fn rule(groups: &[&str], resources: &[&str], verbs: &[&str]) -> PolicyRule {
    let strings = |items: &[&str]| Some(items.iter().map(|s| (*s).to_owned()).collect());
    PolicyRule {
        api_groups: strings(groups),
        resources: strings(resources),
        verbs: verbs.iter().map(|s| (*s).to_owned()).collect(),
        ..Default::default()
    }
}

pub(crate) fn cluster_role(name: &str, labels: &Labels, rules: Vec<PolicyRule>) -> ClusterRole {
    ClusterRole { metadata: k8s::meta(name, labels), rules: Some(rules), ..Default::default() }
}

/// Binds the ClusterRole `name` to the ServiceAccount of the same name in `namespace`.
pub(crate) fn cluster_role_binding(name: &str, labels: &Labels, namespace: &str) -> ClusterRoleBinding {
    ClusterRoleBinding {
        metadata: k8s::meta(name, labels),
        role_ref: RoleRef {
            api_group: "rbac.authorization.k8s.io".into(),
            kind: "ClusterRole".into(),
            name: name.into(),
        },
        subjects: Some(vec![Subject {
            kind: "ServiceAccount".into(),
            name: name.into(),
            namespace: Some(namespace.into()),
            ..Default::default()
        }]),
    }
}

/// Keeps all but one replica up through voluntary disruptions (node drains).
pub(crate) fn disruption_budget(name: &str, labels: &Labels, selector: LabelSelector) -> PodDisruptionBudget {
    k8s::disruption_budget(name, labels, selector)
}

/// Prefers one replica per node, so that losing a node leaves the others running; with
/// fewer nodes than replicas they still schedule.
pub(crate) fn spread_over_nodes(replicas: i32, selector: LabelSelector) -> Option<Affinity> {
    (replicas > 1).then(|| Affinity {
        pod_anti_affinity: Some(PodAntiAffinity {
            preferred_during_scheduling_ignored_during_execution: Some(vec![WeightedPodAffinityTerm {
                weight: 100,
                pod_affinity_term: PodAffinityTerm {
                    label_selector: Some(selector),
                    topology_key: "kubernetes.io/hostname".into(),
                    ..Default::default()
                },
            }]),
            ..Default::default()
        }),
        ..Default::default()
    })
}
