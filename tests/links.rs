//! Walks the links of the committed environments, as the cluster would: every in-cluster
//! address written anywhere (exporter endpoints, datasource URLs, remote-write targets, S3
//! endpoints, memberlist peers, the bootstrap's node list) must be a rendered Service port or
//! a StatefulSet pod's container port, and every bucket a config uses must be one the Garage
//! bootstrap creates.

use std::collections::BTreeSet;

use serde_json::Value;

mod common;

use common::cluster::{addresses, kind, name_ns, objects, rendered};

/// Whether `host:port` is served: `svc.ns` by a Service declaring the port, `pod.svc.ns` by a
/// StatefulSet pod (governed by that Service) with the container port.
fn resolves(objects: &[Value], host: &str, port: Option<u16>) -> Result<(), String> {
    let parts: Vec<&str> = host.split('.').collect();
    let port_matches = |ports: &Value, field: &str| {
        port.is_none_or(|p| ports.as_array().into_iter().flatten().any(|entry| entry[field] == p))
    };
    match parts.as_slice() {
        [service, namespace] => {
            let svc = kind(objects, "Service")
                .find(|s| name_ns(s) == (service.to_string(), namespace.to_string()))
                .ok_or_else(|| format!("no Service {namespace}/{service}"))?;
            port_matches(&svc["spec"]["ports"], "port")
                .then_some(())
                .ok_or_else(|| format!("Service {namespace}/{service} has no port {port:?}"))
        }
        [pod, service, namespace] => {
            let (set, ordinal) = pod.rsplit_once('-').ok_or_else(|| format!("{pod} is not a StatefulSet pod"))?;
            let ordinal: i64 = ordinal.parse().map_err(|_| format!("{pod} has no ordinal"))?;
            if let Some(found) = operator_pod(objects, set, ordinal, service, namespace, port) {
                return found;
            }
            let sts = kind(objects, "StatefulSet")
                .find(|s| {
                    name_ns(s) == (set.to_string(), namespace.to_string()) && s["spec"]["serviceName"] == *service
                })
                .ok_or_else(|| format!("no StatefulSet {namespace}/{set} governed by {service}"))?;
            let replicas = sts["spec"]["replicas"].as_i64().unwrap_or(1);
            (ordinal < replicas).then_some(()).ok_or_else(|| format!("{pod}: {set} has {replicas} replicas"))?;
            let containers = sts["spec"]["template"]["spec"]["containers"].as_array().cloned().unwrap_or_default();
            containers
                .iter()
                .any(|c| port_matches(&c["ports"], "containerPort"))
                .then_some(())
                .ok_or_else(|| format!("no container of {namespace}/{set} listens on {port:?}"))
        }
        _ => Err(format!("{host} is not a Service or pod address")),
    }
}

/// A pod of the StatefulSet the Prometheus operator makes of a `Prometheus` resource:
/// `prometheus-<name>-<ordinal>`, governed by `prometheus-operated`, serving on 9090.
/// `None` when `set` is no such StatefulSet.
fn operator_pod(
    objects: &[Value],
    set: &str,
    ordinal: i64,
    service: &str,
    namespace: &str,
    port: Option<u16>,
) -> Option<Result<(), String>> {
    let name = set.strip_prefix("prometheus-")?;
    if service != "prometheus-operated" {
        return None;
    }
    let prometheus = kind(objects, "Prometheus").find(|p| name_ns(p) == (name.to_string(), namespace.to_string()))?;
    let replicas = prometheus["spec"]["replicas"].as_i64().unwrap_or(1);
    Some(if ordinal >= replicas {
        Err(format!("{set}-{ordinal}: Prometheus {namespace}/{name} has {replicas} replicas"))
    } else if port.is_some_and(|p| p != 9090) {
        Err(format!("Prometheus {namespace}/{name} serves on 9090, not {port:?}"))
    } else {
        Ok(())
    })
}

#[test]
fn every_in_cluster_address_resolves_to_a_rendered_port() {
    for env in rendered() {
        let objects = objects(&env.layout.files);
        let mut checked = BTreeSet::new();
        for (path, text) in &env.layout.files {
            for (host, port) in addresses(text) {
                if let Err(why) = resolves(&objects, &host, port) {
                    panic!(
                        "{}: {}/{}: {host}:{port:?} does not resolve: {why}",
                        env.name,
                        env.output_root.display(),
                        path.display()
                    );
                }
                checked.insert(host);
            }
        }
        for must in ["tempo", "loki", "prometheus", "garage", "alertmanager"] {
            assert!(
                checked.iter().any(|h| h.starts_with(&format!("{must}."))),
                "{}: nothing links to {must}",
                env.name
            );
        }
    }
}

