//! The NetworkPolicies of an environment, derived in one place from the link graph: a
//! default-deny policy (ingress and egress) in every namespace oxidy owns, and one policy per
//! workload that allows exactly what the workload's module uses and what uses it.
//!
//! Invariant: a flow is allowed only on both of its ends at once (the source's egress and the
//! destination's ingress come from one list of grants), and only for one of these reasons:
//! - DNS: every pod may ask kube-dns (UDP and TCP 53).
//! - A link use: a module resolved a link (or the S3 store, or the datasources) through the
//!   context while rendering; each workload of that module whose configuration names the
//!   Service's host may reach its pods on the target port (every workload of the module when
//!   none does, for a configuration oxidy cannot read).
//! - A scrape: each ServiceMonitor and PodMonitor lets the Prometheus pods reach the ports it
//!   names; the kubelet and host-network exporters at the nodes' addresses.
//! - One app, one trust unit: the workloads of one Application reach each other on their
//!   container ports (Loki's and Tempo's rings, Garage's RPC, a gateway and its backends).
//! - The API server, for pods whose service account is bound to a role (as the policy gate
//!   decides who may mount a token).
//! - An own app whose chart Argo CD renders, whose pods oxidy does not see: one policy for
//!   its whole namespace, its pods reaching each other, DNS and the telemetry intake.
//! - Clients: the client namespaces (and own apps' workloads and namespaces) reach the
//!   client-facing links (OTLP, the UI); the client namespaces and CIDRs reach the Services of
//!   own apps; the client CIDRs reach every NodePort or LoadBalancer Service.
//! - Notifications: Alertmanager reaches the notification CIDRs on 443.

pub mod options;
mod render;
mod workloads;

use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value;

use oxidy_modules::contract::{App, Endpoint, Link, Use};

pub use options::{Network, Settings};
use workloads::{Port, PortRef, Service, Workload};

/// The label every namespace carries with its own name.
pub const NAMESPACE_NAME_LABEL: &str = "kubernetes.io/metadata.name";

/// One end of a flow.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
enum End {
    /// A rendered workload, by index.
    Workload(usize),
    /// Every pod of a namespace.
    Namespace(String),
    /// Pods oxidy does not render, by namespace and labels (kube-dns).
    Pods(String, BTreeMap<String, String>),
    /// Addresses outside the pod network: nodes, the API server, clients.
    Cidr(String),
}

/// One allowed flow.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
struct Grant {
    from: End,
    to: End,
    port: Port,
}

/// What the step needs besides the apps.
pub struct Input<'a> {
    pub uses: &'a [Use],
    /// The endpoints of the client-facing links the components offer.
    pub client_endpoints: &'a [(Link, Endpoint)],
    pub settings: &'a Settings,
    /// Names of own apps whose namespace stays open (`apps.<name>.networkPolicies: false`).
    pub open_apps: &'a BTreeSet<String>,
    /// Names of own apps whose pods oxidy does not see (their chart Argo CD renders): their
    /// namespace is isolated as a whole.
    pub unseen_apps: &'a BTreeSet<String>,
    /// Names of the env's own apps: their namespaces are clients of the OTLP ports.
    pub own_apps: &'a BTreeSet<String>,
}

