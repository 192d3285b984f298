//! Tests of the prometheus module: tier tables, option errors and the objects and config files it renders.

use serde_json::Value;

use crate::contract::{App, Link, ModuleError, PodSecurity, Role, Source, Tier, Wave};
use crate::testing::{app, context, env, object, platform, render};

const TIERS: [Tier; 3] = [Tier::Local, Tier::Staging, Tier::Production];
const OUR_APPS: [&str; 6] = [
    "prometheus-crds",
    "prometheus-operator",
    "prometheus",
    "kube-state-metrics",
    "node-exporter",
    "platform-monitoring",
];

fn bodies<'a>(apps: &'a [App], kind: &'a str) -> impl Iterator<Item = &'a Value> + 'a {
    apps.iter().flat_map(|a| a.objects.iter()).filter(move |o| o.kind() == kind).map(|o| o.body())
}

#[test]
fn tier_table_holds_in_the_rendered_resources() {
    for (tier, retention, volume, replicas, am_replicas) in [
        (Tier::Local, "24h", "5Gi", 1, 1),
        (Tier::Staging, "7d", "20Gi", 1, 1),
        (Tier::Production, "30d", "100Gi", 2, 2),
    ] {
        let apps = render(tier, "{}").unwrap();
        let p = object(app(&apps, "prometheus"), "Prometheus", "platform");
        assert_eq!(p["spec"]["retention"], retention, "{tier:?}");
        assert_eq!(
            p["spec"]["storage"]["volumeClaimTemplate"]["spec"]["resources"]["requests"]["storage"], volume,
            "{tier:?}"
        );
        assert_eq!(p["spec"]["replicas"], replicas, "{tier:?}");
        let am = object(app(&apps, "prometheus"), "Alertmanager", "platform");
        assert_eq!(am["spec"]["replicas"], am_replicas, "{tier:?}");
        for spec in [&p["spec"], &am["spec"]] {
            let spread = &spec["affinity"]["podAntiAffinity"]["preferredDuringSchedulingIgnoredDuringExecution"][0];
            assert_eq!(spread["podAffinityTerm"]["topologyKey"].is_string(), spec["replicas"] != 1, "{tier:?}");
        }
    }
}

#[test]
fn size_based_retention_leaves_headroom_on_the_volume() {
    let apps = render(Tier::Local, "{}").unwrap();
    let p = object(app(&apps, "prometheus"), "Prometheus", "platform");
    assert_eq!(p["spec"]["retentionSize"], "4096MiB");
    let apps = render(Tier::Staging, "prometheus:\n  volumeSize: 50G\n  retention: 14d\n").unwrap();
    let p = object(app(&apps, "prometheus"), "Prometheus", "platform");
    assert_eq!(p["spec"]["retentionSize"], "38146MiB");
    assert_eq!(p["spec"]["retention"], "14d");
    let errors = render(Tier::Local, "prometheus:\n  retention: 1h\n").unwrap_err();
    assert!(
        matches!(&errors[0], ModuleError::Option { key, .. } if key == "components.prometheus.retention"),
        "{errors:?}"
    );
}

#[test]
fn prometheus_receives_writes_keeps_exemplars_and_discovers_everything() {
    let apps = render(Tier::Staging, "{}").unwrap();
    let spec = &object(app(&apps, "prometheus"), "Prometheus", "platform")["spec"];
    assert_eq!(spec["enableRemoteWriteReceiver"], true);
    assert_eq!(spec["enableFeatures"], serde_json::json!(["exemplar-storage"]));
    assert_eq!(spec["exemplars"]["maxSize"], 100_000);
    assert_eq!(spec["externalLabels"]["env"], "staging");
    for key in [
        "serviceMonitorSelector",
        "serviceMonitorNamespaceSelector",
        "podMonitorSelector",
        "podMonitorNamespaceSelector",
        "ruleSelector",
        "ruleNamespaceSelector",
    ] {
        assert_eq!(spec[key], serde_json::json!({}), "{key} must select everything");
    }
    assert_eq!(spec["alerting"]["alertmanagers"][0]["name"], "alertmanager");
}

