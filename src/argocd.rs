//! Argo CD's Application and AppProject, typed, and how an environment's apps become them.
//! The types model the fields oxidy writes, named and typed as Argo CD's CRDs (v3.5) have
//! them; they read leniently (every field defaults, unknown fields are ignored), so an own
//! app's Application is checked for the types of the modelled fields only.
//!
//! The app-of-apps is an ordinary app (`apps`) whose objects are the Applications and
//! AppProjects; its own Application is among them, so it manages itself once applied.

use std::collections::{BTreeMap, BTreeSet};

use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
use k8s_openapi::{NamespaceResourceScope, Resource};
use serde::{Deserialize, Serialize};

use oxidy_modules::contract::{App, GroupKind, Object, PodSecurity, Source, Wave};

use crate::apps::spec::{ArgoSettings, IgnoreDifference};
use crate::envfile::{Cluster, SyncWindow};

/// The pod-security standards' version namespaces are labelled with: that of the Kubernetes API
/// the objects are typed against (k8s-openapi's `v1_33`).
pub const POD_SECURITY_VERSION: &str = "v1.33";

/// The name of the app-of-apps, and of its folder.
pub const ROOT_APP: &str = "apps";
const SYNC_WAVE: &str = "argocd.argoproj.io/sync-wave";
/// Objects larger than this cannot carry kubectl's last-applied annotation (256 KiB) and must
/// be applied server-side.
const CLIENT_SIDE_APPLY_LIMIT: usize = 200 * 1024;

macro_rules! argo_resource {
    ($ty:ident, $kind:literal, $plural:literal) => {
        impl Resource for $ty {
            const API_VERSION: &'static str = "argoproj.io/v1alpha1";
            const GROUP: &'static str = "argoproj.io";
            const KIND: &'static str = $kind;
            const VERSION: &'static str = "v1alpha1";
            const URL_PATH_SEGMENT: &'static str = $plural;
            type Scope = NamespaceResourceScope;
        }
    };
}

#[derive(Serialize, Deserialize, Default)]
#[serde(default)]
pub struct Application {
    metadata: ObjectMeta,
    spec: ApplicationSpec,
}
argo_resource!(Application, "Application", "applications");

#[derive(Serialize, Deserialize, Default)]
#[serde(default)]
#[serde(rename_all = "camelCase")]
struct ApplicationSpec {
    project: String,
    /// One source; an app with a chart Argo CD renders and files of its own has `sources`.
    #[serde(skip_serializing_if = "Option::is_none")]
    source: Option<ApplicationSource>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    sources: Vec<ApplicationSource>,
    destination: Destination,
    sync_policy: SyncPolicy,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    ignore_differences: Vec<IgnoreDifference>,
}

#[derive(Serialize, Deserialize, Default)]
#[serde(default)]
#[serde(rename_all = "camelCase")]
struct ApplicationSource {
    #[serde(rename = "repoURL")]
    repo_url: String,
    target_revision: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    path: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    chart: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    directory: Option<Directory>,
    #[serde(skip_serializing_if = "Option::is_none")]
    helm: Option<HelmParameters>,
}

/// How Argo CD runs `helm template` for a Helm source.
#[derive(Serialize, Deserialize, Default)]
#[serde(default)]
#[serde(rename_all = "camelCase")]
struct HelmParameters {
    release_name: String,
    /// Nothing runs `helm test` in GitOps; oxidy leaves test hooks out of local renders too.
    skip_tests: bool,
    #[serde(skip_serializing_if = "serde_json::Map::is_empty")]
    values_object: serde_json::Map<String, serde_json::Value>,
}

#[derive(Serialize, Deserialize, Default)]
#[serde(default)]
struct Directory {
    include: String,
}

#[derive(Serialize, Deserialize, Default, Clone)]
#[serde(default)]
struct Destination {
    #[serde(skip_serializing_if = "Option::is_none")]
    server: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    name: Option<String>,
    namespace: String,
}