/// Adds the policies to `apps`; a link whose Service is not rendered is an error message.
pub fn add_policies(apps: &mut [App], input: &Input) -> Result<(), String> {
    if !input.settings.policies {
        return Ok(());
    }
    let isolated = |i: usize| !input.open_apps.contains(&apps[i].name);
    let workloads = workloads::workloads(apps, isolated);
    let services = workloads::services(apps);
    let mut graph =
        Graph { apps, workloads: &workloads, services: &services, settings: input.settings, grants: BTreeSet::new() };
    graph.dns_and_api_server();
    graph.link_uses(input.uses)?;
    graph.scrapes();
    graph.apps_as_units();
    graph.clients(input);
    graph.notifications();
    let unseen = graph.unseen_app_policies(input)?;
    let grants = graph.grants;

    let mut owners: BTreeMap<String, usize> = BTreeMap::new();
    for (index, app) in apps.iter().enumerate() {
        if app.manage_namespace && isolated(index) {
            owners.entry(app.namespace.clone()).or_insert(index);
        }
    }
    for (namespace, index) in owners {
        apps[index].objects.push(render::default_deny(&namespace)?);
    }
    for (index, policy) in unseen {
        apps[index].objects.push(policy);
    }
    for (index, workload) in workloads.iter().enumerate() {
        let policy = render::workload_policy(index, workload, &workloads, &grants_of(&grants, index), input.settings)?;
        apps[workload.app].objects.push(policy);
    }
    Ok(())
}

/// The ConfigMaps and Secrets a workload's spec mounts or reads (`Kind`, name): volumes,
/// projected sources, `envFrom` and `valueFrom` references, wherever they appear in it.
fn config_sources(value: &Value, found: &mut BTreeSet<(String, String)>) {
    match value {
        Value::Object(map) => {
            for (key, inner) in map {
                let name = match key.as_str() {
                    "configMap" | "configMapRef" | "configMapKeyRef" => inner.get("name").map(|n| ("ConfigMap", n)),
                    "secret" => inner.get("secretName").map(|n| ("Secret", n)),
                    "secretRef" | "secretKeyRef" => inner.get("name").map(|n| ("Secret", n)),
                    _ => None,
                };
                if let Some((kind, Value::String(name))) = name {
                    found.insert((kind.to_owned(), name.clone()));
                }
                config_sources(inner, found);
            }
        }
        Value::Array(items) => items.iter().for_each(|item| config_sources(item, found)),
        _ => {}
    }
}

/// The cluster's DNS pods, which every pod may ask.
fn kube_dns() -> End {
    End::Pods("kube-system".into(), BTreeMap::from([("k8s-app".into(), "kube-dns".into())]))
}

/// The grants with workload `index` at either end.
fn grants_of(grants: &BTreeSet<Grant>, index: usize) -> Vec<&Grant> {
    grants.iter().filter(|g| g.from == End::Workload(index) || g.to == End::Workload(index)).collect()
}

struct Graph<'a> {
    apps: &'a [App],
    workloads: &'a [Workload],
    services: &'a [Service],
    settings: &'a Settings,
    grants: BTreeSet<Grant>,
}

