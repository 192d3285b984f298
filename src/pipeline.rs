//! From an env file to the files of its tree, in memory:
//!
//! ```text
//! read → parse (typed options) → declare (links) → context → render (platform apps)
//!      → charts (checked; vendored ones through `helm template`, all at once)
//!      → own apps (manifests, objects, charts, verbatim) → one owner per object → finish objects
//!      → app-of-apps → layout (paths and YAML)
//! ```

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;
use std::sync::Arc;

use oxidy_modules::contract::{
    App, Dashboard, Declarations, DnsLabel, Endpoint, EnvInfo, GitSource, Link, ModuleError, Object, Pos, ProjectFile,
    Stack, Use,
};

use crate::apps::{self, OwnApps};
use crate::argocd::{self, ROOT_APP, Target};
use crate::envfile::Cluster;
use crate::envfile::{self, EnvFile};
use crate::error::{Diagnostic, Error};
use crate::input::Limit;
use crate::layout::{self, BUILD_DIR, Layout};
use crate::overrides;
use crate::policy;
use crate::project::Project;

/// An environment read and type-checked.
pub struct LoadedEnv<S> {
    pub name: String,
    /// The project (repository) root, which manifests named in the env file must stay inside.
    pub root: PathBuf,
    /// The env file, relative to the project root.
    pub file: PathBuf,
    pub text: String,
    pub spec: EnvFile<S>,
}

/// An environment rendered in memory.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct RenderedEnv {
    pub name: String,
    /// Relative to the project root.
    pub output_root: PathBuf,
    pub layout: Layout,
    /// The Application and AppProject names it creates in its Argo CD.
    pub argocd: ArgoCdNames,
    /// Its apps, for `oxidy list`.
    pub apps: Vec<crate::inventory::AppSummary>,
}

/// What an environment creates in Argo CD's namespace, for the check that environments
/// sharing one Argo CD do not overwrite each other.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct ArgoCdNames {
    pub env: String,
    /// The env file, relative to the project root.
    pub file: PathBuf,
    /// The Argo CD instance: the cluster it runs in and its namespace.
    pub instance: (Cluster, String),
    /// `Application <name>` and `AppProject <name>`.
    pub names: Vec<String>,
}

/// Reads and type-checks one environment.
pub fn load<S: Stack>(project: &Project, name: &str) -> Result<LoadedEnv<S>, Error> {
    let file = project.env_file(name);
    let text = project.read(&file, Limit::EnvFile)?;
    let spec = envfile::parse::<S>(&file, &text).map_err(Error::Invalid)?;
    Ok(LoadedEnv { name: name.into(), root: project.root.clone(), file, text, spec })
}

/// Renders one loaded environment into its files.
pub fn render<S: Stack>(
    env: &LoadedEnv<S>,
    dashboards: &Arc<Vec<Dashboard>>,
    rule_files: &Arc<Vec<ProjectFile>>,
) -> Result<RenderedEnv, Error> {
    let spec = &env.spec;
    let info = env_info(env, dashboards, rule_files);

    let (mut apps, links) = platform_apps(env, &info)?;
    let mut options = crate::component_argocd::options(env, &apps)?;
    let own = own_apps(env, &apps)?;
    apps.extend(own.apps);
    options.extend(own.options);
    // Overrides select objects by namespace: every object names its own from here on.
    for app in &mut apps {
        let namespace = app.namespace.clone();
        app.objects.iter_mut().for_each(|o| o.default_namespace(&namespace));
    }
    overrides::apply(&mut apps, &spec.overrides).map_err(|e| override_errors(env, e))?;
    network_policies(env, &mut apps, &links)?;
    overrides::add_common_metadata(&mut apps, &spec.common_labels, &spec.common_annotations);
    check_apps(env, &apps)?;
    one_owner_per_object(env, &apps, &own.origins)?;
    apps.iter_mut().for_each(finish_objects);
    policy_gate(env, &apps)?;

    let output_root = spec.output_root(&env.name);
    let parts = TargetParts::of(env);
    let target = parts.target(&env.name, &spec.git.repo_url.value);
    let names: Vec<&str> = apps.iter().map(|a| a.name.as_str()).collect();
    let argocd = parts.names(env, &target, &names);
    let root = argocd::app_of_apps(&target, &apps, &options).map_err(|m| env_error(env, m))?;
    apps.push(root);
    let summaries = crate::inventory::summarize(&apps, &options);

    let bootstrap = argocd::bootstrap(&target).map_err(|m| env_error(env, m))?;
    let extra = extra_files(env, &apps)?;
    let mut layout = layout::layout(&env.name, &env.file, &apps, &bootstrap, &own.verbatim)?;
    layout.files.extend(extra);
    Ok(RenderedEnv { name: env.name.clone(), output_root, layout, argocd, apps: summaries })
}

