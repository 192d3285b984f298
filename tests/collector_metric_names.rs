//! Every query of the collector's own metrics, in the committed dashboards and alert rules of
//! every environment, uses a name the pinned collector exposes. The names are the list in
//! `tests/fixtures/metric-names/otelcol-<version>.txt`, taken from the collector's sources at
//! that version (the file cites them); the version is the one the collector is rendered at,
//! so moving the pin fails here until the list is renewed.
//!
//! A `__name__` regex must match at least one listed name, and must not also accept the
//! suffixed forms (`_total`, `_bytes`) the collector no longer exposes: a query written for
//! both conventions hides which one is live.

use std::collections::BTreeSet;
use std::fs;
use std::path::{Path, PathBuf};

use promql_parser::label::MatchOp;
use promql_parser::parser::{self, Expr};
use promql_parser::util::{ExprVisitor, walk_expr};
use serde_json::Value;

const PREFIX: &str = "otelcol_";

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// The environments in `generated/`.
fn envs() -> Vec<PathBuf> {
    let mut envs: Vec<PathBuf> = fs::read_dir(root().join("generated"))
        .expect("generated/ exists")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.is_dir())
        .collect();
    envs.sort();
    assert!(!envs.is_empty(), "no environment in generated/");
    envs
}

/// The collector version the env renders: the version label of its config ConfigMap.
fn collector_version(env: &Path) -> String {
    let file = env.join("collector/ConfigMap-otel-collector-config.yaml");
    let doc: Value = serde_saphyr::from_str(&fs::read_to_string(&file).expect("collector config rendered")).unwrap();
    doc["metadata"]["labels"]["app.kubernetes.io/version"].as_str().expect("version label").to_owned()
}

fn known_names(version: &str) -> BTreeSet<String> {
    let file = root().join(format!("tests/fixtures/metric-names/otelcol-{version}.txt"));
    let text = fs::read_to_string(&file).unwrap_or_else(|_| {
        panic!(
            "no metric-name list for collector {version}: write {} from that release's sources \
             (internal/e2e/metric_stability_test.go and the components' metadata.yaml)",
            file.display()
        )
    });
    text.lines().map(str::trim).filter(|l| !l.is_empty() && !l.starts_with('#')).map(str::to_owned).collect()
}

/// A PromQL query and where it was found.
struct Query {
    place: String,
    expr: String,
}

/// Every PromQL query of `env`: alert and recording rules, and Prometheus targets of the
/// dashboards (Loki targets hold LogQL).
fn queries(env: &Path) -> Vec<Query> {
    let mut found = Vec::new();
    for entry in walkdir::WalkDir::new(env).sort_by_file_name() {
        let entry = entry.expect("walk");
        if entry.path().extension().is_none_or(|e| e != "yaml") {
            continue;
        }
        let text = fs::read_to_string(entry.path()).expect("read");
        let Ok(doc) = serde_saphyr::from_str::<Value>(&text) else { continue };
        let file = entry.path().strip_prefix(root()).unwrap().display().to_string();
        match doc["kind"].as_str() {
            Some("PrometheusRule") => {
                for group in doc["spec"]["groups"].as_array().into_iter().flatten() {
                    for rule in group["rules"].as_array().into_iter().flatten() {
                        let name = rule["alert"].as_str().or(rule["record"].as_str()).unwrap_or("?");
                        if let Some(expr) = rule["expr"].as_str() {
                            found.push(Query { place: format!("{file}: rule {name}"), expr: expr.to_owned() });
                        }
                    }
                }
            }
            Some("ConfigMap") => {
                for (key, value) in doc["data"].as_object().into_iter().flatten() {
                    if !key.ends_with(".json") {
                        continue;
                    }
                    let dashboard: Value = serde_json::from_str(value.as_str().unwrap_or("")).expect("dashboard JSON");
                    dashboard_queries(&dashboard, &format!("{file} {key}"), &mut found);
                }
            }
            _ => {}
        }
    }
    found
}

fn dashboard_queries(value: &Value, place: &str, found: &mut Vec<Query>) {
    match value {
        Value::Object(map) => {
            let title = map.get("title").and_then(Value::as_str).unwrap_or("");
            if let Some(targets) = map.get("targets").and_then(Value::as_array) {
                for target in targets {
                    let is_prometheus = target["datasource"]["type"] == "prometheus";
                    if let (true, Some(expr)) = (is_prometheus, target["expr"].as_str()) {
                        found.push(Query { place: format!("{place}: panel \"{title}\""), expr: expr.to_owned() });
                    }
                }
            }
            map.values().for_each(|v| dashboard_queries(v, place, found));
        }
        Value::Array(items) => items.iter().for_each(|v| dashboard_queries(v, place, found)),
        _ => {}
    }
}

