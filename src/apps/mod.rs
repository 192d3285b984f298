//! The environment's own applications (`apps:` in an env file): manifests from files, inline
//! objects and verbatim files become [`App`]s beside the platform's, checked the same way.
//!
//! ```text
//! apps: → resolve paths → read documents (manifests, objects, charts rendered locally)
//!       → check known kinds → default namespace → App
//! ```

pub mod chart;
pub mod document;
pub mod files;
pub mod kinds;
pub mod spec;

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use serde_json::Value;

use oxidy_modules::contract::{App, DnsLabel, GroupKind, Object, Pos, Wave};

use crate::argocd::AppOptions;
use crate::error::Diagnostic;
use crate::input::{self, InputProblem, Limit};
use document::Document;
use spec::{AppSpec, SYNC_OPTIONS, is_go_duration};

/// The sync wave of own apps unless they set one: after every platform app.
pub const DEFAULT_WAVE: i32 = 50;

/// Where an object came from, for messages: a file and line, or a platform component.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Origin {
    pub file: PathBuf,
    pub line: u64,
}

impl std::fmt::Display for Origin {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}:{}", self.file.display(), self.line)
    }
}

/// The own apps of one environment, ready to join the platform's.
#[derive(Debug, Default)]
pub struct OwnApps {
    pub apps: Vec<App>,
    /// Argo CD settings by app name.
    pub options: BTreeMap<String, AppOptions>,
    /// Verbatim files by app name, then file name.
    pub verbatim: BTreeMap<String, BTreeMap<String, String>>,
    /// Where each object came from, by [`origin_key`].
    pub origins: BTreeMap<String, Origin>,
}

/// What reading the apps needs from the environment.
pub struct Input<'a> {
    /// The repository (project) root.
    pub root: &'a Path,
    /// The env file, relative to the root, and its text.
    pub env_file: &'a Path,
    pub env_text: &'a str,
    pub apps: &'a BTreeMap<DnsLabel, AppSpec>,
    /// The platform's app names: own apps may not reuse them.
    pub platform_apps: &'a [String],
    /// Custom resource kinds that are cluster-scoped, from the CRDs of the environment.
    pub cluster_scoped: &'a BTreeSet<(String, String)>,
}

/// Builds every own app, collecting every problem. `charts` are the apps' charts, checked
/// and, where oxidy renders them, rendered ([`chart::prepare`], [`chart::render_local`]).
pub fn build(input: &Input, charts: &BTreeMap<String, chart::Chart>) -> Result<OwnApps, Vec<Diagnostic>> {
    let mut out = OwnApps::default();
    let mut problems = Vec::new();
    let env_doc = document::parse(input.env_text).ok().and_then(|d| d.into_iter().next());
    let env_line = |pointer: &str| env_doc.as_ref().map_or(0, |d| d.line_of(pointer));
    let env_diag = |pointer: &str, key: String, message: String, help: Option<String>| {
        diagnostic(input.env_file, input.env_text, env_line(pointer), Some(key), message, help)
    };
    for (name, spec) in input.apps {
        let base = format!("/apps/{name}");
        if input.platform_apps.iter().any(|p| p == name.as_str()) {
            problems.push(env_diag(
                &base,
                format!("apps.{name}"),
                format!("app `{name}` clashes with the platform's app `{name}`: both would be one Application"),
                Some(format!("rename it, such as `{name}-app`, or configure the platform's under `components:`")),
            ));
            continue;
        }
        let mut app = App::new(name.as_str(), spec.namespace.as_str(), Wave::Monitoring);
        app.pod_security = spec.pod_security.into();
        app.manage_namespace = spec.create_namespace;
        let mut reader = Reader { input, app: &mut app, origins: &mut out.origins, problems: &mut problems };
        for (i, written) in spec.manifests.iter().enumerate() {
            let key = format!("apps.{name}.manifests[{i}]");
            match files::resolve(input.root, input.env_file, &written.value)
                .and_then(|p| files::manifest_files(input.root, &p))
            {
                Ok(paths) => paths.iter().for_each(|p| reader.file(p)),
                Err(e) => {
                    let (message, help) = e.message(&written.value);
                    reader.problems.push(at(input, written.pos, key, message, help));
                }
            }
        }
        for object in &spec.objects {
            reader.object(input.env_file, input.env_text, object, &object.value, "");
        }
        let mut options = AppOptions::from_settings(&spec.argocd, DEFAULT_WAVE);
        match charts.get(name.as_str()) {
            Some(chart::Chart::Local { chart, output }) => reader.chart(chart, output),
            Some(chart::Chart::ArgoCd { source, kinds }) => {
                options.chart = Some(source.clone());
                options.extra_kinds.extend(kinds.iter().cloned());
            }
            None => {}
        }
        options.namespace_labels = spec.namespace_labels.clone();
        options.namespace_annotations = spec.namespace_annotations.clone();
        let verbatim = out.verbatim.entry(name.to_string()).or_default();
        for (i, written) in spec.verbatim.iter().enumerate() {
            let key = format!("apps.{name}.verbatim[{i}]");
            match read_verbatim(input, &written.value) {
                Ok((file_name, text, kind)) => {
                    if verbatim.insert(file_name.clone(), text).is_some() {
                        problems.push(at(
                            input,
                            written.pos,
                            key,
                            format!("two verbatim files are named `{file_name}`"),
                            None,
                        ));
                    } else {
                        options.extra_kinds.push(kind);
                        options.verbatim_files = true;
                    }
                }
                Err((message, help)) => problems.push(at(input, written.pos, key, message, help)),
            }
        }
        problems.extend(check_settings(input.env_file, input.env_text, &format!("apps.{name}.argocd"), &spec.argocd));
        out.options.insert(name.to_string(), options);
        out.apps.push(app);
    }
    if problems.is_empty() { Ok(out) } else { Err(problems) }
}

