//! The two traits that connect modules to the engine.

use schemars::JsonSchema;
use serde::de::DeserializeOwned;

use super::app::App;
use super::context::{Context, Declarations, EnvInfo};
use super::error::ModuleError;

/// One component of the stack. The implementing type is the component's options, as written
/// under `components.<KEY>` in an env file: every field optional, defaults from the tier.
pub trait Module {
    /// The key under `components:` in env files.
    const KEY: &'static str;

    /// Phase one: offer links to the other modules and claim buckets and NodePorts.
    fn declare(&self, env: &EnvInfo, decl: &mut Declarations) -> Result<(), ModuleError>;

    /// Phase two: render the component's apps against the sealed context.
    fn render(&self, ctx: &Context) -> Result<Vec<App>, ModuleError>;
}

/// A whole stack: the `components:` section of an env file. The engine is generic over it and
/// never names a module.
pub trait Stack: DeserializeOwned + JsonSchema + Default {
    /// Runs every enabled module's [`Module::declare`], collecting all errors.
    fn declare(&self, env: &EnvInfo, decl: &mut Declarations) -> Vec<ModuleError>;

    /// Runs every enabled module's [`Module::render`], collecting all errors.
    fn render(&self, ctx: &Context) -> Result<Vec<App>, Vec<ModuleError>>;
}
