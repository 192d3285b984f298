//! `oxidy graph`: the platform drawn from an environment's rendered files: which app sends
//! what to which (OTLP, remote write, S3, datasource queries, scrapes, alert routes), and the
//! sync waves the apps start in. Read from the YAML as rendered, not from the modules, so the
//! picture shows what the cluster will really be told. Pure.
//!
//! ```text
//! files ─ index Services (host → app, port → name) ─ scan every line for hosts ─▶ links
//!       ─ ServiceMonitors/PodMonitors ─▶ scrapes ─ Alertmanager configs ─▶ alert routes
//!       ─▶ Mermaid | DOT
//! ```

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;

use serde_json::Value;

use crate::diff::app_of;
use crate::inventory::AppSummary;

/// `--format` of `oxidy graph`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum GraphFormat {
    /// A Mermaid flowchart, as GitHub and GitLab draw it in Markdown.
    #[default]
    Mermaid,
    /// Graphviz DOT.
    Dot,
}

/// The platform of one environment: apps by sync wave, and who talks to whom.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Graph {
    /// The apps, in sync-wave order.
    pub apps: Vec<(i32, String)>,
    /// Nodes outside the environment (alert receivers, cluster components scraped).
    pub outside: BTreeSet<String>,
    /// `(from, to)` → what flows, sorted.
    pub links: BTreeMap<(String, String), BTreeSet<String>>,
}

/// A Service of the environment: the app it belongs to and its port names by number.
struct Service {
    app: String,
    labels: BTreeMap<String, String>,
    namespace: String,
    ports: BTreeMap<u64, String>,
}

/// Services the Prometheus operator creates for the objects of these kinds (governing
/// Services of their StatefulSets), which no rendered file holds.
const OPERATED: [(&str, &str); 2] = [("Prometheus", "prometheus-operated"), ("Alertmanager", "alertmanager-operated")];

impl Graph {
    /// Draws the graph of one environment from its rendered `files` and its `apps`.
    pub fn build(files: &BTreeMap<std::path::PathBuf, String>, apps: &[AppSummary]) -> Graph {
        let mut graph = Graph { apps: apps.iter().map(|a| (a.wave, a.name.clone())).collect(), ..Graph::default() };
        let mut objects: Vec<(String, Value)> = Vec::new();
        for (path, text) in files {
            if path.extension().is_some_and(|e| e == "yaml") {
                let docs: Vec<Value> = serde_saphyr::from_multiple(text).unwrap_or_default();
                objects.extend(docs.into_iter().map(|d| (app_of(path), d)));
            }
        }
        let hosts = service_hosts(&objects);
        for (path, text) in files {
            graph.scan(&app_of(path), text, &hosts);
        }
        graph.scrapes(&objects, &hosts);
        graph.alert_routes(&objects);
        graph
    }

    fn link(&mut self, from: &str, to: &str, what: &str) {
        if from != to {
            self.links.entry((from.to_owned(), to.to_owned())).or_default().insert(what.to_owned());
        }
    }

    /// Every host name of another app's Service in `text` (a URL, `host:port`, or a plain
    /// host), named by the YAML keys above it, its port and its path.
    fn scan(&mut self, app: &str, text: &str, hosts: &BTreeMap<String, Service>) {
        let mut keys: Vec<(usize, String)> = Vec::new();
        for line in text.lines() {
            let indent = line.len() - line.trim_start_matches([' ', '-']).len();
            let body = line.trim_start_matches([' ', '-']);
            keys.retain(|(at, _)| *at < indent);
            let (key, value) = match body.split_once(':') {
                Some((k, v)) if !k.contains(' ') && !k.is_empty() && (v.is_empty() || v.starts_with(' ')) => {
                    (Some(k.trim_matches('"').to_ascii_lowercase()), v)
                }
                _ => (None, body),
            };
            let path: Vec<&str> = keys.iter().map(|(_, k)| k.as_str()).chain(key.as_deref()).collect();
            let path = path.join("/");
            for token in value.split(|c: char| c.is_whitespace() || "\"',;=()[]{}".contains(c)) {
                let rest = token.trim_start_matches("http://").trim_start_matches("https://");
                let (authority, url_path) = rest.split_once('/').map_or((rest, ""), |(a, p)| (a, p));
                let (host, port) = match authority.rsplit_once(':') {
                    Some((h, p)) => (h, p.parse::<u64>().ok()),
                    None => (authority, None),
                };
                if let Some(service) = lookup(hosts, host) {
                    let port_name = port.and_then(|p| service.ports.get(&p)).map(String::as_str).unwrap_or("");
                    let to = service.app.clone();
                    self.link(app, &to, &what_flows(&path, port_name, url_path));
                }
            }
            if let Some(key) = key {
                keys.push((indent, key));
            }
        }
    }

