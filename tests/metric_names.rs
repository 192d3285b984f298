//! Every metric name a dashboard panel, a dashboard variable or a rule uses exists in the
//! component that exposes it: scraped live from the real collector (after OTLP traffic),
//! Prometheus, Alertmanager, Garage and node_exporter, or, for what cannot run here (Loki,
//! Tempo, kube-state-metrics, ...), found in the committed lists of tests/metric-names/.
//!
//! Names come from parsed PromQL with Grafana's template variables substituted; a `__name__`
//! regex must match at least one known name; recording-rule outputs count as known. A name
//! belongs to the source whose claimed prefix is its longest match (see
//! tests/metric-names/README.md), and must be in that source.

mod common;
#[path = "metric_names/live.rs"]
mod live;

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::Path;
use std::time::{Duration, Instant};

use common::processes::wait_for;
use common::programs::envs;
use common::rendered::{dashboards, rule_file, rules};
use common::stack::Stack;
use promql_parser::label::MatchOp;
use promql_parser::parser::{Expr, VectorSelector};
use promql_parser::util::{ExprVisitor, walk_expr};
use serde_json::Value;

/// Where known names come from: a live scrape job or a committed list.
struct Source {
    name: String,
    /// Prefixes (ending in `_`) and exact names this source answers for.
    claims: Vec<String>,
    names: BTreeSet<String>,
}

impl Source {
    /// The length of this source's longest claim on `name`, if any.
    fn claim_on(&self, name: &str) -> Option<usize> {
        self.claims
            .iter()
            .filter(|c| if c.ends_with('_') { name.starts_with(c.as_str()) } else { name == c.as_str() })
            .map(String::len)
            .max()
    }
}

/// The source answering for `name`: the one with the longest claim on it.
fn owner<'a>(sources: &'a [Source], name: &str) -> Option<&'a Source> {
    sources.iter().filter_map(|s| s.claim_on(name).map(|len| (len, s))).max_by_key(|(len, _)| *len).map(|(_, s)| s)
}

/// The committed lists: `tests/metric-names/<exporter>-<version>.txt`.
fn committed_lists() -> Vec<Source> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/metric-names");
    let mut files: Vec<_> = fs::read_dir(&dir)
        .expect("tests/metric-names/")
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "txt"))
        .collect();
    files.sort();
    files.iter().map(|path| parse_list(path, &fs::read_to_string(path).unwrap())).collect()
}

fn parse_list(path: &Path, text: &str) -> Source {
    let mut claims = Vec::new();
    let mut names = BTreeSet::new();
    let mut cites_source = false;
    for line in text.lines() {
        if let Some(comment) = line.strip_prefix('#') {
            let comment = comment.trim();
            if let Some(prefixes) = comment.strip_prefix("prefixes:") {
                claims.extend(prefixes.split_whitespace().map(str::to_owned));
            }
            cites_source |= comment.starts_with("source:");
        } else if let Some(name) = line.split_whitespace().next() {
            names.insert(name.to_owned());
        }
    }
    let file = path.file_name().unwrap().to_string_lossy();
    assert!(cites_source, "{file}: no `# source:` line citing the upstream file the names come from");
    assert!(!claims.is_empty(), "{file}: no `# prefixes:` line");
    assert!(!names.is_empty(), "{file}: no names");
    Source { name: file.trim_end_matches(".txt").to_owned(), claims, names }
}

/// A metric a query uses: a name, or a `__name__` regex.
#[derive(Debug)]
enum Wanted {
    Name(String),
    Pattern(promql_parser::label::Matcher),
}

/// Collects the metrics of every selector of an expression.
struct Selectors(Vec<Wanted>);

impl Selectors {
    fn add(&mut self, vs: &VectorSelector) {
        if let Some(name) = &vs.name {
            self.0.push(Wanted::Name(name.clone()));
        }
        for m in vs.matchers.matchers.iter().filter(|m| m.name == "__name__") {
            match &m.op {
                MatchOp::Equal => self.0.push(Wanted::Name(m.value.clone())),
                MatchOp::Re(_) => self.0.push(Wanted::Pattern(m.clone())),
                _ => {}
            }
        }
    }
}

impl ExprVisitor for Selectors {
    type Error = String;
    fn pre_visit(&mut self, expr: &Expr) -> Result<bool, String> {
        match expr {
            Expr::VectorSelector(vs) => self.add(vs),
            Expr::MatrixSelector(ms) => self.add(&ms.vs),
            _ => {}
        }
        Ok(true)
    }
}

