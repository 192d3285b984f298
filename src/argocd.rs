//! Argo CD's Application and AppProject, typed, and how an environment's apps become them.
//!
//! The app-of-apps is an ordinary app (`apps`) whose objects are the Applications and
//! AppProjects; its own Application is among them, so it manages itself once applied.

use std::collections::{BTreeMap, BTreeSet};

use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
use k8s_openapi::{NamespaceResourceScope, Resource};
use serde::Serialize;

use oxidy_modules::contract::{App, GroupKind, Object, PodSecurity, Source, Wave};

use crate::envfile::Cluster;

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

#[derive(Serialize)]
pub struct Application {
    metadata: ObjectMeta,
    spec: ApplicationSpec,
}
argo_resource!(Application, "Application", "applications");

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ApplicationSpec {
    project: String,
    source: ApplicationSource,
    destination: Destination,
    sync_policy: SyncPolicy,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ApplicationSource {
    #[serde(rename = "repoURL")]
    repo_url: String,
    target_revision: String,
    path: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    directory: Option<Directory>,
}

#[derive(Serialize)]
struct Directory {
    include: String,
}

#[derive(Serialize, Clone)]
struct Destination {
    #[serde(skip_serializing_if = "Option::is_none")]
    server: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    name: Option<String>,
    namespace: String,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SyncPolicy {
    automated: Automated,
    sync_options: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    managed_namespace_metadata: Option<ManagedNamespaceMetadata>,
    retry: Retry,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Automated {
    prune: bool,
    self_heal: bool,
}

#[derive(Serialize)]
struct ManagedNamespaceMetadata {
    labels: BTreeMap<String, String>,
}

#[derive(Serialize)]
struct Retry {
    limit: i64,
    backoff: Backoff,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Backoff {
    duration: String,
    factor: i64,
    max_duration: String,
}

#[derive(Serialize)]
pub struct AppProject {
    metadata: ObjectMeta,
    spec: AppProjectSpec,
}
argo_resource!(AppProject, "AppProject", "appprojects");

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct AppProjectSpec {
    description: String,
    source_repos: Vec<String>,
    destinations: Vec<Destination>,
    cluster_resource_whitelist: Vec<Kind>,
    namespace_resource_whitelist: Vec<Kind>,
}

#[derive(Serialize, PartialEq, Eq, PartialOrd, Ord, Clone)]
struct Kind {
    group: String,
    kind: String,
}

/// What the Applications of one environment are built from.
pub struct Target<'a> {
    pub env: &'a str,
    pub repo_url: &'a str,
    pub revision: &'a str,
    /// The output root as a repository path, with `/` separators.
    pub output_root: &'a str,
    pub cluster: &'a Cluster,
    pub argocd_namespace: &'a str,
    pub project: &'a str,
}

impl Target<'_> {
    fn destination(&self, namespace: &str) -> Destination {
        let (server, name) = match self.cluster {
            Cluster::Server(s) => (Some(s.clone()), None),
            Cluster::Name(n) => (None, Some(n.clone())),
        };
        Destination { server, name, namespace: namespace.into() }
    }

    fn root_project(&self) -> String {
        format!("{}-root", self.project)
    }
}

/// Builds the app-of-apps for `apps`: an Application per app, one for itself, and the two
/// AppProjects (one for the children, one for the root, so no child may edit Applications).
pub fn app_of_apps(target: &Target, apps: &[App]) -> Result<App, String> {
    let mut root = App::new(ROOT_APP, target.argocd_namespace, Wave::Crds);
    for app in apps {
        push(&mut root, application(target, app))?;
    }
    push(&mut root, root_application(target))?;
    push(&mut root, child_project(target, apps))?;
    push(&mut root, root_project(target))?;
    Ok(root)
}

/// The two objects a cluster needs before Argo CD can take over: the root's project and the
/// root Application, as one `v1` List so that bootstrap is one `kubectl apply -f`. They are
/// the same objects the app-of-apps holds, so once synced Argo CD manages them from git.
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
    annotations: BTreeMap<String, String>,
    finalizers: Option<Vec<String>>,
) -> ObjectMeta {
    ObjectMeta {
        name: Some(name.into()),
        namespace: Some(namespace.into()),
        annotations: (!annotations.is_empty()).then_some(annotations),
        finalizers,
        ..Default::default()
    }
}

fn retry() -> Retry {
    Retry { limit: 5, backoff: Backoff { duration: "5s".into(), factor: 2, max_duration: "3m".into() } }
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
            .any(|o| o.kind() == "CustomResourceDefinition" || o.body().to_string().len() > CLIENT_SIDE_APPLY_LIMIT)
}

fn application(target: &Target, app: &App) -> Application {
    let source = match &app.source {
        Source::Rendered => ApplicationSource {
            repo_url: target.repo_url.into(),
            target_revision: target.revision.into(),
            path: format!("{}/{}", target.output_root, app.name),
            directory: None,
        },
        Source::Upstream { repo_url, revision, path, include, .. } => ApplicationSource {
            repo_url: repo_url.clone(),
            target_revision: revision.clone(),
            path: path.clone(),
            directory: include.clone().map(|include| Directory { include }),
        },
    };
    let mut sync_options = Vec::new();
    if app.manage_namespace {
        sync_options.push("CreateNamespace=true".to_owned());
    }
    sync_options.push("PruneLast=true".to_owned());
    if needs_server_side_apply(app) {
        sync_options.push("ServerSideApply=true".into());
    }
    let labels = BTreeMap::from([
        ("pod-security.kubernetes.io/enforce".to_owned(), app.pod_security.as_str().to_owned()),
        ("pod-security.kubernetes.io/warn".to_owned(), app.pod_security.as_str().to_owned()),
    ]);
    Application {
        metadata: meta(
            &app.name,
            target.argocd_namespace,
            BTreeMap::from([(SYNC_WAVE.to_owned(), app.wave.number().to_string())]),
            // Deleting an Application deletes what it deployed: removing an app from the
            // environment prunes it from the cluster too.
            Some(vec!["resources-finalizer.argocd.argoproj.io".into()]),
        ),
        spec: ApplicationSpec {
            project: target.project.into(),
            source,
            destination: target.destination(&app.namespace),
            sync_policy: SyncPolicy {
                automated: Automated { prune: true, self_heal: true },
                sync_options,
                managed_namespace_metadata: app.manage_namespace.then_some(ManagedNamespaceMetadata { labels }),
                retry: retry(),
            },
        },
    }
}

fn root_application(target: &Target) -> Application {
    Application {
        // No finalizer: deleting the root must not cascade into the whole platform.
        metadata: meta(ROOT_APP, target.argocd_namespace, BTreeMap::new(), None),
        spec: ApplicationSpec {
            project: target.root_project(),
            source: ApplicationSource {
                repo_url: target.repo_url.into(),
                target_revision: target.revision.into(),
                path: format!("{}/{ROOT_APP}", target.output_root),
                directory: None,
            },
            destination: target.destination(target.argocd_namespace),
            sync_policy: SyncPolicy {
                automated: Automated { prune: true, self_heal: true },
                sync_options: vec!["PruneLast=true".into()],
                managed_namespace_metadata: None,
                retry: retry(),
            },
        },
    }
}

/// The children's project: only the environment's repository (and pinned upstream sources),
/// only the namespaces the apps deploy to, only the kinds they contain.
fn child_project(target: &Target, apps: &[App]) -> AppProject {
    let mut repos = BTreeSet::from([target.repo_url.to_owned()]);
    let mut namespaces = BTreeSet::new();
    let mut cluster_kinds = BTreeSet::from([Kind { group: String::new(), kind: "Namespace".into() }]);
    let mut namespaced_kinds = BTreeSet::new();
    for app in apps {
        namespaces.insert(app.namespace.clone());
        let mut add = |group: &str, kind: &str, namespaced: bool| {
            let k = Kind { group: group.into(), kind: kind.into() };
            if namespaced {
                namespaced_kinds.insert(k)
            } else {
                cluster_kinds.insert(k)
            };
        };
        for o in &app.objects {
            add(o.group(), o.kind(), o.namespaced());
            if let Some(ns) = o.namespace() {
                namespaces.insert(ns.to_owned());
            }
        }
        if let Source::Upstream { repo_url, kinds, .. } = &app.source {
            repos.insert(repo_url.clone());
            kinds.iter().for_each(|k| add(&k.group, &k.kind, k.namespaced));
        }
    }
    AppProject {
        metadata: meta(target.project, target.argocd_namespace, BTreeMap::new(), None),
        spec: AppProjectSpec {
            description: format!("oxidy {} environment: only its repository, namespaces and kinds", target.env),
            source_repos: repos.into_iter().collect(),
            destinations: namespaces.iter().map(|ns| target.destination(ns)).collect(),
            cluster_resource_whitelist: cluster_kinds.into_iter().collect(),
            namespace_resource_whitelist: namespaced_kinds.into_iter().collect(),
        },
    }
}

/// The root's project: Applications and AppProjects in Argo CD's namespace, nothing else.
fn root_project(target: &Target) -> AppProject {
    let argo = |kind: &str| Kind { group: "argoproj.io".into(), kind: kind.into() };
    AppProject {
        metadata: meta(&target.root_project(), target.argocd_namespace, BTreeMap::new(), None),
        spec: AppProjectSpec {
            description: format!("oxidy {} app-of-apps: manages the environment's Applications", target.env),
            source_repos: vec![target.repo_url.into()],
            destinations: vec![target.destination(target.argocd_namespace)],
            cluster_resource_whitelist: Vec::new(),
            namespace_resource_whitelist: vec![argo("AppProject"), argo("Application")],
        },
    }
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

    #[test]
    fn apps_in_a_namespace_they_do_not_own_neither_create_nor_label_it() {
        let cluster = Cluster::Server("https://kubernetes.default.svc".into());
        let target = Target {
            env: "local",
            repo_url: "https://git.example.com/x.git",
            revision: "main",
            output_root: "generated/local",
            cluster: &cluster,
            argocd_namespace: "argocd",
            project: "oxidy-local",
        };
        let owned = App::new("loki", "observability", Wave::Backends);
        let mut foreign = App::new("istio-tracing", "istio-system", Wave::Monitoring);
        foreign.manage_namespace = false;
        let spec = |app: &App| serde_json::to_value(application(&target, app)).unwrap()["spec"]["syncPolicy"].clone();
        assert_eq!(spec(&owned)["syncOptions"][0], "CreateNamespace=true");
        assert!(spec(&owned)["managedNamespaceMetadata"].is_object());
        assert_eq!(spec(&foreign)["syncOptions"], serde_json::json!(["PruneLast=true"]));
        assert!(spec(&foreign)["managedNamespaceMetadata"].is_null());
    }
}