/// Grafana's variables replaced by values of the right shape, so the query parses.
fn substitute(expr: &str) -> String {
    let mut out = String::new();
    let mut rest = expr;
    while let Some(start) = rest.find('$') {
        out.push_str(&rest[..start]);
        let tail = &rest[start + 1..];
        let (name, len) = match tail.strip_prefix('{') {
            Some(body) => {
                let end = body.find('}').expect("closed ${");
                (&body[..end], end + 2)
            }
            None => {
                let end = tail.find(|c: char| !(c.is_ascii_alphanumeric() || c == '_')).unwrap_or(tail.len());
                (&tail[..end], end)
            }
        };
        let interval = name.starts_with("__") && name.contains("interval") || name == "__range";
        let after = &tail[len..];
        out.push_str(if interval || after.starts_with(']') { "5m" } else { "value" });
        rest = after;
    }
    out.push_str(rest);
    out
}

/// How a selector names its metrics.
enum Selected {
    Name(String),
    Regex(String),
}

struct Selectors(Vec<Selected>);

impl ExprVisitor for Selectors {
    type Error = ();
    fn pre_visit(&mut self, expr: &Expr) -> Result<bool, ()> {
        let selector = match expr {
            Expr::VectorSelector(v) => Some(v),
            Expr::MatrixSelector(m) => Some(&m.vs),
            _ => None,
        };
        if let Some(v) = selector {
            if let Some(name) = &v.name {
                self.0.push(Selected::Name(name.clone()));
            }
            for m in v.matchers.matchers.iter().filter(|m| m.name == "__name__") {
                match &m.op {
                    MatchOp::Equal => self.0.push(Selected::Name(m.value.clone())),
                    MatchOp::Re(_) => self.0.push(Selected::Regex(m.value.clone())),
                    _ => {}
                }
            }
        }
        Ok(true)
    }
}

/// The problem with one query's collector metrics, if any.
fn check(query: &Query, known: &BTreeSet<String>) -> Vec<String> {
    let expr = substitute(&query.expr);
    let parsed = match parser::parse(&expr) {
        Ok(parsed) => parsed,
        Err(e) => return vec![format!("{}: does not parse ({e}): {}", query.place, query.expr)],
    };
    let mut selectors = Selectors(Vec::new());
    walk_expr(&mut selectors, &parsed).expect("visit");
    let mut problems = Vec::new();
    for selected in selectors.0 {
        match selected {
            Selected::Name(name) if name.starts_with(PREFIX) && !known.contains(&name) => {
                problems.push(format!("{}: `{name}` is not a metric the collector exposes", query.place));
            }
            Selected::Regex(re) if re.contains(PREFIX) => {
                let regex = regex::Regex::new(&format!("^(?:{re})$")).expect("a valid regex");
                if !known.iter().any(|n| regex.is_match(n)) {
                    problems.push(format!("{}: `{re}` matches no metric the collector exposes", query.place));
                }
                let legacy: Vec<String> = known
                    .iter()
                    .flat_map(|n| [format!("{n}_total"), format!("{n}_bytes")])
                    .filter(|n| regex.is_match(n))
                    .collect();
                if !legacy.is_empty() {
                    problems.push(format!(
                        "{}: `{re}` also matches names the collector no longer exposes ({}): use the exact names",
                        query.place,
                        legacy.join(", ")
                    ));
                }
            }
            _ => {}
        }
    }
    problems
}

#[test]
fn dashboards_and_alerts_use_the_collectors_own_metric_names() {
    let mut problems = Vec::new();
    let mut checked = 0;
    for env in envs() {
        let known = known_names(&collector_version(&env));
        for query in queries(&env) {
            if query.expr.contains(PREFIX) {
                checked += 1;
            }
            problems.extend(check(&query, &known));
        }
    }
    assert!(checked > 0, "no query of the collector's metrics was found: the test would prove nothing");
    assert!(problems.is_empty(), "{} problem(s):\n{}", problems.len(), problems.join("\n"));
}

#[test]
fn the_check_catches_suffixed_names_and_suffix_tolerant_regexes() {
    let known = known_names("0.159.0");
    let query = |expr: &str| Query { place: "q".into(), expr: expr.into() };
    assert!(check(&query("sum(rate(otelcol_receiver_accepted_spans[$__rate_interval]))"), &known).is_empty());
    let suffixed = check(&query("sum(rate(otelcol_receiver_accepted_spans_total[$__rate_interval]))"), &known);
    assert!(suffixed[0].contains("`otelcol_receiver_accepted_spans_total` is not a metric"), "{suffixed:?}");
    let bytes = check(&query("max by (pod) (otelcol_process_memory_rss_bytes)"), &known);
    assert_eq!(bytes.len(), 1, "{bytes:?}");
    let exact = r#"rate({__name__=~"otelcol_receiver_refused_(spans|log_records)"}[5m])"#;
    assert!(check(&query(exact), &known).is_empty());
    let tolerant = r#"rate({__name__=~"otelcol_receiver_refused_(spans|log_records)(_total)?"}[5m])"#;
    assert!(check(&query(tolerant), &known)[0].contains("no longer exposes"));
    let nothing = r#"rate({__name__=~"otelcol_nope_.*"}[5m])"#;
    assert!(check(&query(nothing), &known)[0].contains("matches no metric"));
}