/// `expr` with Grafana's variables replaced: built-in and interval variables by a duration,
/// every other by a label value.
fn substitute(expr: &str, intervals: &BTreeSet<String>) -> String {
    let mut out = String::new();
    let mut rest = expr;
    while let Some(start) = rest.find('$') {
        out.push_str(&rest[..start]);
        let tail = &rest[start + 1..];
        let (name, len) = if let Some(body) = tail.strip_prefix('{') {
            let end = body.find('}').unwrap_or(body.len());
            (body[..end].split(':').next().unwrap_or(""), end + 2)
        } else {
            let end = tail.find(|c: char| !(c.is_ascii_alphanumeric() || c == '_')).unwrap_or(tail.len());
            (&tail[..end], end)
        };
        if name.is_empty() {
            out.push('$');
        } else if (name.starts_with("__") && name != "__name__") || intervals.contains(name) {
            out.push_str(if name.ends_with("_ms") {
                "300000"
            } else if name.ends_with("_s") {
                "300"
            } else {
                "5m"
            });
        } else {
            out.push_str("value");
        }
        rest = &tail[len..];
    }
    out.push_str(rest);
    out
}

/// The metrics PromQL `expr` uses.
fn metrics_of(expr: &str) -> Result<Vec<Wanted>, String> {
    let parsed = promql_parser::parser::parse(expr).map_err(|e| format!("does not parse ({e}): {expr}"))?;
    let mut selectors = Selectors(Vec::new());
    walk_expr(&mut selectors, &parsed)?;
    Ok(selectors.0)
}

/// The PromQL inside a Grafana Prometheus variable query, if it names metrics.
fn variable_promql(query: &str) -> Option<String> {
    let q = query.trim();
    if let Some(inner) = q.strip_prefix("label_values(").and_then(|r| r.strip_suffix(')')) {
        // label_values(<selector>, <label>) or label_values(<label>).
        let (selector, _) = inner.rsplit_once(',')?;
        return Some(selector.trim().to_owned());
    }
    if let Some(inner) = q.strip_prefix("query_result(").and_then(|r| r.strip_suffix(')')) {
        return Some(inner.to_owned());
    }
    if q.starts_with("metrics(") || q.starts_with("label_names(") {
        return None;
    }
    Some(q.to_owned())
}

fn is_prometheus(datasource: &Value) -> bool {
    datasource["type"] == "prometheus"
}

/// Every (place, PromQL) of a dashboard: Prometheus panel targets and variables.
fn dashboard_queries(file: &str, dashboard: &Value) -> Vec<(String, String)> {
    let intervals: BTreeSet<String> = dashboard["templating"]["list"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|v| v["type"] == "interval")
        .filter_map(|v| v["name"].as_str().map(str::to_owned))
        .collect();
    let mut out = Vec::new();
    let mut panels: Vec<&Value> = dashboard["panels"].as_array().into_iter().flatten().collect();
    while let Some(panel) = panels.pop() {
        panels.extend(panel["panels"].as_array().into_iter().flatten());
        for target in panel["targets"].as_array().into_iter().flatten() {
            let datasource =
                if target["datasource"].is_object() { &target["datasource"] } else { &panel["datasource"] };
            if let (true, Some(expr)) = (is_prometheus(datasource), target["expr"].as_str()) {
                let place = format!("{file}: panel {:?}", panel["title"].as_str().unwrap_or(""));
                out.push((place, substitute(expr, &intervals)));
            }
        }
    }
    for variable in dashboard["templating"]["list"].as_array().into_iter().flatten() {
        if variable["type"] != "query" || !is_prometheus(&variable["datasource"]) {
            continue;
        }
        let query = variable["query"]["query"].as_str().or(variable["query"].as_str()).unwrap_or("");
        if let Some(promql) = variable_promql(query) {
            let place = format!("{file}: variable ${}", variable["name"].as_str().unwrap_or(""));
            out.push((place, substitute(&promql, &intervals)));
        }
    }
    out
}

/// Every (place, PromQL) of `env`'s dashboards and rules, and the recording rules' outputs.
fn queries(env: &str) -> (Vec<(String, String)>, BTreeSet<String>) {
    let mut out = Vec::new();
    for (file, dashboard) in dashboards(env) {
        out.extend(dashboard_queries(&file, &dashboard));
    }
    let file = rule_file(env);
    let mut recorded = BTreeSet::new();
    for rule in rules(&file) {
        let what = match (rule["alert"].as_str(), rule["record"].as_str()) {
            (Some(alert), _) => format!("alert {alert}"),
            (None, Some(record)) => {
                recorded.insert(record.to_owned());
                format!("recording rule {record}")
            }
            _ => continue,
        };
        out.push((what, rule["expr"].as_str().unwrap_or_default().to_owned()));
    }
    (out.into_iter().map(|(place, q)| (format!("{env}: {place}"), q)).collect(), recorded)
}

