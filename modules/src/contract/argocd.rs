//! Argo CD settings of one Application, as an env file writes them: under an own app's
//! `argocd:` and under `components.<name>.argocd` for the platform's apps. The engine turns
//! them into the Application; the type lives in the contract so that every module's options
//! can carry it.

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::At;

/// Argo CD settings of one Application. Everything unset keeps oxidy's default: automated
/// sync with prune and self-heal, five retries with exponential backoff, the resources
/// finalizer.
#[derive(Debug, Clone, Default, PartialEq, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct ArgoSettings {
    /// The Application's sync wave in the app-of-apps. Default for own apps: 50, after the
    /// platform; platform apps keep their place in the platform's order.
    pub sync_wave: Option<At<i32>>,
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
#[derive(Debug, Clone, Default, PartialEq, Deserialize, JsonSchema)]
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
#[derive(Debug, Clone, Default, PartialEq, Deserialize, JsonSchema)]
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
#[derive(Debug, Clone, Default, PartialEq, Deserialize, JsonSchema)]
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
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize, JsonSchema)]
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