/// The Argo CD names of an environment that is not being rendered, from its env file alone:
/// the platform's apps and its own apps' names, without reading their sources.
pub fn argocd_names<S: Stack>(
    env: &LoadedEnv<S>,
    dashboards: &Arc<Vec<Dashboard>>,
    rule_files: &Arc<Vec<ProjectFile>>,
) -> Result<ArgoCdNames, Error> {
    let (apps, _) = platform_apps(env, &env_info(env, dashboards, rule_files))?;
    let mut names: Vec<&str> = apps.iter().map(|a| a.name.as_str()).collect();
    names.extend(env.spec.apps.keys().map(|k| k.as_str()));
    let parts = TargetParts::of(env);
    let target = parts.target(&env.name, &env.spec.git.repo_url.value);
    Ok(parts.names(env, &target, &names))
}

/// The platform's apps of an environment before overrides, every object in its namespace:
/// what `oxidy explain` matches the targets of `overrides:` against.
pub fn platform_apps_of<S: Stack>(
    env: &LoadedEnv<S>,
    dashboards: &Arc<Vec<Dashboard>>,
    rule_files: &Arc<Vec<ProjectFile>>,
) -> Result<Vec<App>, Error> {
    let (mut apps, _) = platform_apps(env, &env_info(env, dashboards, rule_files))?;
    for app in &mut apps {
        let namespace = app.namespace.clone();
        app.objects.iter_mut().for_each(|o| o.default_namespace(&namespace));
    }
    Ok(apps)
}

fn env_info<S>(env: &LoadedEnv<S>, dashboards: &Arc<Vec<Dashboard>>, rule_files: &Arc<Vec<ProjectFile>>) -> EnvInfo {
    let spec = &env.spec;
    EnvInfo {
        name: env.name.clone(),
        tier: spec.tier,
        namespace: spec.namespace(),
        dashboards: dashboards.clone(),
        git: GitSource {
            repo_url: spec.git.repo_url.value.clone(),
            revision: spec.revision().into(),
            repo_url_pos: spec.git.repo_url.pos,
        },
        rule_files: rule_files.clone(),
    }
}

/// The link graph the modules left in the context while rendering: every use, and the
/// client-facing endpoints.
struct Links {
    uses: Vec<Use>,
    client_endpoints: Vec<(Link, Endpoint)>,
}

/// The platform's apps: options resolved, links declared, every enabled module rendered.
fn platform_apps<S: Stack>(env: &LoadedEnv<S>, info: &EnvInfo) -> Result<(Vec<App>, Links), Error> {
    let resolved = env.spec.components.resolve(info).map_err(|e| module_errors(env, e))?;
    let mut declarations = Declarations::default();
    S::declare(&resolved, &mut declarations);
    let context = declarations.into_context(info.clone()).map_err(|e| module_errors(env, e))?;
    let apps = S::render(&resolved, &context).map_err(|e| module_errors(env, e))?;
    Ok((apps, Links { uses: context.uses(), client_endpoints: context.client_endpoints() }))
}

