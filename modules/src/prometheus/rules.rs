//! The metrics stack's own platform alerts as plain values, before `platform_docs` attaches
//! their runbooks and tests and the contract's rule builder checks and renders them.

pub(crate) use crate::contract::alerts::Severity;

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
