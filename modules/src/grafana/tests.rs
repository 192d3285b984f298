//! Tests of the grafana module: tier tables, option errors and the objects and config files it renders.

use std::sync::Arc;

use serde_json::{Value, json};

use crate::contract::{App, Dashboard, Datasource, Declarations, Module, ModuleError, NodePort, Role, Tier};
use crate::testing::{self, env, object};

use super::GrafanaModule;
use super::datasources;
use super::references::{self, Reference};

/// Datasources as components would declare them. The uids differ from the plugins' names on
/// purpose: every correlation must follow the uid of the datasource of its role, not a guess.
fn backends() -> Vec<Datasource> {
    let url = |service: &str, port: u16| format!("http://{service}.observability.svc.cluster.local:{port}");
    vec![
        Datasource::new("prom-1", "Prometheus", "prometheus", Role::METRICS, url("prometheus", 9090))
            .default_datasource()
            .setting("httpMethod", json!("POST"))
            .correlate("exemplarTraceIdDestinations[]", Role::TRACES, json!({ "name": "trace_id" }))
            .correlate("exemplarTraceIdDestinations[]", Role::TRACES, json!({ "name": "traceID" })),
        Datasource::new("logs-1", "Loki", "loki", Role::LOGS, url("loki", 3100))
            .setting("maxLines", json!(1000))
            .correlate("derivedFields[]", Role::TRACES, json!({ "name": "trace_id", "url": "${__value.raw}" })),
        Datasource::new("traces-1", "Tempo", "tempo", Role::TRACES, url("tempo", 3200))
            .correlate("tracesToLogsV2", Role::LOGS, json!({ "customQuery": true, "query": "{${__tags}}" }))
            .correlate(
                "tracesToMetrics",
                Role::METRICS,
                json!({ "queries": [{ "name": "rate", "query": "sum(rate(x{$__tags}[5m]))" }] }),
            )
            .correlate("serviceMap", Role::METRICS, json!({}))
            .setting("nodeGraph", json!({ "enabled": true })),
        Datasource::new("alerts-1", "Alertmanager", "alertmanager", Role::ALERTS, url("alertmanager", 9093))
            .setting("implementation", json!("prometheus")),
    ]
}

/// The shipped dashboards' uids, which the engine-level tests use with the real dashboards.
fn shipped_uids() -> Vec<Datasource> {
    let mut all = backends();
    for (d, uid) in all.iter_mut().zip(["prometheus", "loki", "tempo", "alertmanager"]) {
        d.uid = uid.into();
    }
    all
}

fn dashboard(name: &str, json: Value) -> Dashboard {
    Dashboard::new(format!("dashboards/{name}.jsonnet"), name, json)
}

/// A small dashboard in the shape the house library produces.
fn fixture(name: &str, uid: &str, folder: &str) -> Dashboard {
    dashboard(
        name,
        json!({
            "uid": uid,
            "title": name,
            "tags": [folder],
            "templating": { "list": [{
                "name": "service", "type": "query",
                "datasource": { "type": "prometheus", "uid": "prometheus" },
                "query": { "query": "label_values(traces_spanmetrics_calls_total, service)" }
            }] },
            "panels": [
                { "id": 1, "type": "row", "title": "RED", "panels": [] },
                { "id": 2, "type": "timeseries", "title": "Rate",
                  "datasource": { "type": "prometheus", "uid": "prometheus" },
                  "targets": [{ "refId": "A", "datasource": { "type": "prometheus", "uid": "prometheus" },
                                "expr": "sum(rate(traces_spanmetrics_calls_total{service=\"$service\"}[$__rate_interval]))" }] },
                { "id": 3, "type": "logs", "title": "Logs",
                  "datasource": { "type": "loki", "uid": "loki" },
                  "targets": [{ "refId": "A", "datasource": { "type": "loki", "uid": "loki" }, "expr": "{service_name=\"$service\"}" }] }
            ]
        }),
    )
}

/// Renders Grafana alone, with `datasources` declared as the backends would and `dashboards`
/// compiled.
fn render(
    tier: Tier,
    options: &str,
    dashboards: Vec<Dashboard>,
    datasources: Vec<Datasource>,
) -> Result<App, ModuleError> {
    let mut info = env(tier);
    info.dashboards = Arc::new(dashboards);
    let mut decl = Declarations::default();
    let grafana = testing::declare::<GrafanaModule>(options, &info, &mut decl)?;
    for d in datasources {
        decl.provide_datasource("backend", d);
    }
    let ctx = decl.into_context(info).map_err(|mut e| e.remove(0))?;
    let mut apps = GrafanaModule::render(&grafana, &ctx)?;
    assert_eq!(apps.len(), 1);
    Ok(apps.remove(0))
}

