//! What the NetworkPolicies are made of, read from the rendered objects: the workloads (their
//! pods' labels and ports) and the Services that lead to them.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value;

use oxidy_modules::contract::{App, Object};

use crate::policy;

/// A container port's name, number and protocol.
type NamedPort = (&'static str, u16, &'static str);

/// The ports prometheus-operator gives the containers of the pods it runs for its
/// `Prometheus` and `Alertmanager` resources, whose pod templates are not rendered here.
const OPERATOR_PORTS: &[(&str, &[NamedPort])] = &[
    ("Prometheus", &[("web", 9090, "TCP"), ("reloader-web", 8080, "TCP")]),
    (
        "Alertmanager",
        &[("web", 9093, "TCP"), ("reloader-web", 8080, "TCP"), ("mesh-tcp", 9094, "TCP"), ("mesh-udp", 9094, "UDP")],
    ),
];

/// A port of a pod, or of a rule: a number, or a container port's name where the number is
/// not known.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum PortRef {
    Number(u16),
    Name(String),
}

/// A protocol and port, as NetworkPolicy rules name them.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Port {
    pub protocol: String,
    pub port: PortRef,
}

impl Port {
    pub fn tcp(port: u16) -> Port {
        Port { protocol: "TCP".into(), port: PortRef::Number(port) }
    }
}

/// A container port of a workload's pods.
#[derive(Debug, Clone)]
pub struct ContainerPort {
    pub name: Option<String>,
    pub port: u16,
    pub protocol: String,
}

/// A set of pods oxidy renders: a Deployment, StatefulSet, DaemonSet, Job or CronJob, or one
/// of the operator's `Prometheus` and `Alertmanager` resources.
#[derive(Debug, Clone)]
pub struct Workload {
    /// Index of its app.
    pub app: usize,
    pub kind: String,
    pub name: String,
    pub namespace: String,
    /// Its pods' labels.
    pub labels: BTreeMap<String, String>,
    /// The labels that select exactly its pods (its own selector).
    pub selector: BTreeMap<String, String>,
    pub ports: Vec<ContainerPort>,
    /// Host-network pods have the node's address, not a pod's.
    pub host_network: bool,
    /// Its service account is bound to a role: it talks to the API server.
    pub api_access: bool,
}

impl Workload {
    /// The number (and protocol) of the container port `name`, if the pods have one.
    pub fn named_port(&self, name: &str) -> Option<Port> {
        self.ports
            .iter()
            .find(|p| p.name.as_deref() == Some(name))
            .map(|p| Port { protocol: p.protocol.clone(), port: PortRef::Number(p.port) })
    }

    /// Every port the pods listen on.
    pub fn all_ports(&self) -> Vec<Port> {
        self.ports.iter().map(|p| Port { protocol: p.protocol.clone(), port: PortRef::Number(p.port) }).collect()
    }

    /// Whether a selector (Service or monitor) picks its pods.
    pub fn matches(&self, namespace: &str, selector: &BTreeMap<String, String>) -> bool {
        self.namespace == namespace
            && !selector.is_empty()
            && selector.iter().all(|(k, v)| self.labels.get(k) == Some(v))
    }
}

/// A Service port.
#[derive(Debug, Clone)]
pub struct ServicePort {
    pub name: Option<String>,
    pub port: u16,
    pub target: PortRef,
    pub protocol: String,
}

/// A rendered Service.
#[derive(Debug, Clone)]
pub struct Service {
    pub name: String,
    pub namespace: String,
    pub labels: BTreeMap<String, String>,
    pub selector: BTreeMap<String, String>,
    pub ports: Vec<ServicePort>,
    /// A NodePort or LoadBalancer Service: reachable from outside the cluster.
    pub external: bool,
}

fn strings(value: Option<&Value>) -> BTreeMap<String, String> {
    value
        .and_then(Value::as_object)
        .into_iter()
        .flatten()
        .filter_map(|(k, v)| Some((k.clone(), v.as_str()?.to_owned())))
        .collect()
}

fn text(value: &Value, pointer: &str) -> Option<String> {
    value.pointer(pointer).and_then(Value::as_str).map(str::to_owned)
}