/// Values of keys named `key` anywhere below `value`.
fn values_of(value: &Value, key: &str, out: &mut Vec<String>) {
    match value {
        Value::Object(map) => map.iter().for_each(|(k, v)| {
            if k == key {
                out.extend(v.as_str().map(|s| s.split(',').map(str::to_owned).collect::<Vec<_>>()).unwrap_or_default());
            }
            values_of(v, key, out);
        }),
        Value::Array(items) => items.iter().for_each(|v| values_of(v, key, out)),
        _ => {}
    }
}

#[test]
fn every_bucket_used_is_created_by_the_bootstrap() {
    for env in rendered() {
        let objects = objects(&env.layout.files);
        let mut used = Vec::new();
        let mut created = None;
        for cm in kind(&objects, "ConfigMap") {
            for text in cm["data"].as_object().into_iter().flatten().filter_map(|(_, v)| v.as_str()) {
                if let Some(line) = text.lines().find_map(|l| l.trim().strip_prefix("BUCKETS=\"")) {
                    created =
                        Some(line.trim_end_matches('"').split_whitespace().map(str::to_owned).collect::<BTreeSet<_>>());
                } else if let Ok(config) = serde_saphyr::from_str::<Value>(text) {
                    values_of(&config, "bucketnames", &mut used);
                    values_of(&config, "bucket", &mut used);
                }
            }
        }
        let created = created.unwrap_or_else(|| panic!("{}: no Garage bootstrap script", env.name));
        assert!(used.len() >= 3, "{}: Loki chunks and ruler and Tempo traces: {used:?}", env.name);
        for bucket in &used {
            assert!(created.contains(bucket), "{}: bucket {bucket} is used but never created ({created:?})", env.name);
        }
    }
}

/// The jobs a ServiceMonitor produces: each Service in its namespaces whose labels match its
/// selector and that has a port an endpoint scrapes, named by the Service (or by its
/// `jobLabel` label).
fn monitored_jobs(objects: &[Value]) -> BTreeSet<(String, String)> {
    let mut jobs = BTreeSet::new();
    for monitor in kind(objects, "ServiceMonitor") {
        let (_, own_ns) = name_ns(monitor);
        let spec = &monitor["spec"];
        let namespaces: Vec<String> = match spec["namespaceSelector"]["matchNames"].as_array() {
            Some(names) => names.iter().filter_map(Value::as_str).map(String::from).collect(),
            None => vec![own_ns],
        };
        let selector = spec["selector"]["matchLabels"].as_object().cloned().unwrap_or_default();
        let ports: Vec<&str> =
            spec["endpoints"].as_array().into_iter().flatten().filter_map(|e| e["port"].as_str()).collect();
        for service in kind(objects, "Service") {
            let (name, ns) = name_ns(service);
            let labels = &service["metadata"]["labels"];
            let matches = namespaces.contains(&ns) && selector.iter().all(|(k, v)| &labels[k] == v);
            let scraped = service["spec"]["ports"]
                .as_array()
                .into_iter()
                .flatten()
                .any(|p| p["name"].as_str().is_some_and(|n| ports.contains(&n)));
            if matches && scraped {
                let job = match spec["jobLabel"].as_str() {
                    Some(label) => labels[label].as_str().unwrap_or_default().to_owned(),
                    None => name,
                };
                jobs.insert((job, ns));
            }
        }
    }
    jobs
}

/// ComponentNotScraped watches exactly the jobs the components' ServiceMonitors produce: a
/// job a component declares but no monitor produces would fire forever, and a monitored
/// job left out could vanish unnoticed.
#[test]
fn the_watched_scrape_jobs_are_the_monitored_ones() {
    for env in rendered() {
        let objects = objects(&env.layout.files);
        let rule = kind(&objects, "PrometheusRule")
            .find(|r| r["metadata"]["name"] == "platform-alerts")
            .expect("the platform-alerts rule");
        let expr = rule["spec"]["groups"]
            .as_array()
            .into_iter()
            .flatten()
            .flat_map(|g| g["rules"].as_array().into_iter().flatten())
            .find(|r| r["alert"] == "ComponentNotScraped")
            .and_then(|r| r["expr"].as_str())
            .expect("ComponentNotScraped")
            .to_owned();
        let watched: BTreeSet<(String, String)> = expr
            .split(" or ")
            .map(|term| {
                let field = |key: &str| {
                    let start = term.find(&format!("{key}=\"")).expect("a label matcher") + key.len() + 2;
                    term[start..].split('"').next().unwrap_or_default().to_owned()
                };
                (field("job"), field("namespace"))
            })
            .collect();
        // The cluster's own components (API server, CoreDNS, kubelet, the control plane) are
        // watched by their own alerts, not as platform components.
        let cluster = ["kubernetes", "kube-dns", "kubelet", "coredns", "apiserver"];
        let monitored: BTreeSet<(String, String)> = monitored_jobs(&objects)
            .into_iter()
            .filter(|(job, ns)| ns != "kube-system" && ns != "default" && !cluster.contains(&job.as_str()))
            .collect();
        assert_eq!(watched, monitored, "{}: the watched jobs (left) and the monitored ones (right)", env.name);
    }
}
