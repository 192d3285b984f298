//! The `promtool test rules` fixtures, generated from the rule definitions: one rule file
//! per group (all sources and control-plane switches on) and one test file per group with
//! alerts, in which every alert fires on its crafted series and stays silent on healthy
//! ones. A test file loads its own group and the groups whose recorded series it reads, so
//! each run evaluates only what it needs.
//! `tests/rules/` holds them as plain files, so promtool runs them without oxidy.

use std::collections::BTreeMap;

use serde::Serialize;

use super::{Sources, rule_sets, rule_spec};
use crate::contract::ModuleError;
use crate::contract::alerts::{AlertRule, RuleSet};

/// Where the fixtures' runbook links point; the tests check the annotation verbatim.
const RUNBOOK_BASE: &str = "https://git.example.com/platform/observability/blob/main/docs/runbooks";
/// Every test evaluates at this time; series cover it with 1m samples.
const EVAL_TIME: &str = "3h";
const SAMPLES: usize = 240;

#[derive(Serialize)]
struct TestFile {
    rule_files: Vec<String>,
    evaluation_interval: &'static str,
    tests: Vec<TestCase>,
}

#[derive(Serialize)]
struct TestCase {
    name: String,
    interval: &'static str,
    input_series: Vec<InputSeries>,
    alert_rule_test: Vec<AlertTest>,
}

#[derive(Serialize)]
struct InputSeries {
    series: String,
    values: String,
}

#[derive(Serialize)]
struct AlertTest {
    eval_time: &'static str,
    alertname: &'static str,
    exp_alerts: Vec<ExpAlert>,
}

#[derive(Serialize)]
struct ExpAlert {
    exp_labels: BTreeMap<String, String>,
    exp_annotations: BTreeMap<String, String>,
}

/// Short value forms of the definitions in promtool's notation over the whole test: `1` and
/// `0+5` repeat, `0 1` cycles.
fn expand(values: &str) -> String {
    if values.contains(' ') {
        values.split(' ').cycle().take(SAMPLES + 1).collect::<Vec<_>>().join(" ")
    } else if values.contains('x') {
        values.to_owned()
    } else {
        format!("{values}x{SAMPLES}")
    }
}

/// Renders an annotation as Prometheus would for the test alert: `{{ $labels.x }}` from the
/// alert's labels and any `{{ $value ... }}` as the case states it.
fn render(
    template: &str,
    labels: &BTreeMap<String, String>,
    value: Option<&str>,
    alert: &str,
) -> Result<String, ModuleError> {
    let fail = |problem: String| ModuleError::invalid("prometheus", format!("test of `{alert}`: {problem}"));
    let mut out = String::new();
    let mut rest = template;
    while let Some(start) = rest.find("{{") {
        out.push_str(&rest[..start]);
        let end = rest[start..].find("}}").ok_or_else(|| fail("unclosed template".into()))? + start;
        let inner = rest[start + 2..end].trim();
        if let Some(name) = inner.strip_prefix("$labels.") {
            out.push_str(labels.get(name).ok_or_else(|| fail(format!("the firing alert has no label `{name}`")))?);
        } else if inner.starts_with("$value") {
            out.push_str(value.ok_or_else(|| fail("a text shows $value but the case does not state it".into()))?);
        } else {
            return Err(fail(format!("unsupported template `{inner}`")));
        }
        rest = &rest[end + 2..];
    }
    out.push_str(rest);
    Ok(out)
}

fn series(a: &AlertRule, healthy: bool) -> Vec<InputSeries> {
    a.case
        .series
        .iter()
        .map(|s| InputSeries {
            series: s.selector.clone(),
            values: expand(if healthy { &s.healthy } else { &s.firing }),
        })
        .collect()
}

fn cases(set: &RuleSet, all: &[&AlertRule]) -> Result<Vec<TestCase>, ModuleError> {
    let mut tests = Vec::new();
    for a in &set.alerts {
        let mut exp_alerts = Vec::new();
        for (severity, extra) in &a.case.fires {
            let variant = all.iter().find(|r| r.name == a.name && r.severity == *severity).ok_or_else(|| {
                ModuleError::invalid(
                    "prometheus",
                    format!("test of `{}` expects a {} variant that does not exist", a.name, severity.as_str()),
                )
            })?;
            let mut labels: BTreeMap<String, String> =
                extra.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect();
            labels.insert("severity".into(), severity.as_str().into());
            let mut with_name = labels.clone();
            with_name.insert("alertname".into(), a.name.into());
            // The series are this case's, so its value wins over the variant's own.
            let value = a.case.value.or(variant.case.value);
            exp_alerts.push(ExpAlert {
                exp_annotations: BTreeMap::from([
                    ("summary".into(), render(&variant.summary, &with_name, value, a.name)?),
                    ("description".into(), render(&variant.description, &with_name, value, a.name)?),
                    ("runbook_url".into(), format!("{RUNBOOK_BASE}/{}.md", a.name)),
                ]),
                exp_labels: labels,
            });
        }
        let severity = a.severity.as_str();
        tests.push(TestCase {
            name: format!("{} ({severity}) fires", a.name),
            interval: "1m",
            input_series: series(a, false),
            alert_rule_test: vec![AlertTest { eval_time: EVAL_TIME, alertname: a.name, exp_alerts }],
        });
        // The Watchdog fires by design: it has no healthy case.
        if a.name != "Watchdog" {
            tests.push(TestCase {
                name: format!("{} ({severity}) stays silent", a.name),
                interval: "1m",
                input_series: series(a, true),
                alert_rule_test: vec![AlertTest { eval_time: EVAL_TIME, alertname: a.name, exp_alerts: vec![] }],
            });
        }
    }
    Ok(tests)
}

/// Every rule set the fixtures cover: the components' groups and every Kubernetes family.
pub(crate) fn all_sets(platform: &[RuleSet]) -> Vec<RuleSet> {
    let mut sets = platform.to_vec();
    sets.extend(rule_sets(Sources::ALL));
    sets
}

fn rule_file(set: &RuleSet) -> String {
    format!("{}.rules.yaml", set.name)
}

/// The rule files a test of `set` loads: its own, and those recording a series it reads.
fn rule_files(set: &RuleSet, sets: &[RuleSet]) -> Vec<String> {
    let reads = |other: &RuleSet| {
        other.records.iter().any(|r| {
            set.alerts.iter().any(|a| a.expr.contains(r.record))
                || set.records.iter().any(|own| own.expr.contains(r.record))
        })
    };
    let mut files = vec![rule_file(set)];
    files.extend(sets.iter().filter(|o| o.name != set.name && reads(o)).map(rule_file));
    files
}

/// `(file name, content)` of one rule file per group and one test file per group with alerts;
/// `platform` are the groups the components hand over.
pub fn rule_fixtures(platform: &[RuleSet]) -> Result<Vec<(String, String)>, ModuleError> {
    let sets = all_sets(platform);
    let mut files = Vec::new();
    for set in &sets {
        files.push((rule_file(set), yaml(&rule_spec(std::slice::from_ref(set), RUNBOOK_BASE)?)));
    }
    let all: Vec<&AlertRule> = sets.iter().flat_map(|s| &s.alerts).collect();
    for set in &sets {
        if set.alerts.is_empty() {
            continue;
        }
        let file = TestFile { rule_files: rule_files(set, &sets), evaluation_interval: "1m", tests: cases(set, &all)? };
        files.push((format!("{}.test.yaml", set.name), yaml(&file)));
    }
    Ok(files)
}

fn yaml<T: Serialize>(value: &T) -> String {
    serde_saphyr::to_string(value).expect("fixture values serialise")
}