#[test]
fn sync_waves_order_crds_operator_backends_monitors() {
    let apps = render(Tier::Production, "{}").unwrap();
    let wave = |name: &str| app(&apps, name).wave;
    assert_eq!(wave("prometheus-crds"), Wave::Crds);
    assert!(wave("prometheus-crds") < wave("prometheus-operator"));
    assert!(wave("prometheus-operator") < wave("prometheus"));
    assert!(wave("prometheus") < wave("platform-monitoring"));
    for a in apps.iter().filter(|a| OUR_APPS.contains(&a.name.as_str())) {
        let kinds: Vec<&str> = a.objects.iter().map(|o| o.kind()).collect();
        if kinds.iter().any(|k| ["ServiceMonitor", "PodMonitor", "PrometheusRule"].contains(k)) {
            assert_eq!(a.wave, Wave::Monitoring, "{} holds monitors or rules", a.name);
        }
        if kinds.iter().any(|k| ["Prometheus", "Alertmanager"].contains(k)) {
            assert!(a.wave > Wave::Operators, "{} holds operator resources", a.name);
        }
    }
    match &app(&apps, "prometheus-crds").source {
        Source::Upstream { repo_url, revision, path, kinds, .. } => {
            assert_eq!(repo_url, "https://github.com/prometheus-operator/prometheus-operator.git");
            assert_eq!(revision, "v0.93.0");
            assert_eq!(path, "example/prometheus-operator-crd");
            assert_eq!(kinds[0].kind, "CustomResourceDefinition");
        }
        other => panic!("CRDs must come from upstream, not {other:?}"),
    }
}

#[test]
fn node_ports_only_in_local() {
    let local = render(Tier::Local, "{}").unwrap();
    let svc = object(app(&local, "prometheus"), "Service", "prometheus");
    assert_eq!(svc["spec"]["type"], "NodePort");
    assert_eq!(svc["spec"]["ports"][0]["nodePort"], 30090);
    let svc = object(app(&local, "prometheus"), "Service", "alertmanager");
    assert_eq!(svc["spec"]["ports"][0]["nodePort"], 30093);
    let production = render(Tier::Production, "{}").unwrap();
    for name in ["prometheus", "alertmanager"] {
        let svc = object(app(&production, "prometheus"), "Service", name);
        assert_eq!(svc["spec"]["type"], "ClusterIP", "{name}");
        assert!(svc["spec"]["ports"][0].get("nodePort").is_none(), "{name}");
    }
}

#[test]
fn zero_replicas_are_refused() {
    let errors = render(Tier::Production, "prometheus:\n  alertmanager:\n    replicas: 0\n").unwrap_err();
    assert!(
        matches!(&errors[0], ModuleError::Option { key, .. } if key == "components.prometheus.alertmanager.replicas"),
        "{errors:?}"
    );
}

#[test]
fn a_node_port_taken_twice_names_both_keys() {
    let errors = render(Tier::Local, "prometheus:\n  alertmanager:\n    nodePort: 30090\n").unwrap_err();
    let message = errors[0].to_string();
    assert!(
        message.contains("components.prometheus.nodePort")
            && message.contains("components.prometheus.alertmanager.nodePort"),
        "{message}"
    );
}

#[test]
fn offers_links_and_datasources() {
    let ctx = context(&platform("{}"), env(Tier::Staging)).unwrap();
    let prometheus = ctx.endpoint(Link::MetricsQueryHttp, "test").unwrap();
    assert_eq!((prometheus.service.as_str(), prometheus.port), ("prometheus", 9090));
    assert_eq!(ctx.endpoint(Link::AlertsHttp, "test").unwrap().port, 9093);
    let ds = ctx.datasource(Role::METRICS).unwrap();
    assert_eq!(
        (ds.uid.as_str(), ds.url.as_str()),
        ("prometheus", "http://prometheus.observability.svc.cluster.local:9090")
    );
    assert_eq!(ctx.datasource(Role::ALERTS).unwrap().uid, "alertmanager");
}

