//! Environment files: `env/<name>.yaml`, read into typed structs with every error pointed at
//! its line, column and key.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use schemars::JsonSchema;
use serde::Deserialize;

use oxidy_modules::contract::{At, DnsLabel, Pos, Stack, Tier};

use crate::apps::spec::AppSpec;
use crate::error::Diagnostic;
use crate::overrides::Override;
use crate::suggest;

/// One environment: where its manifests go and what runs there.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
#[schemars(title = "oxidy environment", bound = "S: JsonSchema + Default")]
pub struct EnvFile<S> {
    /// The tier: carries the defaults that differ between environments.
    pub tier: Tier,
    /// Where Argo CD reads this environment's manifests from.
    pub git: Git,
    /// The cluster Argo CD deploys to.
    pub destination: Destination,
    /// Argo CD's own namespace and the project the Applications belong to.
    #[serde(default)]
    pub argocd: ArgoCd,
    /// The namespace components run in unless their options name another. Default:
    /// `observability`.
    pub namespace: Option<DnsLabel>,
    /// Per-component options; each key is optional.
    #[serde(default)]
    pub components: S,
    /// The environment's own applications, by name (a DNS label): manifests, inline objects
    /// and verbatim files, each app one Argo CD Application beside the platform's.
    #[serde(default)]
    pub apps: BTreeMap<DnsLabel, AppSpec>,
    /// Network isolation: the NetworkPolicies derived from the components' links, and what
    /// they cannot know (client namespaces, the API server's and the nodes' addresses).
    #[serde(default)]
    pub network: crate::network::Network,
    /// Changes to rendered objects (platform or own), applied in order after everything has
    /// rendered: each selects exactly one object.
    #[serde(default)]
    pub overrides: Vec<Override>,
    /// Labels added to every object and pod template (a label an object sets itself wins).
    #[serde(default)]
    pub common_labels: BTreeMap<String, String>,
    /// Annotations added to every object and pod template.
    #[serde(default)]
    pub common_annotations: BTreeMap<String, String>,
    /// Text files written into the output root beside the apps (a README for the rendered
    /// tree, say), by path relative to the output root; drift-checked like everything else.
    #[serde(default)]
    pub extra_files: BTreeMap<String, String>,
}

/// The git target Argo CD syncs from.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Git {
    /// The repository URL Argo CD clones, as registered in Argo CD.
    #[serde(rename = "repoURL")]
    pub repo_url: At<String>,
    /// The branch, tag or commit Argo CD follows. Default: `main`.
    pub revision: Option<At<String>>,
    /// Where this environment's manifests are written, relative to the repository root and
    /// inside `generated/`. Default: `generated/<env>`.
    pub output_root: Option<At<String>>,
}

/// The destination cluster: exactly one of `server` and `name`.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Destination {
    /// The cluster's API server URL, such as `https://kubernetes.default.svc`.
    pub server: Option<At<String>>,
    /// The cluster's name as registered in Argo CD.
    pub name: Option<At<String>>,
}

/// Argo CD settings.
#[derive(Debug, Clone, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct ArgoCd {
    /// The namespace Argo CD runs in. Default: `argocd`.
    pub namespace: Option<DnsLabel>,
    /// The AppProject the Applications belong to, generated with least privilege. Default:
    /// `oxidy-<env>`.
    pub project: Option<DnsLabel>,
    /// The cluster Argo CD runs in, as Argo CD names it: an API server URL or a cluster name.
    /// The app-of-apps and its AppProject are deployed there. Default:
    /// `https://kubernetes.default.svc` (Argo CD's own cluster).
    pub cluster: Option<At<String>>,
    /// Appended to every Application name, so that environments sharing one Argo CD do not
    /// overwrite each other's (`loki-production`, root `apps-production`).
    pub name_suffix: Option<At<String>>,
    /// Shorthand for `nameSuffix: -<env>`.
    #[serde(default)]
    pub append_env_name: bool,
    /// When Argo CD may, or may not, sync this environment's apps: the sync windows of its
    /// AppProject. Default: none (any time).
    #[serde(default)]
    pub sync_windows: Vec<SyncWindow>,
    /// GnuPG key IDs (hex) one of which must have signed every commit Argo CD syncs, for both of
    /// the environment's AppProjects; the keys must be in Argo CD's keyring. Default: none.
    #[serde(default)]
    pub signature_keys: Vec<At<String>>,
}