/// Every workload of `apps` whose app index passes `include`.
pub fn workloads(apps: &[App], include: impl Fn(usize) -> bool) -> Vec<Workload> {
    let bound = policy::bound_service_accounts(apps);
    let mut found = Vec::new();
    for (index, app) in apps.iter().enumerate().filter(|(i, _)| include(*i)) {
        for object in &app.objects {
            if let Some(workload) = workload(index, &app.namespace, object, &bound) {
                found.push(workload);
            }
        }
    }
    found
}

fn workload(app: usize, app_namespace: &str, object: &Object, bound: &BTreeSet<String>) -> Option<Workload> {
    let pod = policy::pod_spec(object)?;
    if object.kind() == "Pod" {
        return None;
    }
    let body = object.body();
    let namespace = object.namespace().unwrap_or(app_namespace).to_owned();
    let (labels, selector, ports) = if pod.operator_managed {
        let labels = strings(body.pointer("/spec/podMetadata/labels"));
        let ports = OPERATOR_PORTS
            .iter()
            .find(|(kind, _)| *kind == object.kind())
            .map(|(_, ports)| ports.iter())
            .into_iter()
            .flatten()
            .map(|(name, port, protocol)| ContainerPort {
                name: Some((*name).into()),
                port: *port,
                protocol: (*protocol).into(),
            })
            .collect();
        (labels.clone(), labels, ports)
    } else {
        let template = if object.kind() == "CronJob" { "/spec/jobTemplate/spec/template" } else { "/spec/template" };
        let labels = strings(body.pointer(&format!("{template}/metadata/labels")));
        let selector = strings(body.pointer("/spec/selector/matchLabels"));
        let selector = if selector.is_empty() { labels.clone() } else { selector };
        let mut ports = Vec::new();
        for container in ["containers", "initContainers"]
            .iter()
            .flat_map(|list| pod.spec.get(*list).and_then(Value::as_array).into_iter().flatten())
        {
            for port in container.get("ports").and_then(Value::as_array).into_iter().flatten() {
                let Some(number) = port.get("containerPort").and_then(Value::as_u64) else { continue };
                ports.push(ContainerPort {
                    name: text(port, "/name"),
                    port: u16::try_from(number).ok()?,
                    protocol: text(port, "/protocol").unwrap_or_else(|| "TCP".into()),
                });
            }
        }
        (labels, selector, ports)
    };
    let account = pod.spec.get("serviceAccountName").and_then(Value::as_str).unwrap_or("default");
    let automount = pod.spec.get("automountServiceAccountToken").and_then(Value::as_bool) != Some(false);
    Some(Workload {
        app,
        kind: object.kind().to_owned(),
        name: object.name().to_owned(),
        api_access: automount && bound.contains(&format!("{namespace}/{account}")),
        namespace,
        labels,
        selector,
        ports,
        host_network: pod.spec.get("hostNetwork").and_then(Value::as_bool) == Some(true),
    })
}

/// Every rendered Service.
pub fn services(apps: &[App]) -> Vec<Service> {
    let mut found = Vec::new();
    for app in apps {
        for object in app.objects.iter().filter(|o| o.kind() == "Service" && o.api_version() == "v1") {
            let body = object.body();
            let ports = body
                .pointer("/spec/ports")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .filter_map(|p| {
                    let port = u16::try_from(p.get("port")?.as_u64()?).ok()?;
                    let target = match p.get("targetPort") {
                        Some(Value::String(name)) => PortRef::Name(name.clone()),
                        Some(Value::Number(n)) => PortRef::Number(u16::try_from(n.as_u64()?).ok()?),
                        _ => PortRef::Number(port),
                    };
                    Some(ServicePort {
                        name: text(p, "/name"),
                        port,
                        target,
                        protocol: text(p, "/protocol").unwrap_or_else(|| "TCP".into()),
                    })
                })
                .collect();
            let kind = text(body, "/spec/type").unwrap_or_default();
            found.push(Service {
                name: object.name().to_owned(),
                namespace: object.namespace().unwrap_or(&app.namespace).to_owned(),
                labels: strings(body.pointer("/metadata/labels")),
                selector: strings(body.pointer("/spec/selector")),
                ports,
                external: kind == "NodePort" || kind == "LoadBalancer",
            });
        }
    }
    found
}
