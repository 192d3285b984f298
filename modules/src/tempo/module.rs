//! Tempo as a module: what it offers the others, and the apps it renders.

use crate::contract::{App, Context, Declarations, Endpoint, EnvInfo, Link, Module, ModuleError, OptionError, Wave};

use super::options::Tempo;
use super::resolved::Resolved;
use super::{HTTP_PORT, OTLP_GRPC_PORT, alerts, datasource, objects};

/// Tempo in the composition root.
pub(crate) struct TempoModule;

impl Module for TempoModule {
    const KEY: &'static str = "tempo";
    const PROVIDES: &'static [Link] = &[Link::TracesQueryHttp, Link::TracesOtlpGrpc];
    type Options = Tempo;
    type Resolved = Resolved;

    fn enabled(options: &Tempo) -> bool {
        options.enabled != Some(false)
    }

    fn resolve(options: &Tempo, env: &EnvInfo) -> Result<Resolved, Vec<OptionError>> {
        options.resolve(env)
    }

    fn declare(r: &Resolved, decl: &mut Declarations) {
        decl.provide_rules(Self::KEY, alerts::rule_set());
        // Each target's ServiceMonitor selects its Service, whose name becomes the job.
        for target in objects::targets(r) {
            decl.provide_scrape_job(Self::KEY, target.service, r.namespace.clone());
        }
        decl.need_bucket(Self::KEY, r.bucket.clone());
        let endpoint = |service: &str, port: u16, port_name: &str| Endpoint {
            service: service.into(),
            namespace: r.namespace.clone(),
            port,
            port_name: port_name.into(),
            scheme: "http",
        };
        let http = endpoint(objects::HTTP_SERVICE, HTTP_PORT, "http");
        decl.provide_datasource(Self::KEY, datasource::datasource(http.url()));
        decl.provide(Self::KEY, Link::TracesQueryHttp, http);
        let otlp = endpoint(objects::ingest_service(r.mode), OTLP_GRPC_PORT, "otlp-grpc");
        let authority = otlp.authority();
        decl.provide_urls(Self::KEY, Link::TracesOtlpGrpc, otlp, vec![authority]);
    }

    fn render(r: &Resolved, ctx: &Context) -> Result<Vec<App>, ModuleError> {
        let store = ctx.s3(Self::KEY)?;
        // Every URL: each replica of the metrics store must receive every write.
        let remote_write = ctx.urls(Link::MetricsRemoteWrite, Self::KEY)?;
        let mut app = App::owned(Self::KEY, Self::KEY, r.namespace.clone(), Wave::Backends);
        objects::render(r, store, remote_write, &mut app)?;
        Ok(vec![app])
    }
}