    /// The app holding the Prometheus scrapes every app a ServiceMonitor or PodMonitor selects.
    fn scrapes(&mut self, objects: &[(String, Value)], hosts: &BTreeMap<String, Service>) {
        let Some(scraper) = objects.iter().find(|(_, o)| kind(o) == "Prometheus").map(|(app, _)| app.clone()) else {
            return;
        };
        let services: Vec<&Service> = {
            let mut seen = BTreeSet::new();
            hosts.values().filter(|s| seen.insert((s.app.clone(), s.labels.clone(), s.namespace.clone()))).collect()
        };
        for (app, monitor) in objects {
            let pods = match kind(monitor) {
                "ServiceMonitor" => false,
                "PodMonitor" => true,
                _ => continue,
            };
            let wanted = string_map(&monitor["spec"]["selector"]["matchLabels"]);
            let matches = |labels: &BTreeMap<String, String>| {
                !wanted.is_empty() && wanted.iter().all(|(k, v)| labels.get(k) == Some(v))
            };
            let mut targets: BTreeSet<String> = if pods {
                objects
                    .iter()
                    .filter(|(_, o)| matches(&string_map(&o["spec"]["template"]["metadata"]["labels"])))
                    .map(|(a, _)| a.clone())
                    .collect()
            } else {
                services.iter().filter(|s| matches(&s.labels)).map(|s| s.app.clone()).collect()
            };
            if targets.is_empty() {
                // A cluster component (the API server, kubelets): outside the environment.
                let name = wanted.values().next().cloned().unwrap_or_else(|| app.clone());
                let node = format!("{name} (cluster)");
                self.outside.insert(node.clone());
                targets.insert(node);
            }
            for target in targets {
                self.link(&scraper, &target, "scrape");
            }
        }
    }

    /// Every Alertmanager configuration among the rendered files' strings: its app routes
    /// alerts to each receiver that sends anywhere.
    fn alert_routes(&mut self, objects: &[(String, Value)]) {
        for (app, object) in objects {
            for text in strings(object) {
                if !(text.contains("receivers:") && text.contains("route:")) {
                    continue;
                }
                let Ok(config) = serde_saphyr::from_str::<Value>(text) else { continue };
                for receiver in config["receivers"].as_array().into_iter().flatten() {
                    let kinds: Vec<&str> = receiver
                        .as_object()
                        .into_iter()
                        .flatten()
                        .filter_map(|(k, _)| k.strip_suffix("_configs"))
                        .collect();
                    if let (Some(name), false) = (receiver["name"].as_str(), kinds.is_empty()) {
                        let node = format!("receiver {name}: {}", kinds.join(", "));
                        self.outside.insert(node.clone());
                        self.link(app, &node, "alerts");
                    }
                }
            }
        }
    }

    /// The graph in `format`.
    pub fn render(&self, format: GraphFormat) -> String {
        match format {
            GraphFormat::Mermaid => self.mermaid(),
            GraphFormat::Dot => self.dot(),
        }
    }

    fn waves(&self) -> BTreeMap<i32, Vec<&str>> {
        let mut waves: BTreeMap<i32, Vec<&str>> = BTreeMap::new();
        for (wave, app) in &self.apps {
            waves.entry(*wave).or_default().push(app);
        }
        waves
    }

    fn mermaid(&self) -> String {
        let mut out = String::from("flowchart LR\n");
        for (wave, apps) in self.waves() {
            let _ = writeln!(out, "  subgraph {}[\"sync wave {wave}\"]", wave_id(wave));
            for app in apps {
                let _ = writeln!(out, "    {}[\"{app}\"]", id(app));
            }
            out.push_str("  end\n");
        }
        for node in &self.outside {
            let _ = writeln!(out, "  {}([\"{node}\"])", id(node));
        }
        for ((from, to), what) in &self.links {
            let what = what.iter().cloned().collect::<Vec<_>>().join(", ");
            let _ = writeln!(out, "  {} -->|{what}| {}", id(from), id(to));
        }
        out
    }

    fn dot(&self) -> String {
        let mut out = String::from("digraph platform {\n  rankdir=LR;\n  node [shape=box];\n");
        for (wave, apps) in self.waves() {
            let _ = writeln!(out, "  subgraph cluster_{} {{\n    label=\"sync wave {wave}\";", wave_id(wave));
            for app in apps {
                let _ = writeln!(out, "    {} [label=\"{app}\"];", id(app));
            }
            out.push_str("  }\n");
        }
        for node in &self.outside {
            let _ = writeln!(out, "  {} [label=\"{node}\", shape=ellipse];", id(node));
        }
        for ((from, to), what) in &self.links {
            let what = what.iter().cloned().collect::<Vec<_>>().join(", ");
            let _ = writeln!(out, "  {} -> {} [label=\"{what}\"];", id(from), id(to));
        }
        out.push_str("}\n");
        out
    }
}

