//! The NetworkPolicy objects: a default deny per namespace, and per workload its grants as
//! ingress and egress rules, one rule per peer with its ports, in a stable order.

use std::collections::BTreeMap;

use serde_json::{Map, Value, json};

use oxidy_modules::contract::Object;

use super::workloads::{Port, PortRef, Workload};
use super::{End, Grant, NAMESPACE_NAME_LABEL, Settings};

/// The name of the default-deny policy in each namespace.
pub const DEFAULT_DENY: &str = "default-deny";

fn labels() -> Value {
    json!({"app.kubernetes.io/managed-by": "oxidy", "app.kubernetes.io/part-of": "oxidy"})
}

fn object(body: Value) -> Result<Object, String> {
    Object::from_value(body, true).map_err(|e| format!("a NetworkPolicy cannot be a manifest: {e}"))
}

/// Denies every flow, in and out, of every pod in `namespace` that no other policy allows.
pub fn default_deny(namespace: &str) -> Result<Object, String> {
    object(json!({
        "apiVersion": "networking.k8s.io/v1",
        "kind": "NetworkPolicy",
        "metadata": {"name": DEFAULT_DENY, "namespace": namespace, "labels": labels()},
        "spec": {"podSelector": {}, "policyTypes": ["Ingress", "Egress"]},
    }))
}

/// The policy of an own app whose pods oxidy does not see (a chart Argo CD renders): every pod
/// of `namespace` reaches the others, kube-dns and the telemetry `intake`, and is reached by the
/// namespace's own pods and the clients.
pub fn unseen_app_policy(
    app: &str,
    namespace: &str,
    intake: &[(End, Port)],
    workloads: &[Workload],
    settings: &Settings,
) -> Result<Object, String> {
    let same_namespace = json!({"podSelector": {}});
    let mut ingress = vec![json!({"from": [same_namespace]})];
    let clients: Vec<Value> = settings
        .client_namespaces
        .iter()
        .map(|ns| json!({"namespaceSelector": namespace_selector(ns)}))
        .chain(settings.client_cidrs.iter().map(|c| json!({"ipBlock": {"cidr": c}})))
        .collect();
    if !clients.is_empty() {
        ingress.push(json!({"from": clients}));
    }
    // DNS first, then the intake by peer, as the workloads' policies order their rules.
    let dns = peers(&super::kube_dns(), namespace, workloads, settings);
    let mut egress = vec![
        json!({"to": [same_namespace]}),
        json!({"to": dns, "ports": [{"protocol": "UDP", "port": 53}, {"protocol": "TCP", "port": 53}]}),
    ];
    let mut by_peer: BTreeMap<String, (Vec<Value>, Vec<Port>)> = BTreeMap::new();
    for (end, p) in intake {
        add(&mut by_peer, peers(end, namespace, workloads, settings), p);
    }
    for (peers, mut ports) in by_peer.into_values() {
        ports.sort();
        ports.dedup();
        egress.push(json!({"to": peers, "ports": ports.iter().map(port).collect::<Vec<_>>()}));
    }
    object(json!({
        "apiVersion": "networking.k8s.io/v1",
        "kind": "NetworkPolicy",
        "metadata": {"name": format!("{app}-pods"), "namespace": namespace, "labels": labels()},
        "spec": {
            "podSelector": {},
            "policyTypes": ["Ingress", "Egress"],
            "ingress": ingress,
            "egress": egress,
        },
    }))
}

/// The policy of workload `index`: its grants, both ways.
pub fn workload_policy(
    index: usize,
    workload: &Workload,
    workloads: &[Workload],
    grants: &[&Grant],
    settings: &Settings,
) -> Result<Object, String> {
    let me = End::Workload(index);
    let mut ingress: BTreeMap<String, (Vec<Value>, Vec<Port>)> = BTreeMap::new();
    let mut egress: BTreeMap<String, (Vec<Value>, Vec<Port>)> = BTreeMap::new();
    for grant in grants {
        if grant.to == me {
            add(&mut ingress, peers(&grant.from, &workload.namespace, workloads, settings), &grant.port);
        }
        if grant.from == me {
            add(&mut egress, peers(&grant.to, &workload.namespace, workloads, settings), &grant.port);
        }
    }
    let rules = |map: BTreeMap<String, (Vec<Value>, Vec<Port>)>, side: &str| -> Vec<Value> {
        map.into_values()
            .map(|(peers, mut ports)| {
                ports.sort();
                ports.dedup();
                let mut rule = Map::new();
                rule.insert(side.to_owned(), Value::Array(peers));
                rule.insert("ports".into(), ports.iter().map(port).collect());
                Value::Object(rule)
            })
            .collect()
    };
    let name = match workload.kind.as_str() {
        "Deployment" | "StatefulSet" | "DaemonSet" | "Job" | "CronJob" => workload.name.clone(),
        kind => format!("{}-{}", kind.to_ascii_lowercase(), workload.name),
    };
    object(json!({
        "apiVersion": "networking.k8s.io/v1",
        "kind": "NetworkPolicy",
        "metadata": {"name": name, "namespace": workload.namespace, "labels": labels()},
        "spec": {
            "podSelector": {"matchLabels": workload.selector},
            "policyTypes": ["Ingress", "Egress"],
            "ingress": rules(ingress, "from"),
            "egress": rules(egress, "to"),
        },
    }))
}

fn add(map: &mut BTreeMap<String, (Vec<Value>, Vec<Port>)>, peers: Vec<Value>, port: &Port) {
    let key = serde_json::to_string(&peers).unwrap_or_default();
    map.entry(key).or_insert_with(|| (peers, Vec::new())).1.push(port.clone());
}

fn port(port: &Port) -> Value {
    let number = match &port.port {
        PortRef::Number(n) => json!(n),
        PortRef::Name(name) => json!(name),
    };
    json!({"protocol": port.protocol, "port": number})
}

fn namespace_selector(namespace: &str) -> Value {
    json!({"matchLabels": {NAMESPACE_NAME_LABEL: namespace}})
}

/// The peers `end` stands for, seen from a policy in `namespace`.
fn peers(end: &End, namespace: &str, workloads: &[Workload], settings: &Settings) -> Vec<Value> {
    let pods = |ns: &str, labels: &BTreeMap<String, String>| {
        let mut peer = Map::new();
        peer.insert("podSelector".into(), json!({"matchLabels": labels}));
        if ns != namespace {
            peer.insert("namespaceSelector".into(), namespace_selector(ns));
        }
        Value::Object(peer)
    };
    let block = |cidr: &str| json!({"ipBlock": {"cidr": cidr}});
    match end {
        // Host-network pods have the node's address.
        End::Workload(i) if workloads[*i].host_network => settings.node_cidrs.iter().map(|c| block(c)).collect(),
        End::Workload(i) => vec![pods(&workloads[*i].namespace, &workloads[*i].selector)],
        End::Namespace(ns) => vec![json!({"namespaceSelector": namespace_selector(ns)})],
        End::Pods(ns, labels) => vec![pods(ns, labels)],
        End::Cidr(cidr) => vec![block(cidr)],
    }
}
