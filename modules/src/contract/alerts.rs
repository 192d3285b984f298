//! Alerting and recording rules as components hand them to the context: a small typed
//! builder in which each alert carries its texts, its runbook and the series of its unit
//! test, so a rule, its page and its tests live together with the component they watch.

use super::error::ModuleError;
use super::monitoring::{Rule, RuleGroup};
use super::units::Duration;

/// How urgently an alert needs a human; Alertmanager routes and inhibits by it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Severity {
    /// Needs attention within working hours.
    Warning,
    /// Pages: data is being lost or a component is down.
    Critical,
    /// Context for other alerts; routed nowhere by default and inhibited while nothing worse fires.
    Info,
    /// Not a problem at all (label `none`): the always-firing Watchdog.
    Silent,
}

impl Severity {
    /// The value of the `severity` label.
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Warning => "warning",
            Severity::Critical => "critical",
            Severity::Info => "info",
            Severity::Silent => "none",
        }
    }
}

/// What the runbook page says beyond the alert's own texts.
#[derive(Debug, Clone, Default)]
pub struct Runbook {
    pub impact: &'static str,
    pub diagnosis: &'static str,
    pub fix: &'static str,
}

/// One input series of a unit test: its selector and its values when the alert must fire
/// and when everything is healthy (promtool's expanding notation; `_` is a missing sample).
#[derive(Debug, Clone)]
pub struct Series {
    pub selector: String,
    pub firing: String,
    pub healthy: String,
}