fn render_ok(tier: Tier) -> App {
    render(tier, "{}", vec![fixture("service", "svc", "services")], shipped_uids()).expect("renders")
}

/// The error message of a render that must fail.
fn failure(dashboards: Vec<Dashboard>) -> String {
    match render(Tier::Local, "{}", dashboards, shipped_uids()) {
        Err(e) => e.to_string(),
        Ok(_) => panic!("the render should fail"),
    }
}

fn provisioned(app: &App) -> Value {
    let text = object(app, "ConfigMap", "grafana-datasources")["data"]["datasources.yaml"].as_str().unwrap();
    serde_saphyr::from_str(text).expect("the provisioning file is YAML")
}

#[test]
fn correlations_point_at_the_datasource_of_their_role() {
    let app = render(Tier::Local, "{}", Vec::new(), backends()).expect("renders");
    let file = provisioned(&app);
    let entries = file["datasources"].as_array().unwrap();
    let type_of = |uid: &Value| {
        let found = entries.iter().find(|e| &e["uid"] == uid);
        found.unwrap_or_else(|| panic!("no datasource with uid {uid}"))["type"].as_str().unwrap().to_owned()
    };
    let by_type = |t: &str| entries.iter().find(|e| e["type"] == t).unwrap_or_else(|| panic!("no {t}"));
    let uids: Vec<&str> = entries.iter().map(|e| e["uid"].as_str().unwrap()).collect();
    assert_eq!(uids, ["prom-1", "logs-1", "traces-1", "alerts-1"]);
    let defaults: Vec<&Value> = entries.iter().map(|e| &e["isDefault"]).collect();
    assert_eq!(defaults, [true, false, false, false]);

    let tempo = &by_type("tempo")["jsonData"];
    assert_eq!(type_of(&tempo["tracesToLogsV2"]["datasourceUid"]), "loki");
    assert_eq!(tempo["tracesToLogsV2"]["customQuery"], true, "the component's own settings are kept");
    assert_eq!(type_of(&tempo["tracesToMetrics"]["datasourceUid"]), "prometheus");
    assert_eq!(type_of(&tempo["serviceMap"]["datasourceUid"]), "prometheus");
    assert_eq!(tempo["nodeGraph"]["enabled"], true);

    let derived = by_type("loki")["jsonData"]["derivedFields"].as_array().unwrap();
    assert_eq!(derived.len(), 1);
    assert_eq!(type_of(&derived[0]["datasourceUid"]), "tempo");
    assert_eq!(derived[0]["url"], "$${__value.raw}", "`$` is escaped");
    assert_eq!(by_type("loki")["jsonData"]["maxLines"], 1000);

    let exemplars = by_type("prometheus")["jsonData"]["exemplarTraceIdDestinations"].as_array().unwrap();
    let labels: Vec<&Value> = exemplars.iter().map(|e| &e["name"]).collect();
    assert_eq!(labels, ["trace_id", "traceID"], "list correlations are appended in order");
    for exemplar in exemplars {
        assert_eq!(type_of(&exemplar["datasourceUid"]), "tempo", "{exemplar}");
    }
}

/// A new kind of backend needs nothing of Grafana: its plugin, role and correlations are its own.
#[test]
fn a_datasource_of_a_new_kind_is_provisioned_as_declared() {
    let mut all = backends();
    all.push(
        Datasource::new("profiles-1", "Pyroscope", "grafana-pyroscope-datasource", Role("profiles"), "http://p:4040")
            .setting("minStep", json!("15s")),
    );
    all[2] = all[2].clone().correlate("tracesToProfiles", Role("profiles"), json!({ "customQuery": false }));
    let file = provisioned(&render(Tier::Local, "{}", Vec::new(), all).expect("renders"));
    let entries = file["datasources"].as_array().unwrap();
    let profiles = entries.iter().find(|e| e["uid"] == "profiles-1").expect("provisioned");
    assert_eq!(profiles["type"], "grafana-pyroscope-datasource");
    assert_eq!(profiles["jsonData"]["minStep"], "15s");
    let tempo = entries.iter().find(|e| e["uid"] == "traces-1").unwrap();
    assert_eq!(tempo["jsonData"]["tracesToProfiles"]["datasourceUid"], "profiles-1");
}

