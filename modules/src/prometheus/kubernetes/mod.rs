//! Kubernetes monitoring: the cluster's alerts and recording rules, one file per family,
//! each rendered only where its source is scraped, plus their runbook pages and the
//! `promtool test rules` fixtures generated from the same definitions.

mod alerting;
mod apiserver;
mod control_plane;
mod coredns;
mod etcd;
mod fixtures;
mod general;
mod node_host;
mod nodes;
pub(crate) mod platform_docs;
mod prometheus_server;
mod records;
mod resources;
mod runbooks;
mod storage;
mod workloads;

use crate::contract::ModuleError;
use crate::contract::monitoring::PrometheusRuleSpec;

pub(crate) use crate::contract::alerts::RuleSet;
pub use fixtures::rule_fixtures;
pub use runbooks::runbook_pages;

use super::cluster::ControlPlane;

/// Which sources are scraped, and so which families apply.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Sources {
    pub kube_state_metrics: bool,
    pub kubelet: bool,
    pub node_exporter: bool,
    pub control_plane: ControlPlane,
}

impl Sources {
    /// Every source: the set the unit tests and runbooks cover.
    pub(crate) const ALL: Sources =
        Sources { kube_state_metrics: true, kubelet: true, node_exporter: true, control_plane: ControlPlane::ALL };
}

/// Every rule set that applies to `sources`, in a fixed order.
pub(crate) fn rule_sets(sources: Sources) -> Vec<RuleSet> {
    let cp = sources.control_plane;
    let mut sets = vec![
        general::general(),
        prometheus_server::prometheus_server(),
        alerting::alertmanager(),
        alerting::operator(),
    ];
    if sources.kube_state_metrics {
        sets.extend([records::kube_state(), workloads::workloads(), resources::resources()]);
    }
    if sources.kube_state_metrics && sources.kubelet {
        sets.extend([records::containers(), storage::storage()]);
    }
    if sources.kubelet {
        sets.push(records::kubelet());
    }
    if sources.kube_state_metrics || sources.kubelet {
        sets.push(nodes::nodes());
    }
    if sources.node_exporter {
        sets.extend([records::node_exporter(), node_host::node_host()]);
    }
    for (on, set) in [
        (cp.api_server, apiserver::apiserver as fn() -> RuleSet),
        (cp.scheduler, control_plane::scheduler),
        (cp.controller_manager, control_plane::controller_manager),
        (cp.kube_proxy, control_plane::kube_proxy),
        (cp.core_dns, coredns::coredns),
        (cp.etcd, etcd::etcd),
    ] {
        if on {
            sets.push(set());
        }
    }
    sets
}

/// The rule file body of `sets`, every expression parsed; alerts link to
/// `<runbook_base>/<Alert>.md`.
pub(crate) fn rule_spec(sets: &[RuleSet], runbook_base: &str) -> Result<PrometheusRuleSpec, ModuleError> {
    let url = |alert: &str| format!("{runbook_base}/{alert}.md");
    Ok(PrometheusRuleSpec {
        groups: sets.iter().map(|s| crate::contract::alerts::rule_group(s, &url)).collect::<Result<_, _>>()?,
    })
}

/// The `PrometheusRule` of the Kubernetes families that apply to `r`.
pub(crate) const RULES: &str = "kubernetes-rules";

/// Pushes the platform's alerts, every component's groups as the context collected them (as
/// `platform-alerts`), and the Kubernetes families (as `kubernetes-rules`), every alert
/// linked to its runbook page.
pub(crate) fn push_rules(
    r: &super::resolved::Resolved,
    platform: &[RuleSet],
    app: &mut crate::contract::App,
) -> Result<(), ModuleError> {
    use crate::contract::k8s;
    use crate::contract::monitoring::PrometheusRule;
    let base = &r.cluster.runbook_base;
    let sources = Sources {
        kube_state_metrics: r.kube_state_metrics.is_some(),
        kubelet: r.scrape_kubelet,
        node_exporter: r.node_exporter.is_some(),
        control_plane: r.cluster.control_plane,
    };
    for (name, sets) in [(super::monitors::RULES, platform.to_vec()), (RULES, rule_sets(sources))] {
        let mut labels = k8s::selector_labels(name, "alerting-rules");
        labels.insert("app.kubernetes.io/part-of".into(), "oxidy".into());
        app.push(PrometheusRule { metadata: k8s::meta(name, &labels), spec: rule_spec(&sets, base)? })?;
    }
    Ok(())
}

/// The PrometheusRule of the extra rule files, when the env names any.
pub(crate) fn push_extra_rules(
    r: &super::resolved::Resolved,
    app: &mut crate::contract::App,
) -> Result<(), ModuleError> {
    use crate::contract::k8s;
    use crate::contract::monitoring::PrometheusRule;
    if r.cluster.extra_rules.is_empty() {
        return Ok(());
    }
    let mut labels = k8s::selector_labels("extra-rules", "alerting-rules");
    labels.insert("app.kubernetes.io/part-of".into(), "oxidy".into());
    let spec = PrometheusRuleSpec { groups: r.cluster.extra_rules.clone() };
    app.push(PrometheusRule { metadata: k8s::meta("extra-rules", &labels), spec })?;
    Ok(())
}
