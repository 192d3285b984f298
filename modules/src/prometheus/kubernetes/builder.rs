//! A small typed builder for alerting and recording rules: each alert carries its texts, its
//! runbook and the series of its unit tests, so a rule, its page and its tests live together.

use crate::contract::monitoring::{Rule, RuleGroup};
use crate::contract::{Duration, ModuleError};

pub(crate) use crate::prometheus::rules::Severity;

/// What the runbook page says beyond the alert's own texts.
#[derive(Debug, Clone, Default)]
pub(crate) struct Runbook {
    pub impact: &'static str,
    pub diagnosis: &'static str,
    pub fix: &'static str,
}

/// One input series of a unit test: its selector and its values when the alert must fire
/// and when everything is healthy (promtool's expanding notation; `_` is a missing sample).
#[derive(Debug, Clone)]
pub(crate) struct Series {
    pub selector: String,
    pub firing: String,
    pub healthy: String,
}

/// The unit test of an alert: the series, and the alerts of its name that fire on them,
/// each with its severity and labels (besides `alertname` and `severity`).
#[derive(Debug, Clone, Default)]
pub(crate) struct Case {
    pub series: Vec<Series>,
    pub fires: Vec<(Severity, Vec<(&'static str, &'static str)>)>,
    /// How `{{ $value ... }}` renders in the firing case, when a text uses it.
    pub value: Option<&'static str>,
}

/// One alerting rule with everything around it.
#[derive(Debug, Clone)]
pub(crate) struct AlertRule {
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
pub(crate) struct Record {
    pub record: &'static str,
    pub expr: String,
}

/// A rule group: recording rules first, then alerts.
#[derive(Debug, Clone)]
pub(crate) struct RuleSet {
    pub name: &'static str,
    pub records: Vec<Record>,
    pub alerts: Vec<AlertRule>,
}

/// Starts an alert.
pub(crate) fn alert(name: &'static str, severity: Severity, for_: &'static str, expr: impl Into<String>) -> AlertRule {
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
pub(crate) fn record(record: &'static str, expr: impl Into<String>) -> Record {
    Record { record, expr: expr.into() }
}

impl AlertRule {
    /// The summary (one line) and the description naming the object.
    pub(crate) fn about(mut self, summary: &str, description: &str) -> Self {
        self.summary = summary.to_owned();
        self.description = description.to_owned();
        self
    }

    /// The runbook page's impact, diagnosis and fix.
    pub(crate) fn runbook(mut self, impact: &'static str, diagnosis: &'static str, fix: &'static str) -> Self {
        self.runbook = Runbook { impact, diagnosis, fix };
        self
    }

    /// The test series as `(selector, firing values, healthy values)` and the labels of the
    /// firing alert.
    pub(crate) fn test<S: AsRef<str>>(
        mut self,
        series: &[(S, &str, &str)],
        labels: &[(&'static str, &'static str)],
    ) -> Self {
        self.case.series = series
            .iter()
            .map(|(selector, firing, healthy)| Series {
                selector: selector.as_ref().to_owned(),
                firing: (*firing).to_owned(),
                healthy: (*healthy).to_owned(),
            })
            .collect();
        self.case.fires = vec![(self.severity, labels.to_vec())];
        self
    }

    /// Another alert of the same name (another severity) that fires on the test series too.
    pub(crate) fn also_fires(mut self, severity: Severity, labels: &[(&'static str, &'static str)]) -> Self {
        self.case.fires.push((severity, labels.to_vec()));
        self
    }

    /// How the firing case's `{{ $value }}` renders.
    pub(crate) fn value(mut self, value: &'static str) -> Self {
        self.case.value = Some(value);
        self
    }
}

fn invalid(group: &str, rule: &str, problem: String) -> ModuleError {
    ModuleError::Object { module: "prometheus", message: format!("rule group `{group}`, rule `{rule}`: {problem}") }
}

fn parse(group: &str, rule: &str, expr: &str) -> Result<(), ModuleError> {
    promql_parser::parser::parse(expr)
        .map(|_| ())
        .map_err(|e| invalid(group, rule, format!("expression `{expr}` is not valid PromQL: {e}")))
}

/// Renders a set as a rule group, parsing every expression; `runbook` maps an alert name to
/// the URL of its page.
pub(crate) fn rule_group(set: &RuleSet, runbook: &dyn Fn(&str) -> String) -> Result<RuleGroup, ModuleError> {
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
    for a in &set.alerts {
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
