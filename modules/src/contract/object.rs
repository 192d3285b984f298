//! A Kubernetes object on its way to a file: typed when built, a JSON tree once accepted.

use k8s_openapi::{ClusterResourceScope, NamespaceResourceScope, Resource};
use serde::Serialize;
use serde_json::Value;
use thiserror::Error;

/// Why a value could not become an [`Object`].
#[derive(Debug, Error, Clone, PartialEq, Eq)]
#[error("{0}")]
pub struct ObjectError(pub String);

/// Whether a k8s-openapi scope type is namespaced.
pub trait ScopeKind {
    const NAMESPACED: bool;
}
impl ScopeKind for NamespaceResourceScope {
    const NAMESPACED: bool = true;
}
impl ScopeKind for ClusterResourceScope {
    const NAMESPACED: bool = false;
}

/// One Kubernetes object, with its identity read once so layout and checks need not dig.
#[derive(Debug, Clone, PartialEq)]
pub struct Object {
    api_version: String,
    kind: String,
    name: String,
    namespaced: bool,
    body: Value,
}

impl Object {
    /// Serializes a typed resource (k8s-openapi's, or one of the contract's CRD types).
    pub fn new<K>(resource: &K) -> Result<Self, ObjectError>
    where
        K: Resource + Serialize,
        K::Scope: ScopeKind,
    {
        let mut body =
            serde_json::to_value(resource).map_err(|e| ObjectError(format!("{} does not serialize: {e}", K::KIND)))?;
        // k8s-openapi writes apiVersion/kind itself; the contract's CRD types may not.
        if let Value::Object(map) = &mut body {
            map.insert("apiVersion".into(), Value::String(K::API_VERSION.into()));
            map.insert("kind".into(), Value::String(K::KIND.into()));
        }
        Self::from_value(body, K::Scope::NAMESPACED)
    }

    /// Accepts an untyped object; it must have apiVersion, kind and metadata.name.
    pub fn from_value(body: Value, namespaced: bool) -> Result<Self, ObjectError> {
        let text = |v: &Value, path: &[&str]| {
            path.iter().try_fold(v, |v, k| v.get(k)).and_then(Value::as_str).map(str::to_owned)
        };
        let api_version =
            text(&body, &["apiVersion"]).ok_or_else(|| ObjectError("object without apiVersion".into()))?;
        let kind = text(&body, &["kind"]).ok_or_else(|| ObjectError(format!("{api_version} object without kind")))?;
        let name =
            text(&body, &["metadata", "name"]).ok_or_else(|| ObjectError(format!("{kind} without metadata.name")))?;
        Ok(Object { api_version, kind, name, namespaced, body })
    }

    pub fn api_version(&self) -> &str {
        &self.api_version
    }
    pub fn kind(&self) -> &str {
        &self.kind
    }
    pub fn name(&self) -> &str {
        &self.name
    }
    pub fn namespaced(&self) -> bool {
        self.namespaced
    }
    /// The API group: the part of apiVersion before `/`, empty for the core group.
    pub fn group(&self) -> &str {
        self.api_version.rsplit_once('/').map(|(g, _)| g).unwrap_or("")
    }
    pub fn namespace(&self) -> Option<&str> {
        self.body.pointer("/metadata/namespace").and_then(Value::as_str)
    }
    pub fn body(&self) -> &Value {
        &self.body
    }

    /// Sets `metadata.namespace` if the object is namespaced and has none.
    pub fn default_namespace(&mut self, namespace: &str) {
        if !self.namespaced || self.namespace().is_some() {
            return;
        }
        if let Some(Value::Object(meta)) = self.body.get_mut("metadata") {
            meta.insert("namespace".into(), Value::String(namespace.into()));
        }
    }

    /// Adds a metadata annotation (or label, with `field = "labels"`) unless already set.
    pub fn add_metadata(&mut self, field: &str, key: &str, value: &str) {
        if let Some(Value::Object(meta)) = self.body.get_mut("metadata") {
            let entry = meta.entry(field).or_insert_with(|| Value::Object(Default::default()));
            if let Value::Object(map) = entry {
                map.entry(key).or_insert_with(|| Value::String(value.into()));
            }
        }
    }

    /// `kind/namespace/name`, for messages.
    pub fn describe(&self) -> String {
        match self.namespace() {
            Some(ns) => format!("{}/{}/{}", self.kind, ns, self.name),
            None => format!("{}/{}", self.kind, self.name),
        }
    }
}
