//! How the composition root works: the `compose!` macro that `lib.rs` invokes with the table
//! of the stack's modules under their `components:` keys, and the [`Stack`] built from it.

use crate::contract::alerts::RuleSet;
use crate::contract::argocd::ArgoSettings;
use crate::contract::{App, Context, Declarations, EnvInfo, GitSource, Link, Module, ModuleError, Stack, Tier};
use crate::{PROVIDERS, Platform};

/// Declares the composition root from one table: each line is a `components:` key with its
/// doc comment, its options type and its module, all found in the module folder of that key.
/// The module itself (`mod <key>;`), the struct, the order modules are resolved in and the
/// table of what each can offer all come from it, so a new component is one line. It is
/// invoked in the crate root (`lib.rs`), where `mod <key>;` finds `<key>/mod.rs`.
macro_rules! compose {
    ($($(#[$doc:meta])* $key:ident: $options:ident => $module:ident,)+) => {
        $(mod $key;)+

        /// Per-component options. Every component is optional and on by default; its defaults follow
        /// the environment's tier.
        #[derive(Debug, Clone, Default, PartialEq, serde::Deserialize, serde::Serialize, schemars::JsonSchema)]
        #[serde(deny_unknown_fields, rename_all = "camelCase")]
        pub struct Platform {
            $($(#[$doc])* #[serde(default)] pub $key: $key::$options,)+
        }

        impl Platform {
            /// Resolves every enabled module once, in table order.
            fn compose(&self, env: &$crate::contract::EnvInfo) -> $crate::platform::Composer {
                let mut composer = $crate::platform::Composer::default();
                $(composer.add::<$key::$module>(&self.$key, env);)+
                composer
            }

            /// The keys of the enabled modules that show the project's dashboards.
            fn readers_of_dashboards(&self) -> Vec<&'static str> {
                use $crate::contract::Module as _;
                let mut keys = Vec::new();
                $(if <$key::$module>::READS_DASHBOARDS && <$key::$module>::enabled(&self.$key) {
                    keys.push(<$key::$module>::KEY);
                })+
                keys
            }

            /// Every component's Argo CD settings, by module key.
            fn argocd_settings(&self) -> Vec<(&'static str, &$crate::contract::argocd::ArgoSettings)> {
                use $crate::contract::Module as _;
                vec![$((<$key::$module>::KEY, &self.$key.argocd),)+]
            }
        }

        /// What every composed module can offer, by key.
        const PROVIDERS: &[(&str, &[$crate::contract::Link])] = {
            use $crate::contract::Module as _;
            &[$((<$key::$module>::KEY, <$key::$module>::PROVIDES),)+]
        };
    };
}

/// A module's resolved options, ready to declare and render.
struct Composed<M: Module>(M::Resolved);

/// Object-safe view of a [`Composed`] module, so the stack can loop over its modules.
trait Erased {
    fn key(&self) -> &'static str;
    fn declare(&self, decl: &mut Declarations);
    fn render(&self, ctx: &Context) -> Result<Vec<App>, ModuleError>;
}

impl<M: Module> Erased for Composed<M> {
    fn key(&self) -> &'static str {
        M::KEY
    }
    fn declare(&self, decl: &mut Declarations) {
        M::declare(&self.0, decl)
    }
    fn render(&self, ctx: &Context) -> Result<Vec<App>, ModuleError> {
        M::render(&self.0, ctx)
    }
}

/// Every enabled module, resolved once, in composition order.
pub struct Resolved {
    modules: Vec<Box<dyn Erased>>,
}

/// Resolves the modules one after another, skipping disabled ones and keeping every error.
#[derive(Default)]
pub(crate) struct Composer {
    modules: Vec<Box<dyn Erased>>,
    errors: Vec<ModuleError>,
}

impl Composer {
    pub(crate) fn add<M: Module + 'static>(&mut self, options: &M::Options, env: &EnvInfo) {
        if M::enabled(options) {
            match M::resolve(options, env) {
                Ok(resolved) => self.modules.push(Box::new(Composed::<M>(resolved))),
                Err(errors) => self.errors.extend(errors.into_iter().map(ModuleError::from)),
            }
        }
    }
}

/// The module that offers `link`, for the help of a missing-link error.
fn provider_of(link: Link) -> Option<&'static str> {
    PROVIDERS.iter().find(|(_, links)| links.contains(&link)).map(|(key, _)| *key)
}

/// Names the component to enable in a missing-link error.
fn with_provider(error: ModuleError) -> ModuleError {
    match error {
        ModuleError::MissingLink { consumer, link, wanted: Some(wanted), provider: None } => {
            ModuleError::MissingLink { consumer, link, wanted: Some(wanted), provider: provider_of(wanted) }
        }
        other => other,
    }
}

impl Stack for Platform {
    type Resolved = Resolved;

    fn argocd(&self) -> Vec<(&'static str, &ArgoSettings)> {
        self.argocd_settings()
    }

    fn dashboard_readers(&self) -> Vec<&'static str> {
        self.readers_of_dashboards()
    }

    fn resolve(&self, env: &EnvInfo) -> Result<Resolved, Vec<ModuleError>> {
        let c = self.compose(env);
        if c.errors.is_empty() { Ok(Resolved { modules: c.modules }) } else { Err(c.errors) }
    }

    fn declare(resolved: &Resolved, decl: &mut Declarations) {
        resolved.modules.iter().for_each(|m| m.declare(decl));
    }

    fn render(resolved: &Resolved, ctx: &Context) -> Result<Vec<App>, Vec<ModuleError>> {
        let mut apps = Vec::new();
        let mut errors = Vec::new();
        for module in &resolved.modules {
            match module.render(ctx) {
                Ok(rendered) => {
                    debug_assert!(rendered.iter().all(|a| a.module == module.key()), "apps name their module");
                    apps.extend(rendered);
                }
                Err(e) => errors.push(with_provider(e)),
            }
        }
        if errors.is_empty() { Ok(apps) } else { Err(errors) }
    }
}

/// Every rule group the components hand over when each is enabled with its defaults in a
/// local environment: the groups the promtool fixtures and runbook pages cover.
pub(crate) fn documented_rule_sets() -> Result<Vec<RuleSet>, ModuleError> {
    let env = EnvInfo {
        name: "local".into(),
        tier: Tier::Local,
        namespace: "observability".into(),
        dashboards: Default::default(),
        git: GitSource {
            repo_url: "https://git.example.com/platform/observability.git".into(),
            revision: "main".into(),
            repo_url_pos: None,
        },
        rule_files: Default::default(),
    };
    let resolved = Platform::default().resolve(&env).map_err(first)?;
    let mut decl = Declarations::default();
    Platform::declare(&resolved, &mut decl);
    let ctx = decl.into_context(env).map_err(first)?;
    // As the metrics component renders them: availability over every scrape job first.
    let mut sets = vec![crate::prometheus::availability_set(ctx.scrape_jobs())];
    sets.extend_from_slice(ctx.rule_sets());
    Ok(sets)
}

/// The first of several errors (the defaults have none).
fn first(mut errors: Vec<ModuleError>) -> ModuleError {
    errors.swap_remove(0)
}
