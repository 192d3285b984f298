//! Every flow the rendered configs imply is allowed by the rendered NetworkPolicies, on both of
//! its ends, and flows nothing implies are not.
//!
//! The expected flows come from the rendered tree itself, not from the link graph the policies
//! are derived from: every in-cluster address written in an app's files (exporter and
//! remote-write targets, datasource URLs, S3 endpoints, memberlist and gRPC peers, the Garage
//! scripts' node lists) is a flow from each of that app's workloads; each ServiceMonitor and
//! PodMonitor is a flow from Prometheus to the port it names; each Prometheus' Alertmanagers
//! are a flow; the mesh's exporter address is a flow from the client namespaces. A flow a new
//! link adds to a config without a matching policy fails here.
//!
//! The policies are evaluated as the NetworkPolicy API defines them: a pod selected by no
//! policy of a direction is open that way; a selected pod admits a peer and port if any rule
//! of any selecting policy does.

mod common;

use std::collections::BTreeMap;
use std::net::IpAddr;

use serde_json::Value;

use common::cluster::{addresses_at, name_ns, objects_by_app, rendered};

/// A node's address, inside the default node CIDRs (the envs keep the defaults).
const NODE_IP: &str = "10.0.0.10";
/// The API server's address, inside the default API server CIDRs.
const API_SERVER_IP: &str = "10.96.0.1";

/// A workload's pods.
#[derive(Debug, Clone)]
struct Pods {
    app: String,
    /// `Kind/name`, for messages.
    id: String,
    namespace: String,
    labels: BTreeMap<String, String>,
    /// `(name, port, protocol)` of each container port.
    ports: Vec<(Option<String>, u16, String)>,
    host_network: bool,
}

/// One end of a flow.
#[derive(Debug, Clone)]
enum Peer {
    Pods(Pods),
    /// A pod with no particular labels in a namespace (a client, kube-dns' neighbours).
    InNamespace(String, BTreeMap<String, String>),
    Address(IpAddr),
}

impl Peer {
    fn describe(&self) -> String {
        match self {
            Peer::Pods(p) => format!("{}/{}", p.namespace, p.id),
            Peer::InNamespace(ns, labels) => format!("a pod {labels:?} in {ns}"),
            Peer::Address(ip) => ip.to_string(),
        }
    }
}

/// A flow expected from the rendered files: a source, the pods and port it reaches (each
/// pod behind a Service), and why it is expected.
type Flow = (Peer, Vec<(Pods, Port)>, String);

/// A destination port: its number, the container port's name if it has one, its protocol.
#[derive(Debug, Clone)]
struct Port {
    number: u16,
    name: Option<String>,
    protocol: String,
}

fn labels(value: &Value) -> BTreeMap<String, String> {
    value.as_object().into_iter().flatten().filter_map(|(k, v)| Some((k.clone(), v.as_str()?.to_owned()))).collect()
}

fn subset(selector: &Value, of: &BTreeMap<String, String>) -> bool {
    let wanted = labels(&selector["matchLabels"]);
    let expressions = selector["matchExpressions"].as_array().map_or(0, Vec::len);
    assert_eq!(expressions, 0, "matchExpressions are not evaluated here");
    wanted.iter().all(|(k, v)| of.get(k) == Some(v))
}

