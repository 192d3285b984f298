//! The metrics stack as a module: what it offers the others, and the apps it renders.

use crate::contract::{
    App, Context, Datasource, DatasourceKind, Declarations, Endpoint, EnvInfo, Link, Module, ModuleError, Wave,
};

use super::options::Prometheus;
use super::resolved::Resolved;
use super::{
    ALERTMANAGER_PORT, PROMETHEUS_PORT, alertmanager, cluster_monitors, crds, kube_state_metrics, monitors,
    node_exporter, operator, server,
};

/// The app holding the `Prometheus` and `Alertmanager` resources.
pub(crate) const APP: &str = "prometheus";

fn endpoint(r: &Resolved, service: &str, port: u16) -> Endpoint {
    Endpoint { service: service.into(), namespace: r.namespace.clone(), port, port_name: "web".into(), scheme: "http" }
}

impl Module for Prometheus {
    const KEY: &'static str = "prometheus";

    fn declare(&self, env: &EnvInfo, decl: &mut Declarations) -> Result<(), ModuleError> {
        if !self.is_enabled() {
            return Ok(());
        }
        let r = self.resolve(env)?;
        let prometheus = endpoint(&r, server::SERVICE, PROMETHEUS_PORT);
        let alertmanager = endpoint(&r, alertmanager::SERVICE, ALERTMANAGER_PORT);
        decl.provide_datasource(
            Self::KEY,
            Datasource {
                uid: "prometheus".into(),
                name: "Prometheus".into(),
                kind: DatasourceKind::Prometheus,
                url: prometheus.url(),
            },
        );
        decl.provide_datasource(
            Self::KEY,
            Datasource {
                uid: "alertmanager".into(),
                name: "Alertmanager".into(),
                kind: DatasourceKind::Alertmanager,
                url: alertmanager.url(),
            },
        );
        decl.provide(Self::KEY, Link::PrometheusHttp, prometheus);
        decl.provide(Self::KEY, Link::AlertmanagerHttp, alertmanager);
        if let Some(port) = &r.server.node_port {
            decl.claim_node_port(Self::KEY, "components.prometheus.nodePort", port);
        }
        if let Some(port) = &r.alertmanager.node_port {
            decl.claim_node_port(Self::KEY, "components.prometheus.alertmanager.nodePort", port);
        }
        Ok(())
    }

    fn render(&self, ctx: &Context) -> Result<Vec<App>, ModuleError> {
        if !self.is_enabled() {
            return Ok(Vec::new());
        }
        let r = self.resolve(&ctx.env)?;
        let mut backends = App::new(APP, r.namespace.clone(), Wave::Backends);
        server::push(&r, &mut backends)?;
        alertmanager::push(&r, &mut backends)?;
        let mut apps = vec![crds::app(&r.namespace), operator::app(&r)?, backends];
        if let Some(ksm) = &r.kube_state_metrics {
            apps.push(kube_state_metrics::app(ksm)?);
        }
        if let Some(ne) = &r.node_exporter {
            apps.push(node_exporter::app(ne)?);
        }
        apps.push(monitors::app(&r)?);
        apps.extend(cluster_monitors::app(&r)?);
        Ok(apps)
    }
}