#[test]
fn disabled_renders_and_offers_nothing() {
    let ctx = context(&platform("prometheus: {enabled: false}\n"), env(Tier::Local)).unwrap();
    assert!(ctx.endpoint(Link::MetricsQueryHttp, "test").is_err());
    assert!(ctx.datasource(Role::ALERTS).is_none());
    let apps = render(Tier::Local, "prometheus:\n  nodeExporter:\n    enabled: false\n").unwrap();
    assert!(!apps.iter().any(|a| a.name == "node-exporter"));
    assert!(!rule_groups(&apps).to_string().contains("node-exporter"));
}

#[test]
fn unpinned_images_are_refused_at_their_line() {
    let errors =
        render(Tier::Local, "prometheus:\n  alertmanager:\n    image: quay.io/prometheus/alertmanager:latest\n")
            .unwrap_err();
    assert!(
        matches!(&errors[0], ModuleError::Option { key, pos: Some(p), .. } if key == "components.prometheus.alertmanager.image" && p.line == 3),
        "{errors:?}"
    );
    let apps = render(Tier::Local, "prometheus:\n  image: mirror.example:5000/prometheus:v3.13.0\n").unwrap();
    let p = object(app(&apps, "prometheus"), "Prometheus", "platform");
    assert_eq!(p["spec"]["version"], "v3.13.0");
}

/// The pod template of every Deployment, DaemonSet and StatefulSet in `a`.
fn pod_specs(a: &App) -> Vec<(String, Value)> {
    a.objects
        .iter()
        .filter_map(|o| match o.kind() {
            "Deployment" | "DaemonSet" | "StatefulSet" => {
                Some((o.describe(), o.body()["spec"]["template"]["spec"].clone()))
            }
            _ => None,
        })
        .collect()
}

#[test]
fn pods_are_restricted_except_node_exporter() {
    let apps = render(Tier::Production, "{}").unwrap();
    for a in apps.iter().filter(|a| OUR_APPS.contains(&a.name.as_str()) && a.name != "node-exporter") {
        assert_eq!(a.pod_security, PodSecurity::Restricted, "{}", a.name);
        for (name, pod) in pod_specs(a) {
            assert_eq!(pod["securityContext"]["runAsNonRoot"], true, "{name}");
            assert_eq!(pod["securityContext"]["seccompProfile"]["type"], "RuntimeDefault", "{name}");
            assert!(pod.get("hostNetwork").is_none() && pod.get("hostPID").is_none(), "{name}");
            for c in pod["containers"].as_array().unwrap() {
                assert_eq!(c["securityContext"]["readOnlyRootFilesystem"], true, "{name}");
                assert_eq!(c["securityContext"]["allowPrivilegeEscalation"], false, "{name}");
                assert_eq!(c["securityContext"]["capabilities"]["drop"][0], "ALL", "{name}");
                for key in ["livenessProbe", "readinessProbe"] {
                    assert!(c.get(key).is_some(), "{name} lacks {key}");
                }
                for key in ["requests", "limits"] {
                    assert!(c["resources"][key]["memory"].is_string(), "{name} lacks {key}");
                }
                assert!(!c["image"].as_str().unwrap().ends_with(":latest"), "{name}");
            }
        }
    }
    for kind in ["Prometheus", "Alertmanager"] {
        let spec = &bodies(&apps, kind).next().unwrap()["spec"];
        assert_eq!(spec["securityContext"]["runAsNonRoot"], true, "{kind}");
        assert_eq!(spec["securityContext"]["seccompProfile"]["type"], "RuntimeDefault", "{kind}");
        assert!(spec["resources"]["limits"]["memory"].is_string(), "{kind}");
    }
    let am = bodies(&apps, "Alertmanager").next().unwrap();
    assert_eq!(am["spec"]["automountServiceAccountToken"], false);
}