/// The pods of every workload, with the ports prometheus-operator gives the pods of its
/// resources.
fn workloads(objects: &[(String, Value)]) -> Vec<Pods> {
    let mut found = Vec::new();
    for (app, o) in objects {
        let kind = o["kind"].as_str().unwrap_or_default();
        let (labels, spec, ports) = match kind {
            "Deployment" | "StatefulSet" | "DaemonSet" | "Job" => {
                let template = &o["spec"]["template"];
                let spec = &template["spec"];
                let ports = ["containers", "initContainers"]
                    .iter()
                    .flat_map(|l| spec[*l].as_array().into_iter().flatten())
                    .flat_map(|c| c["ports"].as_array().into_iter().flatten())
                    .map(|p| {
                        (
                            p["name"].as_str().map(str::to_owned),
                            p["containerPort"].as_u64().unwrap() as u16,
                            p["protocol"].as_str().unwrap_or("TCP").to_owned(),
                        )
                    })
                    .collect();
                (labels(&template["metadata"]["labels"]), spec, ports)
            }
            "Prometheus" => {
                let ports =
                    vec![(Some("web".into()), 9090, "TCP".into()), (Some("reloader-web".into()), 8080, "TCP".into())];
                (labels(&o["spec"]["podMetadata"]["labels"]), &o["spec"], ports)
            }
            "Alertmanager" => {
                let ports = vec![
                    (Some("web".into()), 9093, "TCP".into()),
                    (Some("reloader-web".into()), 8080, "TCP".into()),
                    (Some("mesh-tcp".into()), 9094, "TCP".into()),
                ];
                (labels(&o["spec"]["podMetadata"]["labels"]), &o["spec"], ports)
            }
            _ => continue,
        };
        let (name, namespace) = name_ns(o);
        found.push(Pods {
            app: app.clone(),
            id: format!("{kind}/{name}"),
            namespace,
            labels,
            ports,
            host_network: spec["hostNetwork"] == true,
        });
    }
    found
}

struct Env {
    name: String,
    objects: Vec<(String, Value)>,
    workloads: Vec<Pods>,
    policies: Vec<Value>,
    client_namespaces: Vec<String>,
    /// Every rendered file, by path in the output root.
    files: BTreeMap<std::path::PathBuf, String>,
}

