//! The last wave: ServiceMonitors of the operator, Prometheus and Alertmanager, and the
//! platform's alerting rules. They are custom resources read by the operator and Prometheus,
//! so they sync after both.

use crate::contract::monitoring::ServiceMonitor;
use crate::contract::{App, ModuleError, Wave, k8s};

use super::resolved::Resolved;
use super::{alertmanager, alerts, kube_state_metrics, kubelet, node_exporter, operator, rules, server};

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

pub(crate) fn app(r: &Resolved) -> Result<App, ModuleError> {
    let mut app = App::owned("prometheus", APP, r.namespace.clone(), Wave::Monitoring);
    app.push(ServiceMonitor::new(
        operator::NAME,
        &operator::labels(),
        k8s::selector(operator::NAME, operator::COMPONENT),
        "http",
        "/metrics",
    ))?;
    app.push(ServiceMonitor::new(
        server::SERVICE,
        &server::labels(r),
        k8s::selector(server::SERVICE, server::COMPONENT),
        "web",
        "/metrics",
    ))?;
    let am_labels = k8s::labels(alertmanager::SERVICE, alertmanager::COMPONENT, &r.alertmanager.image.version);
    app.push(ServiceMonitor::new(
        alertmanager::SERVICE,
        &am_labels,
        k8s::selector(alertmanager::SERVICE, alertmanager::COMPONENT),
        "web",
        "/metrics",
    ))?;
    if r.scrape_kubelet {
        app.push(kubelet::service_monitor())?;
    }
    let mut labels = k8s::selector_labels(RULES, "alerting-rules");
    labels.insert("app.kubernetes.io/part-of".into(), "oxidy".into());
    app.push(rules::prometheus_rule(RULES, &labels, &alerts::groups(r, &jobs(r)))?)?;
    Ok(app)
}
