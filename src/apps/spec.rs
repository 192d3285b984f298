//! What an env file says about its own applications (`apps:`) and the Argo CD settings any
//! Application can carry.

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::Deserialize;

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

/// Argo CD settings of one Application. Everything unset keeps oxidy's default: automated
/// sync with prune and self-heal, five retries with exponential backoff, the resources
/// finalizer.
#[derive(Debug, Clone, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct ArgoSettings {
    /// The Application's sync wave in the app-of-apps. Default for own apps: 50, after the
    /// platform.
    pub sync_wave: Option<i32>,
    /// Automated sync, pruning, self-healing and retries.
    #[serde(default)]
    pub sync_policy: SyncPolicySpec,
    /// Extra Argo CD sync options, such as `ServerSideApply=true` or `Replace=true`; an
    /// option oxidy sets too is replaced by this value.
    #[serde(default)]
    pub sync_options: Vec<At<String>>,
    /// Differences Argo CD ignores, as in the Application's `spec.ignoreDifferences`.
    #[serde(default)]
    pub ignore_differences: Vec<IgnoreDifference>,
    /// Labels of the Application object.
    #[serde(default)]
    pub labels: BTreeMap<String, String>,
    /// Annotations of the Application object.
    #[serde(default)]
    pub annotations: BTreeMap<String, String>,
    /// Whether deleting the Application deletes what it deployed (Argo CD's resources
    /// finalizer). Default: true.
    pub finalizer: Option<bool>,
}

/// The Application's `syncPolicy`.
#[derive(Debug, Clone, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct SyncPolicySpec {
    /// Sync automatically when git changes. Default: true.
    pub automated: Option<bool>,
    /// Delete objects that left git. Default: true.
    pub prune: Option<bool>,
    /// Undo changes made in the cluster. Default: true.
    pub self_heal: Option<bool>,
    /// Retries of a failed sync.
    pub retry: Option<RetrySpec>,
}

/// Retries of a failed sync.
#[derive(Debug, Clone, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct RetrySpec {
    /// How many times; 0 turns retrying off. Default: 5.
    pub limit: Option<u32>,
    /// The wait between retries.
    #[serde(default)]
    pub backoff: BackoffSpec,
}

/// The wait between retries: `duration`, multiplied by `factor` each time, at most
/// `maxDuration`.
#[derive(Debug, Clone, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct BackoffSpec {
    /// A Go duration such as `5s` or `1m30s`. Default: `5s`.
    pub duration: Option<At<String>>,
    /// Default: 2.
    pub factor: Option<u32>,
    /// A Go duration. Default: `3m`.
    pub max_duration: Option<At<String>>,
}

/// One entry of `ignoreDifferences`.
#[derive(Debug, Clone, Deserialize, JsonSchema, serde::Serialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct IgnoreDifference {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub group: Option<String>,
    pub kind: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub namespace: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub json_pointers: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub jq_path_expressions: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub managed_fields_managers: Vec<String>,
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