#[derive(Serialize, Deserialize, Default)]
#[serde(default)]
#[serde(rename_all = "camelCase")]
struct SyncPolicy {
    #[serde(skip_serializing_if = "Option::is_none")]
    automated: Option<Automated>,
    sync_options: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    managed_namespace_metadata: Option<ManagedNamespaceMetadata>,
    #[serde(skip_serializing_if = "Option::is_none")]
    retry: Option<Retry>,
}

#[derive(Serialize, Deserialize, Default)]
#[serde(default)]
#[serde(rename_all = "camelCase")]
struct Automated {
    prune: bool,
    self_heal: bool,
}

#[derive(Serialize, Deserialize, Default)]
#[serde(default)]
struct ManagedNamespaceMetadata {
    labels: BTreeMap<String, String>,
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    annotations: BTreeMap<String, String>,
}

#[derive(Serialize, Deserialize, Default)]
#[serde(default)]
struct Retry {
    limit: i64,
    backoff: Backoff,
}

#[derive(Serialize, Deserialize, Default)]
#[serde(default)]
#[serde(rename_all = "camelCase")]
struct Backoff {
    duration: String,
    factor: i64,
    max_duration: String,
}

#[derive(Serialize, Deserialize, Default)]
#[serde(default)]
pub struct AppProject {
    metadata: ObjectMeta,
    spec: AppProjectSpec,
}
argo_resource!(AppProject, "AppProject", "appprojects");

#[derive(Serialize, Deserialize, Default)]
#[serde(default)]
#[serde(rename_all = "camelCase")]
struct AppProjectSpec {
    description: String,
    source_repos: Vec<String>,
    destinations: Vec<Destination>,
    cluster_resource_whitelist: Vec<Kind>,
    namespace_resource_whitelist: Vec<Kind>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    sync_windows: Vec<serde_json::Value>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    signature_keys: Vec<SignatureKey>,
}

#[derive(Serialize, Deserialize, Default)]
#[serde(rename_all = "camelCase")]
struct SignatureKey {
    #[serde(rename = "keyID")]
    key_id: String,
}

/// What limits when and from which commits an environment's AppProjects sync (`argocd.syncWindows`
/// and `argocd.signatureKeys` in the env file).
#[derive(Debug, Default)]
pub struct ProjectGuards {
    pub sync_windows: Vec<SyncWindow>,
    pub signature_keys: Vec<String>,
}

impl ProjectGuards {
    /// None: any time, any commit.
    pub const NONE: ProjectGuards = ProjectGuards { sync_windows: Vec::new(), signature_keys: Vec::new() };

    /// The sync windows as Argo CD reads them. A window that names neither applications nor
    /// namespaces applies to every Application of the project (Argo CD would match none).
    fn windows(&self) -> Vec<serde_json::Value> {
        self.sync_windows
            .iter()
            .map(|w| {
                let mut value = serde_json::to_value(w).unwrap_or_default();
                if w.applications.is_empty() && w.namespaces.is_empty() {
                    value["applications"] = serde_json::json!(["*"]);
                }
                value
            })
            .collect()
    }

    fn keys(&self) -> Vec<SignatureKey> {
        self.signature_keys.iter().map(|k| SignatureKey { key_id: k.clone() }).collect()
    }
}

#[derive(Serialize, Deserialize, Default, PartialEq, Eq, PartialOrd, Ord, Clone)]
#[serde(default)]
struct Kind {
    group: String,
    kind: String,
    /// Cluster-scoped objects are allowed by name where oxidy renders them, so the project
    /// cannot create any other `ClusterRoleBinding` (to cluster-admin, say).
    #[serde(skip_serializing_if = "Option::is_none")]
    name: Option<String>,
}

/// What the Applications of one environment are built from.
pub struct Target<'a> {
    pub env: &'a str,
    pub repo_url: &'a str,
    pub revision: &'a str,
    /// The output root as a repository path, with `/` separators.
    pub output_root: &'a str,
    /// Where the apps deploy to.
    pub cluster: &'a Cluster,
    /// The cluster Argo CD itself runs in: the app-of-apps and its project go there.
    pub argocd_cluster: &'a Cluster,
    pub argocd_namespace: &'a str,
    pub project: &'a str,
    /// Appended to every Application name (`loki-production`), so that several environments
    /// can share one Argo CD.
    pub name_suffix: &'a str,
    /// Sync windows and signature keys of the environment's AppProjects.
    pub guards: &'a ProjectGuards,
}

