//! An app: one Argo CD Application's worth of objects.

use std::collections::BTreeMap;

use k8s_openapi::Resource;
use serde::Serialize;

use super::error::ModuleError;
use super::object::{Object, ScopeKind};

/// Sync waves of the Applications in the app-of-apps, and of objects within an app. Lower
/// waves are applied (and, with Argo CD's Application health check, healthy) before higher ones.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Wave {
    /// CustomResourceDefinitions: before any custom resource of their kinds.
    Crds,
    /// Operators that reconcile custom resources.
    Operators,
    /// Storage the backends keep their data in (Garage).
    Storage,
    /// One-off setup of that storage (buckets, keys): after storage, before its users.
    StorageSetup,
    /// Backends that store telemetry (Loki, Tempo, Prometheus, Alertmanager).
    Backends,
    /// The pipeline that feeds the backends (the collector).
    Pipeline,
    /// User-facing frontends (Grafana).
    Frontends,
    /// Monitors and rules about everything above.
    Monitoring,
}

impl Wave {
    /// The value of the `argocd.argoproj.io/sync-wave` annotation.
    pub fn number(self) -> i32 {
        match self {
            Wave::Crds => -20,
            Wave::Operators => -10,
            Wave::Storage => 0,
            Wave::StorageSetup => 5,
            Wave::Backends => 10,
            Wave::Pipeline => 20,
            Wave::Frontends => 30,
            Wave::Monitoring => 40,
        }
    }
}

/// The pod-security level enforced on an app's namespace.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum PodSecurity {
    Restricted,
    Baseline,
    /// For host-level agents such as node-exporter; document why where it is used.
    Privileged,
}

impl PodSecurity {
    pub fn as_str(self) -> &'static str {
        match self {
            PodSecurity::Restricted => "restricted",
            PodSecurity::Baseline => "baseline",
            PodSecurity::Privileged => "privileged",
        }
    }
}

/// An API group and kind, as Argo CD AppProject whitelists name them.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct GroupKind {
    pub group: String,
    pub kind: String,
    pub namespaced: bool,
}

/// Where an Application's manifests come from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    /// The objects of the app, rendered into `generated/<env>/<app>/`.
    Rendered,
    /// Manifests taken from an upstream repository at a pinned revision (CRDs that cannot be
    /// written by hand). `kinds` lists what it installs, for the AppProject's whitelists.
    Upstream { repo_url: String, revision: String, path: String, include: Option<String>, kinds: Vec<GroupKind> },
}

/// One Argo CD Application's worth of objects.
#[derive(Debug, Clone)]
pub struct App {
    /// The key of the module that renders the app, named in its errors.
    pub module: &'static str,
    /// The Application's name and the folder under `generated/<env>/`.
    pub name: String,
    /// The destination namespace.
    pub namespace: String,
    pub wave: Wave,
    pub source: Source,
    pub objects: Vec<Object>,
    pub pod_security: PodSecurity,
    /// Sync with server-side apply, for objects too large for the last-applied annotation.
    /// The engine also turns it on by itself for any app whose objects need it.
    pub server_side_apply: bool,
    /// Whether the app creates its namespace and sets its pod-security labels. Off for apps
    /// that deploy into a namespace another installation owns (Istio's root namespace).
    pub manage_namespace: bool,
    /// Files that are not Kubernetes objects (a build manifest, say), by file name. They are
    /// written to `generated/<env>/build/<app>/`, outside every Application's path, so Argo CD
    /// never tries to apply them.
    pub build_files: BTreeMap<String, String>,
}

impl App {
    /// An empty app of rendered objects, restricted pod security, owned by the engine.
    pub fn new(name: impl Into<String>, namespace: impl Into<String>, wave: Wave) -> Self {
        App::owned("oxidy", name, namespace, wave)
    }

    /// An empty app that module `module` renders.
    pub fn owned(module: &'static str, name: impl Into<String>, namespace: impl Into<String>, wave: Wave) -> Self {
        App {
            module,
            name: name.into(),
            namespace: namespace.into(),
            wave,
            source: Source::Rendered,
            objects: Vec::new(),
            pod_security: PodSecurity::Restricted,
            server_side_apply: false,
            manage_namespace: true,
            build_files: BTreeMap::new(),
        }
    }

    /// Adds a typed object; an object that cannot be a manifest is an error naming the module.
    pub fn push<K>(&mut self, resource: K) -> Result<&mut Self, ModuleError>
    where
        K: Resource + Serialize,
        K::Scope: ScopeKind,
    {
        let object = Object::new(&resource).map_err(|source| ModuleError::Object { module: self.module, source })?;
        self.objects.push(object);
        Ok(self)
    }
}
