//! The metrics stack as a module: what it offers the others, and the apps it renders.

use crate::contract::{App, Context, Declarations, Endpoint, EnvInfo, Link, Module, ModuleError, OptionError, Wave};

use super::options::Prometheus;
use super::resolved::Resolved;
use super::{
    ALERTMANAGER_PORT, PROMETHEUS_PORT, alertmanager, alerts, cluster_monitors, crds, datasources, kube_state_metrics,
    monitors, node_exporter, operator, server,
};

/// The app holding the `Prometheus` and `Alertmanager` resources.
pub(crate) const APP: &str = "prometheus";

fn endpoint(r: &Resolved, service: &str, port: u16) -> Endpoint {
    Endpoint { service: service.into(), namespace: r.namespace.clone(), port, port_name: "web".into(), scheme: "http" }
}

/// The metrics stack in the composition root.
pub(crate) struct PrometheusModule;

impl Module for PrometheusModule {
    const KEY: &'static str = "prometheus";
    const PROVIDES: &'static [Link] = &[Link::MetricsQueryHttp, Link::MetricsRemoteWrite, Link::AlertsHttp];
    type Options = Prometheus;
    type Resolved = Resolved;

    fn enabled(options: &Prometheus) -> bool {
        options.enabled != Some(false)
    }

    fn resolve(options: &Prometheus, env: &EnvInfo) -> Result<Resolved, Vec<OptionError>> {
        options.resolve(env)
    }

    fn declare(r: &Resolved, decl: &mut Declarations) {
        let prometheus = endpoint(r, server::SERVICE, PROMETHEUS_PORT);
        let alertmanager = endpoint(r, alertmanager::SERVICE, ALERTMANAGER_PORT);
        decl.provide_datasource(Self::KEY, datasources::prometheus(&prometheus));
        decl.provide_datasource(Self::KEY, datasources::alertmanager(&alertmanager));
        for set in alerts::rule_sets(r) {
            decl.provide_rules(Self::KEY, set);
        }
        for (job, namespace) in monitors::jobs(r) {
            decl.provide_scrape_job(Self::KEY, job, namespace);
        }
        decl.provide_urls(Self::KEY, Link::MetricsRemoteWrite, prometheus.clone(), server::remote_write_urls(r));
        decl.provide(Self::KEY, Link::MetricsQueryHttp, prometheus);
        decl.provide(Self::KEY, Link::AlertsHttp, alertmanager);
        if let Some(port) = &r.server.node_port {
            decl.claim_node_port(Self::KEY, "components.prometheus.nodePort", port);
        }
        if let Some(port) = &r.alertmanager.node_port {
            decl.claim_node_port(Self::KEY, "components.prometheus.alertmanager.nodePort", port);
        }
    }

    fn render(r: &Resolved, ctx: &Context) -> Result<Vec<App>, ModuleError> {
        let mut backends = App::owned(Self::KEY, APP, r.namespace.clone(), Wave::Backends);
        server::push(r, &mut backends)?;
        alertmanager::push(r, &mut backends)?;
        let mut apps = vec![crds::app(&r.namespace), operator::app(r)?, backends];
        if let Some(ksm) = &r.kube_state_metrics {
            apps.push(kube_state_metrics::app(ksm)?);
        }
        if let Some(ne) = &r.node_exporter {
            apps.push(node_exporter::app(ne)?);
        }
        let mut rule_sets = vec![alerts::availability_set(ctx.scrape_jobs())];
        rule_sets.extend_from_slice(ctx.rule_sets());
        apps.push(monitors::app(r, &rule_sets)?);
        apps.extend(cluster_monitors::app(r)?);
        Ok(apps)
    }
}