/// The unit test of an alert: the series, and the alerts of its name that fire on them,
/// each with its severity and labels (besides `alertname` and `severity`).
#[derive(Debug, Clone, Default)]
pub struct Case {
    pub series: Vec<Series>,
    pub fires: Vec<(Severity, Vec<(&'static str, String)>)>,
    /// How `{{ $value ... }}` renders in the firing case, when a text uses it.
    pub value: Option<&'static str>,
}

/// One alerting rule with everything around it.
#[derive(Debug, Clone)]
pub struct AlertRule {
    pub name: &'static str,
    pub severity: Severity,
    pub for_: &'static str,
    pub expr: String,
    pub summary: String,
    pub description: String,
    pub runbook: Runbook,
    pub case: Case,
}

/// A recording rule: `record` names the level (`node:`, `namespace:`, `cluster:`), the
/// metric and the operations, as Prometheus' naming convention asks.
#[derive(Debug, Clone)]
pub struct Record {
    pub record: &'static str,
    pub expr: String,
}

/// A rule group: recording rules first, then alerts.
#[derive(Debug, Clone)]
pub struct RuleSet {
    pub name: &'static str,
    pub records: Vec<Record>,
    pub alerts: Vec<AlertRule>,
}

fn owned(labels: &[(&'static str, &'static str)]) -> Vec<(&'static str, String)> {
    labels.iter().map(|(k, v)| (*k, (*v).to_owned())).collect()
}

/// Starts an alert.
pub fn alert(name: &'static str, severity: Severity, for_: &'static str, expr: impl Into<String>) -> AlertRule {
    AlertRule {
        name,
        severity,
        for_,
        expr: expr.into(),
        summary: String::new(),
        description: String::new(),
        runbook: Runbook::default(),
        case: Case::default(),
    }
}

/// A recording rule.
pub fn record(record: &'static str, expr: impl Into<String>) -> Record {
    Record { record, expr: expr.into() }
}

impl AlertRule {
    /// The summary (one line) and the description naming the object.
    pub fn about(mut self, summary: &str, description: &str) -> Self {
        self.summary = summary.to_owned();
        self.description = description.to_owned();
        self
    }

    /// The runbook page's impact, diagnosis and fix.
    pub fn runbook(mut self, impact: &'static str, diagnosis: &'static str, fix: &'static str) -> Self {
        self.runbook = Runbook { impact, diagnosis, fix };
        self
    }

    /// The test series as `(selector, firing values, healthy values)` and the labels of the
    /// firing alert.
    pub fn test<S: AsRef<str>>(mut self, series: &[(S, &str, &str)], labels: &[(&'static str, &'static str)]) -> Self {
        self.case.series = series
            .iter()
            .map(|(selector, firing, healthy)| Series {
                selector: selector.as_ref().to_owned(),
                firing: (*firing).to_owned(),
                healthy: (*healthy).to_owned(),
            })
            .collect();
        self.case.fires = vec![(self.severity, owned(labels))];
        self
    }

    /// Another alert of the same name (another severity) that fires on the test series too.
    pub fn also_fires(mut self, severity: Severity, labels: &[(&'static str, &'static str)]) -> Self {
        self.case.fires.push((severity, owned(labels)));
        self
    }

    /// How the firing case's `{{ $value }}` renders.
    pub fn value(mut self, value: &'static str) -> Self {
        self.case.value = Some(value);
        self
    }
}

fn invalid(group: &str, rule: &str, problem: String) -> ModuleError {
    ModuleError::Rule { group: group.into(), rule: rule.into(), problem }
}

fn parse(group: &str, rule: &str, expr: &str) -> Result<(), ModuleError> {
    super::promql::parses(expr)
        .map_err(|e| invalid(group, rule, format!("expression `{expr}` is not valid PromQL: {e}")))
}

/// Renders a set as a rule group, parsing every expression; `runbook` maps an alert name to
/// the URL of its page.
pub fn rule_group(set: &RuleSet, runbook: &dyn Fn(&str) -> String) -> Result<RuleGroup, ModuleError> {
    let mut rules = Vec::new();
    for r in &set.records {
        parse(set.name, r.record, &r.expr)?;
        rules.push(Rule {
            alert: None,
            record: Some(r.record.into()),
            expr: r.expr.clone(),
            for_: None,
            labels: Default::default(),
            annotations: Default::default(),
        });
    }
    let mut seen = std::collections::BTreeSet::new();
    for a in &set.alerts {
        // Two severities of one alert share a name on purpose (so a critical inhibits its
        // warning), but two rules with one name and one severity are a mistake.
        if !seen.insert((a.name, a.severity.as_str())) {
            return Err(invalid(set.name, a.name, "defined twice with the same severity".into()));
        }
        parse(set.name, a.name, &a.expr)?;
        Duration::parse(a.for_).map_err(|e| invalid(set.name, a.name, format!("`for: {}`: {e}", a.for_)))?;
        if a.summary.is_empty() || a.description.is_empty() {
            return Err(invalid(set.name, a.name, "has no summary or description".into()));
        }
        rules.push(Rule {
            alert: Some(a.name.into()),
            record: None,
            expr: a.expr.clone(),
            for_: (a.for_ != "0s").then(|| a.for_.into()),
            labels: [("severity".to_owned(), a.severity.as_str().to_owned())].into(),
            annotations: [
                ("summary".to_owned(), a.summary.clone()),
                ("description".to_owned(), a.description.clone()),
                ("runbook_url".to_owned(), runbook(a.name)),
            ]
            .into(),
        });
    }
    Ok(RuleGroup { name: set.name.into(), interval: None, rules })
}

/// The share of `metric`'s requests answered with a 5xx status, per route, above `ratio`:
/// the request-error alert of a component whose request histogram carries `status_code`.
pub fn server_error_ratio(metric: &str, ratio: &str) -> String {
    format!(
        "sum by (namespace, job, route) (rate({metric}{{status_code=~\"5..\"}}[5m])) / sum by (namespace, job, route) (rate({metric}[5m])) > {ratio}"
    )
}

/// Test series for [`server_error_ratio`]: half of `metric`'s requests to `job` fail
/// (firing), none do (healthy).
pub fn server_error_series(metric: &str, namespace: &str, job: &str) -> Vec<(String, &'static str, &'static str)> {
    let s =
        |code: &str| format!(r#"{metric}{{namespace="{namespace}", job="{job}", route="push", status_code="{code}"}}"#);
    vec![(s("500"), "0+10", "0"), (s("200"), "0+10", "0+20")]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn set(alerts: Vec<AlertRule>) -> RuleSet {
        RuleSet { name: "demo", records: vec![], alerts }
    }

    fn broken(expr: &str, for_: &'static str) -> AlertRule {
        alert("Broken", Severity::Warning, for_, expr).about("s", "d")
    }

    fn url(name: &str) -> String {
        format!("https://runbooks.example.com/{name}.md")
    }

    #[test]
    fn a_broken_expression_is_an_error_naming_group_and_rule() {
        let err = rule_group(&set(vec![broken("sum(rate(x[5m]) > ", "5m")]), &url).unwrap_err().to_string();
        assert!(err.starts_with("rule group `demo`, rule `Broken`: expression"), "{err}");
        assert!(err.contains("not valid PromQL"), "{err}");
    }

    #[test]
    fn a_bad_for_and_missing_texts_are_errors() {
        let err = rule_group(&set(vec![broken("up == 0", "5 minutes")]), &url).unwrap_err().to_string();
        assert!(err.contains("`for: 5 minutes`"), "{err}");
        let bare = alert("Bare", Severity::Warning, "5m", "up == 0");
        assert!(rule_group(&set(vec![bare]), &url).unwrap_err().to_string().contains("no summary"));
    }

    #[test]
    fn one_name_twice_with_one_severity_is_refused_but_two_severities_are_not() {
        let twice = set(vec![broken("up == 0", "5m"), broken("up == 1", "5m")]);
        assert!(rule_group(&twice, &url).unwrap_err().to_string().contains("defined twice"));
        let critical = alert("Broken", Severity::Critical, "5m", "up == 1").about("s", "d");
        assert_eq!(rule_group(&set(vec![broken("up == 0", "5m"), critical]), &url).unwrap().rules.len(), 2);
    }

    #[test]
    fn rendered_alerts_carry_severity_texts_and_runbook() {
        let group = rule_group(&set(vec![broken("up == 0", "5m")]), &url).unwrap();
        let rule = &group.rules[0];
        assert_eq!(rule.labels["severity"], "warning");
        assert_eq!(rule.annotations["runbook_url"], "https://runbooks.example.com/Broken.md");
        assert_eq!(rule.for_.as_deref(), Some("5m"));
    }
}
