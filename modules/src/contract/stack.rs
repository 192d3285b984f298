//! The two traits that connect modules to the engine: one shape for every module, and the
//! stack the engine drives.

use schemars::JsonSchema;
use serde::de::DeserializeOwned;

use super::app::App;
use super::argocd::ArgoSettings;
use super::context::{Context, Declarations, EnvInfo, Link};
use super::error::{ModuleError, OptionError};

/// One component of the stack, in three steps: its options are resolved once against the
/// environment (every tier default applied, every check made), the resolved value declares
/// what the component offers and needs, and renders its apps against the sealed context.
/// The composition root skips a disabled module before any step.
pub trait Module {
    /// The key under `components:` in env files.
    const KEY: &'static str;
    /// Every link the module can offer, so that a consumer missing one is told which
    /// component to enable.
    const PROVIDES: &'static [Link];

    /// Whether the module, when enabled, shows the project's dashboards (`dashboards/`), so
    /// that a project without that folder is an error rather than a silent empty list.
    const READS_DASHBOARDS: bool = false;

    /// The options as written under `components.<KEY>`: every field optional.
    type Options;
    /// The options with every default applied and every check made.
    type Resolved;

    /// Whether the options turn the component on.
    fn enabled(options: &Self::Options) -> bool;

    /// Applies the tier defaults and checks the values, reporting every problem at once.
    fn resolve(options: &Self::Options, env: &EnvInfo) -> Result<Self::Resolved, Vec<OptionError>>;

    /// Offers links to the other modules and claims buckets and NodePorts.
    fn declare(resolved: &Self::Resolved, decl: &mut Declarations);

    /// Renders the component's apps against the sealed context.
    fn render(resolved: &Self::Resolved, ctx: &Context) -> Result<Vec<App>, ModuleError>;
}

/// A whole stack: the `components:` section of an env file. The engine is generic over it and
/// never names a module. Shared between threads: environments render in parallel.
pub trait Stack: DeserializeOwned + JsonSchema + Default + Sync {
    /// Every enabled module's resolved options.
    type Resolved;

    /// The Argo CD settings written under `components.<key>.argocd`, by module key.
    fn argocd(&self) -> Vec<(&'static str, &ArgoSettings)>;

    /// The keys of the enabled modules that show the project's dashboards.
    fn dashboard_readers(&self) -> Vec<&'static str> {
        Vec::new()
    }

    /// Resolves every enabled module once, collecting all errors.
    fn resolve(&self, env: &EnvInfo) -> Result<Self::Resolved, Vec<ModuleError>>;

    /// Runs every enabled module's [`Module::declare`].
    fn declare(resolved: &Self::Resolved, decl: &mut Declarations);

    /// Runs every enabled module's [`Module::render`], collecting all errors.
    fn render(resolved: &Self::Resolved, ctx: &Context) -> Result<Vec<App>, Vec<ModuleError>>;
}
