//! `helm:` of an app: a chart at an exact version with its values. By default Argo CD renders
//! it (the Application gets a Helm source); with `render: local` oxidy runs the real
//! `helm template` on a chart vendored in the repository, and the objects join the app's like
//! any others.
//!
//! ```text
//! helm: → check (version, paths, kinds) → values files merged in order, then values
//!       → Argo CD's Helm source | helm template (all charts at once) → the app's objects
//! ```

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use schemars::JsonSchema;
use serde::Deserialize;
use serde_json::{Map, Value};

use oxidy_modules::contract::{At, GroupKind, Pos};

use crate::argocd::ChartSource;
use crate::error::Diagnostic;
use crate::helm::{self, HelmError, Job};
use crate::input::{self, Limit};

use super::{Input, Reader, at, diagnostic, document, files, kinds};

/// A Helm chart the app deploys.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct HelmSpec {
    /// The chart repository Argo CD pulls from: `https://...` or an OCI registry
    /// (`oci://...`). Not with `render: local`.
    #[serde(rename = "repoURL")]
    pub repo_url: Option<At<String>>,
    /// The chart's name in the repository; with `render: local`, the vendored chart: a folder
    /// (with `Chart.yaml`) or a `.tgz`, relative to the env file's folder.
    pub chart: At<String>,
    /// The exact chart version, such as `1.2.3`: a range (`^1.2`, `~1.2`, `>=1`, `1.x`, `*`)
    /// would let the same commit deploy different charts. Required unless `render: local`,
    /// where the vendored chart's `Chart.yaml` says it.
    pub version: Option<At<String>>,
    /// The Helm release name. Default: the app's name.
    pub release_name: Option<At<String>>,
    /// Values, over those of `valuesFiles`.
    #[serde(default)]
    pub values: BTreeMap<String, Value>,
    /// YAML files of values, relative to the env file's folder, merged in order (later files
    /// win, maps merge key by key), then `values` over them.
    #[serde(default)]
    pub values_files: Vec<At<String>>,
    /// Who renders the chart: `argocd` (the default: the Application gets a Helm source) or
    /// `local` (oxidy runs `helm template` on a vendored chart and writes every object).
    pub render: Option<At<ChartRender>>,
    /// The kinds the chart deploys, for the AppProject: Argo CD renders the chart, so oxidy
    /// cannot see them. Required unless `render: local`, where oxidy sees every object.
    #[serde(default)]
    pub kinds: Vec<At<ChartKind>>,
}

/// Who renders a chart.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum ChartRender {
    /// Argo CD's repo server, from the chart repository.
    #[default]
    Argocd,
    /// oxidy, with `helm template`, from the chart vendored in the repository.
    Local,
}

/// A kind a chart deploys, as an AppProject whitelist names it.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct ChartKind {
    /// The API group; empty (the default) for the core group.
    #[serde(default)]
    pub group: String,
    pub kind: String,
    /// Whether objects of the kind are cluster-scoped, for kinds oxidy has no type for and no
    /// CRD of the environment defines. Default: false.
    pub cluster_scoped: Option<bool>,
}

/// An app's chart, checked: what the engine does with it.
#[derive(Debug, Clone)]
pub enum Chart {
    /// Argo CD renders it: the Application's Helm source and the kinds the AppProject allows.
    ArgoCd { source: ChartSource, kinds: Vec<GroupKind> },
    /// oxidy rendered it: the chart (relative to the repository root) and helm's output.
    Local { chart: PathBuf, output: String },
}

/// A vendored chart waiting for `helm template`.
pub struct Pending {
    app: String,
    job: Job,
    pos: Option<Pos>,
}

