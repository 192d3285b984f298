//! Scrape targets of the cluster itself, each behind its `controlPlane` switch: the API
//! server, CoreDNS, and the scheduler, controller-manager, kube-proxy and etcd. The last four
//! have no Service of their own (static pods, a DaemonSet), so a headless Service in
//! `kube-system` lists their pods; it lives in an app of its own that leaves the namespace to
//! the cluster. Also the config-reloader sidecars of Prometheus and Alertmanager.

use std::collections::BTreeMap;

use k8s_openapi::api::core::v1::{Service, ServicePort, ServiceSpec};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::LabelSelector;
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;

use crate::contract::monitoring::{NamespaceSelector, ScrapeEndpoint, ServiceMonitor, TlsConfig};
use crate::contract::{App, ModuleError, Wave, k8s};

use super::resolved::Resolved;

/// The app holding the headless Services in `kube-system`.
pub(crate) const APP: &str = "control-plane-metrics";
const KUBE_SYSTEM: &str = "kube-system";
const TOKEN: &str = "/var/run/secrets/kubernetes.io/serviceaccount/token";
const CA: &str = "/var/run/secrets/kubernetes.io/serviceaccount/ca.crt";
/// The port of the config-reloader sidecars the operator adds to Prometheus and Alertmanager.
pub(crate) const RELOADER_PORT: u16 = 8080;
pub(crate) const RELOADER_PORT_NAME: &str = "reloader-web";

fn selector(pairs: &[(&str, &str)]) -> LabelSelector {
    LabelSelector {
        match_labels: Some(pairs.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect()),
        ..Default::default()
    }
}

fn in_namespace(namespace: &str) -> Option<NamespaceSelector> {
    Some(NamespaceSelector { match_names: Some(vec![namespace.into()]), any: None })
}

/// An HTTPS endpoint authenticated with Prometheus' service-account token. Control-plane
/// components serve self-signed certificates unless the cluster signs them.
fn https(port: &str, tls: TlsConfig) -> ScrapeEndpoint {
    ScrapeEndpoint {
        port: Some(port.into()),
        path: Some("/metrics".into()),
        scheme: Some("https".into()),
        interval: Some("30s".into()),
        bearer_token_file: Some(TOKEN.into()),
        tls_config: Some(tls),
        ..Default::default()
    }
}

fn http(port: &str) -> ScrapeEndpoint {
    ScrapeEndpoint {
        port: Some(port.into()),
        path: Some("/metrics".into()),
        interval: Some("30s".into()),
        ..Default::default()
    }
}

fn monitor(
    name: &str,
    namespace: &str,
    selector: LabelSelector,
    job_label: &str,
    endpoint: ScrapeEndpoint,
) -> ServiceMonitor {
    let labels = k8s::labels(name, "cluster-metrics", "v1");
    let mut m = ServiceMonitor::new(name, &labels, selector, "metrics", "/metrics");
    m.spec.namespace_selector = in_namespace(namespace);
    m.spec.job_label = Some(job_label.into());
    m.spec.endpoints = vec![endpoint];
    m
}

/// A headless Service in `kube-system` over pods labelled `label=value`, whose label
/// `label` (copied onto the Service) becomes the job.
fn headless(label: &str, value: &str, port_name: &str, port: u16) -> Service {
    let labels: BTreeMap<String, String> = [
        (label.to_owned(), value.to_owned()),
        ("app.kubernetes.io/part-of".to_owned(), "oxidy".to_owned()),
        ("app.kubernetes.io/managed-by".to_owned(), "oxidy".to_owned()),
    ]
    .into();
    let mut meta = k8s::meta(&format!("{value}-metrics"), &labels);
    meta.namespace = Some(KUBE_SYSTEM.into());
    Service {
        metadata: meta,
        spec: Some(ServiceSpec {
            cluster_ip: Some("None".into()),
            selector: Some([(label.to_owned(), value.to_owned())].into()),
            ports: Some(vec![ServicePort {
                name: Some(port_name.into()),
                port: i32::from(port),
                target_port: Some(IntOrString::Int(i32::from(port))),
                ..Default::default()
            }]),
            ..Default::default()
        }),
        ..Default::default()
    }
}

/// The static pods and DaemonSet the switches name: (switch, pod label, value, port name,
/// port, HTTPS).
fn components(r: &Resolved) -> Vec<(&'static str, &'static str, &'static str, u16, bool)> {
    let cp = r.cluster.control_plane;
    let mut out = Vec::new();
    if cp.scheduler {
        out.push(("component", "kube-scheduler", "https-metrics", 10259, true));
    }
    if cp.controller_manager {
        out.push(("component", "kube-controller-manager", "https-metrics", 10257, true));
    }
    if cp.kube_proxy {
        out.push(("k8s-app", "kube-proxy", "http-metrics", 10249, false));
    }
    if cp.etcd {
        out.push(("component", "etcd", "http-metrics", 2381, false));
    }
    out
}