/// The NetworkPolicies ([`crate::network`]) from the link graph and the rendered workloads,
/// after overrides, so that they select the pods as they will run.
fn network_policies<S>(env: &LoadedEnv<S>, apps: &mut [App], links: &Links) -> Result<(), Error> {
    let settings = env.spec.network.settings(env.spec.tier);
    let own_apps: BTreeSet<String> = env.spec.apps.keys().map(|k| k.to_string()).collect();
    // An app that opts out stays open. One whose chart Argo CD renders is isolated as a whole:
    // oxidy does not see its pods, so they may reach each other, DNS and the telemetry intake.
    let rendered_by_argocd = |spec: &apps::spec::AppSpec| {
        spec.helm
            .as_ref()
            .is_some_and(|h| h.render.as_ref().is_none_or(|r| r.value == apps::chart::ChartRender::Argocd))
    };
    let open_apps: BTreeSet<String> =
        env.spec.apps.iter().filter(|(_, spec)| !spec.network_policies).map(|(k, _)| k.to_string()).collect();
    let unseen_apps: BTreeSet<String> = env
        .spec
        .apps
        .iter()
        .filter(|(_, spec)| spec.network_policies && rendered_by_argocd(spec))
        .map(|(k, _)| k.to_string())
        .collect();
    let input = crate::network::Input {
        uses: &links.uses,
        client_endpoints: &links.client_endpoints,
        settings: &settings,
        open_apps: &open_apps,
        unseen_apps: &unseen_apps,
        own_apps: &own_apps,
    };
    crate::network::add_policies(apps, &input).map_err(|message| {
        Error::Invalid(vec![Diagnostic {
            file: env.file.clone(),
            pos: None,
            key: Some("overrides".into()),
            message,
            help: Some(
                "a Service's selector must match a rendered workload's pods: check the `overrides:` that change either"
                    .into(),
            ),
            source_line: None,
        }])
    })
}

/// The owned values an Argo CD [`Target`] borrows.
struct TargetParts {
    repo_path: String,
    revision: String,
    cluster: Cluster,
    argocd_cluster: Cluster,
    argocd_namespace: String,
    project: String,
    name_suffix: String,
    guards: argocd::ProjectGuards,
}

impl TargetParts {
    fn of<S>(env: &LoadedEnv<S>) -> Self {
        let spec = &env.spec;
        let output_root = spec.output_root(&env.name);
        TargetParts {
            repo_path: output_root.components().map(|c| c.as_os_str().to_string_lossy()).collect::<Vec<_>>().join("/"),
            revision: spec.revision().to_owned(),
            cluster: spec.cluster(),
            argocd_cluster: spec.argocd_cluster(),
            argocd_namespace: spec.argocd_namespace(),
            project: spec.project(&env.name),
            name_suffix: spec.name_suffix(&env.name),
            guards: argocd::ProjectGuards {
                sync_windows: spec.argocd.sync_windows.clone(),
                signature_keys: spec.argocd.signature_keys.iter().map(|k| k.value.clone()).collect(),
            },
        }
    }

    fn target<'a>(&'a self, env: &'a str, repo_url: &'a str) -> Target<'a> {
        Target {
            env,
            repo_url,
            revision: &self.revision,
            output_root: &self.repo_path,
            cluster: &self.cluster,
            argocd_cluster: &self.argocd_cluster,
            argocd_namespace: &self.argocd_namespace,
            project: &self.project,
            name_suffix: &self.name_suffix,
            guards: &self.guards,
        }
    }

    fn names<S>(&self, env: &LoadedEnv<S>, target: &Target, apps: &[&str]) -> ArgoCdNames {
        ArgoCdNames {
            env: env.name.clone(),
            file: env.file.clone(),
            instance: (self.argocd_cluster.clone(), self.argocd_namespace.clone()),
            names: argocd::argocd_names(target, apps),
        }
    }
}

/// The policy gate ([`crate::policy`]): every finding fails the render, naming the file each
/// object would be written to.
fn policy_gate<S>(env: &LoadedEnv<S>, apps: &[App]) -> Result<(), Error> {
    let strictness = policy::Strictness { no_secrets: env.spec.tier != oxidy_modules::contract::Tier::Local };
    let findings = policy::check(apps, strictness);
    if findings.is_empty() {
        return Ok(());
    }
    let root = env.spec.output_root(&env.name);
    let lines = findings
        .iter()
        .map(|f| {
            let file = root.join(layout::object_path(&f.app, &f.kind, &f.name));
            format!("{}: {}: {}: {}", file.display(), f.object, f.rule, f.message)
        })
        .collect();
    Err(Error::Policy { env: env.name.clone(), file: env.file.clone(), findings: lines })
}