/// The identity of an object in a cluster: group, kind, namespace and name.
pub fn identity(object: &Object) -> String {
    format!("{}/{}", object.group(), object.describe())
}

/// The key of [`OwnApps::origins`].
pub fn origin_key(app: &str, identity: &str) -> String {
    format!("{app}|{identity}")
}

struct Reader<'a, 'b> {
    input: &'a Input<'a>,
    app: &'b mut App,
    origins: &'b mut BTreeMap<String, Origin>,
    problems: &'b mut Vec<Diagnostic>,
}

impl Reader<'_, '_> {
    fn file(&mut self, path: &Path) {
        let text = match input::read_text(self.input.root, path, Limit::Manifest) {
            Ok(t) => t,
            Err(e) => {
                self.problems.push(diagnostic(path, "", 0, None, format!("cannot read the manifest: {e}"), None));
                return;
            }
        };
        match document::parse(&text) {
            Ok(docs) => {
                for doc in &docs {
                    self.object(path, &text, doc, &doc.value, "");
                }
            }
            Err(e) => {
                let line = e.location().map_or(0, |l| l.line());
                let full = e.without_snippet().to_string();
                let message = full.rfind(" at line ").map_or(full.clone(), |i| full[..i].to_owned());
                self.problems.push(diagnostic(
                    path,
                    &text,
                    line,
                    None,
                    format!("not a valid manifest: {message}"),
                    None,
                ));
            }
        }
    }

    /// One object (or a `v1` List of them) at `pointer` inside `doc`.
    fn object(&mut self, file: &Path, text: &str, doc: &Document, value: &Value, pointer: &str) {
        let line = doc.line_of(pointer);
        let field = |path: &[&str]| path.iter().try_fold(value, |v, k| v.get(k)).and_then(Value::as_str);
        let (Some(api_version), Some(kind)) = (field(&["apiVersion"]), field(&["kind"])) else {
            let message = "not a Kubernetes object: `apiVersion` and `kind` must be strings".into();
            self.problems.push(diagnostic(file, text, line, None, message, None));
            return;
        };
        if api_version == "v1" && kind == "List" {
            let items = value.get("items").and_then(Value::as_array).cloned().unwrap_or_default();
            for (i, item) in items.iter().enumerate() {
                self.object(file, text, doc, item, &format!("{pointer}/items/{i}"));
            }
            return;
        }
        if field(&["metadata", "name"]).is_none_or(str::is_empty) {
            let message = format!("{kind} without `metadata.name`");
            self.problems.push(diagnostic(file, text, line, None, message, None));
            return;
        }
        let group = api_version.rsplit_once('/').map_or("", |(g, _)| g);
        let namespaced = match kinds::lookup(api_version, kind) {
            Some(known) => {
                if let Err(p) = known.check(value) {
                    let line = doc.line_of(&format!("{pointer}{}", p.pointer));
                    let key = p.pointer.trim_start_matches('/').replace('/', ".");
                    let help = format!("see `kubectl explain {}` for the fields of {kind}", explain_path(kind, &key));
                    let message = format!("{kind} {api_version}: {}", p.message);
                    self.problems.push(diagnostic(file, text, line, Some(key), message, Some(help)));
                    return;
                }
                known.namespaced
            }
            None => !self.input.cluster_scoped.contains(&(group.to_owned(), kind.to_owned())),
        };
        match Object::from_value(value.clone(), namespaced) {
            Ok(mut object) => {
                object.default_namespace(&self.app.namespace);
                let key = origin_key(&self.app.name, &identity(&object));
                self.origins.entry(key).or_insert(Origin { file: file.to_owned(), line });
                self.app.objects.push(object);
            }
            Err(e) => self.problems.push(diagnostic(file, text, line, None, e.0, None)),
        }
    }
}