/// Grafana works with any number of datasources: a correlation whose role no component
/// offers is left out rather than left dangling, and with none the file provisions none.
#[test]
fn correlations_to_a_missing_role_are_left_out_and_none_is_fine() {
    let without_traces: Vec<Datasource> = backends().into_iter().filter(|d| d.role != Role::TRACES).collect();
    let file = provisioned(&render(Tier::Local, "{}", Vec::new(), without_traces).expect("renders"));
    let entries = file["datasources"].as_array().unwrap();
    assert_eq!(entries.len(), 3);
    let prometheus = entries.iter().find(|e| e["type"] == "prometheus").unwrap();
    assert!(prometheus["jsonData"].get("exemplarTraceIdDestinations").is_none(), "{prometheus}");
    assert_eq!(prometheus["jsonData"]["httpMethod"], "POST");
    let loki = entries.iter().find(|e| e["type"] == "loki").unwrap();
    assert!(loki["jsonData"].get("derivedFields").is_none(), "{loki}");

    let none = provisioned(&render(Tier::Local, "{}", Vec::new(), Vec::new()).expect("renders without datasources"));
    assert_eq!(none["datasources"], json!([]));
}

#[test]
fn two_default_datasources_are_an_error() {
    let mut all = backends();
    all[1].is_default = true;
    let err = render(Tier::Local, "{}", Vec::new(), all).unwrap_err();
    assert_eq!(err.to_string(), "the default datasource is offered by both backend and backend");
}

#[test]
fn every_dollar_is_escaped_in_the_provisioning_file() {
    let app = render_ok(Tier::Local);
    let text = object(&app, "ConfigMap", "grafana-datasources")["data"]["datasources.yaml"].as_str().unwrap();
    let unescaped = text.replace("$$", "");
    assert!(text.contains("$$") && !unescaped.contains('$'), "{text}");
}

#[test]
fn every_reference_is_checked() {
    let ctx_free = |datasources: Vec<Datasource>| {
        let mut decl = Declarations::default();
        for d in datasources {
            decl.provide_datasource("backend", d);
        }
        decl.into_context(env(Tier::Local)).unwrap()
    };
    let ctx = ctx_free(backends());
    let provisioning = datasources::provisioning(&ctx);
    let refs = references::references(&provisioning);
    assert_eq!(refs.len(), 6, "{refs:?}");
    assert!(refs.contains(&Reference {
        datasource: "Tempo".into(),
        field: "jsonData.tracesToLogsV2.datasourceUid".into(),
        uid: "logs-1".into(),
    }));
    assert!(refs.contains(&Reference {
        datasource: "Prometheus".into(),
        field: "jsonData.exemplarTraceIdDestinations[1].datasourceUid".into(),
        uid: "traces-1".into(),
    }));
    assert_eq!(references::check_datasources(&provisioning, ctx.datasources()), Vec::<String>::new());
}

#[test]
fn dangling_datasource_reference_is_an_error() {
    let mut decl = Declarations::default();
    for d in backends() {
        decl.provide_datasource("backend", d);
    }
    let ctx = decl.into_context(env(Tier::Local)).unwrap();
    let mut provisioning = datasources::provisioning(&ctx);
    for entry in &mut provisioning.datasources {
        if entry.type_ == "tempo" {
            entry.json_data["tracesToLogsV2"]["datasourceUid"] = json!("lokii");
            entry.json_data["serviceMap"]["datasourceUid"] = json!("profiles");
        }
    }
    let problems = references::check_datasources(&provisioning, ctx.datasources());
    insta::assert_snapshot!(problems.join("\n"));
}

#[test]
fn dashboard_with_unknown_datasource_uid_fails() {
    let mut d = fixture("svc", "svc", "services");
    d.json_mut()["panels"][2]["targets"][0]["datasource"]["uid"] = json!("lokii");
    d.json_mut()["templating"]["list"][0]["datasource"]["uid"] = json!("prom");
    insta::assert_snapshot!(failure(vec![d]));
}

#[test]
fn datasource_of_the_wrong_type_fails() {
    let mut d = fixture("svc", "svc", "services");
    d.json_mut()["panels"][1]["datasource"] = json!({ "type": "loki", "uid": "prometheus" });
    insta::assert_snapshot!(failure(vec![d]));
}