impl Env {
    fn objects<'a>(&'a self, kind: &'a str) -> impl Iterator<Item = &'a Value> + 'a {
        self.objects.iter().map(|(_, o)| o).filter(move |o| o["kind"] == kind)
    }

    /// The workloads of `app` that read the rendered file `text`: the workload itself, or
    /// those that mount or reference the ConfigMap or Secret it is; every workload of the app
    /// for a file no workload names.
    fn readers(&self, app: &str, text: &str) -> Vec<&Pods> {
        let of_app: Vec<&Pods> = self.workloads.iter().filter(|w| w.app == app).collect();
        let Ok(object) = serde_saphyr::from_str::<Value>(text) else { return of_app };
        let (kind, name) = (object["kind"].as_str().unwrap_or(""), object["metadata"]["name"].as_str().unwrap_or(""));
        if let Some(own) = of_app.iter().find(|w| w.id == format!("{kind}/{name}")) {
            return vec![own];
        }
        if !matches!(kind, "ConfigMap" | "Secret") {
            return of_app;
        }
        let reading: Vec<&Pods> = of_app
            .iter()
            .copied()
            .filter(|w| {
                self.objects.iter().any(|(a, o)| {
                    a == app
                        && format!(
                            "{}/{}",
                            o["kind"].as_str().unwrap_or(""),
                            o["metadata"]["name"].as_str().unwrap_or("")
                        ) == w.id
                        && references(o, kind, name)
                })
            })
            .collect();
        if reading.is_empty() { of_app } else { reading }
    }

    fn workload(&self, id: &str) -> &Pods {
        self.workloads.iter().find(|w| w.id == id).unwrap_or_else(|| panic!("{}: no {id}", self.name))
    }

    /// The pods and port behind Service `name` in `namespace`, for the Service port that
    /// `wanted` picks.
    fn behind_service(&self, namespace: &str, name: &str, wanted: impl Fn(&Value) -> bool) -> Vec<(Pods, Port)> {
        let service = self
            .objects("Service")
            .find(|s| name_ns(s) == (name.to_owned(), namespace.to_owned()))
            .unwrap_or_else(|| panic!("{}: no Service {namespace}/{name}", self.name));
        let selector = labels(&service["spec"]["selector"]);
        let mut found = Vec::new();
        for service_port in service["spec"]["ports"].as_array().into_iter().flatten().filter(|p| wanted(p)) {
            for pods in self.workloads.iter().filter(|w| {
                w.namespace == namespace
                    && !selector.is_empty()
                    && selector.iter().all(|(k, v)| w.labels.get(k) == Some(v))
            }) {
                let target = &service_port["targetPort"];
                let port = pods
                    .ports
                    .iter()
                    .find(|(n, p, _)| match target {
                        Value::String(t) => n.as_deref() == Some(t.as_str()),
                        Value::Number(t) => t.as_u64() == Some(u64::from(*p)),
                        _ => service_port["port"].as_u64() == Some(u64::from(*p)),
                    })
                    .unwrap_or_else(|| panic!("{}: {name}: no pod port for {service_port}", self.name));
                found.push((pods.clone(), Port { number: port.1, name: port.0.clone(), protocol: port.2.clone() }));
            }
        }
        assert!(!found.is_empty(), "{}: Service {namespace}/{name} leads to no pod", self.name);
        found
    }

    /// The pods and port `host:port` reaches.
    fn resolve(&self, host: &str, port: u16) -> Vec<(Pods, Port)> {
        match host.split('.').collect::<Vec<_>>().as_slice() {
            [service, namespace] => self.behind_service(namespace, service, |p| p["port"] == port),
            [pod, _, namespace] => {
                let (set, _) = pod.rsplit_once('-').expect("a StatefulSet pod");
                let pods = self
                    .workloads
                    .iter()
                    .find(|w| {
                        w.namespace == *namespace
                            && (w.id == format!("StatefulSet/{set}")
                                || set.strip_prefix("prometheus-").is_some_and(|p| w.id == format!("Prometheus/{p}")))
                    })
                    .unwrap_or_else(|| panic!("{}: no workload runs {host}", self.name));
                let (name, number, protocol) =
                    pods.ports.iter().find(|(_, p, _)| *p == port).cloned().expect("the pod listens on the port");
                vec![(pods.clone(), Port { number, name, protocol })]
            }
            _ => panic!("{host} is not a Service or pod address"),
        }
    }

    /// Whether the policies let `subject` (`Ingress`: receive from, `Egress`: send to) `peer`
    /// on `port`, the destination's.
    fn allows(&self, direction: &str, subject: &Peer, peer: &Peer, port: &Port) -> bool {
        let Peer::Pods(subject) = subject else {
            return true; // nothing outside the rendered pods is policed by these policies
        };
        let selecting: Vec<&Value> = self
            .policies
            .iter()
            .filter(|p| p["metadata"]["namespace"] == subject.namespace.as_str())
            .filter(|p| p["spec"]["policyTypes"].as_array().unwrap().iter().any(|t| t == direction))
            .filter(|p| subset(&p["spec"]["podSelector"], &subject.labels))
            .collect();
        if selecting.is_empty() {
            return true;
        }
        let (side, peers_key) = if direction == "Ingress" { ("ingress", "from") } else { ("egress", "to") };
        selecting.iter().any(|policy| {
            let namespace = policy["metadata"]["namespace"].as_str().unwrap();
            policy["spec"][side].as_array().into_iter().flatten().any(|rule| {
                let peer_ok = match rule[peers_key].as_array() {
                    None => true,
                    Some(peers) => peers.iter().any(|p| peer_matches(p, namespace, peer)),
                };
                let port_ok = match rule["ports"].as_array() {
                    None => true,
                    Some(ports) if ports.is_empty() => true,
                    Some(ports) => ports.iter().any(|p| port_matches(p, port)),
                };
                peer_ok && port_ok
            })
        })
    }

    /// Checks a flow on both ends; `Err` names the end that refuses it.
    fn flow(&self, from: &Peer, to: &Peer, port: &Port) -> Result<(), String> {
        let what = format!("{} -> {}:{} ({:?})", from.describe(), to.describe(), port.number, port.name);
        if !self.allows("Egress", from, to, port) {
            return Err(format!("{}: {what}: the source's egress refuses it", self.name));
        }
        if !self.allows("Ingress", to, from, port) {
            return Err(format!("{}: {what}: the destination's ingress refuses it", self.name));
        }
        Ok(())
    }
}