/// Checks the `helm:` of every app: charts for Argo CD come out ready, vendored ones wait for
/// [`render_local`].
pub fn prepare(input: &Input) -> (BTreeMap<String, Chart>, Vec<Pending>, Vec<Diagnostic>) {
    let mut charts = BTreeMap::new();
    let mut pending = Vec::new();
    let mut problems = Vec::new();
    for (name, spec) in input.apps {
        let Some(helm) = &spec.helm else { continue };
        let mut check = Check { input, key: format!("apps.{name}.helm"), problems: Vec::new() };
        let release = check.release_name(name.as_str(), helm);
        let values = check.values(helm);
        match helm.render.as_ref().map_or(ChartRender::Argocd, |r| r.value) {
            ChartRender::Argocd => {
                let source = check.argocd_source(helm, release, values);
                let kinds = check.kinds(helm);
                if let (Some(source), Some(kinds)) = (source, kinds) {
                    charts.insert(name.to_string(), Chart::ArgoCd { source, kinds });
                }
            }
            ChartRender::Local => {
                if let Some(chart) = check.vendored(helm) {
                    let job = Job { chart, release, namespace: spec.namespace.to_string(), values };
                    pending.push(Pending { app: name.to_string(), job, pos: helm.chart.pos });
                }
            }
        }
        // A chart with a problem goes no further: its app is reported, not half-rendered.
        if !check.problems.is_empty() {
            charts.remove(name.as_str());
            pending.retain(|p| p.app != name.as_str());
            problems.append(&mut check.problems);
        }
    }
    (charts, pending, problems)
}

/// Renders the vendored charts with `helm template`, all at once, adding each output to
/// `charts`; every failure is a diagnostic at the chart's line in the env file.
pub fn render_local(
    input: &Input,
    pending: Vec<Pending>,
    api_versions: &[String],
    charts: &mut BTreeMap<String, Chart>,
) -> Vec<Diagnostic> {
    let jobs: Vec<Job> = pending.iter().map(|p| p.job.clone()).collect();
    let settings = helm::Settings { root: input.root, api_versions };
    let failed = |p: &Pending, e: &HelmError| {
        let help = match e {
            HelmError::MissingAt(_) | HelmError::NotFound => Some(helm::install_help()),
            HelmError::Failed { .. } => {
                Some(format!("run `helm template {}` to see it yourself", p.job.chart.display()))
            }
            _ => None,
        };
        let mut message = e.to_string();
        let mut cause = std::error::Error::source(e);
        while let Some(c) = cause {
            message.push_str(&format!(": {c}"));
            cause = c.source();
        }
        at(input, p.pos, format!("apps.{}.helm.chart", p.app), message, help)
    };
    match helm::template_all(&jobs, &settings) {
        // No helm at all: one message, at the first chart.
        Err(e) => pending.first().map(|p| failed(p, &e)).into_iter().collect(),
        Ok(outputs) => {
            let mut problems = Vec::new();
            for (p, output) in pending.into_iter().zip(outputs) {
                match output {
                    Ok(output) => {
                        charts.insert(p.app, Chart::Local { chart: p.job.chart, output });
                    }
                    Err(e) => problems.push(failed(&p, &e)),
                }
            }
            problems
        }
    }
}

impl Reader<'_, '_> {
    /// The objects of a chart's `helm template` output; each is named by the template it came
    /// from (lines are those of the template's rendered text).
    pub(super) fn chart(&mut self, chart: &Path, output: &str) {
        let folder = self.input.root.join(chart).is_dir();
        for (template, text) in helm::documents(output) {
            // `demo/templates/service.yaml`: the first part is the chart's name, which for a
            // folder is the folder itself.
            let in_chart = template.split_once('/').map_or("", |(_, rest)| rest);
            let inside = if folder { in_chart } else { &template };
            let file = if inside.is_empty() { chart.to_owned() } else { chart.join(inside) };
            let before = self.problems.len();
            match document::parse(&text) {
                Ok(docs) => docs.iter().for_each(|doc| self.object(&file, &text, doc, &doc.value, "")),
                Err(e) => {
                    let line = e.location().map_or(0, |l| l.line());
                    let message = format!("helm rendered a document that is not YAML: {}", e.without_snippet());
                    self.problems.push(diagnostic(&file, &text, line, None, message, None));
                }
            }
            // The line is one of helm's output for the template, not of the template itself.
            let shown = format!("`helm template {} --show-only {in_chart}` shows the lines", chart.display());
            for problem in self.problems[before..].iter_mut().filter(|_| !in_chart.is_empty()) {
                problem.help = Some(match problem.help.take() {
                    Some(help) => format!("{help}; {shown}"),
                    None => shown.clone(),
                });
            }
        }
    }
}

/// The problems of one app's chart, each at its key's line.
struct Check<'a> {
    input: &'a Input<'a>,
    key: String,
    problems: Vec<Diagnostic>,
}