#[test]
fn dashboard_uids_are_unique_and_short() {
    let long = "a-dashboard-uid-that-is-longer-than-forty-characters";
    insta::assert_snapshot!(failure(vec![
        fixture("one", "same", "platform"),
        fixture("two", "same", "platform"),
        fixture("three", long, "platform"),
    ]));
}

#[test]
fn panel_ids_are_unique_including_rows() {
    let mut d = fixture("svc", "svc", "services");
    d.json_mut()["panels"][0]["collapsed"] = json!(true);
    d.json_mut()["panels"][0]["panels"] = json!([{ "id": 3, "type": "stat", "title": "Hidden" }]);
    d.json_mut()["panels"][2]["id"] = json!(2);
    insta::assert_snapshot!(failure(vec![d]));
}

#[test]
fn promql_must_parse() {
    let mut d = fixture("svc", "svc", "services");
    d.json_mut()["panels"][1]["targets"][0]["expr"] = json!("sum(rate(x{service=\"$service\"}[$__rate_interval])");
    d.json_mut()["panels"][1]["targets"]
        .as_array_mut()
        .unwrap()
        .push(json!({ "refId": "B", "expr": "rate(x{job=\"$job\"}[5m])" }));
    d.json_mut()["templating"]["list"][0]["query"]["query"] = json!("label_values(x{, service)");
    insta::assert_snapshot!(failure(vec![d]));
}

#[test]
fn dashboards_need_a_folder_and_a_usable_name() {
    let mut d = fixture("Bad_Name", "bad", "elsewhere");
    d.json_mut()["tags"] = json!(["elsewhere"]);
    insta::assert_snapshot!(failure(vec![d]));
}

#[test]
fn dashboards_are_config_maps_in_their_folders() {
    let app = render(
        Tier::Staging,
        "{}",
        vec![fixture("overview", "ov", "platform"), fixture("service", "svc", "services")],
        shipped_uids(),
    )
    .unwrap();
    let cm = object(&app, "ConfigMap", "grafana-dashboard-service");
    assert_eq!(cm["metadata"]["labels"]["grafana_dashboard"], "1");
    assert_eq!(cm["metadata"]["annotations"]["grafana_folder"], "Services");
    let text = cm["data"]["service.json"].as_str().unwrap();
    assert!(text.lines().count() > 20 && text.contains("\n  \"uid\": \"svc\"\n"), "pretty-printed: {text}");
    let back: Value = serde_json::from_str(text).unwrap();
    assert_eq!(back["uid"], "svc");

    let pod = &object(&app, "Deployment", "grafana")["spec"]["template"]["spec"];
    let mounts = pod["containers"][0]["volumeMounts"].as_array().unwrap();
    let mount_of = |volume: &str| mounts.iter().find(|m| m["name"] == volume).map(|m| m["mountPath"].clone());
    assert_eq!(mount_of("dashboards-services"), Some(json!("/etc/grafana/dashboards/Services")));
    assert_eq!(mount_of("dashboards-platform"), Some(json!("/etc/grafana/dashboards/Platform")));
    let services = pod["volumes"].as_array().unwrap().iter().find(|v| v["name"] == "dashboards-services").unwrap();
    assert_eq!(services["projected"]["sources"][0]["configMap"]["name"], "grafana-dashboard-service");

    let provider =
        object(&app, "ConfigMap", "grafana-dashboard-providers")["data"]["dashboards.yaml"].as_str().unwrap();
    let provider: Value = serde_saphyr::from_str(provider).unwrap();
    assert_eq!(provider["providers"][0]["options"]["path"], "/etc/grafana/dashboards");
    assert_eq!(provider["providers"][0]["options"]["foldersFromFilesStructure"], true);
    assert_eq!(mount_of("dashboard-providers"), Some(json!("/etc/grafana/provisioning/dashboards")));
    assert_eq!(mount_of("datasources"), Some(json!("/etc/grafana/provisioning/datasources")));
}

#[test]
fn exposure_per_tier() {
    for (tier, node_port) in [(Tier::Local, Some(30300)), (Tier::Staging, None), (Tier::Production, None)] {
        let app = render_ok(tier);
        let spec = &object(&app, "Service", "grafana")["spec"];
        assert_eq!(spec["ports"][0]["nodePort"].as_u64(), node_port, "{tier:?}");
        assert_eq!(spec["type"], if node_port.is_some() { "NodePort" } else { "ClusterIP" }, "{tier:?}");
    }
}