fn peer_matches(rule_peer: &Value, policy_namespace: &str, peer: &Peer) -> bool {
    if let Some(block) = rule_peer.get("ipBlock") {
        let ip = match peer {
            Peer::Address(ip) => *ip,
            Peer::Pods(p) if p.host_network => NODE_IP.parse().unwrap(),
            _ => return false,
        };
        return contains(block["cidr"].as_str().unwrap(), ip);
    }
    let (namespace, labels) = match peer {
        Peer::Pods(p) if p.host_network => return false,
        Peer::Pods(p) => (p.namespace.as_str(), p.labels.clone()),
        Peer::InNamespace(ns, labels) => (ns.as_str(), labels.clone()),
        Peer::Address(_) => return false,
    };
    let namespace_ok = match rule_peer.get("namespaceSelector") {
        None => namespace == policy_namespace,
        Some(selector) => {
            subset(selector, &BTreeMap::from([("kubernetes.io/metadata.name".to_owned(), namespace.to_owned())]))
        }
    };
    let pods_ok = rule_peer.get("podSelector").is_none_or(|s| subset(s, &labels));
    namespace_ok && pods_ok
}

fn port_matches(rule_port: &Value, port: &Port) -> bool {
    let protocol_ok = rule_port["protocol"].as_str().unwrap_or("TCP") == port.protocol;
    let port_ok = match &rule_port["port"] {
        Value::Null => true,
        Value::Number(n) => n.as_u64() == Some(u64::from(port.number)),
        Value::String(name) => port.name.as_deref() == Some(name.as_str()),
        _ => false,
    };
    protocol_ok && port_ok
}

fn contains(cidr: &str, ip: IpAddr) -> bool {
    let (network, prefix) = cidr.split_once('/').unwrap();
    let network: IpAddr = network.parse().unwrap();
    let prefix: u32 = prefix.parse().unwrap();
    match (network, ip) {
        (IpAddr::V4(n), IpAddr::V4(a)) => {
            let mask = u32::MAX.checked_shl(32 - prefix).unwrap_or(0);
            u32::from(n) & mask == u32::from(a) & mask
        }
        _ => false,
    }
}

fn envs() -> Vec<Env> {
    rendered()
        .into_iter()
        .map(|env| {
            let objects = objects_by_app(&env.layout.files);
            let policies = objects.iter().map(|(_, o)| o).filter(|o| o["kind"] == "NetworkPolicy").cloned().collect();
            let file = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(format!("env/{}.yaml", env.name));
            let spec: Value = serde_saphyr::from_str(&std::fs::read_to_string(file).unwrap()).unwrap();
            let client_namespaces = spec["network"]["clientNamespaces"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|n| n.as_str().map(str::to_owned))
                .collect();
            Env {
                workloads: workloads(&objects),
                name: env.name,
                objects,
                policies,
                client_namespaces,
                files: env.layout.files,
            }
        })
        .collect()
}

/// Every `(offset, host, port)` in a file's text, the port of a port-less address taken from
/// the `port` beside it in the same YAML mapping (as the mesh config writes it).
fn addresses_with_ports(text: &str) -> Vec<(usize, String, u16)> {
    addresses_at(text)
        .into_iter()
        .map(|(at, host, port)| {
            let port = port.unwrap_or_else(|| {
                let after = &text[at..];
                let line = after.lines().skip(1).find_map(|l| l.trim().strip_prefix("port:"));
                line.and_then(|p| p.trim().parse().ok()).unwrap_or_else(|| panic!("no port for {host}"))
            });
            (at, host, port)
        })
        .collect()
}

