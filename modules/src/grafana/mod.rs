//! Grafana: datasources with correlations, and the dashboards.
//!
//! Not rendered yet: the options hold only `enabled`, and the module renders nothing.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::contract::{App, Context, Declarations, EnvInfo, Module, ModuleError};

/// Grafana: datasources with correlations, and the dashboards.
#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Grafana {
    /// Render this component. Default: true.
    pub enabled: Option<bool>,
}

impl Module for Grafana {
    const KEY: &'static str = "grafana";

    fn declare(&self, _env: &EnvInfo, _decl: &mut Declarations) -> Result<(), ModuleError> {
        Ok(())
    }

    fn render(&self, _ctx: &Context) -> Result<Vec<App>, ModuleError> {
        Ok(Vec::new())
    }
}
