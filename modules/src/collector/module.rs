//! The collector as a module: the OTLP ingestion it offers, and the app it renders.

use crate::contract::{App, Context, Declarations, Endpoint, EnvInfo, Link, Module, ModuleError, OptionError, Wave};

use super::options::Collector;
use super::resolved::Resolved;
use super::{OTLP_GRPC_PORT, OTLP_HTTP_PORT, alerts, objects, routes};

/// The collector in the composition root.
pub(crate) struct CollectorModule;

impl Module for CollectorModule {
    const KEY: &'static str = "collector";
    const PROVIDES: &'static [Link] = &[Link::TelemetryOtlpGrpc, Link::TelemetryOtlpHttp];
    type Options = Collector;
    type Resolved = Resolved;

    fn enabled(options: &Collector) -> bool {
        options.enabled != Some(false)
    }

    fn resolve(options: &Collector, env: &EnvInfo) -> Result<Resolved, Vec<OptionError>> {
        options.resolve(env)
    }

    fn declare(r: &Resolved, decl: &mut Declarations) {
        decl.provide_rules(Self::KEY, alerts::rule_set());
        decl.provide_scrape_job(Self::KEY, objects::NAME, r.namespace.clone());
        let endpoint = |port: u16, port_name: &str| Endpoint {
            service: objects::SERVICE.into(),
            namespace: r.namespace.clone(),
            port,
            port_name: port_name.into(),
            scheme: "http",
        };
        let grpc = endpoint(OTLP_GRPC_PORT, objects::OTLP_GRPC_PORT_NAME);
        let authority = grpc.authority();
        decl.provide_urls(Self::KEY, Link::TelemetryOtlpGrpc, grpc, vec![authority]);
        decl.provide(Self::KEY, Link::TelemetryOtlpHttp, endpoint(OTLP_HTTP_PORT, objects::OTLP_HTTP_PORT_NAME));
    }

    fn render(r: &Resolved, ctx: &Context) -> Result<Vec<App>, ModuleError> {
        let targets = routes::Targets::from_context(ctx, Self::KEY)?;
        let model = routes::model(r, &targets);
        let mut app = App::owned(Self::KEY, Self::KEY, r.namespace.clone(), Wave::Pipeline);
        objects::render(r, &model, &mut app)?;
        Ok(vec![app])
    }
}