#[test]
fn node_exporter_is_privileged_in_a_namespace_of_its_own() {
    let apps = render(Tier::Staging, "{}").unwrap();
    let ne = app(&apps, "node-exporter");
    assert_eq!(ne.pod_security, PodSecurity::Privileged);
    assert_eq!(ne.namespace, "node-exporter");
    let pod = &object(ne, "DaemonSet", "node-exporter")["spec"]["template"]["spec"];
    assert_eq!((pod["hostPID"].clone(), pod["hostNetwork"].clone()), (Value::Bool(true), Value::Bool(true)));
    let mounts = pod["containers"][0]["volumeMounts"].as_array().unwrap();
    assert!(mounts.iter().all(|m| m["readOnly"] == true), "{mounts:?}");
    let paths: Vec<&str> =
        pod["volumes"].as_array().unwrap().iter().map(|v| v["hostPath"]["path"].as_str().unwrap()).collect();
    assert_eq!(paths, ["/proc", "/sys", "/"]);
    assert_eq!(pod["containers"][0]["securityContext"]["runAsNonRoot"], true);
    let errors = render(Tier::Staging, "prometheus:\n  nodeExporter:\n    namespace: observability\n").unwrap_err();
    assert!(errors[0].to_string().contains("must not share namespace"), "{errors:?}");
}

#[test]
fn kube_state_metrics_reads_only_what_it_exports() {
    let apps = render(Tier::Local, "{}").unwrap();
    let ksm = app(&apps, "kube-state-metrics");
    let role = object(ksm, "ClusterRole", "kube-state-metrics");
    let granted: Vec<String> = role["rules"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|r| {
            assert_eq!(r["verbs"], serde_json::json!(["list", "watch"]));
            r["resources"].as_array().unwrap().iter().map(|x| x.as_str().unwrap().to_owned()).collect::<Vec<_>>()
        })
        .collect();
    let args = object(ksm, "Deployment", "kube-state-metrics")["spec"]["template"]["spec"]["containers"][0]["args"]
        .as_array()
        .unwrap()
        .iter()
        .find_map(|a| a.as_str().unwrap().strip_prefix("--resources="))
        .unwrap()
        .split(',')
        .map(str::to_owned)
        .collect::<Vec<_>>();
    let (mut granted, mut args) = (granted, args);
    granted.sort();
    args.sort();
    assert_eq!(granted, args);
    assert!(!granted.iter().any(|r| r == "secrets"));
    assert_eq!(object(ksm, "PodMonitor", "kube-state-metrics")["spec"]["podMetricsEndpoints"][0]["honorLabels"], true);
}

#[test]
fn alertmanager_routes_to_null_in_local_and_to_secret_backed_receivers_elsewhere() {
    let local = render(Tier::Local, "{}").unwrap();
    let text = alertmanager_yaml(&local);
    let config: Value = serde_saphyr::from_str(&text).unwrap();
    assert_eq!(config["route"]["receiver"], "null");
    assert_eq!(config["route"]["group_by"], serde_json::json!(["alertname", "namespace"]));
    assert_eq!(config["inhibit_rules"][0]["source_matchers"][0], "severity=\"critical\"");
    assert_eq!(config["inhibit_rules"][0]["target_matchers"][0], "severity=\"warning\"");

    let production = render(Tier::Production, "{}").unwrap();
    let config: Value = serde_saphyr::from_str(&alertmanager_yaml(&production)).unwrap();
    let am = object(app(&production, "prometheus"), "Alertmanager", "platform");
    assert_eq!(am["spec"]["secrets"], serde_json::json!(["alertmanager-notifications"]));
    assert_eq!(am["spec"]["configSecret"], "alertmanager-platform-config");
    // InfoInhibitor and info alerts go nowhere; critical ones page.
    let routes = &config["route"]["routes"];
    assert_eq!(routes[0]["matchers"][0], "alertname=\"InfoInhibitor\"");
    assert_eq!(routes[0]["receiver"], "null");
    assert_eq!(routes[1]["matchers"][0], "severity=\"info\"");
    assert_eq!(routes[1]["receiver"], "null");
    assert_eq!(routes[2]["receiver"], "platform-critical");
    assert_eq!(config["inhibit_rules"][1]["source_matchers"][0], "alertname=\"InfoInhibitor\"");
    assert_eq!(config["inhibit_rules"][1]["target_matchers"][0], "severity=\"info\"");
    let critical = &config["receivers"][2];
    assert_eq!(
        critical["pagerduty_configs"][0]["routing_key_file"],
        "/etc/alertmanager/secrets/alertmanager-notifications/pagerduty-routing-key"
    );
    assert_eq!(
        critical["slack_configs"][0]["api_url_file"],
        "/etc/alertmanager/secrets/alertmanager-notifications/slack-webhook-url"
    );
    assert!(!bodies(&production, "Secret").any(|s| s["metadata"]["name"] == "alertmanager-notifications"));
}