/// The flows written in the rendered files: from each workload of the file's app to each
/// address the file names. Garage's scripts list each node as `admin,rpc`: the script dials
/// the admin address and hands the RPC address to the node, which dials it itself.
/// Whether `value` (a workload) mounts or reads the ConfigMap or Secret `kind`/`name`.
fn references(value: &Value, kind: &str, name: &str) -> bool {
    match value {
        Value::Object(map) => map.iter().any(|(key, inner)| {
            let named = match (kind, key.as_str()) {
                ("ConfigMap", "configMap" | "configMapRef" | "configMapKeyRef") => inner["name"] == name,
                ("Secret", "secret") => inner["secretName"] == name,
                ("Secret", "secretRef" | "secretKeyRef") => inner["name"] == name,
                _ => false,
            };
            named || references(inner, kind, name)
        }),
        Value::Array(items) => items.iter().any(|i| references(i, kind, name)),
        _ => false,
    }
}

fn config_flows(env: &Env) -> Vec<Flow> {
    let mut flows = Vec::new();
    for (path, text) in &env.files {
        let app = path.components().next().unwrap().as_os_str().to_string_lossy().into_owned();
        let in_build = app == "build";
        let sources: Vec<Peer> = if in_build {
            // The mesh: sidecars and gateways in the client namespaces export to the collector.
            env.client_namespaces.iter().map(|ns| Peer::InNamespace(ns.clone(), BTreeMap::new())).collect()
        } else {
            env.readers(&app, text).into_iter().cloned().map(Peer::Pods).collect()
        };
        for (at, host, port) in addresses_with_ports(text) {
            let destinations = env.resolve(&host, port);
            let handed_over = text[..at].ends_with(',');
            let why = format!("{} names {host}:{port}", path.display());
            if handed_over {
                for (node, _) in env.resolve(&host, port) {
                    flows.push((Peer::Pods(node), destinations.clone(), format!("{why} (dialed by the node)")));
                }
            } else {
                for source in &sources {
                    flows.push((source.clone(), destinations.clone(), why.clone()));
                }
            }
            if in_build {
                assert!(!sources.is_empty(), "{}: {why}, but no client namespace may send", env.name);
            }
        }
    }
    flows
}

/// Prometheus to every port its monitors name, and to its Alertmanagers.
fn scrape_flows(env: &Env) -> Vec<Flow> {
    let prometheus: Vec<Pods> = env.workloads.iter().filter(|w| w.id.starts_with("Prometheus/")).cloned().collect();
    let mut targets = Vec::new();
    for monitor in env.objects("ServiceMonitor") {
        let (name, own) = name_ns(monitor);
        let namespaces: Vec<String> = match monitor["spec"]["namespaceSelector"]["matchNames"].as_array() {
            Some(n) => n.iter().filter_map(|v| v.as_str().map(str::to_owned)).collect(),
            None => vec![own],
        };
        for endpoint in monitor["spec"]["endpoints"].as_array().into_iter().flatten() {
            let port_name = endpoint["port"].as_str().unwrap();
            let services: Vec<&Value> = env
                .objects("Service")
                .filter(|s| {
                    namespaces.contains(&name_ns(s).1)
                        && subset(&monitor["spec"]["selector"], &labels(&s["metadata"]["labels"]))
                        && s["spec"]["ports"].as_array().into_iter().flatten().any(|p| p["name"] == port_name)
                })
                .collect();
            for service in services {
                let (service, namespace) = name_ns(service);
                let behind = env.behind_service(&namespace, &service, |p| p["name"] == port_name);
                targets.push((behind, format!("ServiceMonitor {name} port {port_name}")));
            }
        }
    }
    for monitor in env.objects("PodMonitor") {
        let (name, namespace) = name_ns(monitor);
        for endpoint in monitor["spec"]["podMetricsEndpoints"].as_array().into_iter().flatten() {
            let port_name = endpoint["port"].as_str().unwrap();
            for pods in env
                .workloads
                .iter()
                .filter(|w| w.namespace == namespace && subset(&monitor["spec"]["selector"], &w.labels))
            {
                let (n, number, protocol) =
                    pods.ports.iter().find(|(n, _, _)| n.as_deref() == Some(port_name)).cloned().unwrap();
                targets.push((vec![(pods.clone(), Port { number, name: n, protocol })], format!("PodMonitor {name}")));
            }
        }
    }
    for p in env.objects("Prometheus") {
        for am in p["spec"]["alerting"]["alertmanagers"].as_array().into_iter().flatten() {
            let (ns, name, port) =
                (am["namespace"].as_str().unwrap(), am["name"].as_str().unwrap(), am["port"].clone());
            targets
                .push((env.behind_service(ns, name, |sp| sp["name"] == port), format!("Prometheus alerting {name}")));
        }
    }
    let mut flows = Vec::new();
    for source in prometheus {
        for (destinations, why) in &targets {
            flows.push((Peer::Pods(source.clone()), destinations.clone(), why.clone()));
        }
    }
    flows
}

