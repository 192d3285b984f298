//! The OpenTelemetry Collector: OTLP in, traces to Tempo, metrics to Prometheus, logs to Loki.
//!
//! Not rendered yet: the options hold only `enabled`, and the module renders nothing.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::contract::{App, Context, Declarations, EnvInfo, Module, ModuleError};

/// The OpenTelemetry Collector: OTLP in, traces to Tempo, metrics to Prometheus, logs to Loki.
#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Collector {
    /// Render this component. Default: true.
    pub enabled: Option<bool>,
}

impl Module for Collector {
    const KEY: &'static str = "collector";

    fn declare(&self, _env: &EnvInfo, _decl: &mut Declarations) -> Result<(), ModuleError> {
        Ok(())
    }

    fn render(&self, _ctx: &Context) -> Result<Vec<App>, ModuleError> {
        Ok(Vec::new())
    }
}
