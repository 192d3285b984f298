//! Tempo: trace storage on Garage S3, with the metrics generator.
//!
//! Not rendered yet: the options hold only `enabled`, and the module renders nothing.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::contract::{App, Context, Declarations, EnvInfo, Module, ModuleError};

/// Tempo: trace storage on Garage S3, with the metrics generator.
#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Tempo {
    /// Render this component. Default: true.
    pub enabled: Option<bool>,
}

impl Module for Tempo {
    const KEY: &'static str = "tempo";

    fn declare(&self, _env: &EnvInfo, _decl: &mut Declarations) -> Result<(), ModuleError> {
        Ok(())
    }

    fn render(&self, _ctx: &Context) -> Result<Vec<App>, ModuleError> {
        Ok(Vec::new())
    }
}