/// The env file's extra files by path in the output root: plain relative paths outside every
/// app's folder.
fn extra_files<S>(env: &LoadedEnv<S>, apps: &[App]) -> Result<BTreeMap<PathBuf, String>, Error> {
    let names: Vec<&str> = apps.iter().map(|a| a.name.as_str()).collect();
    let mut files = BTreeMap::new();
    let mut problems = Vec::new();
    for (path, text) in &env.spec.extra_files {
        match layout::extra_file_path(path, &names) {
            Ok(p) => {
                files.insert(p, text.clone());
            }
            Err(message) => {
                let line = env_line(env, &format!("/extraFiles/{}", path.replace('~', "~0").replace('/', "~1")));
                let help = Some("name a file such as `README.md` or `docs/owners.md`".into());
                problems.push(apps::diagnostic(
                    &env.file,
                    &env.text,
                    line,
                    Some(format!("extraFiles.{path}")),
                    message,
                    help,
                ));
            }
        }
    }
    if problems.is_empty() { Ok(files) } else { Err(Error::Invalid(problems)) }
}

/// A project without a `dashboards/` folder renders no dashboard at all; with a component on
/// that shows them (Grafana), that is taken for a mistake (a checkout of the wrong folder, a
/// rename) rather than an empty list: an error naming each env file and the key that turns
/// the component on. An empty folder means no dashboards, on purpose.
pub fn check_dashboards_folder<S: Stack>(project_root: &std::path::Path, envs: &[LoadedEnv<S>]) -> Result<(), Error> {
    let folder = crate::dashboards::DASHBOARD_DIR;
    if project_root.join(folder).is_dir() {
        return Ok(());
    }
    let mut problems = Vec::new();
    for env in envs {
        for key in env.spec.components.dashboard_readers() {
            let line = env_line(env, &format!("/components/{key}/enabled"));
            problems.push(apps::diagnostic(
                &env.file,
                &env.text,
                line,
                Some(format!("components.{key}.enabled")),
                format!(
                    "`{key}` is on (true unless set to false) and shows the project's dashboards, but the \
                     project has no `{folder}/` folder"
                ),
                Some(format!(
                    "create `{folder}/` with the dashboards to ship (`{folder}/.gitkeep` keeps an empty one in git), \
                     or set `components.{key}.enabled: false`"
                )),
            ));
        }
    }
    if problems.is_empty() { Ok(()) } else { Err(Error::Invalid(problems)) }
}

/// The line of `pointer` in the env file.
fn env_line<S>(env: &LoadedEnv<S>, pointer: &str) -> u64 {
    apps::document::parse(&env.text).ok().and_then(|d| d.into_iter().next()).map_or(0, |d| d.line_of(pointer))
}

fn override_errors<S>(env: &LoadedEnv<S>, errors: Vec<overrides::OverrideError>) -> Error {
    Error::Invalid(
        errors
            .into_iter()
            .map(|e| {
                let key = Some("overrides".to_owned());
                apps::diagnostic(&env.file, &env.text, e.line.unwrap_or(0), key, e.message, e.help)
            })
            .collect(),
    )
}

/// The env file's own apps, read and checked against the platform's.
fn own_apps<S>(env: &LoadedEnv<S>, platform: &[App]) -> Result<OwnApps, Error> {
    let platform_apps: Vec<String> = platform.iter().map(|a| a.name.clone()).collect();
    let cluster_scoped = cluster_scoped_kinds(platform.iter().flat_map(|a| &a.objects));
    let input = apps::Input {
        root: &env.root,
        env_file: &env.file,
        env_text: &env.text,
        apps: &env.spec.apps,
        platform_apps: &platform_apps,
        cluster_scoped: &cluster_scoped,
    };
    // Charts first: each vendored one is rendered once, by one helm process, all at once.
    let (mut charts, pending, mut problems) = apps::chart::prepare(&input);
    let api_versions = custom_api_versions(platform.iter().flat_map(|a| &a.objects));
    problems.extend(apps::chart::render_local(&input, pending, &api_versions, &mut charts));
    let mut own = match apps::build(&input, &charts) {
        Ok(own) if problems.is_empty() => own,
        Ok(_) => return Err(Error::Invalid(problems)),
        Err(more) => return Err(Error::Invalid(problems.into_iter().chain(more).collect())),
    };
    // CRDs shipped by own apps decide the scope of their kinds too: read again with them.
    let more = cluster_scoped_kinds(own.apps.iter().flat_map(|a| &a.objects));
    if !more.is_subset(&cluster_scoped) {
        let all: BTreeSet<_> = cluster_scoped.union(&more).cloned().collect();
        own = apps::build(&apps::Input { cluster_scoped: &all, ..input }, &charts).map_err(Error::Invalid)?;
    }
    Ok(own)
}