impl Check<'_> {
    fn problem(&mut self, pos: Option<Pos>, field: &str, message: String, help: Option<String>) {
        let key = if field.is_empty() { self.key.clone() } else { format!("{}.{field}", self.key) };
        self.problems.push(at(self.input, pos, key, message, help));
    }

    /// Helm's release-name rule: at most 53 characters of a DNS subdomain.
    fn release_name(&mut self, app: &str, helm: &HelmSpec) -> String {
        let Some(name) = &helm.release_name else { return app.to_owned() };
        let label = |part: &str| {
            !part.is_empty()
                && part.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
                && !part.starts_with('-')
                && !part.ends_with('-')
        };
        if name.value.len() > 53 || !name.value.split('.').all(label) {
            self.problem(
                name.pos,
                "releaseName",
                format!("`{}` is not a Helm release name", name.value),
                Some("use at most 53 lowercase letters, digits, `-` and `.`, such as `demo`".into()),
            );
        }
        name.value.clone()
    }

    /// The values files merged in order, then `values` over them.
    fn values(&mut self, helm: &HelmSpec) -> Value {
        let mut merged = Value::Object(Map::new());
        for (i, written) in helm.values_files.iter().enumerate() {
            if let Some(values) = self.values_file(written, &format!("valuesFiles[{i}]")) {
                merge(&mut merged, values);
            }
        }
        merge(&mut merged, Value::Object(helm.values.clone().into_iter().collect()));
        merged
    }

    /// One values file: a mapping, or nothing (an empty file). Problems with the path are
    /// reported at the env file's entry, problems inside the file at their line there.
    fn values_file(&mut self, written: &At<String>, field: &str) -> Option<Value> {
        let (root, env_file) = (self.input.root, self.input.env_file);
        let path = match files::resolve(root, env_file, &written.value) {
            Ok(p) => p,
            Err(e) => {
                let (message, help) = e.message(&written.value);
                self.problem(written.pos, field, message, help);
                return None;
            }
        };
        let text = match input::read_text(root, &path, Limit::Manifest) {
            Ok(t) => t,
            Err(e) => {
                self.problem(written.pos, field, format!("cannot read `{}`: {e}", written.value), None);
                return None;
            }
        };
        match document::parse(&text) {
            Ok(docs) => match docs.as_slice() {
                [] => Some(Value::Object(Map::new())),
                [doc] if doc.value.is_object() => Some(doc.value.clone()),
                _ => {
                    let message = format!("`{}` must hold one mapping of values", written.value);
                    let help = Some("as a chart's values.yaml does: `key: value` lines".into());
                    self.problem(written.pos, field, message, help);
                    None
                }
            },
            Err(e) => {
                let line = e.location().map_or(0, |l| l.line());
                let full = e.without_snippet().to_string();
                let message =
                    format!("not a valid values file: {}", full.rfind(" at line ").map_or(&*full, |i| &full[..i]));
                self.problems.push(diagnostic(&path, &text, line, None, message, None));
                None
            }
        }
    }

    fn argocd_source(&mut self, helm: &HelmSpec, release_name: String, values: Value) -> Option<ChartSource> {
        if helm.chart.value.contains('/') || helm.chart.value.ends_with(".tgz") {
            self.problem(
                helm.chart.pos,
                "chart",
                format!("`{}` is a path, and Argo CD pulls charts from a repository by name", helm.chart.value),
                Some("for a chart vendored in this repository, add `render: local`".into()),
            );
        }
        let Some(repo_url) = &helm.repo_url else {
            self.problem(
                helm.chart.pos,
                "repoURL",
                "a chart Argo CD renders needs `repoURL`, the repository it is pulled from".into(),
                Some("such as `https://charts.example.com` or `oci://registry.example.com/charts`; for a chart vendored in this repository, `render: local`".into()),
            );
            return None;
        };
        let Some(version) = &helm.version else {
            self.problem(
                helm.chart.pos,
                "version",
                "a chart Argo CD renders needs its exact `version`".into(),
                Some("`helm search repo CHART --versions` lists them".into()),
            );
            return None;
        };
        if let Err((message, help)) = exact_version(&version.value) {
            self.problem(version.pos, "version", message, Some(help));
        }
        let Value::Object(values) = values else { return None };
        Some(ChartSource {
            repo_url: repo_url.value.clone(),
            chart: helm.chart.value.clone(),
            version: version.value.clone(),
            release_name,
            values,
        })
    }

    /// The kinds the AppProject allows for a chart Argo CD renders.
    fn kinds(&mut self, helm: &HelmSpec) -> Option<Vec<GroupKind>> {
        if helm.kinds.is_empty() {
            self.problem(
                helm.chart.pos,
                "kinds",
                "list the kinds the chart deploys: Argo CD renders it, and the AppProject allows only what is listed"
                    .into(),
                Some(
                    "such as `kinds: [{group: apps, kind: Deployment}, {kind: Service}]`; `helm template` shows them"
                        .into(),
                ),
            );
            return None;
        }
        let mut kinds = Vec::new();
        for (i, written) in helm.kinds.iter().enumerate() {
            match group_kind(&written.value, self.input) {
                Ok(k) => kinds.push(k),
                Err((message, help)) => self.problem(written.pos, &format!("kinds[{i}]"), message, help),
            }
        }
        Some(kinds)
    }

    /// The vendored chart's path (relative to the repository root), checked; the keys that
    /// only a chart Argo CD pulls can have are refused.
    fn vendored(&mut self, helm: &HelmSpec) -> Option<PathBuf> {
        let render = helm.render.as_ref().and_then(|r| r.pos);
        let stray = [
            (helm.repo_url.as_ref().map(|r| r.pos), "repoURL", "a vendored chart is read from this repository"),
            (helm.version.as_ref().map(|v| v.pos), "version", "the vendored chart's Chart.yaml gives its version"),
            (helm.kinds.first().map(|k| k.pos), "kinds", "oxidy sees every object of a chart it renders"),
        ];
        for (set, field, why) in stray {
            if let Some(pos) = set {
                self.problem(
                    pos.or(render),
                    field,
                    format!("`{field}` is not used with `render: local`: {why}"),
                    Some(format!("remove `{field}`, or drop `render: local` to let Argo CD pull the chart")),
                );
            }
        }
        let written = &helm.chart.value;
        let path = match files::resolve(self.input.root, self.input.env_file, written) {
            Ok(p) => p,
            Err(e) => {
                let (message, _) = e.message(written);
                let help = "`render: local` renders a chart vendored in this repository: a folder with Chart.yaml, or a .tgz, relative to the env file's folder";
                self.problem(helm.chart.pos, "chart", message, Some(help.into()));
                return None;
            }
        };
        let full = self.input.root.join(&path);
        let is_chart = if full.is_dir() { full.join("Chart.yaml").is_file() } else { written.ends_with(".tgz") };
        if !is_chart {
            self.problem(
                helm.chart.pos,
                "chart",
                format!("`{written}` is neither a chart folder (with Chart.yaml) nor a packaged chart (.tgz)"),
                Some("vendor the chart with `helm pull REPO/CHART --version X --untar`".into()),
            );
            return None;
        }
        // helm reads the chart itself: every file in it must be one oxidy would read, so a
        // link in a chart cannot pull a file from outside the repository into the output.
        crate::cache::deps::listing(self.input.root, &path, true, false);
        for file in walkdir::WalkDir::new(&full).follow_links(false).into_iter().filter_map(Result::ok) {
            if file.file_type().is_dir() {
                continue;
            }
            let relative = file.path().strip_prefix(self.input.root).unwrap_or(file.path());
            if let Err(e) = input::read_bytes(self.input.root, relative, Limit::Manifest) {
                let shown = relative.display();
                self.problem(helm.chart.pos, "chart", format!("the chart's file {shown} cannot be used: {e}"), None);
                return None;
            }
        }
        Some(path)
    }
}