/// The ServiceMonitors of the cluster's components, for the `platform-monitoring` app.
pub(crate) fn push_monitors(r: &Resolved, app: &mut App) -> Result<(), ModuleError> {
    let cp = r.cluster.control_plane;
    if cp.api_server {
        // The `default/kubernetes` Service, whose `component` label makes the job `apiserver`.
        let tls = TlsConfig { ca_file: Some(CA.into()), server_name: Some("kubernetes".into()), ..Default::default() };
        app.push(monitor(
            "apiserver",
            "default",
            selector(&[("component", "apiserver"), ("provider", "kubernetes")]),
            "component",
            https("https", tls),
        ))?;
    }
    if cp.core_dns {
        app.push(monitor("coredns", KUBE_SYSTEM, selector(&[("k8s-app", "kube-dns")]), "k8s-app", http("metrics")))?;
    }
    for (label, value, port, _, secure) in components(r) {
        let endpoint = if secure {
            https(port, TlsConfig { insecure_skip_verify: Some(true), ..Default::default() })
        } else {
            http(port)
        };
        let mut sel = selector(&[(label, value)]);
        sel.match_labels.get_or_insert_default().insert("app.kubernetes.io/part-of".into(), "oxidy".into());
        app.push(monitor(value, KUBE_SYSTEM, sel, label, endpoint))?;
    }
    Ok(())
}

/// The app of headless Services in `kube-system`, when any switch needs one.
pub(crate) fn app(r: &Resolved) -> Result<Option<App>, ModuleError> {
    let components = components(r);
    if components.is_empty() {
        return Ok(None);
    }
    let mut app = App::owned("prometheus", APP, KUBE_SYSTEM, Wave::Monitoring);
    app.manage_namespace = false;
    for (label, value, port_name, port, _) in components {
        app.push(headless(label, value, port_name, port))?;
    }
    Ok(Some(app))
}

/// The config-reloader endpoint added to the Prometheus and Alertmanager monitors.
pub(crate) fn reloader_endpoint() -> ScrapeEndpoint {
    http(RELOADER_PORT_NAME)
}

#[cfg(test)]
mod tests {
    use crate::contract::Tier;
    use crate::testing::render;

    fn names(apps: &[crate::contract::App], app: &str, kind: &str) -> Vec<String> {
        apps.iter()
            .filter(|a| a.name == app)
            .flat_map(|a| &a.objects)
            .filter(|o| o.body()["kind"] == kind)
            .map(|o| o.name().to_owned())
            .collect()
    }

    fn groups(apps: &[crate::contract::App]) -> Vec<String> {
        apps.iter()
            .flat_map(|a| &a.objects)
            .filter(|o| o.body()["kind"] == "PrometheusRule")
            .flat_map(|o| o.body()["spec"]["groups"].as_array().cloned().unwrap_or_default())
            .map(|g| g["name"].as_str().unwrap_or_default().to_owned())
            .collect()
    }

    #[test]
    fn the_defaults_scrape_the_api_server_and_coredns_only() {
        let apps = render(Tier::Production, "{}").unwrap();
        let monitors = names(&apps, "platform-monitoring", "ServiceMonitor");
        assert!(monitors.contains(&"apiserver".to_owned()) && monitors.contains(&"coredns".to_owned()), "{monitors:?}");
        assert!(!monitors.contains(&"kube-scheduler".to_owned()));
        assert!(!apps.iter().any(|a| a.name == super::APP));
        let groups = groups(&apps);
        assert!(groups.contains(&"kubernetes-apiserver".to_owned()) && groups.contains(&"coredns".to_owned()));
        assert!(!groups.contains(&"kubernetes-scheduler".to_owned()) && !groups.contains(&"etcd".to_owned()));
    }

    #[test]
    fn each_switch_turns_its_monitor_service_and_rule_group_on_or_off() {
        let on = "prometheus: {controlPlane: {scheduler: true, controllerManager: true, kubeProxy: true, etcd: true, apiServer: false, coreDns: false}}\n";
        let apps = render(Tier::Production, on).unwrap();
        let services = names(&apps, super::APP, "Service");
        assert_eq!(
            services,
            ["kube-scheduler-metrics", "kube-controller-manager-metrics", "kube-proxy-metrics", "etcd-metrics"]
        );
        let monitors = names(&apps, "platform-monitoring", "ServiceMonitor");
        for m in ["kube-scheduler", "kube-controller-manager", "kube-proxy", "etcd"] {
            assert!(monitors.contains(&m.to_owned()), "{m} in {monitors:?}");
        }
        assert!(!monitors.contains(&"apiserver".to_owned()) && !monitors.contains(&"coredns".to_owned()));
        let groups = groups(&apps);
        for g in ["kubernetes-scheduler", "kubernetes-controller-manager", "kubernetes-kube-proxy", "etcd"] {
            assert!(groups.contains(&g.to_owned()), "{g} in {groups:?}");
        }
        assert!(!groups.contains(&"kubernetes-apiserver".to_owned()) && !groups.contains(&"coredns".to_owned()));
    }

    #[test]
    fn a_missing_extra_rule_file_names_the_option() {
        let err = render(Tier::Local, "prometheus: {extraRules: [rules/nope.yaml]}\n").unwrap_err();
        let text = format!("{err:?}");
        assert!(text.contains("extraRules") && text.contains("rules/nope.yaml"), "{text}");
    }
}