#[test]
fn node_port_is_claimed() {
    let mut decl = Declarations::default();
    decl.claim_node_port("other", "components.other.nodePort", &NodePort::default_port(30300));
    testing::declare::<GrafanaModule>("{}", &env(Tier::Local), &mut decl).unwrap();
    let errors = decl.into_context(env(Tier::Local)).unwrap_err();
    assert_eq!(
        errors[0].to_string(),
        "NodePort 30300 is set by both components.other.nodePort (tier default) and components.grafana.nodePort (tier default)"
    );
}

#[test]
fn admin_credentials_come_from_a_secret() {
    let local = render_ok(Tier::Local);
    let secret = object(&local, "Secret", "grafana-admin");
    assert_eq!(secret["metadata"]["labels"]["oxidy.dev/local-only"], "true");
    assert_eq!(secret["stringData"]["admin-password"], "admin");
    let staging = render_ok(Tier::Staging);
    assert!(!staging.objects.iter().any(|o| o.kind() == "Secret"));
    let env = &object(&staging, "Deployment", "grafana")["spec"]["template"]["spec"]["containers"][0]["env"];
    let password = env.as_array().unwrap().iter().find(|e| e["name"] == "GF_SECURITY_ADMIN_PASSWORD__FILE").unwrap();
    assert_eq!(password["value"], "/etc/grafana/admin/admin-password");
    let pod = &object(&staging, "Deployment", "grafana")["spec"]["template"]["spec"];
    let volume = pod["volumes"].as_array().unwrap().iter().find(|v| v["name"] == "admin").unwrap();
    assert_eq!(volume["secret"], json!({ "secretName": "grafana-admin", "defaultMode": 0o440 }));

    let err = render(Tier::Production, "credentials:\n  devDefaults: true\n", Vec::new(), shipped_uids()).unwrap_err();
    assert!(
        matches!(&err, ModuleError::Option { key, pos: Some(p), .. } if key == "components.grafana.credentials.devDefaults" && p.line == 2),
        "{err:?}"
    );
}

#[test]
fn pod_is_restricted_and_probed() {
    let app = render_ok(Tier::Production);
    let deployment = object(&app, "Deployment", "grafana");
    assert_eq!(deployment["spec"]["strategy"]["type"], "Recreate");
    let pod = &deployment["spec"]["template"]["spec"];
    assert_eq!(pod["automountServiceAccountToken"], false);
    assert_eq!(pod["securityContext"]["runAsNonRoot"], true);
    let container = &pod["containers"][0];
    assert_eq!(container["image"], "grafana/grafana:12.4.5");
    assert_eq!(container["securityContext"]["readOnlyRootFilesystem"], true);
    assert_eq!(container["readinessProbe"]["httpGet"]["path"], "/api/health");
    assert_eq!(container["livenessProbe"]["httpGet"]["path"], "/api/health");
    assert!(container["resources"]["limits"]["memory"].is_string());
    let claim = object(&app, "PersistentVolumeClaim", "grafana");
    assert_eq!(claim["spec"]["resources"]["requests"]["storage"], "10Gi");
}

/// The datasources file as Grafana provisions what the components declare; the objects around it
/// are the end-to-end snapshot in `generated/`.
#[test]
fn datasources_file() {
    // The file is the same in every tier: it holds what the components declare.
    let files: Vec<String> = [Tier::Local, Tier::Staging, Tier::Production]
        .into_iter()
        .map(|tier| testing::config_file(&render_ok(tier), "grafana-datasources", "datasources.yaml"))
        .collect();
    assert!(files.iter().all(|f| f == &files[0]));
    insta::assert_snapshot!("grafana-datasources", files[0]);
}

#[test]
fn oversized_or_shapeless_dashboards_fail() {
    let mut big = fixture("big", "big", "platform");
    big.json_mut()["description"] = json!("x".repeat(1024 * 1024));
    let shapeless = dashboard("list", json!([1, 2]));
    insta::assert_snapshot!(failure(vec![big, shapeless]));
}

#[test]
fn datasource_variables_must_be_defined() {
    let mut d = fixture("svc", "svc", "services");
    d.json_mut()["panels"][2]["datasource"] = json!({ "uid": "${logs}" });
    insta::assert_snapshot!(failure(vec![d]));
}