/// `deployment.spec.template` for `kubectl explain`, without list indices.
fn explain_path(kind: &str, key: &str) -> String {
    let fields: Vec<&str> =
        key.split('.').filter(|p| !p.is_empty() && !p.chars().all(|c| c.is_ascii_digit())).collect();
    let parent = &fields[..fields.len().saturating_sub(1)];
    std::iter::once(kind.to_ascii_lowercase().as_str()).chain(parent.iter().copied()).collect::<Vec<_>>().join(".")
}

/// A verbatim file: its name, text and kind. Its `apiVersion` and `kind` must be readable
/// so that the AppProject can allow it.
fn read_verbatim(input: &Input, written: &str) -> Result<(String, String, GroupKind), (String, Option<String>)> {
    let path = files::resolve(input.root, input.env_file, written).map_err(|e| e.message(written))?;
    let text = input::read_text(input.root, &path, Limit::Manifest).map_err(|e| match e {
        InputProblem::NotText => (format!("`{written}` is not UTF-8 text"), None),
        e => (format!("cannot read `{written}`: {e}"), None),
    })?;
    let unreadable = || {
        (
            format!("`{written}` has no readable `apiVersion` and `kind`"),
            Some("leave them unencrypted, as `sops --encrypted-regex '^(data|stringData)$'` does".to_owned()),
        )
    };
    let docs = document::parse(&text).map_err(|_| unreadable())?;
    let [doc] = docs.as_slice() else { return Err((format!("`{written}` must hold exactly one object"), None)) };
    let field = |k: &str| doc.value.get(k).and_then(Value::as_str).filter(|v| !v.starts_with("ENC["));
    let (Some(api_version), Some(kind)) = (field("apiVersion"), field("kind")) else { return Err(unreadable()) };
    let group = api_version.rsplit_once('/').map_or("", |(g, _)| g).to_owned();
    let namespaced = kinds::lookup(api_version, kind).is_none_or(|k| k.namespaced);
    let file_name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    Ok((file_name, text, GroupKind { group, kind: kind.to_owned(), namespaced }))
}

/// Checks Argo CD settings written at `prefix` (`apps.<name>.argocd` or
/// `components.<name>.argocd`) in `file`: sync options Argo CD knows, Go durations.
pub fn check_settings(file: &Path, text: &str, prefix: &str, settings: &spec::ArgoSettings) -> Vec<Diagnostic> {
    let at = |pos: Option<Pos>, key: String, message: String, help: Option<String>| {
        let mut d = diagnostic(file, text, pos.map_or(0, |p| p.line), Some(key), message, help);
        d.pos = pos.or(d.pos);
        d
    };
    let mut problems = Vec::new();
    for (i, option) in settings.sync_options.iter().enumerate() {
        let key = option.value.split_once('=').map(|(k, _)| k);
        if !key.is_some_and(|k| SYNC_OPTIONS.contains(&k)) {
            let name = key.unwrap_or(&option.value);
            let help = match crate::suggest::closest(name, SYNC_OPTIONS.iter().copied()) {
                Some(s) => format!("did you mean `{s}=…`?"),
                None => format!("Argo CD's sync options are {}, each as `Name=value`", SYNC_OPTIONS.join(", ")),
            };
            let message = format!("`{}` is not an Argo CD sync option (`Name=value`)", option.value);
            problems.push(at(option.pos, format!("{prefix}.syncOptions[{i}]"), message, Some(help)));
        }
    }
    let backoff = settings.sync_policy.retry.as_ref().map(|r| &r.backoff);
    for (field, value) in [
        ("duration", backoff.and_then(|b| b.duration.as_ref())),
        ("maxDuration", backoff.and_then(|b| b.max_duration.as_ref())),
    ] {
        if let Some(v) = value.filter(|v| !is_go_duration(&v.value)) {
            let key = format!("{prefix}.syncPolicy.retry.backoff.{field}");
            let message = format!("`{}` is not a duration", v.value);
            problems.push(at(v.pos, key, message, Some("write a Go duration such as `5s`, `1m30s` or `3m`".into())));
        }
    }
    problems
}

fn at(input: &Input, pos: Option<Pos>, key: String, message: String, help: Option<String>) -> Diagnostic {
    let mut d = diagnostic(input.env_file, input.env_text, pos.map_or(0, |p| p.line), Some(key), message, help);
    d.pos = pos.or(d.pos);
    d
}

/// A diagnostic at a whole line (`line` 0: the file as a whole).
pub fn diagnostic(
    file: &Path,
    text: &str,
    line: u64,
    key: Option<String>,
    message: String,
    help: Option<String>,
) -> Diagnostic {
    let source_line = (line > 0).then(|| text.lines().nth(line as usize - 1)).flatten().map(str::to_owned);
    let column = source_line.as_ref().map_or(1, |l| (l.len() - l.trim_start().len() + 1) as u64);
    Diagnostic {
        file: file.to_owned(),
        pos: (line > 0).then_some(Pos { line, column }),
        key,
        message,
        help,
        source_line,
    }
}
