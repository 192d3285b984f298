//! The composition root: the stack's modules under their `components:` keys.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::collector::Collector;
use crate::contract::{App, Context, Declarations, EnvInfo, Module, ModuleError, Stack};
use crate::garage::Garage;
use crate::grafana::Grafana;
use crate::istio::Istio;
use crate::loki::Loki;
use crate::prometheus::Prometheus;
use crate::tempo::Tempo;

/// Per-component options. Every component is optional and on by default; its defaults follow
/// the environment's tier.
#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Platform {
    /// Garage S3 storage for Loki and Tempo.
    #[serde(default)]
    pub garage: Garage,
    /// Loki: logs.
    #[serde(default)]
    pub loki: Loki,
    /// Tempo: traces.
    #[serde(default)]
    pub tempo: Tempo,
    /// The OpenTelemetry Collector: the telemetry pipeline.
    #[serde(default)]
    pub collector: Collector,
    /// prometheus-operator, Prometheus, Alertmanager, exporters and rules.
    #[serde(default)]
    pub prometheus: Prometheus,
    /// Grafana with datasources and dashboards.
    #[serde(default)]
    pub grafana: Grafana,
    /// Istio mesh tracing into the collector (off unless enabled).
    #[serde(default)]
    pub istio: Istio,
}

/// Object-safe view of [`Module`], so the stack can loop over its modules.
trait Erased {
    fn declare(&self, env: &EnvInfo, decl: &mut Declarations) -> Result<(), ModuleError>;
    fn render(&self, ctx: &Context) -> Result<Vec<App>, ModuleError>;
}

impl<M: Module> Erased for M {
    fn declare(&self, env: &EnvInfo, decl: &mut Declarations) -> Result<(), ModuleError> {
        Module::declare(self, env, decl)
    }
    fn render(&self, ctx: &Context) -> Result<Vec<App>, ModuleError> {
        Module::render(self, ctx)
    }
}

impl Platform {
    /// Every module, in the order they appear above.
    fn modules(&self) -> Vec<&dyn Erased> {
        vec![&self.garage, &self.loki, &self.tempo, &self.collector, &self.prometheus, &self.grafana, &self.istio]
    }
}

impl Stack for Platform {
    fn declare(&self, env: &EnvInfo, decl: &mut Declarations) -> Vec<ModuleError> {
        self.modules().into_iter().map(|m| m.declare(env, decl)).filter_map(Result::err).collect()
    }

    fn render(&self, ctx: &Context) -> Result<Vec<App>, Vec<ModuleError>> {
        let (apps, errors): (Vec<_>, Vec<_>) =
            self.modules().into_iter().map(|m| m.render(ctx)).partition(Result::is_ok);
        if errors.is_empty() {
            Ok(apps.into_iter().flat_map(Result::unwrap_or_default).collect())
        } else {
            Err(errors.into_iter().filter_map(Result::err).collect())
        }
    }
}