/// One Argo CD sync window.
#[derive(Debug, Clone, Deserialize, serde::Serialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct SyncWindow {
    /// `allow` (syncs only inside the window) or `deny` (no syncs inside it).
    pub kind: SyncWindowKind,
    /// When the window opens, in cron format: `0 22 * * *` is every day at 22:00.
    pub schedule: At<String>,
    /// How long the window stays open, as a Go duration (`1h`, `30m`).
    pub duration: At<String>,
    /// The Applications it applies to, as globs. Default: all of the environment's.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub applications: Vec<String>,
    /// The destination namespaces it applies to, as globs.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub namespaces: Vec<String>,
    /// Whether a person may still sync by hand while the window blocks.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub manual_sync: bool,
    /// The time zone of the schedule (`Europe/Berlin`). Default: UTC.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub time_zone: Option<String>,
}

/// Whether a sync window allows or blocks syncs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, serde::Serialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum SyncWindowKind {
    Allow,
    Deny,
}

/// The in-cluster address of the cluster Argo CD runs in.
pub const IN_CLUSTER: &str = "https://kubernetes.default.svc";

/// Where a destination points, after checking that exactly one form was given.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum Cluster {
    Server(String),
    Name(String),
}

impl<S> EnvFile<S> {
    /// The output root relative to the project root.
    pub fn output_root(&self, env: &str) -> PathBuf {
        self.git.output_root.as_ref().map_or_else(|| Path::new("generated").join(env), |r| PathBuf::from(&r.value))
    }
    pub fn revision(&self) -> &str {
        self.git.revision.as_ref().map_or("main", |r| r.value.as_str())
    }
    pub fn argocd_namespace(&self) -> String {
        self.argocd.namespace.as_ref().map_or_else(|| "argocd".into(), |n| n.to_string())
    }
    /// The children's AppProject: `oxidy-<env>` already names the environment; a project named
    /// in the file gets the name suffix like the Applications.
    pub fn project(&self, env: &str) -> String {
        self.argocd.project.as_ref().map_or_else(|| format!("oxidy-{env}"), |p| format!("{p}{}", self.name_suffix(env)))
    }
    pub fn namespace(&self) -> String {
        self.namespace.as_ref().map_or_else(|| "observability".into(), |n| n.to_string())
    }
    /// The cluster Argo CD runs in: URLs are servers, anything else a cluster name.
    pub fn argocd_cluster(&self) -> Cluster {
        match &self.argocd.cluster {
            Some(c) if c.value.contains("://") => Cluster::Server(c.value.clone()),
            Some(c) => Cluster::Name(c.value.clone()),
            None => Cluster::Server(IN_CLUSTER.into()),
        }
    }
    /// What every Application name ends with.
    pub fn name_suffix(&self, env: &str) -> String {
        match &self.argocd.name_suffix {
            Some(s) => s.value.clone(),
            None if self.argocd.append_env_name => format!("-{env}"),
            None => String::new(),
        }
    }
    pub fn cluster(&self) -> Cluster {
        match (&self.destination.server, &self.destination.name) {
            (_, Some(name)) => Cluster::Name(name.value.clone()),
            (Some(server), None) => Cluster::Server(server.value.clone()),
            (None, None) => Cluster::Server(String::new()),
        }
    }
}

