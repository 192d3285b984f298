use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::contract::{App, At, Context, Declarations, DnsLabel, EnvInfo, Link, Module, ModuleError, Wave};

use super::telemetry;

/// Istio mesh tracing to the collector. Off unless enabled: it needs Istio in the cluster.
#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Istio {
    /// Render mesh tracing. Default: false; enable it where Istio 1.22 or newer runs.
    pub enabled: Option<bool>,
    /// Istio's root namespace, where a Telemetry applies to the whole mesh. Default:
    /// `istio-system`.
    pub root_namespace: Option<DnsLabel>,
    /// Percentage of requests traced when no upstream decision was made, 0 to 100. Default:
    /// 100 (local), 10 (staging), 1 (production).
    pub sampling_percentage: Option<At<f64>>,
    /// Name of the tracing provider in Istio's mesh config. Default: `oxidy-otel`.
    pub provider: Option<DnsLabel>,
}

const KEY: &str = "istio";
const APP: &str = "istio-tracing";

impl Module for Istio {
    const KEY: &'static str = KEY;

    fn declare(&self, _env: &EnvInfo, _decl: &mut Declarations) -> Result<(), ModuleError> {
        Ok(())
    }

    fn render(&self, ctx: &Context) -> Result<Vec<App>, ModuleError> {
        if self.enabled != Some(true) {
            return Ok(Vec::new());
        }
        let sampling =
            self.sampling_percentage.clone().unwrap_or(At::default_value(ctx.env.tier.pick(100.0, 10.0, 1.0)));
        if !(0.0..=100.0).contains(&sampling.value) {
            return Err(ModuleError::Option {
                key: "components.istio.samplingPercentage".into(),
                pos: sampling.pos,
                message: format!("{} is not a percentage", sampling.value),
                help: Some("use a number from 0 to 100; 1 traces one request in a hundred".into()),
            });
        }
        let collector = ctx.endpoint(Link::CollectorOtlpGrpc, KEY)?;
        let namespace = self.root_namespace.as_ref().map_or("istio-system", DnsLabel::as_str);
        let provider = self.provider.as_ref().map_or("oxidy-otel", DnsLabel::as_str);

        let mut app = App::new(APP, namespace, Wave::Monitoring);
        app.manage_namespace = false;
        app.push(KEY, telemetry::mesh_tracing(provider, sampling.value))?;
        let snippet = telemetry::mesh_config(provider, collector)
            .map_err(|message| ModuleError::Object { module: KEY, message })?;
        app.build_files.insert("mesh-config.yaml".into(), snippet);
        Ok(vec![app])
    }
}
