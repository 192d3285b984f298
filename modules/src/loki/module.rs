//! Loki as a module: what it offers the others, and the apps it renders.

use crate::contract::{App, Context, Declarations, Endpoint, EnvInfo, Link, Module, ModuleError, OptionError, Wave};

use super::options::Loki;
use super::resolved::Resolved;
use super::{HTTP_PORT, alerts, datasource, objects};

/// Loki in the composition root.
pub(crate) struct LokiModule;

impl Module for LokiModule {
    const KEY: &'static str = "loki";
    const PROVIDES: &'static [Link] = &[Link::LogsQueryHttp, Link::LogsOtlpHttp];
    type Options = Loki;
    type Resolved = Resolved;

    fn enabled(options: &Loki) -> bool {
        options.enabled != Some(false)
    }

    fn resolve(options: &Loki, env: &EnvInfo) -> Result<Resolved, Vec<OptionError>> {
        options.resolve(env)
    }

    fn declare(r: &Resolved, decl: &mut Declarations) {
        decl.provide_rules(Self::KEY, alerts::rule_set());
        // Each target's ServiceMonitor selects its Service, whose name becomes the job.
        for target in objects::targets(r) {
            decl.provide_scrape_job(Self::KEY, target.service, r.namespace.clone());
        }
        decl.need_bucket(Self::KEY, r.chunks_bucket.clone());
        decl.need_bucket(Self::KEY, r.ruler_bucket.clone());
        let entry = Endpoint {
            service: objects::HTTP_SERVICE.into(),
            namespace: r.namespace.clone(),
            port: HTTP_PORT,
            port_name: "http".into(),
            scheme: "http",
        };
        decl.provide_datasource(Self::KEY, datasource::datasource(entry.url()));
        // OTLP goes through the same entry, under `/otlp`.
        let otlp = format!("{}/otlp", entry.url());
        decl.provide_urls(Self::KEY, Link::LogsOtlpHttp, entry.clone(), vec![otlp]);
        decl.provide(Self::KEY, Link::LogsQueryHttp, entry);
    }

    fn render(r: &Resolved, ctx: &Context) -> Result<Vec<App>, ModuleError> {
        let store = ctx.s3(Self::KEY)?;
        // Optional on purpose: without an Alertmanager the ruler still evaluates rules (and
        // records), it only has nowhere to send alerts.
        let alertmanager = ctx.url(Link::AlertsHttp, Self::KEY).ok();
        let mut app = App::owned(Self::KEY, Self::KEY, r.namespace.clone(), Wave::Backends);
        objects::render(r, store, alertmanager, &mut app)?;
        Ok(vec![app])
    }
}