/// Reads an env file's text. `file` is the path shown in messages.
pub fn parse<S: Stack>(file: &Path, text: &str) -> Result<EnvFile<S>, Vec<Diagnostic>> {
    if text.lines().all(|l| l.trim().is_empty() || l.trim_start().starts_with('#')) {
        let message = "the environment file is empty".to_owned();
        let help = Some("an environment needs at least `tier`, `git.repoURL` and `destination`".to_owned());
        return Err(vec![diagnostic(file, text, None, None, message, help)]);
    }
    let mut key_path = String::new();
    // YAML 1.2 booleans only: `yes`, `on` or `"yes"` where a boolean belongs is an error,
    // not a silent `true`.
    let mut options = serde_saphyr::Options::default();
    options.strict_booleans = true;
    let parsed = serde_saphyr::with_deserializer_from_str_with_options(text, options, |de| {
        serde_path_to_error::deserialize::<_, EnvFile<S>>(de).map_err(|e| {
            // A value read with its position (`At<T>`) is a `value` field inside: not a key.
            key_path = e.path().to_string().trim_end_matches(".value").to_owned();
            e.into_inner()
        })
    });
    let env = match parsed {
        Ok(env) => env,
        Err(e) => return Err(vec![yaml_diagnostic(file, text, &key_path, &e)]),
    };
    let problems = check(&env);
    if problems.is_empty() {
        Ok(env)
    } else {
        Err(problems
            .into_iter()
            .map(|(pos, key, message, help)| diagnostic(file, text, pos, Some(key.into()), message, help))
            .collect())
    }
}