impl Target<'_> {
    fn destination(&self, namespace: &str) -> Destination {
        destination(self.cluster, namespace)
    }

    fn root_project(&self) -> String {
        format!("{}-root", self.project)
    }

    /// The Application name of an app (or of the app-of-apps).
    pub fn application_name(&self, app: &str) -> String {
        format!("{app}{}", self.name_suffix)
    }
}

fn destination(cluster: &Cluster, namespace: &str) -> Destination {
    let (server, name) = match cluster {
        Cluster::Server(s) => (Some(s.clone()), None),
        Cluster::Name(n) => (None, Some(n.clone())),
    };
    Destination { server, name, namespace: namespace.into() }
}

/// How Argo CD syncs one app: the env file's settings with oxidy's defaults filled in, and
/// what the engine knows beyond the app's objects.
#[derive(Debug, Clone, Default)]
pub struct AppOptions {
    pub settings: ArgoSettings,
    /// The sync wave when the settings name none; `None`: the app's own wave.
    pub default_wave: Option<i32>,
    pub namespace_labels: BTreeMap<String, String>,
    pub namespace_annotations: BTreeMap<String, String>,
    /// Kinds the app deploys that are not among its objects (verbatim files, a chart Argo CD
    /// renders).
    pub extra_kinds: Vec<GroupKind>,
    /// Whether the app's folder holds verbatim files.
    pub verbatim_files: bool,
    /// A chart Argo CD renders for the app.
    pub chart: Option<ChartSource>,
}

/// A chart Argo CD pulls from its repository and renders: the Application's Helm source.
#[derive(Debug, Clone, Default)]
pub struct ChartSource {
    pub repo_url: String,
    pub chart: String,
    /// Exact: checked when the env file is read.
    pub version: String,
    pub release_name: String,
    /// The values files merged in order, then the env file's values.
    pub values: serde_json::Map<String, serde_json::Value>,
}

impl ChartSource {
    fn source(&self) -> ApplicationSource {
        ApplicationSource {
            repo_url: self.repo_url.clone(),
            target_revision: self.version.clone(),
            path: None,
            chart: Some(self.chart.clone()),
            directory: None,
            helm: Some(HelmParameters {
                release_name: self.release_name.clone(),
                skip_tests: true,
                values_object: self.values.clone(),
            }),
        }
    }
}

impl AppOptions {
    pub fn from_settings(settings: &ArgoSettings, default_wave: i32) -> Self {
        AppOptions { settings: settings.clone(), default_wave: Some(default_wave), ..Default::default() }
    }
}

/// Builds the app-of-apps for `apps`: an Application per app, one for itself, and the
/// children's AppProject (so no child may edit Applications). The root's own AppProject is not
/// among them: an app that syncs its own project could widen it. It lives in
/// [`bootstrap`] only, applied by hand.
pub fn app_of_apps(target: &Target, apps: &[App], options: &BTreeMap<String, AppOptions>) -> Result<App, String> {
    let mut root = App::new(ROOT_APP, target.argocd_namespace, Wave::Crds);
    let none = AppOptions::default();
    for app in apps {
        push(&mut root, application(target, app, options.get(&app.name).unwrap_or(&none)))?;
    }
    push(&mut root, root_application(target))?;
    push(&mut root, child_project(target, apps, options))?;
    Ok(root)
}

/// The two objects a cluster needs before Argo CD can take over: the root's project and the
/// root Application, as one `v1` List so that bootstrap is one `kubectl apply -f`. The
/// Application is also in the app-of-apps, which manages it from git from then on; the project
/// is here only, outside every synced folder, and changes by `kubectl apply` alone.
pub fn bootstrap(target: &Target) -> Result<serde_json::Value, String> {
    let project = Object::new(&root_project(target)).map_err(|e| e.0)?;
    let application = Object::new(&root_application(target)).map_err(|e| e.0)?;
    Ok(serde_json::json!({
        "apiVersion": "v1",
        "kind": "List",
        "items": [project.body(), application.body()],
    }))
}