#[test]
fn root_url_must_be_a_url() {
    let app = render(Tier::Staging, "rootUrl: https://grafana.example.com/\n", Vec::new(), shipped_uids()).unwrap();
    let env = &object(&app, "Deployment", "grafana")["spec"]["template"]["spec"]["containers"][0]["env"];
    assert!(
        env.as_array()
            .unwrap()
            .contains(&json!({ "name": "GF_SERVER_ROOT_URL", "value": "https://grafana.example.com/" }))
    );
    let err = render(Tier::Staging, "rootUrl: grafana.example.com\n", Vec::new(), shipped_uids()).unwrap_err();
    assert!(
        matches!(&err, ModuleError::Option { key, pos: Some(p), help: Some(h), .. }
            if key == "components.grafana.rootUrl" && p.line == 1 && h.contains("https://grafana.example.com/")),
        "{err:?}"
    );
}

/// `fixture` with its Prometheus queries sent to the datasource a `datasource` variable selects.
fn through_variable(name: &str, uid: &str) -> Dashboard {
    let mut d = fixture(name, uid, "platform");
    let selected = json!({ "type": "prometheus", "uid": "${datasource}" });
    d.json_mut()["templating"]["list"]
        .as_array_mut()
        .unwrap()
        .insert(0, json!({ "name": "datasource", "type": "datasource", "query": "prometheus" }));
    d.json_mut()["templating"]["list"][1]["datasource"] = selected.clone();
    d.json_mut()["panels"][1]["datasource"] = selected.clone();
    d.json_mut()["panels"][1]["targets"][0]["datasource"] = selected;
    d
}

#[test]
fn queries_through_a_datasource_variable_are_checked_as_its_plugin_type() {
    let ok = through_variable("svc", "svc");
    assert!(render(Tier::Local, "{}", vec![ok.clone()], shipped_uids()).is_ok());
    let mut broken = ok;
    broken.json_mut()["panels"][1]["targets"][0]["expr"] = json!("sum(rate(x[$__rate_interval])");
    let message = failure(vec![broken]);
    assert!(message.contains("panel \"Rate\" (id 2) target A: PromQL does not parse"), "{message}");
}

#[test]
fn inputs_of_a_dashboard_exported_for_sharing_are_explained() {
    let mut d = fixture("exported", "exported", "services");
    d.json_mut()["panels"][1]["datasource"] = json!({ "type": "prometheus", "uid": "${DS_PROMETHEUS}" });
    insta::assert_snapshot!(failure(vec![d]));
}

/// A dashboard whose panel links to each of `targets` by uid.
fn linking(name: &str, targets: &[&str]) -> Dashboard {
    let mut d = fixture(name, name, "platform");
    let links: Vec<Value> = targets.iter().map(|t| json!({ "title": t, "url": format!("/d/{t}?var-a=1") })).collect();
    d.json_mut()["panels"][1]["fieldConfig"] = json!({ "defaults": { "links": links }, "overrides": [] });
    d
}

#[test]
fn a_link_to_no_dashboard_is_an_error() {
    insta::assert_snapshot!(failure(vec![linking("a", &["b", "nowhere"]), linking("b", &[])]));
}

#[test]
fn links_to_dashboards_left_out_are_removed() {
    let all = vec![linking("a", &["b", "c"]), linking("b", &["a"]), linking("c", &[])];
    let app = render(Tier::Local, "dashboards: {exclude: [c]}\n", all, shipped_uids()).expect("renders");
    assert!(app.objects.iter().all(|o| o.name() != "grafana-dashboard-c"), "c is left out");
    let a = object(&app, "ConfigMap", "grafana-dashboard-a")["data"]["a.json"].as_str().unwrap().to_owned();
    let a: Value = serde_json::from_str(&a).unwrap();
    assert_eq!(a["panels"][1]["fieldConfig"]["defaults"]["links"], json!([{ "title": "b", "url": "/d/b?var-a=1" }]));
}

#[test]
fn include_ships_only_the_dashboards_it_names() {
    let all = vec![linking("a", &["b"]), linking("b", &[]), linking("c", &[])];
    let app = render(Tier::Local, "dashboards: {include: [b, c]}\n", all, shipped_uids()).expect("renders");
    let mut shipped: Vec<&str> = app
        .objects
        .iter()
        .filter(|o| o.kind() == "ConfigMap" && o.name().starts_with("grafana-dashboard-"))
        .map(|o| o.name())
        .filter(|name| *name != "grafana-dashboard-providers")
        .collect();
    shipped.sort();
    assert_eq!(shipped, ["grafana-dashboard-b", "grafana-dashboard-c"]);
}