/// Merges `over` into `base` as Helm merges values files: maps key by key, anything else
/// replaced (a `null` stays, and removes the chart's default for that key).
pub fn merge(base: &mut Value, over: Value) {
    match (base, over) {
        (Value::Object(base), Value::Object(over)) => {
            for (key, value) in over {
                match base.get_mut(&key) {
                    Some(existing) if existing.is_object() && value.is_object() => merge(existing, value),
                    _ => {
                        base.insert(key, value);
                    }
                }
            }
        }
        (base, over) => *base = over,
    }
}

/// An exact chart version (`1.2.3`, `v1.2.3`, `1.2.3-rc.1`), or why not with a suggestion.
pub fn exact_version(text: &str) -> Result<(), (String, String)> {
    let bare = text.strip_prefix('v').unwrap_or(text);
    if semver::Version::parse(bare).is_ok() {
        return Ok(());
    }
    let list = "`helm search repo CHART --versions` lists the published ones";
    match semver::VersionReq::parse(text) {
        Ok(range) => {
            let lowest = range.comparators.first().filter(|c| {
                use semver::Op::*;
                matches!(c.op, Exact | GreaterEq | Tilde | Caret | Wildcard)
            });
            let help = match lowest {
                Some(c) => format!(
                    "pin one version, such as `{}.{}.{}`; {list}",
                    c.major,
                    c.minor.unwrap_or(0),
                    c.patch.unwrap_or(0)
                ),
                None => format!("pin one version, such as `1.2.3`; {list}"),
            };
            Err((
                format!("`{text}` is a version range: Argo CD would deploy whichever chart matches when it syncs"),
                help,
            ))
        }
        Err(_) => {
            Err((format!("`{text}` is not a chart version"), format!("write an exact version such as `1.2.3`; {list}")))
        }
    }
}