fn push<K: Resource<Scope = NamespaceResourceScope> + Serialize>(root: &mut App, resource: K) -> Result<(), String> {
    root.objects.push(Object::new(&resource).map_err(|e| e.0)?);
    Ok(())
}

fn meta(
    name: &str,
    namespace: &str,
    labels: BTreeMap<String, String>,
    annotations: BTreeMap<String, String>,
    finalizers: Option<Vec<String>>,
) -> ObjectMeta {
    ObjectMeta {
        name: Some(name.into()),
        namespace: Some(namespace.into()),
        labels: (!labels.is_empty()).then_some(labels),
        annotations: (!annotations.is_empty()).then_some(annotations),
        finalizers,
        ..Default::default()
    }
}

fn default_retry() -> Retry {
    Retry { limit: 5, backoff: Backoff { duration: "5s".into(), factor: 2, max_duration: "3m".into() } }
}

/// The retry policy: oxidy's defaults with the env file's values over them; a limit of 0
/// turns retrying off.
fn retry(settings: &ArgoSettings) -> Option<Retry> {
    let mut retry = default_retry();
    if let Some(r) = &settings.sync_policy.retry {
        retry.limit = r.limit.map_or(retry.limit, i64::from);
        let b = &r.backoff;
        retry.backoff.duration = b.duration.as_ref().map_or(retry.backoff.duration, |d| d.value.clone());
        retry.backoff.factor = b.factor.map_or(retry.backoff.factor, i64::from);
        retry.backoff.max_duration = b.max_duration.as_ref().map_or(retry.backoff.max_duration, |d| d.value.clone());
    }
    (retry.limit > 0).then_some(retry)
}

/// Whether an app must be applied server-side: asked for, installs CRDs, or holds an object
/// too large for client-side apply.
fn needs_server_side_apply(app: &App) -> bool {
    let has_crds = |kinds: &[GroupKind]| kinds.iter().any(|k| k.kind == "CustomResourceDefinition");
    app.server_side_apply
        || matches!(&app.source, Source::Upstream { kinds, .. } if has_crds(kinds))
        || app
            .objects
            .iter()
            .any(|o| o.kind() == "CustomResourceDefinition" || json_longer_than(o.body(), CLIENT_SIDE_APPLY_LIMIT))
}