#[test]
fn every_flow_in_the_configs_is_allowed_on_both_ends() {
    for env in envs() {
        let mut flows = config_flows(&env);
        let from_configs = flows.len();
        flows.extend(scrape_flows(&env));
        let name = &env.name;
        assert!(from_configs >= 10 && flows.len() > from_configs + 10, "{name}: too few flows found: {}", flows.len());
        for (source, destinations, why) in &flows {
            for (destination, port) in destinations {
                if let Err(refused) = env.flow(source, &Peer::Pods(destination.clone()), port) {
                    panic!("{refused}\n  because {why}");
                }
            }
        }
    }
}

/// Scrapes of what the cluster runs itself: the kubelet at the nodes, the API server, CoreDNS.
#[test]
fn prometheus_reaches_the_cluster_targets_and_the_api_server() {
    for env in envs() {
        let prometheus = Peer::Pods(env.workload("Prometheus/platform").clone());
        let tcp =
            |number: u16, name: Option<&str>| Port { number, name: name.map(str::to_owned), protocol: "TCP".into() };
        let node = Peer::Address(NODE_IP.parse().unwrap());
        let api = Peer::Address(API_SERVER_IP.parse().unwrap());
        env.flow(&prometheus, &node, &tcp(10250, Some("https-metrics"))).unwrap();
        env.flow(&prometheus, &api, &tcp(6443, None)).unwrap();
        env.flow(
            &prometheus,
            &Peer::Pods(env.workload("DaemonSet/node-exporter").clone()),
            &tcp(9100, Some("metrics")),
        )
        .unwrap();
        let coredns = Peer::InNamespace("kube-system".into(), BTreeMap::from([("k8s-app".into(), "kube-dns".into())]));
        env.flow(&prometheus, &coredns, &tcp(9153, Some("metrics"))).unwrap();
        for operator_like in ["Deployment/prometheus-operator", "Deployment/kube-state-metrics"] {
            env.flow(&Peer::Pods(env.workload(operator_like).clone()), &api, &tcp(443, None)).unwrap();
        }
        // Every workload resolves names.
        for w in &env.workloads {
            let dns = Peer::InNamespace("kube-system".into(), BTreeMap::from([("k8s-app".into(), "kube-dns".into())]));
            let udp = Port { number: 53, name: None, protocol: "UDP".into() };
            env.flow(&Peer::Pods(w.clone()), &dns, &udp).unwrap();
        }
    }
}

