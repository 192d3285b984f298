//! The last wave: ServiceMonitors of the operator, Prometheus and Alertmanager, and the
//! alerting rules of every component. They are custom resources read by the operator and Prometheus,
//! so they sync after both.

use crate::contract::alerts::RuleSet;
use crate::contract::monitoring::ServiceMonitor;
use crate::contract::{App, ModuleError, Wave, k8s};

use super::resolved::Resolved;
use super::{alertmanager, cluster_monitors, kube_state_metrics, kubelet, kubernetes, node_exporter, operator, server};

pub(crate) const APP: &str = "platform-monitoring";
pub(crate) const RULES: &str = "platform-alerts";

/// The stack's own scrape jobs and their namespaces: a job is the name of the Service (or,
/// for kube-state-metrics, the pod label) its monitor selects.
pub(crate) fn jobs(r: &Resolved) -> Vec<(String, String)> {
    let mut jobs: Vec<(String, String)> = [operator::NAME, server::SERVICE, alertmanager::SERVICE]
        .iter()
        .map(|job| ((*job).to_owned(), r.namespace.clone()))
        .collect();
    if let Some(ksm) = &r.kube_state_metrics {
        jobs.push((kube_state_metrics::NAME.into(), ksm.namespace.clone()));
    }
    if let Some(ne) = &r.node_exporter {
        jobs.push((node_exporter::NAME.into(), ne.namespace.clone()));
    }
    jobs
}

/// The monitoring app; `rule_sets` are every component's alert groups, this one's included,
/// as the context collected them.
pub(crate) fn app(r: &Resolved, rule_sets: &[RuleSet]) -> Result<App, ModuleError> {
    let mut app = App::owned("prometheus", APP, r.namespace.clone(), Wave::Monitoring);
    app.push(ServiceMonitor::new(
        operator::NAME,
        &operator::labels(),
        k8s::selector(operator::NAME, operator::COMPONENT),
        "http",
        "/metrics",
    ))?;
    let mut prometheus = ServiceMonitor::new(
        server::SERVICE,
        &server::labels(r),
        k8s::selector(server::SERVICE, server::COMPONENT),
        "web",
        "/metrics",
    );
    prometheus.spec.endpoints.push(cluster_monitors::reloader_endpoint());
    app.push(prometheus)?;
    let am_labels = k8s::labels(alertmanager::SERVICE, alertmanager::COMPONENT, &r.alertmanager.image.version);
    let mut am = ServiceMonitor::new(
        alertmanager::SERVICE,
        &am_labels,
        k8s::selector(alertmanager::SERVICE, alertmanager::COMPONENT),
        "web",
        "/metrics",
    );
    am.spec.endpoints.push(cluster_monitors::reloader_endpoint());
    app.push(am)?;
    if r.scrape_kubelet {
        app.push(kubelet::service_monitor())?;
    }
    cluster_monitors::push_monitors(r, &mut app)?;
    kubernetes::push_rules(r, rule_sets, &mut app)?;
    kubernetes::push_extra_rules(r, &mut app)?;
    Ok(app)
}
