//! Dashboards compile in-process from Jsonnet, and a broken one is reported at its file, line
//! and column.

use std::fs;
use std::path::Path;

use oxidy::dashboards::compile;
use oxidy::error::Error;
use oxidy::project::Project;

/// A project with the given files (relative path, contents), and the house library copied
/// from this repository so that dashboards can import it.
fn project(files: &[(&str, &str)]) -> (tempfile::TempDir, Project) {
    let dir = tempfile::tempdir().expect("temp dir");
    let lib = Path::new(env!("CARGO_MANIFEST_DIR")).join("dashboards/lib");
    fs::create_dir_all(dir.path().join("dashboards/lib")).expect("lib dir");
    for entry in fs::read_dir(lib).expect("house library") {
        let path = entry.expect("entry").path();
        fs::copy(&path, dir.path().join("dashboards/lib").join(path.file_name().expect("name"))).expect("copy");
    }
    for (name, text) in files {
        let path = dir.path().join(name);
        fs::create_dir_all(path.parent().expect("parent")).expect("dirs");
        fs::write(path, text).expect("write");
    }
    let project = Project::new(dir.path());
    (dir, project)
}

fn error_text(files: &[(&str, &str)]) -> String {
    let (_dir, project) = project(files);
    match compile(&project) {
        Err(e @ Error::Invalid(_)) => e.to_string(),
        other => panic!("expected a diagnostic, got {other:?}"),
    }
}

#[test]
fn shipped_dashboards_compile() {
    let dashboards = compile(&Project::new(env!("CARGO_MANIFEST_DIR"))).expect("the shipped dashboards compile");
    let names: Vec<&str> = dashboards.iter().map(|d| d.name.as_str()).collect();
    assert_eq!(
        names,
        [
            "alertmanager",
            "garage",
            "grafana",
            "k8s-apiserver",
            "k8s-cluster",
            "k8s-coredns",
            "k8s-kubelet",
            "k8s-namespace-pods",
            "k8s-namespace-workloads",
            "k8s-networking-cluster",
            "k8s-networking-namespace",
            "k8s-networking-pod",
            "k8s-node",
            "k8s-persistent-volumes",
            "k8s-pod",
            "k8s-workload",
            "loki",
            "otel-collector",
            "platform-overview",
            "prometheus",
            "service-red",
            "tempo"
        ]
    );
    for d in &dashboards {
        assert_eq!(d.file, format!("dashboards/{}.jsonnet", d.name));
        assert!(d.json()["uid"].as_str().is_some_and(|u| u.starts_with("oxidy-")), "{}", d.file);
        assert!(d.json()["panels"].as_array().is_some_and(|p| p.len() > 3), "{}", d.file);
    }
}

#[test]
fn library_places_and_numbers_panels() {
    let (_dir, project) = project(&[(
        "dashboards/a.jsonnet",
        "local g = import 'grafana.libsonnet';\n\
         g.dashboard.new('a', 'A', 'Platform', [g.panels.row('R'),\n\
           g.panels.stat('s', [g.queries.prometheus('up')], w=12),\n\
           g.panels.stat('t', [g.queries.prometheus('up')], w=12),\n\
           g.panels.stat('u', [g.queries.prometheus('up'), g.queries.prometheus('up')], w=12)])\n",
    )]);
    let compiled = compile(&project).expect("compiles");
    let json = compiled[0].json();
    let places: Vec<(u64, u64, u64, u64)> = json["panels"]
        .as_array()
        .expect("panels")
        .iter()
        .map(|p| {
            let g = &p["gridPos"];
            (p["id"].as_u64().unwrap(), g["x"].as_u64().unwrap(), g["y"].as_u64().unwrap(), g["w"].as_u64().unwrap())
        })
        .collect();
    assert_eq!(places, [(1, 0, 0, 24), (2, 0, 1, 12), (3, 12, 1, 12), (4, 0, 5, 12)]);
    assert_eq!(json["panels"][3]["targets"][1]["refId"], "B");
    assert_eq!(json["tags"][0], "platform");
}

#[test]
fn no_dashboards_folder_means_no_dashboards() {
    let dir = tempfile::tempdir().expect("temp dir");
    assert_eq!(compile(&Project::new(dir.path())).expect("compiles"), []);
}

#[test]
fn syntax_error_names_file_line_and_column() {
    let text = error_text(&[("dashboards/broken.jsonnet", "{\n  title: 'x',\n  panels: [1, 2,, 3],\n}\n")]);
    insta::assert_snapshot!(text);
}

#[test]
fn runtime_error_names_file_line_and_column() {
    let text = error_text(&[("dashboards/broken.jsonnet", "local x = {};\n{\n  uid: x.missing,\n}\n")]);
    insta::assert_snapshot!(text);
}

#[test]
fn error_in_the_library_names_the_library_file() {
    let text = error_text(&[
        ("dashboards/lib/bad.libsonnet", "{\n  f(x):: x +,\n}\n"),
        ("dashboards/uses-bad.jsonnet", "local bad = import 'bad.libsonnet';\nbad.f(1)\n"),
    ]);
    insta::assert_snapshot!(text);
}

#[test]
fn unknown_import_is_reported_where_it_is_imported() {
    let text = error_text(&[("dashboards/a.jsonnet", "local lib = import 'nope.libsonnet';\nlib\n")]);
    insta::assert_snapshot!(text);
}

#[test]
fn library_assertion_names_the_library_line_and_the_dashboard() {
    let text = error_text(&[(
        "dashboards/a.jsonnet",
        "local g = import 'grafana.libsonnet';\ng.dashboard.new('a', 'A', 'Elsewhere', [])\n",
    )]);
    insta::assert_snapshot!(text);
}