/// `(group, kind)` of every cluster-scoped kind that a CustomResourceDefinition among
/// `objects` defines.
fn cluster_scoped_kinds<'a>(objects: impl Iterator<Item = &'a Object>) -> BTreeSet<(String, String)> {
    objects
        .filter(|o| o.kind() == "CustomResourceDefinition")
        .filter(|o| o.body().pointer("/spec/scope").and_then(|s| s.as_str()) == Some("Cluster"))
        .filter_map(|o| {
            let group = o.body().pointer("/spec/group")?.as_str()?;
            let kind = o.body().pointer("/spec/names/kind")?.as_str()?;
            Some((group.to_owned(), kind.to_owned()))
        })
        .collect()
}

/// The custom resource API versions the cluster serves, as far as the environment shows: those
/// of the platform's custom resources and of the CRDs it installs, each as `group/version` and
/// `group/version/Kind`, for charts that ask `.Capabilities.APIVersions.Has`.
fn custom_api_versions<'a>(objects: impl Iterator<Item = &'a Object>) -> Vec<String> {
    let mut versions = BTreeSet::new();
    for object in objects {
        let api_version = object.body().get("apiVersion").and_then(|v| v.as_str()).unwrap_or_default();
        if !is_builtin_group(object.group()) {
            versions.insert(api_version.to_owned());
            versions.insert(format!("{api_version}/{}", object.kind()));
        }
        if object.kind() == "CustomResourceDefinition" {
            let body = object.body();
            let group = body.pointer("/spec/group").and_then(|g| g.as_str()).unwrap_or_default();
            let kind = body.pointer("/spec/names/kind").and_then(|k| k.as_str()).unwrap_or_default();
            let served = body.pointer("/spec/versions").and_then(|v| v.as_array()).into_iter().flatten();
            for version in served.filter(|v| v["served"] != false).filter_map(|v| v["name"].as_str()) {
                versions.insert(format!("{group}/{version}"));
                versions.insert(format!("{group}/{version}/{kind}"));
            }
        }
    }
    versions.into_iter().collect()
}

/// One object, one owner: two apps (or one app twice) deploying the same object would fight
/// over it in the cluster.
fn one_owner_per_object<S>(
    env: &LoadedEnv<S>,
    apps: &[App],
    origins: &BTreeMap<String, apps::Origin>,
) -> Result<(), Error> {
    let mut owners: BTreeMap<String, &str> = BTreeMap::new();
    let from = |app: &str, id: &str| match origins.get(&apps::origin_key(app, id)) {
        Some(origin) => format!("app `{app}` ({origin})"),
        None => format!("the platform's app `{app}`"),
    };
    for app in apps {
        for object in &app.objects {
            let mut object = object.clone();
            object.default_namespace(&app.namespace);
            let id = apps::identity(&object);
            if let Some(first) = owners.insert(id.clone(), &app.name) {
                let message = format!(
                    "{} is deployed by {} and by {}: one object has one owner",
                    object.describe(),
                    from(first, &id),
                    from(&app.name, &id)
                );
                let mut d = apps::diagnostic(&env.file, "", 0, None, message, None);
                d.help = Some("remove it from one of the apps".into());
                return Err(Error::Invalid(vec![d]));
            }
        }
    }
    Ok(())
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
                // A value the env file does not set came from the tier: point at `tier:`.
                let (pos, message) = match &e {
                    ModuleError::Option { message, pos: None, .. } => match tier_pos(&env.text) {
                        Some(tier) => (Some(tier), format!("{message} (the tier's default)")),
                        None => (None, message.clone()),
                    },
                    ModuleError::Option { message, .. } => (e.pos(), message.clone()),
                    other => (e.pos(), other.to_string()),
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

/// Where the env file's top-level `tier:` value is written.
fn tier_pos(text: &str) -> Option<Pos> {
    text.lines().enumerate().find_map(|(i, line)| {
        let rest = line.strip_prefix("tier:")?;
        let column = line.len() - rest.trim_start().len() + 1;
        Some(Pos { line: i as u64 + 1, column: column as u64 })
    })
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
