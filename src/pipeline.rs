//! From an env file to the files of its tree, in memory:
//!
//! ```text
//! read → parse (typed options) → declare (links) → context → render (apps)
//!      → finish objects → app-of-apps → layout (paths and YAML)
//! ```

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use oxidy_modules::contract::{
    App, Dashboard, Declarations, DnsLabel, EnvInfo, GitSource, ModuleError, ProjectFile, Stack,
};

use crate::argocd::{self, ROOT_APP, Target};
use crate::envfile::{self, EnvFile};
use crate::error::{Diagnostic, Error};
use crate::layout::{self, BUILD_DIR, Layout};
use crate::project::Project;

/// An environment read and type-checked.
pub struct LoadedEnv<S> {
    pub name: String,
    /// The env file, relative to the project root.
    pub file: PathBuf,
    pub text: String,
    pub spec: EnvFile<S>,
}

/// An environment rendered in memory.
#[derive(Debug, Clone)]
pub struct RenderedEnv {
    pub name: String,
    /// Relative to the project root.
    pub output_root: PathBuf,
    pub layout: Layout,
}

/// Reads and type-checks one environment.
pub fn load<S: Stack>(project: &Project, name: &str) -> Result<LoadedEnv<S>, Error> {
    let file = project.env_file(name);
    let text = project.read(&file)?;
    let spec = envfile::parse::<S>(&file, &text).map_err(Error::Invalid)?;
    Ok(LoadedEnv { name: name.into(), file, text, spec })
}

/// Renders one loaded environment into its files.
pub fn render<S: Stack>(
    env: &LoadedEnv<S>,
    dashboards: &Arc<Vec<Dashboard>>,
    rule_files: &Arc<Vec<ProjectFile>>,
) -> Result<RenderedEnv, Error> {
    let spec = &env.spec;
    let info = EnvInfo {
        name: env.name.clone(),
        tier: spec.tier,
        namespace: spec.namespace(),
        dashboards: dashboards.clone(),
        git: GitSource { repo_url: spec.git.repo_url.clone(), revision: spec.revision().into() },
        rule_files: rule_files.clone(),
    };

    let mut declarations = Declarations::default();
    let errors = spec.components.declare(&info, &mut declarations);
    if !errors.is_empty() {
        return Err(module_errors(env, errors));
    }
    let context = declarations.into_context(info).map_err(|e| module_errors(env, e))?;
    let mut apps = spec.components.render(&context).map_err(|e| module_errors(env, e))?;

    check_apps(env, &apps)?;
    apps.iter_mut().for_each(finish_objects);

    let output_root = spec.output_root(&env.name);
    let repo_path = output_root.components().map(|c| c.as_os_str().to_string_lossy()).collect::<Vec<_>>().join("/");
    let cluster = spec.cluster();
    let target = Target {
        env: &env.name,
        repo_url: &spec.git.repo_url,
        revision: spec.revision(),
        output_root: &repo_path,
        cluster: &cluster,
        argocd_namespace: &spec.argocd_namespace(),
        project: &spec.project(&env.name),
    };
    let root = argocd::app_of_apps(&target, &apps).map_err(|m| env_error(env, m))?;
    apps.push(root);

    let bootstrap = argocd::bootstrap(&target).map_err(|m| env_error(env, m))?;
    let layout = layout::layout(&env.name, &apps, &bootstrap)?;
    Ok(RenderedEnv { name: env.name.clone(), output_root, layout })
}

/// App names become folder and Application names: they must be labels, unique, and not the
/// app-of-apps' own.
fn check_apps<S>(env: &LoadedEnv<S>, apps: &[App]) -> Result<(), Error> {
    let mut seen = BTreeSet::new();
    for app in apps {
        if let Err(e) = DnsLabel::parse(&app.name) {
            return Err(env_error(env, format!("app name: {e}")));
        }
        if app.name == ROOT_APP || app.name == BUILD_DIR || !seen.insert(app.name.as_str()) {
            return Err(env_error(
                env,
                format!("two apps are named `{}` (`{ROOT_APP}` and `{BUILD_DIR}` are taken by the layout)", app.name),
            ));
        }
    }
    argocd::namespace_levels(apps).map_err(|m| env_error(env, m))
}

/// Every namespaced object gets its app's namespace if it names none, and every object the
/// label saying who manages it. Custom resources may be synced while their CRDs are still
/// being installed by an earlier wave: Argo CD's dry run must not fail on the unknown kind.
fn finish_objects(app: &mut App) {
    for object in &mut app.objects {
        object.default_namespace(&app.namespace);
        object.add_metadata("labels", "app.kubernetes.io/managed-by", "oxidy");
        if !is_builtin_group(object.group()) {
            object.add_metadata("annotations", "argocd.argoproj.io/sync-options", "SkipDryRunOnMissingResource=true");
        }
    }
}

/// Kubernetes' own API groups: the core group, single-word groups (`apps`, `batch`) and
/// `*.k8s.io`. Anything else is served by a CRD.
fn is_builtin_group(group: &str) -> bool {
    !group.contains('.') || group.ends_with(".k8s.io")
}

fn env_error<S>(env: &LoadedEnv<S>, message: String) -> Error {
    Error::Invalid(vec![Diagnostic {
        file: env.file.clone(),
        pos: None,
        key: None,
        message,
        help: None,
        source_line: None,
    }])
}

fn module_errors<S>(env: &LoadedEnv<S>, errors: Vec<ModuleError>) -> Error {
    Error::Invalid(
        errors
            .into_iter()
            .map(|e| {
                let pos = e.pos();
                let message = match &e {
                    ModuleError::Option { message, .. } => message.clone(),
                    other => other.to_string(),
                };
                Diagnostic {
                    file: env.file.clone(),
                    pos,
                    key: e.key().map(str::to_owned),
                    message,
                    help: e.help(),
                    source_line: pos
                        .and_then(|p| env.text.lines().nth(p.line.saturating_sub(1) as usize))
                        .map(str::to_owned),
                }
            })
            .collect(),
    )
}

/// Output roots of different environments must not overlap: each is pruned as a whole.
pub fn check_output_roots(envs: &[(String, PathBuf, PathBuf)]) -> Result<(), Error> {
    for (i, (a, a_file, a_root)) in envs.iter().enumerate() {
        for (b, _, b_root) in &envs[i + 1..] {
            if a_root.starts_with(b_root) || b_root.starts_with(a_root) {
                return Err(Error::Invalid(vec![Diagnostic {
                    file: a_file.clone(),
                    pos: None,
                    key: Some("git.outputRoot".into()),
                    message: format!(
                        "output root {} of `{a}` overlaps {} of `{b}`: each is pruned on render",
                        a_root.display(),
                        b_root.display()
                    ),
                    help: Some("give every environment its own folder below generated/".into()),
                    source_line: None,
                }]));
            }
        }
    }
    Ok(())
}

/// The default output root of an environment that was not loaded.
pub fn default_output_root(name: &str) -> PathBuf {
    Path::new("generated").join(name)
}