/// A kind of `kinds:` with its scope: from its type when oxidy knows it, else from the
/// environment's CRDs, else as written.
fn group_kind(written: &ChartKind, input: &Input) -> Result<GroupKind, (String, Option<String>)> {
    let group_of = |api_version: &str| api_version.rsplit_once('/').map_or("", |(g, _)| g).to_owned();
    let known: Vec<(String, &str)> = kinds::all().into_iter().map(|(api, kind)| (group_of(api), kind)).collect();
    let typed = kinds::all()
        .into_iter()
        .find(|(api, kind)| *kind == written.kind && group_of(api) == written.group)
        .and_then(|(api, kind)| kinds::lookup(api, kind));
    if let Some(typed) = typed {
        if written.cluster_scoped.is_some_and(|c| c == typed.namespaced) {
            let scope = if typed.namespaced { "namespaced" } else { "cluster-scoped" };
            return Err((format!("{} is {scope}", written.kind), Some("remove `clusterScoped`: its type says".into())));
        }
        return Ok(GroupKind {
            group: written.group.clone(),
            kind: written.kind.clone(),
            namespaced: typed.namespaced,
        });
    }
    if let Some((group, _)) = known.iter().find(|(_, kind)| *kind == written.kind) {
        let shown = if written.group.is_empty() { "the core group".to_owned() } else { format!("`{}`", written.group) };
        let help = if group.is_empty() { "remove `group`".to_owned() } else { format!("write `group: {group}`") };
        return Err((format!("{} is not in {shown}", written.kind), Some(help)));
    }
    let crd_says = input.cluster_scoped.contains(&(written.group.clone(), written.kind.clone()));
    Ok(GroupKind {
        group: written.group.clone(),
        kind: written.kind.clone(),
        namespaced: !(crd_says || written.cluster_scoped.unwrap_or(false)),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn only_exact_versions_pass_and_ranges_get_a_pin() {
        for ok in ["1.2.3", "v1.14.2", "0.1.0-rc.1", "2.0.0+build.5"] {
            assert_eq!(exact_version(ok), Ok(()), "{ok}");
        }
        for (range, pin) in
            [("^1.2", "1.2.0"), ("~1.2.3", "1.2.3"), (">=1", "1.0.0"), ("1.x", "1.0.0"), ("1.2", "1.2.0")]
        {
            let (message, help) = exact_version(range).unwrap_err();
            assert!(message.contains("is a version range"), "{range}: {message}");
            assert!(help.contains(&format!("`{pin}`")), "{range}: {help}");
        }
        let (message, help) = exact_version("*").unwrap_err();
        assert!(message.contains("range") && help.contains("helm search repo"), "{message} {help}");
        assert!(exact_version("latest").unwrap_err().0.contains("not a chart version"));
    }

    #[test]
    fn values_merge_maps_key_by_key_and_replace_the_rest() {
        let mut base = json!({"image": {"tag": "1", "pullPolicy": "IfNotPresent"}, "ports": [80], "keep": true});
        merge(&mut base, json!({"image": {"tag": "2"}, "ports": [8080], "keep": null}));
        assert_eq!(base, json!({"image": {"tag": "2", "pullPolicy": "IfNotPresent"}, "ports": [8080], "keep": null}));
    }
}
