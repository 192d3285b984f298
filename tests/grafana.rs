//! The shipped dashboards pass Grafana's render-time lint (uids, panel ids, datasource uids,
//! PromQL) and are delivered as one ConfigMap each, in every tier.

use std::path::Path;
use std::sync::Arc;

use serde_json::Value;

use oxidy::dashboards::compile;
use oxidy::project::Project;
use oxidy_modules::Platform;
use oxidy_modules::contract::{Datasource, Declarations, EnvInfo, Role, Stack, Tier};

/// Grafana alone: the other components are disabled, and the datasources their backends
/// would declare are declared by hand with the uids those backends use.
const GRAFANA_ONLY: &str = "garage: {enabled: false}\nloki: {enabled: false}\ntempo: {enabled: false}\n\
                            collector: {enabled: false}\nprometheus: {enabled: false}\n";

fn datasources() -> Vec<Datasource> {
    [
        ("prometheus", Role::METRICS, 9090),
        ("loki", Role::LOGS, 3100),
        ("tempo", Role::TRACES, 3200),
        ("alertmanager", Role::ALERTS, 9093),
    ]
    .into_iter()
    .map(|(uid, role, port)| {
        Datasource::new(uid, uid, uid, role, format!("http://{uid}.observability.svc.cluster.local:{port}"))
    })
    .collect()
}

#[test]
fn shipped_dashboards_pass_the_lint_in_every_tier() {
    let dashboards = Arc::new(compile(&Project::new(env!("CARGO_MANIFEST_DIR"))).expect("dashboards compile"));
    let platform: Platform = serde_saphyr::from_str(GRAFANA_ONLY).expect("components parse");
    for tier in [Tier::Local, Tier::Staging, Tier::Production] {
        let env = EnvInfo {
            name: tier.as_str().into(),
            tier,
            namespace: "observability".into(),
            dashboards: dashboards.clone(),
            git: oxidy_modules::contract::GitSource {
                repo_url: "https://git.example.com/platform/observability.git".into(),
                revision: "main".into(),
                repo_url_pos: None,
            },
            rule_files: Default::default(),
        };
        let resolved = platform.resolve(&env).expect("options resolve");
        let mut decl = Declarations::default();
        Platform::declare(&resolved, &mut decl);
        for d in datasources() {
            decl.provide_datasource("backend", d);
        }
        let ctx = decl.into_context(env).expect("context");
        let apps = Platform::render(&resolved, &ctx).unwrap_or_else(|e| panic!("{tier:?}: {}", e[0]));
        let grafana = apps.iter().find(|a| a.name == "grafana").expect("a grafana app");
        for d in dashboards.iter() {
            let name = format!("grafana-dashboard-{}", d.name);
            let cm = grafana.objects.iter().find(|o| o.kind() == "ConfigMap" && o.name() == name);
            let text = cm.and_then(|o| o.body()["data"][format!("{}.json", d.name)].as_str());
            assert!(text.is_some_and(|t| t.lines().count() > 50), "{tier:?}: {name} holds the pretty dashboard");
        }
    }
}

/// The committed environments, with every component enabled: Grafana provisions the four
/// datasources the backends declare and delivers every shipped dashboard.
#[test]
fn every_environment_provisions_the_four_datasources_and_every_dashboard() {
    let project = Project::new(env!("CARGO_MANIFEST_DIR"));
    let envs = project.env_names().expect("environments");
    let rendered = oxidy::run::render_all::<Platform>(&project, &envs).unwrap_or_else(|e| panic!("{}", e.report()));
    let dashboards = compile(&project).expect("dashboards compile");
    assert_eq!(rendered.len(), 3);
    for env in &rendered {
        let file = |path: &str| {
            let text = env.layout.files.get(Path::new(path));
            let text = text.unwrap_or_else(|| panic!("{}: no {path}", env.name));
            serde_saphyr::from_str::<Value>(text).expect("rendered YAML parses")
        };
        let config_map = file("grafana/ConfigMap-grafana-datasources.yaml");
        let provisioning: Value =
            serde_saphyr::from_str(config_map["data"]["datasources.yaml"].as_str().expect("the file")).expect("YAML");
        let provisioned: Vec<(&str, &str)> = provisioning["datasources"]
            .as_array()
            .expect("datasources")
            .iter()
            .map(|d| (d["type"].as_str().unwrap_or_default(), d["uid"].as_str().unwrap_or_default()))
            .collect();
        assert_eq!(
            provisioned,
            [("prometheus", "prometheus"), ("loki", "loki"), ("tempo", "tempo"), ("alertmanager", "alertmanager")],
            "{}",
            env.name
        );
        for d in dashboards.iter() {
            let config_map = file(&format!("grafana/ConfigMap-grafana-dashboard-{}.yaml", d.name));
            assert_eq!(config_map["metadata"]["labels"]["grafana_dashboard"], "1");
        }
    }
}

/// The dashboards each committed environment ships, from its rendered ConfigMaps.
fn shipped_per_environment() -> Vec<(String, Vec<Value>)> {
    let project = Project::new(env!("CARGO_MANIFEST_DIR"));
    let envs = project.env_names().expect("environments");
    let rendered = oxidy::run::render_all::<Platform>(&project, &envs).unwrap_or_else(|e| panic!("{}", e.report()));
    rendered
        .iter()
        .map(|env| {
            let dashboards = env
                .layout
                .files
                .iter()
                .filter(|(path, _)| path.to_string_lossy().starts_with("grafana/ConfigMap-grafana-dashboard-"))
                .filter_map(|(_, text)| {
                    let config_map: Value = serde_saphyr::from_str(text).expect("YAML");
                    let data = config_map["data"].as_object().expect("data");
                    let (_, json) = data.iter().find(|(key, _)| key.ends_with(".json"))?;
                    Some(serde_json::from_str(json.as_str().expect("text")).expect("dashboard JSON"))
                })
                .collect();
            (env.name.clone(), dashboards)
        })
        .collect()
}