/// Flows no config implies are refused: the collector to Garage's admin port, any pod but
/// Prometheus to prometheus-operator, a pod outside the client namespaces to the collector's
/// OTLP port, a pod that is no S3 client to Garage's S3 port, nothing but the API server's
/// users to the API server.
#[test]
fn flows_nothing_uses_are_refused() {
    for env in envs() {
        let pods = |id: &str| Peer::Pods(env.workload(id).clone());
        let collector = pods("Deployment/otel-collector");
        let garage = pods("StatefulSet/garage");
        let tcp = |number: u16| Port { number, name: None, protocol: "TCP".into() };
        assert!(env.flow(&collector, &garage, &tcp(3903)).is_err(), "{}: collector reaches Garage admin", env.name);
        assert!(!env.allows("Ingress", &garage, &collector, &tcp(3903)), "{}: Garage admits the collector", env.name);
        assert!(!env.allows("Egress", &collector, &garage, &tcp(3903)), "{}: the collector may dial Garage", env.name);
        let grafana = pods("Deployment/grafana");
        assert!(env.flow(&grafana, &garage, &tcp(3900)).is_err(), "{}: Grafana reaches S3", env.name);
        // A module's workloads reach a link only if their own configuration names it: Loki's
        // gateway proxies to Loki and never dials the object store its backends write to.
        if env.workloads.iter().any(|w| w.id == "Deployment/loki-gateway") {
            let gateway = pods("Deployment/loki-gateway");
            assert!(env.flow(&gateway, &garage, &tcp(3900)).is_err(), "{}: Loki's gateway reaches S3", env.name);
        }

        let operator = pods("Deployment/prometheus-operator");
        for w in env
            .workloads
            .iter()
            .filter(|w| !w.id.starts_with("Prometheus/") && w.id != "Deployment/prometheus-operator")
        {
            let from = Peer::Pods(w.clone());
            assert!(
                !env.allows("Ingress", &operator, &from, &tcp(8080)),
                "{}: {} reaches the operator",
                env.name,
                w.id
            );
        }
        let stranger = Peer::InNamespace("default".into(), BTreeMap::new());
        assert!(!env.allows("Ingress", &operator, &stranger, &tcp(8080)), "{}: any pod reaches the operator", env.name);
        assert!(!env.allows("Ingress", &collector, &stranger, &tcp(4317)), "{}: any pod sends OTLP", env.name);
        for client in &env.client_namespaces {
            let client = Peer::InNamespace(client.clone(), BTreeMap::new());
            assert!(env.allows("Ingress", &collector, &client, &tcp(4317)), "{}: clients send OTLP", env.name);
            assert!(!env.allows("Ingress", &garage, &client, &tcp(3900)), "{}: clients reach S3", env.name);
        }
        let api = Peer::Address(API_SERVER_IP.parse().unwrap());
        assert!(!env.allows("Egress", &grafana, &api, &tcp(443)), "{}: Grafana reaches the API server", env.name);
        assert!(
            !env.allows("Egress", &collector, &api, &tcp(443)),
            "{}: the collector reaches the API server",
            env.name
        );
    }
}

/// Every workload of every env is selected by a policy of its own, both ways, and its
/// namespace denies by default whatever no policy allows.
#[test]
fn every_workload_is_isolated() {
    for env in envs() {
        assert!(env.workloads.len() >= 10, "{}: {} workloads", env.name, env.workloads.len());
        for w in &env.workloads {
            let own = env.policies.iter().filter(|p| p["metadata"]["namespace"] == w.namespace.as_str()).any(|p| {
                let selector = &p["spec"]["podSelector"];
                !labels(&selector["matchLabels"]).is_empty()
                    && subset(selector, &w.labels)
                    && p["spec"]["policyTypes"] == serde_json::json!(["Ingress", "Egress"])
            });
            assert!(own, "{}: {}/{} has no policy of its own", env.name, w.namespace, w.id);
            let deny = env.policies.iter().any(|p| {
                p["metadata"]["namespace"] == w.namespace.as_str()
                    && p["spec"]["podSelector"] == serde_json::json!({})
                    && p["spec"].get("ingress").is_none()
                    && p["spec"].get("egress").is_none()
                    && p["spec"]["policyTypes"] == serde_json::json!(["Ingress", "Egress"])
            });
            assert!(deny, "{}: namespace {} has no default deny", env.name, w.namespace);
        }
    }
}