fn alertmanager_yaml(apps: &[App]) -> String {
    let secret = object(app(apps, "prometheus"), "Secret", "alertmanager-platform-config");
    secret["stringData"]["alertmanager.yaml"].as_str().unwrap().to_owned()
}

fn rule_groups(apps: &[App]) -> Value {
    object(app(apps, "platform-monitoring"), "PrometheusRule", "platform-alerts")["spec"].clone()
}

#[test]
fn every_alert_has_severity_summary_description_and_for() {
    let spec = rule_groups(&render(Tier::Staging, "{}").unwrap());
    let mut names = Vec::new();
    for group in spec["groups"].as_array().unwrap() {
        for rule in group["rules"].as_array().unwrap() {
            let name = rule["alert"].as_str().unwrap();
            assert!(["warning", "critical"].contains(&rule["labels"]["severity"].as_str().unwrap()), "{name}");
            assert!(
                rule["annotations"]["summary"].is_string() && rule["annotations"]["description"].is_string(),
                "{name}"
            );
            assert!(rule["for"].is_string(), "{name}");
            assert!(promql_parser::parser::parse(rule["expr"].as_str().unwrap()).is_ok(), "{name}");
            names.push(name.to_owned());
        }
    }
    for expected in [
        "TargetDown",
        "ComponentNotScraped",
        "LokiRequestErrors",
        "TempoRequestErrors",
        "CollectorRefusingData",
        "CollectorExportFailing",
        "CollectorQueueSaturated",
        "PrometheusRemoteWriteReceiveErrors",
        "PrometheusStorageFilling",
        "GarageUnhealthy",
    ] {
        assert!(names.iter().any(|n| n == expected), "no {expected} in {names:?}");
    }
}

#[test]
fn storage_alert_follows_the_volume_size() {
    let spec = rule_groups(&render(Tier::Local, "prometheus:\n  volumeSize: 10Gi\n").unwrap());
    let text = spec.to_string();
    assert!(text.contains("/ 10737418240 > 0.75"), "{text}");
    assert!(text.contains("of its 10Gi volume"), "{text}");
    let spec = rule_groups(&render(Tier::Production, "{}").unwrap());
    assert!(spec.to_string().contains("/ 107374182400 > 0.95"));
}

#[test]
fn component_alert_covers_every_own_job() {
    let spec = rule_groups(&render(Tier::Local, "{}").unwrap());
    let text = spec.to_string();
    for job in ["prometheus-operator", "prometheus", "alertmanager", "kube-state-metrics"] {
        assert!(text.contains(&format!("absent(up{{job=\\\"{job}\\\", namespace=\\\"observability\\\"}})")), "{job}");
    }
    assert!(text.contains("absent(up{job=\\\"node-exporter\\\", namespace=\\\"node-exporter\\\"})"));
}

/// The apps and the two resources the operator turns into config, per tier; every other
/// object is the end-to-end snapshot in `generated/`.
#[test]
fn tier_table_and_resources() {
    for tier in TIERS {
        let apps = render(tier, "{}").unwrap();
        let table: Vec<_> = apps
            .iter()
            .filter(|a| OUR_APPS.contains(&a.name.as_str()))
            .map(|a| format!("{} {} wave={} {}", a.name, a.namespace, a.wave.number(), a.pod_security.as_str()))
            .collect();
        let backends = app(&apps, "prometheus");
        let resources = serde_json::json!({
            "apps": table,
            "prometheus": object(backends, "Prometheus", "platform")["spec"],
            "alertmanager": object(backends, "Alertmanager", "platform")["spec"],
        });
        insta::assert_yaml_snapshot!(format!("prometheus-resources-{}", tier.as_str()), resources);
    }
}

