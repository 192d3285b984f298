//! Alerting rules as typed values, checked while rendering: every expression must parse as
//! PromQL and every `for` must be a duration, or the render fails naming group and alert.

use std::collections::BTreeMap;

use crate::contract::monitoring::{PrometheusRuleSpec, Rule, RuleGroup};
use crate::contract::{Duration, ModuleError};

/// How urgently an alert needs a human; Alertmanager routes and inhibits by it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Severity {
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
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Severity::Warning => "warning",
            Severity::Critical => "critical",
            Severity::Info => "info",
            Severity::Silent => "none",
        }
    }
}

/// One alerting rule.
#[derive(Debug, Clone)]
pub(crate) struct Alert {
    pub name: &'static str,
    pub expr: String,
    /// How long the expression must hold before the alert fires.
    pub for_: &'static str,
    pub severity: Severity,
    pub summary: String,
    pub description: String,
}

/// A named group of alerts, evaluated together.
#[derive(Debug, Clone)]
pub(crate) struct Group {
    pub name: &'static str,
    pub alerts: Vec<Alert>,
}

fn invalid(group: &str, alert: &str, problem: String) -> ModuleError {
    ModuleError::Object { module: "prometheus", message: format!("rule group `{group}`, alert `{alert}`: {problem}") }
}

impl Alert {
    fn to_rule(&self, group: &str) -> Result<Rule, ModuleError> {
        promql_parser::parser::parse(&self.expr)
            .map_err(|e| invalid(group, self.name, format!("expression `{}` is not valid PromQL: {e}", self.expr)))?;
        Duration::parse(self.for_).map_err(|e| invalid(group, self.name, format!("`for: {}`: {e}", self.for_)))?;
        Ok(Rule {
            alert: Some(self.name.into()),
            record: None,
            expr: self.expr.clone(),
            for_: Some(self.for_.into()),
            labels: BTreeMap::from([("severity".into(), self.severity.as_str().into())]),
            annotations: BTreeMap::from([
                ("summary".into(), self.summary.clone()),
                ("description".into(), self.description.clone()),
            ]),
        })
    }
}

impl Group {
    fn to_rule_group(&self) -> Result<RuleGroup, ModuleError> {
        let rules = self.alerts.iter().map(|a| a.to_rule(self.name)).collect::<Result<_, _>>()?;
        Ok(RuleGroup { name: self.name.into(), interval: None, rules })
    }
}

/// The groups as a rule file body, validated. Alert names must be unique within a group.
pub(crate) fn rule_spec(groups: &[Group]) -> Result<PrometheusRuleSpec, ModuleError> {
    for group in groups {
        let mut seen = std::collections::BTreeSet::new();
        for alert in &group.alerts {
            // Two severities of one alert share a name on purpose (so a critical inhibits
            // its warning), but two rules with one name and one severity are a mistake.
            if !seen.insert((alert.name, alert.severity.as_str())) {
                return Err(invalid(group.name, alert.name, "defined twice with the same severity".into()));
            }
        }
    }
    Ok(PrometheusRuleSpec { groups: groups.iter().map(Group::to_rule_group).collect::<Result<_, _>>()? })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn alert(expr: &str, for_: &'static str) -> Alert {
        Alert {
            name: "Broken",
            expr: expr.into(),
            for_,
            severity: Severity::Warning,
            summary: "s".into(),
            description: "d".into(),
        }
    }

    #[test]
    fn a_broken_expression_is_an_error_naming_group_and_alert() {
        let groups = [Group { name: "demo", alerts: vec![alert("sum(rate(x[5m]) > ", "5m")] }];
        let err = rule_spec(&groups).unwrap_err().to_string();
        assert!(err.contains("rule group `demo`, alert `Broken`"), "{err}");
        assert!(err.contains("not valid PromQL"), "{err}");
    }

    #[test]
    fn a_bad_for_is_an_error() {
        let groups = [Group { name: "demo", alerts: vec![alert("up == 0", "5 minutes")] }];
        let err = rule_spec(&groups).unwrap_err().to_string();
        assert!(err.contains("alert `Broken`") && err.contains("for: 5 minutes"), "{err}");
    }

    #[test]
    fn duplicates_are_refused() {
        let groups = [Group { name: "demo", alerts: vec![alert("up == 0", "5m"), alert("up == 1", "5m")] }];
        assert!(rule_spec(&groups).unwrap_err().to_string().contains("defined twice"));
    }

    #[test]
    fn valid_alerts_carry_severity_and_annotations() {
        let spec = rule_spec(&[Group { name: "demo", alerts: vec![alert("up == 0", "5m")] }]).unwrap();
        let rule = &spec.groups[0].rules[0];
        assert_eq!(rule.labels["severity"], "warning");
        assert_eq!(rule.annotations.keys().collect::<Vec<_>>(), ["description", "summary"]);
        assert_eq!(rule.for_.as_deref(), Some("5m"));
    }
}