/// The metrics each query uses, parsed once: (place, metrics or the parse error).
type Uses = Vec<(String, Result<Vec<Wanted>, String>)>;

fn uses_of(queries: &[(String, String)]) -> Uses {
    queries.iter().map(|(place, query)| (place.clone(), metrics_of(query))).collect()
}

/// What is wrong with the metric names `uses` name, given `sources`; one line each.
fn problems(uses: &Uses, recorded: &BTreeSet<String>, sources: &[Source]) -> Vec<String> {
    let mut found = Vec::new();
    for (place, wanted) in uses {
        let wanted = match wanted {
            Ok(w) => w,
            Err(e) => {
                found.push(format!("{place}: {e}"));
                continue;
            }
        };
        for w in wanted {
            match w {
                Wanted::Name(name) if recorded.contains(name) => {}
                Wanted::Name(name) => match owner(sources, name) {
                    Some(s) if s.names.contains(name) => {}
                    Some(s) => found.push(format!("{place}: `{name}` is not exposed by {}", s.name)),
                    None => found
                        .push(format!("{place}: `{name}`: no source claims it (add a list to tests/metric-names/)")),
                },
                Wanted::Pattern(m) => {
                    let literal: String =
                        m.value.chars().take_while(|c| c.is_ascii_alphanumeric() || *c == '_' || *c == ':').collect();
                    let candidates: Vec<&Source> = match owner(sources, &literal) {
                        Some(s) => vec![s],
                        None => sources.iter().collect(),
                    };
                    let matched = candidates.iter().flat_map(|s| &s.names).chain(recorded).any(|n| m.is_match(n));
                    if !matched {
                        let from: Vec<&str> = candidates.iter().map(|s| s.name.as_str()).collect();
                        found.push(format!(
                            "{place}: `__name__=~\"{}\"` matches no name of {}",
                            m.value,
                            from.join(", ")
                        ));
                    }
                }
            }
        }
    }
    found.sort();
    found.dedup();
    found
}

/// A live source: the series Prometheus holds of it, and the names it answers for.
struct LiveSource {
    name: &'static str,
    /// Selectors of its series in the test Prometheus.
    selectors: &'static [&'static str],
    claims: &'static [&'static str],
}

