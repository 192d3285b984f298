//! The shipped dashboards pass Grafana's render-time lint (uids, panel ids, datasource uids,
//! PromQL) and are delivered as one ConfigMap each, in every tier.

use std::path::Path;
use std::sync::Arc;

use serde_json::Value;

use oxidy::dashboards::compile;
use oxidy::project::Project;
use oxidy_modules::Platform;
use oxidy_modules::contract::{Datasource, DatasourceKind, Declarations, EnvInfo, Stack, Tier};

/// Grafana alone: the other components are disabled, and the datasources their backends
/// would declare are declared by hand with the uids those backends use.
const GRAFANA_ONLY: &str = "garage: {enabled: false}\nloki: {enabled: false}\ntempo: {enabled: false}\n\
                            collector: {enabled: false}\nprometheus: {enabled: false}\n";

fn datasources() -> Vec<Datasource> {
    [
        ("prometheus", DatasourceKind::Prometheus, 9090),
        ("loki", DatasourceKind::Loki, 3100),
        ("tempo", DatasourceKind::Tempo, 3200),
        ("alertmanager", DatasourceKind::Alertmanager, 9093),
    ]
    .into_iter()
    .map(|(uid, kind, port)| Datasource {
        uid: uid.into(),
        name: format!("{kind:?}"),
        kind,
        url: format!("http://{uid}.observability.svc.cluster.local:{port}"),
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
            },
            rule_files: Default::default(),
        };
        let mut decl = Declarations::default();
        assert_eq!(platform.declare(&env, &mut decl), []);
        for d in datasources() {
            decl.provide_datasource("backend", d);
        }
        let ctx = decl.into_context(env).expect("context");
        let apps = platform.render(&ctx).unwrap_or_else(|e| panic!("{tier:?}: {}", e[0]));
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