type Problem = (Option<Pos>, &'static str, String, Option<String>);

/// Rules that span several keys, checked once the file has parsed.
fn check<S>(env: &EnvFile<S>) -> Vec<Problem> {
    let mut problems = Vec::new();
    let d = &env.destination;
    match (&d.server, &d.name) {
        (Some(_), Some(name)) => problems.push((
            name.pos,
            "destination",
            "set either `server` or `name`, not both".into(),
            Some("keep the one Argo CD knows the cluster by".into()),
        )),
        (None, None) => problems.push((
            None,
            "destination",
            "missing the cluster: set `server` (an API server URL) or `name`".into(),
            Some("for the cluster Argo CD runs in, use `server: https://kubernetes.default.svc`".into()),
        )),
        _ => {}
    }
    if let Some(suffix) = &env.argocd.name_suffix {
        let plain = suffix.value.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-');
        if !plain || suffix.value.is_empty() || suffix.value.len() > 20 {
            problems.push((
                suffix.pos,
                "argocd.nameSuffix",
                format!("`{}` cannot end an Application name: use lowercase letters, digits and `-`", suffix.value),
                Some("such as `-production`".into()),
            ));
        } else if env.argocd.append_env_name {
            problems.push((
                suffix.pos,
                "argocd.nameSuffix",
                "set either `nameSuffix` or `appendEnvName`, not both".into(),
                None,
            ));
        }
    }
    if let Err(message) = check_repo_url(&env.git.repo_url.value) {
        problems.push((
            env.git.repo_url.pos,
            "git.repoURL",
            message,
            Some("such as `https://git.example.com/platform/observability.git` or `git@git.example.com:platform/observability.git`".into()),
        ));
    }
    if let Some(revision) = &env.git.revision
        && let Err(message) = check_revision(&revision.value)
    {
        problems.push((revision.pos, "git.revision", message, Some("a branch, tag or commit, such as `main`".into())));
    }
    for window in &env.argocd.sync_windows {
        let fields: Vec<&str> = window.schedule.value.split_whitespace().collect();
        let cron = fields.len() == 5
            && fields.iter().all(|f| f.chars().all(|c| c.is_ascii_alphanumeric() || "*/,-".contains(c)));
        if !cron {
            problems.push((
                window.schedule.pos,
                "argocd.syncWindows.schedule",
                format!("`{}` is not a cron schedule of five fields", window.schedule.value),
                Some("minute hour day-of-month month day-of-week, such as `0 22 * * *`".into()),
            ));
        }
        if !crate::apps::spec::is_go_duration(&window.duration.value) {
            problems.push((
                window.duration.pos,
                "argocd.syncWindows.duration",
                format!("`{}` is not a duration", window.duration.value),
                Some("a Go duration such as `1h` or `90m`".into()),
            ));
        }
    }
    for key in &env.argocd.signature_keys {
        let hex = key.value.len() >= 8 && key.value.len() <= 40 && key.value.chars().all(|c| c.is_ascii_hexdigit());
        if !hex {
            problems.push((
                key.pos,
                "argocd.signatureKeys",
                format!("`{}` is not a GnuPG key ID", key.value),
                Some("the key's ID in hexadecimal, as `gpg --list-keys --keyid-format long` shows it".into()),
            ));
        }
    }
    if let Some(root) = &env.git.output_root
        && let Err(message) = check_output_root(&root.value)
    {
        {
            problems.push((
                root.pos,
                "git.outputRoot",
                message,
                Some("use a folder below generated/, such as `generated/local`".into()),
            ));
        }
    }
    problems
}

/// The repository URL must be one Argo CD can clone: a URL with a scheme it speaks, or git's
/// `user@host:path` form.
fn check_repo_url(url: &str) -> Result<(), String> {
    const SCHEMES: [&str; 4] = ["https://", "http://", "ssh://", "git://"];
    let clean = !url.is_empty() && url.len() <= 2048 && !url.chars().any(|c| c.is_whitespace() || c.is_control());
    let with_scheme =
        SCHEMES.iter().any(|s| url.strip_prefix(s).is_some_and(|rest| rest.len() > 1 && !rest.starts_with('/')));
    let scp_like = url.split_once('@').is_some_and(|(user, rest)| {
        !user.is_empty()
            && !user.contains('/')
            && rest.split_once(':').is_some_and(|(host, path)| !host.is_empty() && !path.is_empty())
    });
    if clean && (with_scheme || scp_like) {
        Ok(())
    } else if url.is_empty() {
        Err("the repository URL is empty".into())
    } else {
        Err(format!("`{url}` is not a repository URL Argo CD can clone"))
    }
}

/// The revision must be a name git accepts for a branch, tag or commit
/// (`git check-ref-format`'s rules, and at most 255 bytes).
fn check_revision(revision: &str) -> Result<(), String> {
    let bad_char = revision.chars().find(|c| c.is_whitespace() || c.is_control() || "~^:?*[\\".contains(*c));
    let problem = if revision.is_empty() {
        Some("the revision is empty".to_owned())
    } else if revision.len() > 255 {
        Some(format!("the revision is {} bytes long; git names are at most 255", revision.len()))
    } else if let Some(c) = bad_char {
        Some(format!("`{revision}` is not a git revision: it contains {c:?}"))
    } else if revision.contains("..")
        || revision.contains("@{")
        || revision.contains("//")
        || revision.starts_with(['/', '.', '-'])
        || revision.ends_with(['/', '.'])
        || revision.ends_with(".lock")
    {
        Some(format!("`{revision}` is not a git revision (see `git check-ref-format`)"))
    } else {
        None
    };
    problem.map_or(Ok(()), Err)
}

/// The output root is pruned on every render, so it must be a plain folder below `generated/`;
/// no part may be hidden (`.git`, or the `.oxidy-` names a render stages in).
fn check_output_root(root: &str) -> Result<(), String> {
    let path = Path::new(root);
    let plain = path
        .components()
        .all(|c| matches!(c, std::path::Component::Normal(part) if !part.to_string_lossy().starts_with('.')));
    let mut parts = path.components();
    let under_generated = parts.next().is_some_and(|c| c.as_os_str() == "generated") && parts.next().is_some();
    if plain && under_generated && !root.ends_with('/') {
        Ok(())
    } else {
        Err(format!("`{root}` is not a folder below generated/: files there are replaced and pruned on every render"))
    }
}

fn diagnostic(
    file: &Path,
    text: &str,
    pos: Option<Pos>,
    key: Option<String>,
    message: String,
    help: Option<String>,
) -> Diagnostic {
    let source_line = pos.and_then(|p| text.lines().nth(p.line.saturating_sub(1) as usize)).map(str::to_owned);
    Diagnostic { file: file.to_owned(), pos, key, message, help, source_line }
}

/// Turns a YAML or type error into a diagnostic, with a suggestion for misspelt keys and
/// values.
fn yaml_diagnostic(file: &Path, text: &str, key_path: &str, err: &serde_saphyr::Error) -> Diagnostic {
    let pos = err.location().filter(|l| l.line() > 0).map(|l| Pos { line: l.line(), column: l.column() });
    let full = err.without_snippet().to_string();
    let message = match full.rfind(" at line ") {
        Some(i) => full[..i].to_owned(),
        None => full,
    };
    let message = plain_type_message(message);
    // serde-saphyr names its own option in this message; say what the file must do instead.
    let (message, duplicate) = match message.strip_prefix("duplicate mapping key: ") {
        Some(rest) => {
            let key = rest.split(',').next().unwrap_or(rest).trim().to_owned();
            (format!("`{key}` is given twice in this mapping"), Some(key))
        }
        None => (message, None),
    };
    let (message, mut help) = match message.split_once("; did you mean ") {
        Some((m, s)) => (m.to_owned(), Some(format!("did you mean {s}"))),
        None => (message, None),
    };
    if help.is_none() {
        help = suggest_name(&message).map(|s| format!("did you mean `{s}`?"));
    }
    if let Some(key) = &duplicate {
        help = Some(format!("keep one `{key}:` and merge what the two set"));
    }
    let key_path = key_path.trim_end_matches(".?");
    let key = (!key_path.is_empty() && key_path != ".").then(|| key_path.to_owned());
    diagnostic(file, text, pos, key, message, help)
}

/// Serde names Rust types ("invalid u32"); say what to write instead.
fn plain_type_message(message: String) -> String {
    let whole = |range: &str| format!("expected a whole number ({range})");
    match message.as_str() {
        "invalid u8" => whole("0 to 255"),
        "invalid u16" => whole("0 to 65535"),
        "invalid u32" | "invalid u64" | "invalid usize" => whole("0 or more"),
        "invalid i32" | "invalid i64" => whole("an integer"),
        "invalid bool" | "invalid boolean" | "invalid boolean (strict mode expects true/false)" => {
            "expected `true` or `false` (YAML 1.1 spellings such as `yes`, `on` or a quoted string are not booleans)"
                .into()
        }
        "expected mapping start" => "expected a mapping of `key: value` lines (`{}` for all defaults)".into(),
        "expected sequence start" => "expected a list".into(),
        _ => message,
    }
}

/// For serde's "unknown field `x`, expected one of `a`, `b`" (and "unknown variant"), the
/// expected name nearest to `x`.
fn suggest_name(message: &str) -> Option<String> {
    let rest = message.strip_prefix("unknown field `").or_else(|| message.strip_prefix("unknown variant `"))?;
    let (wrong, rest) = rest.split_once('`')?;
    let expected = rest.split_once("expected ")?.1;
    let expected = expected.strip_prefix("one of ").unwrap_or(expected);
    let candidates: Vec<&str> =
        expected.split([',', ' ']).map(|c| c.trim_matches('`')).filter(|c| !c.is_empty() && *c != "or").collect();
    suggest::closest(wrong, candidates).map(str::to_owned)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggestions_from_serde_messages() {
        assert_eq!(
            suggest_name("unknown field `volumeSise`, expected one of replicas, volumeSize").as_deref(),
            Some("volumeSize")
        );
        assert_eq!(
            suggest_name("unknown variant `locl`, expected one of `local`, `staging`").as_deref(),
            Some("local")
        );
        assert_eq!(
            suggest_name("unknown field `revison`, expected `repoURL` or `revision`").as_deref(),
            Some("revision")
        );
        assert_eq!(suggest_name("invalid type: string"), None);
    }

    #[test]
    fn output_roots_stay_below_generated() {
        assert!(check_output_root("generated/local").is_ok());
        assert!(check_output_root("generated/clusters/eu").is_ok());
        assert!(check_output_root("generated/.git").is_err());
        for bad in ["generated", "/tmp/x", "generated/../src", "src", "./generated/x", ""] {
            assert!(check_output_root(bad).is_err(), "{bad} should be refused");
        }
    }
}
