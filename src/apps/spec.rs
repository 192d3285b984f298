//! What an env file says about its own applications (`apps:`) and the Argo CD settings any
//! Application can carry.

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::Deserialize;

pub use oxidy_modules::contract::argocd::{ArgoSettings, BackoffSpec, IgnoreDifference, RetrySpec, SyncPolicySpec};
use oxidy_modules::contract::{At, DnsLabel, PodSecurity};

use super::document::Document;

/// One application of the environment's own: its namespace, where its objects come from and
/// how Argo CD syncs it.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct AppSpec {
    /// The namespace the app deploys to; namespaced objects that name none are put there.
    pub namespace: DnsLabel,
    /// Whether Argo CD creates the namespace and sets its labels. Default: true.
    #[serde(default = "yes")]
    pub create_namespace: bool,
    /// The pod-security level enforced on the namespace. Default: `restricted`.
    #[serde(default)]
    pub pod_security: PodSecurityLevel,
    /// Extra labels of the namespace.
    #[serde(default)]
    pub namespace_labels: BTreeMap<String, String>,
    /// Extra annotations of the namespace.
    #[serde(default)]
    pub namespace_annotations: BTreeMap<String, String>,
    /// Files or folders of YAML or JSON manifests (`.yaml`, `.yml`, `.json`), relative to the
    /// env file's folder and inside the repository. Several documents per file are allowed.
    #[serde(default)]
    pub manifests: Vec<At<String>>,
    /// Objects written inline.
    #[serde(default)]
    pub objects: Vec<Document>,
    /// Files copied byte for byte into the app's folder (SOPS-encrypted Secrets, say), relative
    /// to the env file's folder. `apiVersion` and `kind` must stay readable.
    #[serde(default)]
    pub verbatim: Vec<At<String>>,
    /// A Helm chart: rendered by Argo CD from its repository, or by oxidy (`render: local`)
    /// from a copy vendored in this repository.
    pub helm: Option<super::chart::HelmSpec>,
    /// How Argo CD syncs the app.
    #[serde(default)]
    pub argocd: ArgoSettings,
    /// Whether the app's namespace gets a default-deny NetworkPolicy and each of its workloads
    /// a policy allowing DNS, its own app's pods and the collector's OTLP ports. Default:
    /// `true`; `false` leaves the namespace open (for an app that brings its own policies). For
    /// an app whose chart Argo CD renders, oxidy does not see the pods: one policy lets all of
    /// them reach each other, DNS and the collector's OTLP ports, and the client namespaces
    /// reach them; a chart that needs more (the API server, other namespaces) opts out.
    #[serde(default = "yes")]
    pub network_policies: bool,
}

fn yes() -> bool {
    true
}

/// The pod-security level of a namespace.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum PodSecurityLevel {
    #[default]
    Restricted,
    Baseline,
    Privileged,
}

impl From<PodSecurityLevel> for PodSecurity {
    fn from(level: PodSecurityLevel) -> Self {
        match level {
            PodSecurityLevel::Restricted => PodSecurity::Restricted,
            PodSecurityLevel::Baseline => PodSecurity::Baseline,
            PodSecurityLevel::Privileged => PodSecurity::Privileged,
        }
    }
}

/// Argo CD's sync options, for checking what an env file asks for.
pub const SYNC_OPTIONS: &[&str] = &[
    "ApplyOutOfSyncOnly",
    "CreateNamespace",
    "Delete",
    "FailOnSharedResource",
    "Prune",
    "PruneLast",
    "PrunePropagationPolicy",
    "Replace",
    "RespectIgnoreDifferences",
    "ServerSideApply",
    "SkipDryRunOnMissingResource",
    "Validate",
];

/// Whether `text` is a Go duration (`300ms`, `5s`, `1m30s`, `2h`).
pub fn is_go_duration(text: &str) -> bool {
    let mut rest = text;
    if rest.is_empty() {
        return false;
    }
    while !rest.is_empty() {
        let digits = rest.find(|c: char| !c.is_ascii_digit() && c != '.').unwrap_or(rest.len());
        if digits == 0 || rest[..digits].parse::<f64>().is_err() {
            return false;
        }
        rest = &rest[digits..];
        let unit = ["ns", "us", "µs", "ms", "s", "m", "h"].iter().find(|u| rest.starts_with(**u));
        // `ms` before `m` and `s`: the longest unit that matches.
        let unit = ["ns", "us", "µs", "ms"].iter().find(|u| rest.starts_with(**u)).or(unit);
        match unit {
            Some(u) => rest = &rest[u.len()..],
            None => return false,
        }
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn go_durations() {
        for ok in ["5s", "1m30s", "300ms", "2h", "1.5h"] {
            assert!(is_go_duration(ok), "{ok}");
        }
        for bad in ["", "5", "s", "5 s", "5d", "m5"] {
            assert!(!is_go_duration(bad), "{bad}");
        }
    }
}