#[test]
fn every_broken_dashboard_is_reported() {
    let text = error_text(&[("dashboards/a.jsonnet", "{"), ("dashboards/b.jsonnet", "error 'b is broken'")]);
    assert!(text.contains("dashboards/a.jsonnet:") && text.contains("dashboards/b.jsonnet:1:1: b is broken"), "{text}");
}

#[test]
fn errors_without_a_place_of_their_own_point_at_the_innermost_expression() {
    let text = error_text(&[("dashboards/a.jsonnet", "local f(x) = x < {};\n{\n  a: f(1),\n}\n")]);
    insta::assert_snapshot!(text);
}

#[test]
fn type_errors_name_the_operator_and_the_types() {
    let text = error_text(&[("dashboards/a.jsonnet", "{\n  title: 'Panel ' + 1 - 'x',\n}\n")]);
    insta::assert_snapshot!(text);
}

/// The services of the platform itself. They log to their containers' stdout, which no agent
/// ships: Loki holds only what applications send over OTLP.
const PLATFORM_SERVICES: [&str; 7] =
    ["loki", "tempo", "grafana", "prometheus", "alertmanager", "garage", "otel-collector"];

/// The values a stream selector's `service_name` matcher accepts, as an anchored regex.
fn service_matchers(logql: &str) -> Vec<regex::Regex> {
    let pattern = regex::Regex::new(r#"service_name\s*(=~|=)\s*"((?:[^"\\]|\\.)*)""#).unwrap();
    pattern
        .captures_iter(logql)
        .map(|c| {
            let value = c[2].replace("\\\\", "\\");
            let source = if &c[1] == "=~" { value } else { regex::escape(&value) };
            regex::Regex::new(&format!("^(?:{source})$")).expect("a valid matcher regex")
        })
        .collect()
}

fn loki_queries(value: &serde_json::Value, found: &mut Vec<(String, String)>) {
    match value {
        serde_json::Value::Object(map) => {
            for target in map.get("targets").and_then(|t| t.as_array()).into_iter().flatten() {
                if let (Some("loki"), Some(expr)) = (target["datasource"]["type"].as_str(), target["expr"].as_str()) {
                    let title = map.get("title").and_then(|t| t.as_str()).unwrap_or("");
                    found.push((title.to_owned(), expr.to_owned()));
                }
            }
            map.values().for_each(|v| loki_queries(v, found));
        }
        serde_json::Value::Array(items) => items.iter().for_each(|v| loki_queries(v, found)),
        _ => {}
    }
}

#[test]
fn no_logs_panel_waits_for_logs_nothing_ships() {
    let dashboards = compile(&Project::new(env!("CARGO_MANIFEST_DIR"))).expect("the shipped dashboards compile");
    let mut queries = Vec::new();
    for d in &dashboards {
        loki_queries(d.json(), &mut queries);
    }
    assert!(!queries.is_empty(), "no Loki query found: the test would prove nothing");
    let dead: Vec<String> = queries
        .iter()
        .filter(|(_, expr)| service_matchers(expr).iter().any(|m| PLATFORM_SERVICES.iter().any(|s| m.is_match(s))))
        .map(|(title, expr)| format!("panel \"{title}\": {expr}"))
        .collect();
    assert!(dead.is_empty(), "queries for the platform's own logs, which never reach Loki:\n{}", dead.join("\n"));
}

#[test]
fn platform_log_queries_are_recognised() {
    assert!(service_matchers(r#"{service_name=~"loki.*"} |= "level=error""#)[0].is_match("loki"));
    assert!(service_matchers(r#"{service_name="tempo"}"#)[0].is_match("tempo"));
    assert!(!service_matchers(r#"{service_name="$service"}"#)[0].is_match("loki"));
}

/// A dashboard exported from Grafana, as it was exported.
const EXPORTED: &str = r#"{
  "uid": "team-exported",
  "title": "Exported",
  "tags": ["services"],
  "panels": [{"id": 1, "type": "timeseries", "title": "Up", "targets": [{"refId": "A", "expr": "up"}]}]
}
"#;

#[test]
fn plain_json_dashboards_are_read_beside_the_jsonnet_ones() {
    let (_dir, project) = project(&[
        ("dashboards/exported.json", EXPORTED),
        ("dashboards/b.jsonnet", "local g = import 'grafana.libsonnet';\ng.dashboard.new('b', 'B', 'Platform', [])\n"),
    ]);
    let dashboards = compile(&project).expect("compiles");
    let names: Vec<(&str, &str)> = dashboards.iter().map(|d| (d.name.as_str(), d.file.as_str())).collect();
    assert_eq!(names, [("b", "dashboards/b.jsonnet"), ("exported", "dashboards/exported.json")]);
    assert_eq!(*dashboards[1].json(), serde_json::from_str::<serde_json::Value>(EXPORTED).unwrap());
}

#[test]
fn broken_json_names_file_line_and_column() {
    let text = error_text(&[("dashboards/exported.json", "{\n  \"uid\": \"a\",\n  \"panels\": [1, 2,, 3]\n}\n")]);
    insta::assert_snapshot!(text);
}

#[test]
fn a_name_two_files_share_is_refused() {
    let text = error_text(&[
        ("dashboards/team.json", EXPORTED),
        (
            "dashboards/team.jsonnet",
            "local g = import 'grafana.libsonnet';\ng.dashboard.new('t', 'T', 'Platform', [])\n",
        ),
    ]);
    insta::assert_snapshot!(text);
}