/// What flows along a reference: from the YAML keys above it (`path`), the name of the port
/// it names and the path of its URL.
fn what_flows(path: &str, port_name: &str, url_path: &str) -> String {
    let has = |word: &str| path.contains(word) || port_name.contains(word);
    let what = if path.contains("datasources") {
        "queries"
    } else if url_path.contains("api/v1/write") || path.contains("remote_write") {
        "remote write"
    } else if url_path.contains("push") {
        "push"
    } else if has("otlp") || url_path.starts_with("otlp") || path.contains("opentelemetry") {
        "OTLP"
    } else if has("s3") {
        "S3"
    } else if has("alertmanager") {
        "alerts"
    } else if !port_name.is_empty() {
        port_name
    } else {
        "connects"
    };
    what.to_owned()
}

/// Every host name that reaches a Service: `name.namespace`, `.svc` and `.svc.cluster.local`
/// (a bare `name` is too ambiguous in free text to count).
fn service_hosts(objects: &[(String, Value)]) -> BTreeMap<String, Service> {
    let mut hosts = BTreeMap::new();
    let mut add = |name: &str, namespace: &str, service: &dyn Fn() -> Service| {
        for host in [
            format!("{name}.{namespace}"),
            format!("{name}.{namespace}.svc"),
            format!("{name}.{namespace}.svc.cluster.local"),
        ] {
            hosts.insert(host, service());
        }
    };
    for (app, object) in objects {
        let meta = &object["metadata"];
        let (Some(name), namespace) = (meta["name"].as_str(), meta["namespace"].as_str().unwrap_or("default")) else {
            continue;
        };
        if kind(object) == "Service" {
            let ports = object["spec"]["ports"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|p| Some((p["port"].as_u64()?, p["name"].as_str().unwrap_or_default().to_owned())))
                .collect::<BTreeMap<_, _>>();
            let labels = string_map(&meta["labels"]);
            add(name, namespace, &|| Service {
                app: app.clone(),
                labels: labels.clone(),
                namespace: namespace.to_owned(),
                ports: ports.clone(),
            });
        }
        for (operated_kind, service) in OPERATED {
            if kind(object) == operated_kind {
                add(service, namespace, &|| Service {
                    app: app.clone(),
                    labels: BTreeMap::new(),
                    namespace: namespace.to_owned(),
                    ports: BTreeMap::new(),
                });
            }
        }
    }
    hosts
}

/// The Service `host` names: itself, or one of its pods (`pod-0.service.namespace...`).
fn lookup<'a>(hosts: &'a BTreeMap<String, Service>, host: &str) -> Option<&'a Service> {
    hosts.get(host).or_else(|| host.split_once('.').and_then(|(_, rest)| hosts.get(rest)))
}

fn kind(object: &Value) -> &str {
    object["kind"].as_str().unwrap_or_default()
}

fn string_map(value: &Value) -> BTreeMap<String, String> {
    value.as_object().into_iter().flatten().filter_map(|(k, v)| Some((k.clone(), v.as_str()?.to_owned()))).collect()
}

/// Every string value inside `value`.
fn strings(value: &Value) -> Vec<&str> {
    match value {
        Value::String(s) => vec![s.as_str()],
        Value::Array(items) => items.iter().flat_map(strings).collect(),
        Value::Object(map) => map.values().flat_map(strings).collect(),
        _ => Vec::new(),
    }
}

/// `wave_10`, `wave_m20` for wave -20.
fn wave_id(wave: i32) -> String {
    if wave < 0 { format!("wave_m{}", wave.unsigned_abs()) } else { format!("wave_{wave}") }
}

/// A node id both Mermaid and DOT accept: letters, digits and `_`.
fn id(name: &str) -> String {
    let safe: String = name.chars().map(|c| if c.is_ascii_alphanumeric() { c } else { '_' }).collect();
    format!("n_{safe}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn what_flows_is_read_from_keys_ports_and_paths() {
        assert_eq!(what_flows("datasources/url", "http", ""), "queries");
        assert_eq!(what_flows("data/config.yaml/exporters/x/endpoint", "", "api/v1/write"), "remote write");
        assert_eq!(what_flows("exporters/otlp_grpc/endpoint", "otlp-grpc", ""), "OTLP");
        assert_eq!(what_flows("storage/trace/s3/endpoint", "s3", ""), "S3");
        assert_eq!(what_flows("env/value", "admin", ""), "admin");
    }
}
