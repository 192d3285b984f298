//! Mesh tracing as a module: a mesh-wide Telemetry pointing every sidecar at the collector.

use crate::contract::{App, Context, Declarations, EnvInfo, Link, Module, ModuleError, OptionError, Wave};

use super::options::Istio;
use super::resolved::Resolved;
use super::telemetry;

const APP: &str = "istio-tracing";

/// Mesh tracing in the composition root.
pub(crate) struct IstioModule;

impl Module for IstioModule {
    const KEY: &'static str = "istio";
    const PROVIDES: &'static [Link] = &[];
    type Options = Istio;
    type Resolved = Resolved;

    /// Off unless enabled: it needs Istio in the cluster.
    fn enabled(options: &Istio) -> bool {
        options.enabled == Some(true)
    }

    fn resolve(options: &Istio, env: &EnvInfo) -> Result<Resolved, Vec<OptionError>> {
        options.resolve(env)
    }

    fn declare(_: &Resolved, _: &mut Declarations) {}

    fn render(r: &Resolved, ctx: &Context) -> Result<Vec<App>, ModuleError> {
        let collector = ctx.endpoint(Link::TelemetryOtlpGrpc, Self::KEY)?;
        let mut app = App::owned(Self::KEY, APP, r.namespace.clone(), Wave::Monitoring);
        app.manage_namespace = false;
        app.push(telemetry::mesh_tracing(&r.provider, r.sampling_percentage))?;
        let snippet = telemetry::mesh_config(&r.provider, collector)
            .map_err(ModuleError::config_file(Self::KEY, "mesh-config.yaml"))?;
        app.build_files.insert("mesh-config.yaml".into(), snippet);
        Ok(vec![app])
    }
}