impl Graph<'_> {
    fn grant(&mut self, from: End, to: End, port: Port) {
        self.grants.insert(Grant { from, to, port });
    }

    fn dns_and_api_server(&mut self) {
        let dns = kube_dns();
        for (index, workload) in self.workloads.iter().enumerate() {
            for protocol in ["UDP", "TCP"] {
                let port = Port { protocol: protocol.into(), port: PortRef::Number(53) };
                self.grant(End::Workload(index), dns.clone(), port);
            }
            if workload.api_access {
                self.api_server(index);
            }
        }
    }

    fn api_server(&mut self, index: usize) {
        for cidr in self.settings.api_server_cidrs.clone() {
            for port in self.settings.api_server_ports.clone() {
                self.grant(End::Workload(index), End::Cidr(cidr.clone()), Port::tcp(port));
            }
        }
    }

    /// The workloads behind `service` in `namespace` on the Service port `port` (by number)
    /// or `port_name`, each with the pod port it lands on.
    fn behind(
        &self,
        namespace: &str,
        service: &str,
        wanted: impl Fn(&workloads::ServicePort) -> bool,
    ) -> Vec<(usize, Port)> {
        let Some(service) = self.services.iter().find(|s| s.name == service && s.namespace == namespace) else {
            return Vec::new();
        };
        self.behind_service(service, wanted)
    }

    fn behind_service(
        &self,
        service: &Service,
        wanted: impl Fn(&workloads::ServicePort) -> bool,
    ) -> Vec<(usize, Port)> {
        let mut found = Vec::new();
        for service_port in service.ports.iter().filter(|p| wanted(p)) {
            for (index, workload) in self.workloads.iter().enumerate() {
                if !workload.matches(&service.namespace, &service.selector) {
                    continue;
                }
                let port = match &service_port.target {
                    PortRef::Number(n) => Port { protocol: service_port.protocol.clone(), port: PortRef::Number(*n) },
                    PortRef::Name(name) => workload
                        .named_port(name)
                        .unwrap_or(Port { protocol: service_port.protocol.clone(), port: PortRef::Name(name.clone()) }),
                };
                found.push((index, port));
            }
        }
        found
    }

    /// The workloads of module `module`.
    fn of_module(&self, module: &str) -> Vec<usize> {
        (0..self.workloads.len()).filter(|i| self.apps[self.workloads[*i].app].module == module).collect()
    }

    /// The workloads of `module` whose configuration names `host`: in their own spec (an
    /// argument, an environment variable, a custom resource's field) or in a ConfigMap or
    /// Secret they mount or read. A module's gateway that never dials the object store is not
    /// let through to it. When no workload names the host (a configuration oxidy cannot read),
    /// every workload of the module is.
    fn carriers(&self, module: &str, host: &str) -> Vec<usize> {
        let all = self.of_module(module);
        let naming: Vec<usize> = all.iter().copied().filter(|&i| self.names_host(i, host)).collect();
        if naming.is_empty() { all } else { naming }
    }

    fn names_host(&self, index: usize, host: &str) -> bool {
        let workload = &self.workloads[index];
        let Some(object) =
            self.apps[workload.app].objects.iter().find(|o| o.kind() == workload.kind && o.name() == workload.name)
        else {
            return false;
        };
        let mentions = |value: &Value| value.to_string().contains(host);
        if mentions(object.body()) {
            return true;
        }
        let mut sources = BTreeSet::new();
        config_sources(object.body(), &mut sources);
        self.apps.iter().flat_map(|app| app.objects.iter().map(move |o| (app, o))).any(|(app, o)| {
            matches!(o.kind(), "ConfigMap" | "Secret")
                && o.namespace().unwrap_or(&app.namespace) == workload.namespace
                && sources.contains(&(o.kind().to_owned(), o.name().to_owned()))
                && mentions(o.body())
        })
    }

    /// One policy for all pods of each own app whose chart Argo CD renders: they reach each
    /// other, kube-dns and the telemetry intake, and the client namespaces and CIDRs reach
    /// them. What else such a chart needs, its app opts out for (`networkPolicies: false`).
    fn unseen_app_policies(&self, input: &Input) -> Result<Vec<(usize, oxidy_modules::contract::Object)>, String> {
        let mut intake = Vec::new();
        for (_, endpoint) in input.client_endpoints.iter().filter(|(link, _)| link.telemetry_intake()) {
            intake.extend(self.behind(&endpoint.namespace, &endpoint.service, |p| p.port == endpoint.port));
        }
        let mut policies = Vec::new();
        for (index, app) in self.apps.iter().enumerate().filter(|(_, a)| input.unseen_apps.contains(&a.name)) {
            let intake: Vec<(End, Port)> = intake.iter().map(|(w, port)| (End::Workload(*w), port.clone())).collect();
            let policy = render::unseen_app_policy(&app.name, &app.namespace, &intake, self.workloads, self.settings)?;
            policies.push((index, policy));
        }
        Ok(policies)
    }

    fn link_uses(&mut self, uses: &[Use]) -> Result<(), String> {
        for used in uses {
            let e = &used.endpoint;
            let destinations = self.behind(&e.namespace, &e.service, |p| p.port == e.port);
            // A link resolved to a Service no rendered pod is behind (an override that changed
            // the pods' labels, say) would leave the flow closed: an error, not a silent gap.
            if destinations.is_empty() {
                return Err(format!(
                    "{} uses {}, but no rendered workload serves it: the network policies cannot allow the link",
                    used.consumer,
                    e.authority()
                ));
            }
            for source in self.carriers(used.consumer, &e.host()) {
                for (destination, port) in &destinations {
                    self.grant(End::Workload(source), End::Workload(*destination), port.clone());
                }
            }
        }
        Ok(())
    }

    /// Each ServiceMonitor's and PodMonitor's targets, for every Prometheus.
    fn scrapes(&mut self) {
        let scrapers: Vec<usize> =
            (0..self.workloads.len()).filter(|i| self.workloads[*i].kind == "Prometheus").collect();
        let mut targets: Vec<(End, Port)> = Vec::new();
        for app in self.apps {
            for monitor in &app.objects {
                let body = monitor.body();
                let own = monitor.namespace().unwrap_or(&app.namespace).to_owned();
                let namespaces: Vec<String> = match body.pointer("/spec/namespaceSelector/matchNames") {
                    Some(Value::Array(names)) => names.iter().filter_map(|n| n.as_str().map(str::to_owned)).collect(),
                    _ => vec![own],
                };
                let selector: BTreeMap<String, String> = body
                    .pointer("/spec/selector/matchLabels")
                    .and_then(Value::as_object)
                    .into_iter()
                    .flatten()
                    .filter_map(|(k, v)| Some((k.clone(), v.as_str()?.to_owned())))
                    .collect();
                match monitor.kind() {
                    "ServiceMonitor" => {
                        let ports = endpoint_ports(body, "/spec/endpoints");
                        targets.extend(self.service_monitor_targets(&namespaces, &selector, &ports));
                    }
                    "PodMonitor" => {
                        for port in endpoint_ports(body, "/spec/podMetricsEndpoints") {
                            for (index, workload) in self.workloads.iter().enumerate() {
                                if namespaces.iter().any(|n| workload.matches(n, &selector))
                                    && let Some(p) = workload.named_port(&port)
                                {
                                    targets.push((End::Workload(index), p));
                                }
                            }
                        }
                    }
                    _ => {}
                }
            }
        }
        for scraper in scrapers {
            for (target, port) in &targets {
                self.grant(End::Workload(scraper), target.clone(), port.clone());
            }
        }
    }

    fn service_monitor_targets(
        &self,
        namespaces: &[String],
        selector: &BTreeMap<String, String>,
        ports: &[String],
    ) -> Vec<(End, Port)> {
        let mut targets = Vec::new();
        let services: Vec<&Service> = self
            .services
            .iter()
            .filter(|s| namespaces.contains(&s.namespace))
            .filter(|s| !selector.is_empty() && selector.iter().all(|(k, v)| s.labels.get(k) == Some(v)))
            .collect();
        if services.is_empty() {
            // Services the cluster keeps itself: the API server's and the kubelet's (made by the
            // operator) have no pods; any other is reached at its pods by the monitor's labels.
            let label = |k: &str| selector.get(k).map(String::as_str);
            if label("component") == Some("apiserver") {
                for cidr in &self.settings.api_server_cidrs {
                    for port in &self.settings.api_server_ports {
                        targets.push((End::Cidr(cidr.clone()), Port::tcp(*port)));
                    }
                }
            } else if label("app.kubernetes.io/name") == Some("kubelet") {
                for cidr in &self.settings.node_cidrs {
                    targets.push((End::Cidr(cidr.clone()), Port::tcp(KUBELET_PORT)));
                }
            } else {
                for namespace in namespaces {
                    for port in ports {
                        let named = Port { protocol: "TCP".into(), port: PortRef::Name(port.clone()) };
                        targets.push((End::Pods(namespace.clone(), selector.clone()), named));
                    }
                }
            }
            return targets;
        }
        for service in services {
            let behind = self.behind_service(service, |p| p.name.as_ref().is_some_and(|n| ports.contains(n)));
            for (index, port) in behind {
                if self.workloads[index].host_network {
                    for cidr in &self.settings.node_cidrs {
                        targets.push((End::Cidr(cidr.clone()), port.clone()));
                    }
                }
                targets.push((End::Workload(index), port));
            }
        }
        targets
    }

    /// The workloads of one app reach each other (and their own replicas) on every port.
    fn apps_as_units(&mut self) {
        for (a, from) in self.workloads.iter().enumerate() {
            for (b, to) in self.workloads.iter().enumerate() {
                if from.app == to.app {
                    for port in to.all_ports() {
                        self.grant(End::Workload(a), End::Workload(b), port);
                    }
                }
            }
        }
    }

    fn clients(&mut self, input: &Input) {
        let mut sources: Vec<End> = self.settings.client_namespaces.iter().cloned().map(End::Namespace).collect();
        sources.extend(self.settings.client_cidrs.iter().cloned().map(End::Cidr));
        // Own apps send telemetry: their workloads and namespaces reach the intake too.
        let own_namespaces: BTreeSet<String> =
            self.apps.iter().filter(|a| input.own_apps.contains(&a.name)).map(|a| a.namespace.clone()).collect();
        let mut senders: Vec<End> = own_namespaces.into_iter().map(End::Namespace).collect();
        senders.extend(
            (0..self.workloads.len())
                .filter(|i| input.own_apps.contains(&self.apps[self.workloads[*i].app].name))
                .map(End::Workload),
        );
        for (link, endpoint) in input.client_endpoints {
            let senders = if link.telemetry_intake() { senders.as_slice() } else { &[] };
            for (destination, port) in self.behind(&endpoint.namespace, &endpoint.service, |p| p.port == endpoint.port)
            {
                for source in sources.iter().chain(senders) {
                    self.grant(source.clone(), End::Workload(destination), port.clone());
                }
            }
        }
        // An own app's Services are its UI: the client namespaces (its ingress controller) and
        // the client CIDRs reach the pods behind them.
        let mut client_peers: Vec<End> = self.settings.client_namespaces.iter().cloned().map(End::Namespace).collect();
        client_peers.extend(self.settings.client_cidrs.iter().cloned().map(End::Cidr));
        let own_services: Vec<&Service> = self
            .services
            .iter()
            .filter(|s| self.apps.iter().any(|a| input.own_apps.contains(&a.name) && a.namespace == s.namespace))
            .collect();
        for service in own_services {
            for (destination, port) in self.behind_service(service, |_| true) {
                if input.own_apps.contains(&self.apps[self.workloads[destination].app].name) {
                    for peer in &client_peers {
                        self.grant(peer.clone(), End::Workload(destination), port.clone());
                    }
                }
            }
        }
        let external: Vec<&Service> = self.services.iter().filter(|s| s.external).collect();
        for service in external {
            for (destination, port) in self.behind_service(service, |_| true) {
                for cidr in &self.settings.client_cidrs {
                    self.grant(End::Cidr(cidr.clone()), End::Workload(destination), port.clone());
                }
            }
        }
    }

    fn notifications(&mut self) {
        for (index, workload) in self.workloads.iter().enumerate() {
            if workload.kind == "Alertmanager" {
                for cidr in &self.settings.notification_cidrs {
                    self.grants.insert(Grant {
                        from: End::Workload(index),
                        to: End::Cidr(cidr.clone()),
                        port: Port::tcp(HTTPS_PORT),
                    });
                }
            }
        }
    }
}

/// The kubelet's HTTPS port, which Prometheus scrapes at each node's address.
const KUBELET_PORT: u16 = 10250;
const HTTPS_PORT: u16 = 443;

/// The port names a monitor's endpoints scrape.
fn endpoint_ports(body: &Value, pointer: &str) -> Vec<String> {
    body.pointer(pointer)
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|e| e.get("port").and_then(Value::as_str).map(str::to_owned))
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect()
}
