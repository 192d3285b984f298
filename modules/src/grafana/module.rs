//! Grafana as a module: its web UI, and the app it renders from every datasource and
//! dashboard the others offer.

use crate::contract::{App, Context, Dashboard, Declarations, Endpoint, EnvInfo, Link, Module, ModuleError, OptionError, Wave};

use super::options::Grafana;
use super::resolved::Resolved;
use super::{HTTP_PORT, dashboards, datasources, links, lint, objects, references};

/// Grafana in the composition root.
pub(crate) struct GrafanaModule;

impl Module for GrafanaModule {
    const KEY: &'static str = "grafana";
    const PROVIDES: &'static [Link] = &[Link::DashboardsHttp];
    const READS_DASHBOARDS: bool = true;
    type Options = Grafana;
    type Resolved = Resolved;

    fn enabled(options: &Grafana) -> bool {
        options.enabled != Some(false)
    }

    fn resolve(options: &Grafana, env: &EnvInfo) -> Result<Resolved, Vec<OptionError>> {
        options.resolve(env)
    }

    fn declare(r: &Resolved, decl: &mut Declarations) {
        decl.provide(
            Self::KEY,
            Link::DashboardsHttp,
            Endpoint {
                service: objects::SERVICE.into(),
                namespace: r.namespace.clone(),
                port: HTTP_PORT,
                port_name: "http".into(),
                scheme: "http",
            },
        );
        // Its ServiceMonitor scrapes the UI port's /metrics.
        decl.provide_scrape_job(Self::KEY, objects::SERVICE, r.namespace.clone());
        if let Some(port) = &r.node_port_claim {
            decl.claim_node_port(Self::KEY, "components.grafana.nodePort", port);
        }
    }

    fn render(r: &Resolved, ctx: &Context) -> Result<Vec<App>, ModuleError> {
        let provisioning = datasources::provisioning(ctx);
        let selected = r.dashboards.select(&ctx.env.dashboards)?;
        let shipped: Vec<&Dashboard> = selected.iter().map(AsRef::as_ref).collect();
        let mut problems = references::check_datasources(&provisioning, ctx.datasources());
        problems.extend(lint::check(&shipped, ctx.datasources()));
        problems.extend(links::check(&shipped));
        if !problems.is_empty() {
            return Err(ModuleError::Invalid { module: Self::KEY, subject: "datasources and dashboards", problems });
        }
        let delivered = dashboards::deliver(&shipped).map_err(|problem| ModuleError::invalid(Self::KEY, problem))?;
        let mut app = App::owned(Self::KEY, Self::KEY, r.namespace.clone(), Wave::Frontends);
        objects::render(r, &provisioning, &delivered, &mut app)?;
        Ok(vec![app])
    }
}