#[test]
fn kubelet_and_cadvisor_are_scraped_unless_turned_off() {
    let apps = render(Tier::Production, "{}").unwrap();
    let monitor = object(app(&apps, "platform-monitoring"), "ServiceMonitor", "kubelet");
    assert_eq!(monitor["spec"]["namespaceSelector"]["matchNames"], serde_json::json!(["kube-system"]));
    let paths: Vec<&str> =
        monitor["spec"]["endpoints"].as_array().unwrap().iter().map(|e| e["path"].as_str().unwrap()).collect();
    assert_eq!(paths, ["/metrics", "/metrics/cadvisor", "/metrics/probes"]);
    let args = &object(app(&apps, "prometheus-operator"), "Deployment", "prometheus-operator")["spec"]["template"]["spec"]
        ["containers"][0]["args"];
    assert!(args.as_array().unwrap().iter().any(|a| a == "--kubelet-service=kube-system/kubelet"), "{args}");

    let apps = render(Tier::Production, "prometheus: {scrapeKubelet: false}\n").unwrap();
    assert!(!app(&apps, "platform-monitoring").objects.iter().any(|o| o.name() == "kubelet"));
    let args = &object(app(&apps, "prometheus-operator"), "Deployment", "prometheus-operator")["spec"]["template"]["spec"]
        ["containers"][0]["args"];
    assert!(!args.to_string().contains("kubelet-service"), "{args}");
}

/// Each replica keeps only the samples written to it, so every pushed sample must reach every
/// replica: one remote-write URL per pod, through the operator's governing Service.
#[test]
fn remote_write_reaches_every_replica() {
    let ctx = context(&platform("{}"), env(Tier::Production)).unwrap();
    assert_eq!(
        ctx.urls(Link::MetricsRemoteWrite, "test").unwrap(),
        [
            "http://prometheus-platform-0.prometheus-operated.observability.svc.cluster.local:9090/api/v1/write",
            "http://prometheus-platform-1.prometheus-operated.observability.svc.cluster.local:9090/api/v1/write",
        ]
    );
    let ctx = context(&platform("{}"), env(Tier::Local)).unwrap();
    assert_eq!(
        ctx.urls(Link::MetricsRemoteWrite, "test").unwrap(),
        ["http://prometheus.observability.svc.cluster.local:9090/api/v1/write"],
        "one replica is the Service"
    );
    let ctx = context(&platform("prometheus: {replicas: 3}\n"), env(Tier::Staging)).unwrap();
    assert_eq!(ctx.urls(Link::MetricsRemoteWrite, "test").unwrap().len(), 3);
}

/// A component the metrics stack has never heard of hands over its alert group through the
/// context, and Prometheus loads it with runbook links like its own; a broken rule in it
/// fails the render naming group and rule.
#[test]
fn alert_groups_of_any_component_are_collected() {
    use crate::contract::Declarations;
    use crate::contract::alerts::{RuleSet, Severity, alert};
    let env = env(Tier::Staging);
    let profiles = |expr: &str| RuleSet {
        name: "platform-profiles",
        records: vec![],
        alerts: vec![
            alert("ProfilesIngestErrors", Severity::Warning, "10m", expr)
                .about("Profiles are refused", "{{ $labels.job }} refuses profiles."),
        ],
    };
    let render_with = |set: RuleSet| {
        let mut decl = Declarations::default();
        let resolved = crate::testing::declare::<super::PrometheusModule>("{}", &env, &mut decl)?;
        decl.provide_rules("profiles", set);
        let ctx = decl.into_context(env.clone()).map_err(|mut e| e.remove(0))?;
        <super::PrometheusModule as crate::contract::Module>::render(&resolved, &ctx)
    };
    let apps = render_with(profiles("rate(profiles_refused_total[5m]) > 0")).unwrap();
    let spec = rule_groups(&apps);
    let group = spec["groups"].as_array().unwrap().iter().find(|g| g["name"] == "platform-profiles").expect("loaded");
    assert_eq!(group["rules"][0]["alert"], "ProfilesIngestErrors");
    assert!(group["rules"][0]["annotations"]["runbook_url"].as_str().unwrap().ends_with("/ProfilesIngestErrors.md"));
    let err = render_with(profiles("rate(profiles_refused_total[5m] > 0")).unwrap_err().to_string();
    assert!(err.starts_with("rule group `platform-profiles`, rule `ProfilesIngestErrors`: expression"), "{err}");
}