/// Every `/d/<uid>` link of a dashboard: its own, its panels', and its data links.
fn link_targets(dashboard: &Value) -> Vec<String> {
    let mut urls = Vec::new();
    collect_urls(dashboard, &mut urls);
    urls.iter()
        .filter_map(|u| u.strip_prefix("/d/"))
        .map(|rest| rest.split(['/', '?']).next().unwrap_or_default().to_owned())
        .collect()
}

fn collect_urls(value: &Value, urls: &mut Vec<String>) {
    match value {
        Value::Object(o) => {
            if let Some(Value::String(url)) = o.get("url") {
                urls.push(url.clone());
            }
            o.values().for_each(|v| collect_urls(v, urls));
        }
        Value::Array(a) => a.iter().for_each(|v| collect_urls(v, urls)),
        _ => {}
    }
}

#[test]
fn every_environment_ships_at_least_twenty_dashboards_whose_links_resolve() {
    for (env, dashboards) in shipped_per_environment() {
        assert!(dashboards.len() >= 20, "{env}: {} dashboards", dashboards.len());
        let uids: Vec<&str> = dashboards.iter().filter_map(|d| d["uid"].as_str()).collect();
        let mut linked = 0;
        for d in &dashboards {
            for target in link_targets(d) {
                assert!(uids.contains(&target.as_str()), "{env}: {} links to {target}, which does not ship", d["uid"]);
                linked += 1;
            }
        }
        assert!(linked > 20, "{env}: the dashboards link to each other ({linked} links)");
    }
}

/// Cluster → namespace → workload → pod, each a click away from the one before.
#[test]
fn kubernetes_dashboards_drill_down_from_cluster_to_pod() {
    let (_, dashboards) = shipped_per_environment().remove(0);
    let by_uid = |uid: &str| dashboards.iter().find(|d| d["uid"] == uid).unwrap_or_else(|| panic!("{uid} ships"));
    for (from, to) in [
        ("oxidy-k8s-cluster", "oxidy-k8s-namespace-pods"),
        ("oxidy-k8s-cluster", "oxidy-k8s-node"),
        ("oxidy-k8s-namespace-workloads", "oxidy-k8s-workload"),
        ("oxidy-k8s-namespace-pods", "oxidy-k8s-pod"),
        ("oxidy-k8s-workload", "oxidy-k8s-pod"),
        ("oxidy-k8s-networking-cluster", "oxidy-k8s-networking-namespace"),
        ("oxidy-k8s-networking-namespace", "oxidy-k8s-networking-pod"),
    ] {
        assert!(link_targets(by_uid(from)).iter().any(|t| t == to), "{from} links to {to}");
    }
}

/// The variables every Kubernetes dashboard shares query the same everywhere, come in the same
/// order, and every Prometheus query goes to the selected datasource and cluster.
#[test]
fn kubernetes_dashboards_share_their_template_variables() {
    const ORDER: [&str; 10] = [
        "datasource",
        "cluster",
        "namespace",
        "workload_type",
        "workload",
        "pod",
        "persistentvolumeclaim",
        "node",
        "instance",
        "kubelet",
    ];
    let (_, dashboards) = shipped_per_environment().remove(0);
    let kubernetes: Vec<&Value> =
        dashboards.iter().filter(|d| d["tags"].as_array().unwrap().iter().any(|t| t == "kubernetes")).collect();
    assert!(kubernetes.len() >= 13, "{} Kubernetes dashboards", kubernetes.len());
    let mut definitions: std::collections::BTreeMap<String, Value> = Default::default();
    for d in kubernetes {
        let uid = d["uid"].as_str().unwrap();
        let variables = d["templating"]["list"].as_array().unwrap();
        let names: Vec<&str> = variables.iter().map(|v| v["name"].as_str().unwrap()).collect();
        assert_eq!(names[..2], ["datasource", "cluster"], "{uid}");
        let positions: Vec<usize> =
            names.iter().map(|n| ORDER.iter().position(|o| o == n).unwrap_or_else(|| panic!("{uid}: {n}"))).collect();
        assert!(positions.is_sorted(), "{uid}: variables in the shared order: {names:?}");
        for v in variables {
            let name = v["name"].as_str().unwrap();
            // The instance variable stands for the targets of each dashboard's own exporter.
            if name != "instance" {
                let first = definitions.entry(name.to_owned()).or_insert_with(|| v["query"].clone());
                assert_eq!(first, &v["query"], "{uid}: variable {name} queries what it queries elsewhere");
            }
        }
        for panel in d["panels"].as_array().unwrap() {
            for target in panel["targets"].as_array().into_iter().flatten() {
                assert_eq!(target["datasource"]["uid"], "${datasource}", "{uid}: {}", panel["title"]);
                let expr = target["expr"].as_str().unwrap();
                assert!(expr.contains("env=~\"$cluster\""), "{uid}: {}: selects the cluster: {expr}", panel["title"]);
            }
        }
    }
}
