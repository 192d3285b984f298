//! Test support: render the whole platform for a tier from a `components:` YAML snippet,
//! exactly as the engine would (declare, seal the context, render).

use std::sync::Arc;

use crate::Platform;
use crate::contract::{App, Context, Declarations, EnvInfo, GitSource, Module, ModuleError, Stack, Tier};

/// The environment a test renders for.
pub fn env(tier: Tier) -> EnvInfo {
    EnvInfo {
        name: tier.as_str().into(),
        tier,
        namespace: "observability".into(),
        dashboards: Arc::new(Vec::new()),
        git: GitSource {
            repo_url: "https://git.example.com/platform/observability.git".into(),
            revision: "main".into(),
            repo_url_pos: None,
        },
        rule_files: Arc::new(Vec::new()),
    }
}

/// Parses `components` (the body of an env file's `components:` key).
pub fn platform(components: &str) -> Platform {
    serde_saphyr::from_str(components).expect("test options parse")
}

/// Resolves, declares and seals the context for `platform` in `env`.
pub fn context(platform: &Platform, env: EnvInfo) -> Result<Context, Vec<ModuleError>> {
    let resolved = platform.resolve(&env)?;
    let mut decl = Declarations::default();
    Platform::declare(&resolved, &mut decl);
    decl.into_context(env)
}

/// Resolves one module's `options` (YAML) in `env` and declares it into `decl`: for tests that
/// render a module alone against hand-made links.
pub fn declare<M: Module>(options: &str, env: &EnvInfo, decl: &mut Declarations) -> Result<M::Resolved, ModuleError>
where
    M::Options: serde::de::DeserializeOwned,
{
    let options: M::Options = serde_saphyr::from_str(options).expect("test options parse");
    let resolved = M::resolve(&options, env).map_err(|mut e| ModuleError::from(e.remove(0)))?;
    M::declare(&resolved, decl);
    Ok(resolved)
}

/// Renders every app of `components` for `tier`.
pub fn render(tier: Tier, components: &str) -> Result<Vec<App>, Vec<ModuleError>> {
    render_with(env(tier), components)
}

/// Renders with a given environment (to pass dashboards, say).
pub fn render_with(env: EnvInfo, components: &str) -> Result<Vec<App>, Vec<ModuleError>> {
    let platform = platform(components);
    let resolved = platform.resolve(&env)?;
    let mut decl = Declarations::default();
    Platform::declare(&resolved, &mut decl);
    let ctx = decl.into_context(env)?;
    Platform::render(&resolved, &ctx)
}

/// The app named `name`.
pub fn app<'a>(apps: &'a [App], name: &str) -> &'a App {
    apps.iter().find(|a| a.name == name).unwrap_or_else(|| panic!("no app {name}"))
}

/// The body of object `kind`/`name` in `app`.
pub fn object<'a>(app: &'a App, kind: &str, name: &str) -> &'a serde_json::Value {
    app.objects
        .iter()
        .find(|o| o.kind() == kind && o.name() == name)
        .map(|o| o.body())
        .unwrap_or_else(|| panic!("no {kind}/{name} in app {}", app.name))
}

/// The text of `file` in ConfigMap `config_map` of `app`: a config file as the program reads it.
pub fn config_file(app: &App, config_map: &str, file: &str) -> String {
    object(app, "ConfigMap", config_map)["data"][file]
        .as_str()
        .unwrap_or_else(|| panic!("no {file} in {config_map}"))
        .to_owned()
}
