//! Resolution of the cluster-monitoring options: which control-plane components are
//! scraped and alerted on, and where the alerts' runbook links point.

use crate::contract::monitoring::RuleGroup;
use crate::contract::{EnvInfo, OptionErrors};

use super::options::Prometheus;
use super::resolved::option_error;

/// The control-plane switches with their defaults applied.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct ControlPlane {
    pub api_server: bool,
    pub scheduler: bool,
    pub controller_manager: bool,
    pub kube_proxy: bool,
    pub etcd: bool,
    pub core_dns: bool,
}

impl ControlPlane {
    /// Everything on: what the rule unit tests cover.
    pub(crate) const ALL: ControlPlane = ControlPlane {
        api_server: true,
        scheduler: true,
        controller_manager: true,
        kube_proxy: true,
        etcd: true,
        core_dns: true,
    };
}

/// What the Kubernetes monitoring needs from the options.
#[derive(Debug, Clone)]
pub(crate) struct ClusterResolved {
    pub control_plane: ControlPlane,
    /// Runbook pages live at `<runbook_base>/<Alert>.md`.
    pub runbook_base: String,
    /// The groups of the extra rule files, in the order the options list them.
    pub extra_rules: Vec<RuleGroup>,
}

/// `https://host/org/repo.git` (or `git@host:org/repo.git`) →
/// `https://host/org/repo/blob/<revision>/docs/runbooks`.
fn default_runbook_base(env: &EnvInfo) -> Option<String> {
    let repo = env.git.repo_url.trim_end_matches('/');
    let repo = repo.strip_suffix(".git").unwrap_or(repo);
    let web = if repo.starts_with("https://") || repo.starts_with("http://") {
        repo.to_owned()
    } else {
        let (host, path) = repo.strip_prefix("git@")?.split_once(':')?;
        format!("https://{host}/{path}")
    };
    (!env.git.revision.is_empty()).then(|| format!("{web}/blob/{}/docs/runbooks", env.git.revision))
}

impl Prometheus {
    pub(crate) fn resolve_cluster(&self, env: &EnvInfo, errors: &mut OptionErrors) -> Option<ClusterResolved> {
        let cp = self.control_plane.clone().unwrap_or_default();
        let control_plane = ControlPlane {
            api_server: cp.api_server.unwrap_or(true),
            scheduler: cp.scheduler.unwrap_or(false),
            controller_manager: cp.controller_manager.unwrap_or(false),
            kube_proxy: cp.kube_proxy.unwrap_or(false),
            etcd: cp.etcd.unwrap_or(false),
            core_dns: cp.core_dns.unwrap_or(true),
        };
        let runbook_base = match &self.runbook_base_url {
            Some(url) if url.value.starts_with("https://") || url.value.starts_with("http://") => {
                Some(url.value.trim_end_matches('/').to_owned())
            }
            Some(url) => {
                errors.push(option_error(
                    "runbookBaseUrl",
                    url.pos,
                    format!("`{}` is not an http(s) URL", url.value),
                    Some("write the address the runbook pages are browsed at, such as https://github.com/org/repo/blob/main/docs/runbooks".into()),
                ));
                None
            }
            None => errors.take(default_runbook_base(env).ok_or_else(|| {
                option_error(
                    "runbookBaseUrl",
                    env.git.repo_url_pos,
                    format!("no runbook address can be derived from git.repoURL `{}`", env.git.repo_url),
                    Some("set components.prometheus.runbookBaseUrl to where docs/runbooks is browsed".into()),
                )
            })),
        };
        let mut extra_rules = Vec::new();
        for path in self.extra_rules.iter().flatten() {
            extra_rules.extend(errors.take(super::extra_rules::groups(path, env)).into_iter().flatten());
        }
        Some(ClusterResolved { control_plane, runbook_base: runbook_base?, extra_rules })
    }
}