/// Whether `value` printed as compact JSON (as `kubectl apply` stores it in its annotation)
/// is longer than `limit` bytes: counted as it is printed, without keeping the text, and
/// given up as soon as the limit is passed.
fn json_longer_than(value: &serde_json::Value, limit: usize) -> bool {
    struct Budget(usize);
    impl std::io::Write for Budget {
        fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
            self.0 = self.0.checked_sub(bytes.len()).ok_or(std::io::ErrorKind::FileTooLarge)?;
            Ok(bytes.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }
    // Printing a `Value` fails only when the writer does, that is, past the limit.
    serde_json::to_writer(Budget(limit), value).is_err()
}

/// oxidy's sync options for the app, then the env file's: one of the same name replaces
/// oxidy's.
fn sync_options(app: &App, settings: &ArgoSettings) -> Vec<String> {
    let mut options = Vec::new();
    if app.manage_namespace {
        options.push("CreateNamespace=true".to_owned());
    }
    options.push("PruneLast=true".to_owned());
    if needs_server_side_apply(app) {
        options.push("ServerSideApply=true".into());
    }
    let name = |o: &str| o.split_once('=').map_or(o, |(k, _)| k).to_owned();
    for extra in &settings.sync_options {
        let key = name(&extra.value);
        match options.iter_mut().find(|o| name(o) == key) {
            Some(existing) => *existing = extra.value.clone(),
            None => options.push(extra.value.clone()),
        }
    }
    options
}

/// The sync wave of an app's Application: its env file setting, else the engine's default for
/// it, else its module's.
pub fn sync_wave(app: &App, options: &AppOptions) -> i32 {
    options.settings.sync_wave.as_ref().map(|w| w.value).or(options.default_wave).unwrap_or(app.wave.number())
}

fn application(target: &Target, app: &App, options: &AppOptions) -> Application {
    let settings = &options.settings;
    let source = match &app.source {
        Source::Rendered => ApplicationSource {
            repo_url: target.repo_url.into(),
            target_revision: target.revision.into(),
            path: Some(format!("{}/{}", target.output_root, app.name)),
            chart: None,
            directory: None,
            helm: None,
        },
        Source::Upstream { repo_url, revision, path, include, .. } => ApplicationSource {
            repo_url: repo_url.clone(),
            target_revision: revision.clone(),
            path: Some(path.clone()),
            chart: None,
            directory: include.clone().map(|include| Directory { include }),
            helm: None,
        },
    };
    // A chart Argo CD renders is the Application's source; with files of the app's own beside
    // it, both are, as a multi-source Application.
    let (source, sources) = match &options.chart {
        None => (Some(source), Vec::new()),
        Some(chart) if app.objects.is_empty() && !options.verbatim_files => (Some(chart.source()), Vec::new()),
        Some(chart) => (None, vec![chart.source(), source]),
    };
    // Enforced, audited and warned at one level, each pinned to the Kubernetes version the
    // objects are typed against, so a cluster upgrade cannot tighten or loosen it unseen.
    let mut labels = BTreeMap::new();
    for mode in ["enforce", "audit", "warn"] {
        labels.insert(format!("pod-security.kubernetes.io/{mode}"), app.pod_security.as_str().to_owned());
        labels.insert(format!("pod-security.kubernetes.io/{mode}-version"), POD_SECURITY_VERSION.to_owned());
    }
    labels.extend(options.namespace_labels.clone());
    let wave = sync_wave(app, options);
    let mut annotations = settings.annotations.clone();
    annotations.insert(SYNC_WAVE.to_owned(), wave.to_string());
    let policy = &settings.sync_policy;
    Application {
        metadata: meta(
            &target.application_name(&app.name),
            target.argocd_namespace,
            settings.labels.clone(),
            annotations,
            // Deleting an Application deletes what it deployed: removing an app from the
            // environment prunes it from the cluster too.
            settings.finalizer.unwrap_or(true).then(|| vec!["resources-finalizer.argocd.argoproj.io".into()]),
        ),
        spec: ApplicationSpec {
            project: target.project.into(),
            source,
            sources,
            destination: target.destination(&app.namespace),
            sync_policy: SyncPolicy {
                automated: policy.automated.unwrap_or(true).then(|| Automated {
                    prune: policy.prune.unwrap_or(true),
                    self_heal: policy.self_heal.unwrap_or(true),
                }),
                sync_options: sync_options(app, settings),
                managed_namespace_metadata: app
                    .manage_namespace
                    .then(|| ManagedNamespaceMetadata { labels, annotations: options.namespace_annotations.clone() }),
                retry: retry(settings),
            },
            ignore_differences: settings.ignore_differences.clone(),
        },
    }
}

fn root_application(target: &Target) -> Application {
    Application {
        // No finalizer: deleting the root must not cascade into the whole platform.
        metadata: meta(
            &target.application_name(ROOT_APP),
            target.argocd_namespace,
            BTreeMap::new(),
            BTreeMap::new(),
            None,
        ),
        spec: ApplicationSpec {
            project: target.root_project(),
            source: Some(ApplicationSource {
                repo_url: target.repo_url.into(),
                target_revision: target.revision.into(),
                path: Some(format!("{}/{ROOT_APP}", target.output_root)),
                chart: None,
                directory: None,
                helm: None,
            }),
            sources: Vec::new(),
            destination: destination(target.argocd_cluster, target.argocd_namespace),
            sync_policy: SyncPolicy {
                automated: Some(Automated { prune: true, self_heal: true }),
                sync_options: vec!["PruneLast=true".into()],
                managed_namespace_metadata: None,
                retry: Some(default_retry()),
            },
            ignore_differences: Vec::new(),
        },
    }
}

/// The children's project: only the environment's repository (and pinned upstream sources and
/// chart repositories), only the namespaces the apps deploy to, only the kinds they contain.
fn child_project(target: &Target, apps: &[App], options: &BTreeMap<String, AppOptions>) -> AppProject {
    let mut repos = BTreeSet::from([target.repo_url.to_owned()]);
    let mut namespaces = BTreeSet::new();
    let mut cluster_kinds = BTreeSet::new();
    let mut namespaced_kinds = BTreeSet::new();
    for app in apps {
        namespaces.insert(app.namespace.clone());
        if app.manage_namespace {
            let name = Some(app.namespace.clone());
            cluster_kinds.insert(Kind { group: String::new(), kind: "Namespace".into(), name });
        }
        // Kinds Argo CD renders from upstream sources or charts come without names: oxidy
        // does not see those objects.
        let mut add = |group: &str, kind: &str, namespaced: bool, name: Option<&str>| {
            let k = Kind { group: group.into(), kind: kind.into(), name: None };
            if namespaced {
                namespaced_kinds.insert(k)
            } else {
                cluster_kinds.insert(Kind { name: name.map(str::to_owned), ..k })
            };
        };
        for o in &app.objects {
            add(o.group(), o.kind(), o.namespaced(), Some(o.name()));
            if let Some(ns) = o.namespace() {
                namespaces.insert(ns.to_owned());
            }
        }
        if let Source::Upstream { repo_url, kinds, .. } = &app.source {
            repos.insert(repo_url.clone());
            kinds.iter().for_each(|k| add(&k.group, &k.kind, k.namespaced, None));
        }
        if let Some(o) = options.get(&app.name) {
            o.extra_kinds.iter().for_each(|k| add(&k.group, &k.kind, k.namespaced, None));
            repos.extend(o.chart.as_ref().map(|c| c.repo_url.clone()));
        }
    }
    AppProject {
        metadata: meta(target.project, target.argocd_namespace, BTreeMap::new(), BTreeMap::new(), None),
        spec: AppProjectSpec {
            description: format!("oxidy {} environment: only its repository, namespaces and kinds", target.env),
            source_repos: repos.into_iter().collect(),
            destinations: namespaces.iter().map(|ns| target.destination(ns)).collect(),
            cluster_resource_whitelist: cluster_kinds.into_iter().collect(),
            namespace_resource_whitelist: namespaced_kinds.into_iter().collect(),
            sync_windows: target.guards.windows(),
            signature_keys: target.guards.keys(),
        },
    }
}

/// The root's project: Applications and AppProjects in Argo CD's namespace, nothing else.
///
/// `Prune=false`: earlier versions kept this project in the app-of-apps, so on a cluster that
/// upgrades, the root app still tracks the live project and, with automated prune, would delete
/// it once it is gone from git. The annotation, on the live object after `kubectl apply` of
/// the bootstrap file, keeps it; that apply also drops the root app's tracking of it.
fn root_project(target: &Target) -> AppProject {
    let argo = |kind: &str| Kind { group: "argoproj.io".into(), kind: kind.into(), name: None };
    let annotations = BTreeMap::from([("argocd.argoproj.io/sync-options".to_owned(), "Prune=false".to_owned())]);
    AppProject {
        metadata: meta(&target.root_project(), target.argocd_namespace, BTreeMap::new(), annotations, None),
        spec: AppProjectSpec {
            description: format!("oxidy {} app-of-apps: manages the environment's Applications", target.env),
            source_repos: vec![target.repo_url.into()],
            destinations: vec![destination(target.argocd_cluster, target.argocd_namespace)],
            cluster_resource_whitelist: Vec::new(),
            namespace_resource_whitelist: vec![argo("AppProject"), argo("Application")],
            // The app-of-apps syncs the children's Applications at any time (their own windows
            // hold the workloads), but only from signed commits.
            sync_windows: Vec::new(),
            signature_keys: target.guards.keys(),
        },
    }
}

/// The Application and AppProject names an environment creates in Argo CD's namespace, for
/// the check that environments sharing one Argo CD do not overwrite each other.
pub fn argocd_names(target: &Target, apps: &[&str]) -> Vec<String> {
    let mut names: Vec<String> = apps.iter().map(|a| format!("Application {}", target.application_name(a))).collect();
    names.push(format!("Application {}", target.application_name(ROOT_APP)));
    names.push(format!("AppProject {}", target.project));
    names.push(format!("AppProject {}", target.root_project()));
    names
}

/// The pod-security level a namespace gets: the least restrictive any app there asks for
/// would be a silent downgrade, so apps sharing a namespace must agree.
pub fn namespace_levels(apps: &[App]) -> Result<(), String> {
    let mut levels: BTreeMap<&str, (&str, PodSecurity)> = BTreeMap::new();
    for app in apps.iter().filter(|a| a.manage_namespace) {
        match levels.get(app.namespace.as_str()) {
            Some((other, level)) if *level != app.pod_security => {
                return Err(format!(
                    "apps `{other}` ({}) and `{}` ({}) share namespace `{}` but ask for different pod-security levels; give one its own namespace",
                    level.as_str(),
                    app.name,
                    app.pod_security.as_str(),
                    app.namespace
                ));
            }
            _ => {
                levels.insert(&app.namespace, (&app.name, app.pod_security));
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::envfile::IN_CLUSTER;

    static NO_GUARDS: ProjectGuards = ProjectGuards::NONE;

    /// A local environment whose apps and Argo CD share `cluster`.
    fn local_target(cluster: &Cluster) -> Target<'_> {
        Target {
            env: "local",
            repo_url: "https://git.example.com/x.git",
            revision: "main",
            output_root: "generated/local",
            cluster,
            argocd_cluster: cluster,
            argocd_namespace: "argocd",
            project: "oxidy-local",
            name_suffix: "",
            guards: &NO_GUARDS,
        }
    }

    #[test]
    fn apps_in_a_namespace_they_do_not_own_neither_create_nor_label_it() {
        let cluster = Cluster::Server(IN_CLUSTER.into());
        let target = local_target(&cluster);
        let owned = App::new("loki", "observability", Wave::Backends);
        let mut foreign = App::new("istio-tracing", "istio-system", Wave::Monitoring);
        foreign.manage_namespace = false;
        let none = AppOptions::default();
        let spec =
            |app: &App| serde_json::to_value(application(&target, app, &none)).unwrap()["spec"]["syncPolicy"].clone();
        assert_eq!(spec(&owned)["syncOptions"][0], "CreateNamespace=true");
        assert!(spec(&owned)["managedNamespaceMetadata"].is_object());
        assert_eq!(spec(&foreign)["syncOptions"], serde_json::json!(["PruneLast=true"]));
        assert!(spec(&foreign)["managedNamespaceMetadata"].is_null());
    }

    /// The root app cannot change its own project: the project is in the bootstrap file only,
    /// never in the folder the root app syncs, and marked so that an upgrade does not prune it.
    #[test]
    fn the_root_project_is_outside_the_app_of_apps() {
        let cluster = Cluster::Server(IN_CLUSTER.into());
        let target = local_target(&cluster);
        let apps = [App::new("loki", "observability", Wave::Backends)];
        let root = app_of_apps(&target, &apps, &BTreeMap::new()).unwrap();
        let projects: Vec<&str> = root.objects.iter().filter(|o| o.kind() == "AppProject").map(|o| o.name()).collect();
        assert_eq!(projects, ["oxidy-local"], "only the children's project is synced");
        let root_app = root.objects.iter().find(|o| o.name() == "apps").expect("the root Application");
        assert_eq!(root_app.body()["spec"]["project"], "oxidy-local-root");
        assert_eq!(root_app.body()["spec"]["source"]["path"], "generated/local/apps");

        let bootstrap = bootstrap(&target).unwrap();
        let project = &bootstrap["items"][0];
        assert_eq!(
            (project["kind"].as_str(), project["metadata"]["name"].as_str()),
            (Some("AppProject"), Some("oxidy-local-root"))
        );
        assert_eq!(project["metadata"]["annotations"]["argocd.argoproj.io/sync-options"], "Prune=false");
        assert_eq!(bootstrap["items"][1]["metadata"]["name"], "apps");
    }

    #[test]
    fn cluster_scoped_objects_are_allowed_by_name_only() {
        let cluster = Cluster::Server(IN_CLUSTER.into());
        let target = local_target(&cluster);
        let mut app = App::new("metrics", "observability", Wave::Monitoring);
        let binding = serde_json::json!({
            "apiVersion": "rbac.authorization.k8s.io/v1",
            "kind": "ClusterRoleBinding",
            "metadata": {"name": "metrics-reader"},
        });
        app.objects.push(Object::from_value(binding, false).unwrap());
        let project = serde_json::to_value(child_project(&target, &[app], &BTreeMap::new())).unwrap();
        assert_eq!(
            project["spec"]["clusterResourceWhitelist"],
            serde_json::json!([
                {"group": "", "kind": "Namespace", "name": "observability"},
                {"group": "rbac.authorization.k8s.io", "kind": "ClusterRoleBinding", "name": "metrics-reader"},
            ])
        );
    }

    fn settings(yaml: &str) -> ArgoSettings {
        serde_saphyr::from_str(yaml).unwrap()
    }

    #[test]
    fn settings_replace_the_defaults_they_name_and_keep_the_rest() {
        let cluster = Cluster::Name("production".into());
        let argocd = Cluster::Server("https://kubernetes.default.svc".into());
        let target = Target {
            env: "production",
            repo_url: "https://git.example.com/x.git",
            revision: "main",
            output_root: "generated/production",
            cluster: &cluster,
            argocd_cluster: &argocd,
            argocd_namespace: "argocd",
            project: "oxidy-production",
            name_suffix: "-production",
            guards: &NO_GUARDS,
        };
        let app = App::new("shop", "shop", Wave::Monitoring);
        let options = AppOptions::from_settings(
            &settings(
                "syncWave: 7\nsyncPolicy: {automated: false, retry: {limit: 2, backoff: {duration: 10s}}}\n\
                 syncOptions: [PruneLast=false, Replace=true]\nfinalizer: false\nlabels: {team: shop}\n\
                 ignoreDifferences: [{group: apps, kind: Deployment, jsonPointers: [/spec/replicas]}]\n",
            ),
            50,
        );
        let value = serde_json::to_value(application(&target, &app, &options)).unwrap();
        assert_eq!(value["metadata"]["name"], "shop-production");
        assert_eq!(value["metadata"]["annotations"][SYNC_WAVE], "7");
        assert_eq!(value["metadata"]["labels"]["team"], "shop");
        assert!(value["metadata"]["finalizers"].is_null());
        let policy = &value["spec"]["syncPolicy"];
        assert!(policy["automated"].is_null());
        assert_eq!(
            policy["syncOptions"],
            serde_json::json!(["CreateNamespace=true", "PruneLast=false", "Replace=true"])
        );
        assert_eq!(
            policy["retry"],
            serde_json::json!({"limit": 2, "backoff": {"duration": "10s", "factor": 2, "maxDuration": "3m"}})
        );
        assert_eq!(value["spec"]["ignoreDifferences"][0]["jsonPointers"][0], "/spec/replicas");
        assert_eq!(value["spec"]["destination"]["name"], "production");
        let root = serde_json::to_value(root_application(&target)).unwrap();
        assert_eq!(root["metadata"]["name"], "apps-production");
        assert_eq!(root["spec"]["destination"]["server"], "https://kubernetes.default.svc");
    }

    #[test]
    fn json_length_is_counted_up_to_the_limit() {
        let value = serde_json::json!({ "data": "x".repeat(100) });
        let exact = value.to_string().len();
        assert!(!super::json_longer_than(&value, exact));
        assert!(super::json_longer_than(&value, exact - 1));
    }
}