const LIVE: [LiveSource; 5] = [
    // The stack's collector and the one whose backends refuse (for the failure counters).
    LiveSource { name: "otel-collector", selectors: &[r#"{job="otel-collector"}"#], claims: &["otelcol_"] },
    // Prometheus' own metrics and the series it synthesises for its alerts.
    LiveSource {
        name: "prometheus",
        selectors: &[r#"{job="prometheus"}"#, r#"{__name__=~"ALERTS|ALERTS_FOR_STATE"}"#],
        claims: &["prometheus_", "up", "scrape_", "ALERTS", "ALERTS_FOR_STATE"],
    },
    LiveSource { name: "alertmanager", selectors: &[r#"{job="alertmanager"}"#], claims: &["alertmanager_"] },
    // This host's node_exporter and the one reading upstream's fixtures.
    LiveSource { name: "node-exporter", selectors: &[r#"{job="node-exporter"}"#], claims: &["node_"] },
    LiveSource {
        name: "garage",
        selectors: &[r#"{job="garage"}"#],
        claims: &["api_", "block_", "cluster_", "garage_", "rpc_", "table_", "web_"],
    },
];

/// The committed lists and what the test Prometheus holds of each live source now.
fn sources_now(stack: &Stack) -> Result<Vec<Source>, String> {
    let mut sources = committed_lists();
    for live in LIVE {
        let mut names = BTreeSet::new();
        for selector in live.selectors {
            names.extend(stack.names_matching(selector)?);
        }
        sources.push(Source {
            name: format!("the live {}", live.name),
            claims: live.claims.iter().map(|c| c.to_string()).collect(),
            names,
        });
    }
    Ok(sources)
}

/// How long the live programs get to expose every name in use: lazily registered metrics
/// appear once the traffic has exercised them (a few scrapes of one second).
const SETTLE: Duration = Duration::from_secs(60);

#[test]
fn every_metric_name_in_dashboards_and_rules_exists() {
    let started = Instant::now();
    let mut uses = Vec::new();
    for env in envs() {
        let (queries, recorded) = queries(&env);
        assert!(queries.len() > 20, "{env}: only {} queries found; the extraction is broken", queries.len());
        uses.push((uses_of(&queries), recorded));
    }

    let scratch = tempfile::tempdir().unwrap();
    // The env whose rules the test Prometheus evaluates and whose collector takes the traffic.
    let env = envs().into_iter().last().unwrap();
    let rules_path = scratch.path().join("rules.yaml");
    fs::write(&rules_path, rule_file(&env).to_string()).unwrap();
    let live = live::start(scratch.path(), &env, &rules_path);
    let mut stack = Stack::start_with(&env, live.targets.clone(), live.prometheus_extra.clone());
    stack.send_traffic();
    live.send_refused_traffic();
    wait_for("the traffic's metrics in Prometheus", Duration::from_secs(90), || {
        stack.assert_running();
        let result = stack.query("gen")?;
        if result.is_empty() { Err(stack.logs()) } else { Ok(()) }
    });

    // Every finding must be gone once the live programs have been scraped after the traffic.
    let deadline = Instant::now() + SETTLE;
    let found = loop {
        stack.assert_running();
        let sources = sources_now(&stack).unwrap_or_else(|e| panic!("the test Prometheus does not answer: {e}"));
        let found: Vec<String> = uses.iter().flat_map(|(u, recorded)| problems(u, recorded, &sources)).collect();
        if found.is_empty() || Instant::now() >= deadline {
            break found;
        }
        std::thread::sleep(Duration::from_secs(1));
    };
    assert!(found.is_empty(), "{} metric name(s) used but not exposed:\n{}", found.len(), found.join("\n"));
    eprintln!("every metric name checked in {:.1?}", started.elapsed());
}

#[test]
fn a_renamed_metric_is_caught() {
    let sources =
        vec![Source { name: "x-1.0".into(), claims: vec!["otelcol_".into()], names: ["otelcol_a".into()].into() }];
    let queries = vec![
        ("p1".to_owned(), "rate(otelcol_a_total[5m])".to_owned()),
        ("p2".to_owned(), "sum(otelcol_a)".to_owned()),
        ("p3".to_owned(), "{__name__=~\"otelcol_b(_total)?\"}".to_owned()),
        ("p4".to_owned(), "{__name__=~\"otelcol_a(_total)?\"}".to_owned()),
        ("p5".to_owned(), "unclaimed_metric".to_owned()),
        ("p6".to_owned(), "recorded:rate5m".to_owned()),
    ];
    let recorded = ["recorded:rate5m".to_owned()].into();
    let found = problems(&uses_of(&queries), &recorded, &sources);
    assert_eq!(
        found,
        [
            "p1: `otelcol_a_total` is not exposed by x-1.0",
            "p3: `__name__=~\"otelcol_b(_total)?\"` matches no name of x-1.0",
            "p5: `unclaimed_metric`: no source claims it (add a list to tests/metric-names/)",
        ]
    );
}

#[test]
fn template_variables_are_substituted() {
    let intervals: BTreeSet<String> = ["window".to_owned()].into();
    assert_eq!(
        substitute("rate(x{job=~\"$job\", a=\"${b:regex}\"}[$__rate_interval]) / rate(y[$window])", &intervals),
        "rate(x{job=~\"value\", a=\"value\"}[5m]) / rate(y[5m])"
    );
    assert_eq!(
        variable_promql("label_values(traces_spanmetrics_calls_total, service)").unwrap(),
        "traces_spanmetrics_calls_total"
    );
    assert_eq!(variable_promql("label_values(job)"), None);
}

#[test]
fn every_list_cites_its_source_and_the_pinned_version() {
    let generated: String = envs()
        .iter()
        .flat_map(|env| walkdir_text(&Path::new(env!("CARGO_MANIFEST_DIR")).join("generated").join(env)))
        .collect();
    let mut claimed: BTreeMap<String, String> = BTreeMap::new();
    for list in committed_lists() {
        // `<exporter>-<version>`: an image of that exporter at that version must be rendered.
        let (exporter, version) = list.name.rsplit_once('-').expect("<exporter>-<version>.txt");
        let version = version.trim_start_matches('v');
        let pinned = generated.contains(&format!("/{exporter}:{version}"))
            || generated.contains(&format!("/{exporter}:v{version}"));
        assert!(
            pinned || !generated.contains(&format!("/{exporter}:")),
            "{}: the rendered image of {exporter} is at another version",
            list.name
        );
        for claim in &list.claims {
            if let Some(other) = claimed.insert(claim.clone(), list.name.clone()) {
                panic!("prefix {claim} is claimed by both {other} and {}", list.name);
            }
        }
    }
}

fn walkdir_text(dir: &Path) -> Vec<String> {
    let mut out = Vec::new();
    for entry in fs::read_dir(dir).into_iter().flatten().flatten() {
        let path = entry.path();
        if path.is_dir() {
            out.extend(walkdir_text(&path));
        } else if let Ok(text) = fs::read_to_string(&path) {
            out.push(text);
        }
    }
    out
}
