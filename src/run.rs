//! Carries out a [`Plan`].

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;

use oxidy_modules::contract::Stack;

use crate::cli::Plan;
use crate::drift::Drift;
use crate::error::Error;
use crate::lock::ProjectLock;
use crate::output::{self, TreeWrite};
use crate::parallel;
use crate::pipeline::{self, ArgoCdNames, RenderedEnv};
use crate::presentation::{Format, Presentation, Verbosity};
use crate::progress::Progress;
use crate::project::{Project, SCHEMA_FILE};
use crate::report;
use crate::schema;

/// How a successful run ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// Done; for `check`, the committed files are current.
    Ok,
    /// `check` found the committed files out of date.
    Drift,
}

impl Outcome {
    pub fn code(self) -> ExitCode {
        match self {
            Outcome::Ok => ExitCode::SUCCESS,
            Outcome::Drift => ExitCode::from(1),
        }
    }
}

/// The folder all output goes below, relative to the project root.
pub(crate) const GENERATED: &str = "generated";

/// The exit code for an error: 2, as ripgrep uses it.
pub const ERROR_CODE: u8 = 2;

/// [`run_presented`] with plain, uncoloured text.
pub fn run<S: Stack>(plan: &Plan, out: &mut dyn Write) -> Result<Outcome, Error> {
    run_presented::<S>(plan, &Presentation::default(), out)
}

/// Carries out `plan`, printing to `out` as `how` says.
pub fn run_presented<S: Stack>(plan: &Plan, how: &Presentation, out: &mut dyn Write) -> Result<Outcome, Error> {
    // `-q`: render, check and diff say nothing but their errors; their exit code tells. What
    // other commands print, and JSON, is what was asked for and is printed anyway.
    let mut silenced = std::io::sink();
    let says_only_how_it_went =
        matches!(plan, Plan::Render { .. } | Plan::Check { .. } | Plan::Diff { .. } | Plan::Between { .. });
    let out: &mut dyn Write =
        if how.verbosity == Verbosity::Quiet && how.format == Format::Text && says_only_how_it_went {
            &mut silenced
        } else {
            out
        };
    match plan {
        Plan::Diff { project, envs, mode } => {
            let (rendered, roots) = render_project::<S>(project, envs, &progress_for(how))?;
            crate::run_diff::diff(project, &rendered, &roots, &env_schema::<S>(), *mode, how, out)
        }
        Plan::Between { project, a, b, mode } => {
            let pair = if a == b { vec![a.clone()] } else { vec![a.clone(), b.clone()] };
            let rendered = render_all::<S>(project, &pair)?;
            crate::run_diff::between(&rendered[0], rendered.get(1).unwrap_or(&rendered[0]), *mode, how, out)
        }
        Plan::Schema => {
            let _ = out.write_all(schema::env_schema::<S>().as_bytes());
            Ok(Outcome::Ok)
        }
        Plan::Reference => {
            let _ = out.write_all(crate::reference::environment_reference::<S>().as_bytes());
            Ok(Outcome::Ok)
        }
        Plan::Completions(shell) => {
            let _ = out.write_all(&crate::manual::completions(*shell));
            Ok(Outcome::Ok)
        }
        Plan::Man(command) => {
            let _ = out.write_all(&crate::manual::man_page(command.as_deref())?);
            Ok(Outcome::Ok)
        }
        Plan::Graph { project, env, format } => {
            let rendered = render_all::<S>(project, std::slice::from_ref(env))?;
            let graph = crate::graph::Graph::build(&rendered[0].layout.files, &rendered[0].apps);
            let _ = out.write_all(graph.render(*format).as_bytes());
            Ok(Outcome::Ok)
        }
        Plan::Explain { project, env, key } => {
            let report = crate::run_explain::explain::<S>(project, env, key)?;
            let text = match how.format {
                Format::Json => report::pretty(&report),
                Format::Text => {
                    crate::run_explain::text(Path::new(&report.file), report.tier, &report.option, &report.overrides)
                }
            };
            let _ = out.write_all(text.as_bytes());
            Ok(Outcome::Ok)
        }
        Plan::ReportSchema(kind) => {
            let _ = out.write_all(kind.schema().as_bytes());
            Ok(Outcome::Ok)
        }
        Plan::Render { project, envs, wait, prune_orphans } => {
            output::guard(&project.root, &project.root.join(GENERATED))?;
            // Held until the trees are written: a second render waits here, then reads the
            // env files as they are after the first one.
            let _lock = ProjectLock::acquire(&project.root, *wait, &mut std::io::stderr())?;
            let mut progress = progress_for(how);
            let (rendered, roots) = render_project::<S>(project, envs, &progress)?;
            // `-v`: what the render is about to do to each file, said once it is done.
            let files = if how.verbosity == Verbosity::Verbose {
                crate::run_diff::file_lines(project, &rendered)?
            } else {
                String::new()
            };
            let changes = write(project, &rendered, &env_schema::<S>(), &mut progress)?;
            let (orphans, _) = strays(project, &roots);
            if how.format == Format::Json {
                orphans_after_render(project, &orphans, *prune_orphans, &mut std::io::sink())?;
                let report = render_report(&rendered, &changes, &orphans, *prune_orphans);
                let _ = out.write_all(report::pretty(&report).as_bytes());
            } else {
                let _ = out.write_all(files.as_bytes());
                let _ = out.write_all(render_summary(&rendered, &changes).as_bytes());
                orphans_after_render(project, &orphans, *prune_orphans, out)?;
            }
            Ok(Outcome::Ok)
        }
        Plan::List { project, envs } => {
            let rendered = render_all::<S>(project, envs)?;
            if how.format == Format::Json {
                let environments = rendered
                    .into_iter()
                    .map(|env| report::EnvListing {
                        output_root: env.output_root.display().to_string(),
                        objects: env.apps.iter().map(|a| a.objects).sum(),
                        name: env.name,
                        apps: env.apps,
                    })
                    .collect();
                let list = report::ListReport { version: report::VERSION, environments };
                let _ = out.write_all(report::pretty(&list).as_bytes());
                return Ok(Outcome::Ok);
            }
            for env in rendered {
                let root = env.output_root.display().to_string();
                let _ = out.write_all(crate::inventory::render_text(&env.name, &root, &env.apps).as_bytes());
            }
            Ok(Outcome::Ok)
        }
        Plan::Show { project, env, filter } => {
            let rendered = render_all::<S>(project, std::slice::from_ref(env))?;
            show(&rendered[0], filter, out)
        }
        Plan::Check { project, envs } => {
            let mut progress = progress_for(how);
            let (rendered, roots) = render_project::<S>(project, envs, &progress)?;
            progress.finish();
            check(project, &rendered, &roots, &env_schema::<S>(), how, out)
        }
    }
}

/// Loads and renders every selected environment in memory. All of them must succeed before
/// anything is written; every failing environment is reported, not just the first.
pub fn render_all<S: Stack>(project: &Project, envs: &[String]) -> Result<Vec<RenderedEnv>, Error> {
    render_project::<S>(project, envs, &Progress::stderr()).map(|(rendered, _)| rendered)
}

/// [`render_all`], and the output root of every environment of the project, rendered or not:
/// remembered ([`crate::cache`]) when nothing it was made from has changed since, else
/// rendered and remembered.
fn render_project<S: Stack>(
    project: &Project,
    envs: &[String],
    progress: &Progress,
) -> Result<(Vec<RenderedEnv>, Vec<PathBuf>), Error> {
    // Env names are DNS labels: no space.
    let name = format!("render {}", envs.join(" "));
    crate::cache::remembered(&project.root, &name, || {
        let recalled = crate::cache::promql::recall();
        let rendered = render_fresh::<S>(project, envs, progress);
        crate::cache::promql::keep(recalled);
        rendered
    })
}

/// [`render_project`] from the files (each env file is read once, here).
fn render_fresh<S: Stack>(
    project: &Project,
    envs: &[String],
    progress: &Progress,
) -> Result<(Vec<RenderedEnv>, Vec<PathBuf>), Error> {
    let mut loaded = Vec::new();
    let mut problems = Vec::new();
    for name in envs {
        match pipeline::load::<S>(project, name) {
            Ok(env) => loaded.push(env),
            Err(Error::Invalid(d)) => problems.extend(d),
            Err(other) => return Err(other),
        }
    }
    if !problems.is_empty() {
        return Err(Error::Invalid(problems));
    }
    // Environments not being rendered still share the Argo CD instance and the output tree:
    // they are read too, so that rendering one cannot break another.
    let mut others = Vec::new();
    for other in project.env_names()?.into_iter().filter(|e| !envs.contains(e)) {
        match pipeline::load::<S>(project, &other) {
            Ok(env) => others.push(env),
            Err(Error::Invalid(d)) => problems.extend(d),
            Err(other) => return Err(other),
        }
    }
    if !problems.is_empty() {
        return Err(Error::Invalid(problems));
    }
    let roots: Vec<_> =
        loaded.iter().chain(&others).map(|e| (e.name.clone(), e.file.clone(), e.spec.output_root(&e.name))).collect();
    pipeline::check_output_roots(&roots)?;
    let all_roots = roots.into_iter().map(|(_, _, root)| root).collect();
    pipeline::check_dashboards_folder(&project.root, &loaded)?;
    progress.step("compiling dashboards");
    // Dashboards are the same in every environment: compiled once, shared by all.
    let dashboards =
        Arc::new(crate::cache::remembered(&project.root, "dashboards", || crate::dashboards::compile(project))?);
    let rule_files = Arc::new(crate::rule_files::read(project)?);
    // Environments are independent until here: rendered on every core, in the order given.
    let mut rendered = Vec::new();
    let numbered: Vec<(usize, &pipeline::LoadedEnv<S>)> = loaded.iter().enumerate().collect();
    let results = parallel::map(&numbered, |(i, env)| {
        progress.step(format!(
            "rendering {} ({} of {})",
            env.name,
            i + 1,
            count(loaded.len(), "environment", "environments")
        ));
        pipeline::render(env, &dashboards, &rule_files)
    });
    for result in results {
        match result {
            Ok(r) => rendered.push(r),
            Err(Error::Invalid(d)) => problems.extend(d),
            Err(other) => return Err(other),
        }
    }
    let mut names: Vec<ArgoCdNames> = rendered.iter().map(|r| r.argocd.clone()).collect();
    for result in parallel::map(&others, |env| pipeline::argocd_names(env, &dashboards, &rule_files)) {
        match result {
            Ok(n) => names.push(n),
            Err(Error::Invalid(d)) => problems.extend(d),
            Err(other) => return Err(other),
        }
    }
    if !problems.is_empty() {
        return Err(Error::Invalid(problems));
    }
    shared_argocd_names(&names)?;
    Ok((rendered, all_roots))
}

/// Files below `generated/` that no environment of the project writes (`roots` are every
/// environment's output roots), and leftovers of interrupted renders beside them (both
/// relative to the project root).
pub(crate) fn strays(project: &Project, roots: &[PathBuf]) -> (Vec<PathBuf>, Vec<PathBuf>) {
    let targets: Vec<PathBuf> =
        roots.iter().map(|r| project.root.join(r)).chain([project.root.join(SCHEMA_FILE)]).collect();
    let leftovers: Vec<PathBuf> = output::leftovers(&targets)
        .into_iter()
        .map(|p| p.strip_prefix(&project.root).map(Path::to_owned).unwrap_or(p))
        .collect();
    let mut unknown = Vec::new();
    let generated = project.root.join(GENERATED);
    let relative = |path: &Path| path.strip_prefix(&project.root).unwrap_or(path).to_owned();
    // Everything below an output root is its environment's, and below a leftover the
    // render's: neither is walked.
    let walk = walkdir::WalkDir::new(&generated).sort_by_file_name().into_iter().filter_entry(|e| {
        let at = relative(e.path());
        e.depth() == 0 || !roots.iter().chain(&leftovers).any(|r| *r == at)
    });
    for entry in walk.filter_map(Result::ok) {
        let relative = relative(entry.path());
        let owned = roots.iter().any(|r| relative.starts_with(r) || r.starts_with(&relative));
        let leftover = leftovers.iter().any(|l| relative.starts_with(l));
        if !owned && !leftover && !entry.file_type().is_dir() {
            unknown.push(relative);
        }
    }
    (unknown, leftovers)
}

/// Environments bootstrapped into one Argo CD (the same cluster and namespace) must not
/// create Applications or AppProjects of the same name: the second would overwrite the first.
/// Every env file of the project counts, not only the environments being rendered.
fn shared_argocd_names(envs: &[ArgoCdNames]) -> Result<(), Error> {
    let mut seen: std::collections::BTreeMap<(String, &str), &str> = Default::default();
    for env in envs {
        let instance = format!("{:?} {}", env.instance.0, env.instance.1);
        for name in &env.names {
            if let Some(other) = seen.insert((instance.clone(), name), &env.env) {
                return Err(Error::Invalid(vec![crate::error::Diagnostic {
                    file: env.file.clone(),
                    pos: None,
                    key: Some("argocd".into()),
                    message: format!(
                        "environments `{other}` and `{}` share one Argo CD (namespace `{}`) and both create {name}",
                        env.env, env.instance.1
                    ),
                    help: Some("set `argocd.appendEnvName: true` (or a `nameSuffix`) in one of them".into()),
                    source_line: None,
                }]));
            }
        }
    }
    Ok(())
}

/// The env files' JSON Schema, which depends on nothing but the program: remembered with it.
fn env_schema<S: Stack>() -> String {
    let Ok(schema) =
        crate::cache::per_program("env-schema", || Ok::<_, std::convert::Infallible>(schema::env_schema::<S>()));
    schema
}

/// Progress on a terminal, unless `-q` or JSON asked for nothing but the result.
fn progress_for(how: &Presentation) -> Progress {
    if how.verbosity == Verbosity::Quiet || how.format == Format::Json { Progress::none() } else { Progress::stderr() }
}

fn write(
    project: &Project,
    rendered: &[RenderedEnv],
    schema: &str,
    progress: &mut Progress,
) -> Result<Vec<output::Changes>, Error> {
    let files: usize = rendered.iter().map(|r| r.layout.files.len()).sum();
    progress.step(format!("writing {}", count(files, "file", "files")));
    let trees: Vec<TreeWrite> = rendered
        .iter()
        .map(|r| TreeWrite { root: project.root.join(&r.output_root), files: &r.layout.files })
        .collect();
    let singles = [(project.root.join(SCHEMA_FILE), schema.to_owned())];
    let changes = output::write_atomically(&project.root, &trees, &singles);
    // The line is cleared before the summary (or the error) is printed.
    progress.finish();
    changes
}

/// What `render` says it did, a line per environment.
fn render_summary(rendered: &[RenderedEnv], changes: &[output::Changes]) -> String {
    let mut out = String::new();
    for (env, c) in rendered.iter().zip(changes) {
        let verbatim = match env.layout.verbatim.as_slice() {
            [] => String::new(),
            files => format!(
                ", {} ({})",
                count(files.len(), "verbatim file", "verbatim files"),
                files.iter().map(|f| f.display().to_string()).collect::<Vec<_>>().join(", ")
            ),
        };
        let contents = format!(
            "{}{verbatim}, {} in {}",
            count(env.layout.objects, "object", "objects"),
            count(env.layout.files.len(), "file", "files"),
            env.output_root.display()
        );
        // Only what a render really did: an unchanged tree is not touched at all.
        let what = if c.is_empty() {
            "up to date".to_owned()
        } else {
            format!("{} added, {} changed, {} removed", c.added, c.changed, c.removed)
        };
        out.push_str(&format!("{}: {what} ({contents})\n", env.name));
    }
    out
}

/// What `render --format json` says it did.
fn render_report(
    rendered: &[RenderedEnv],
    changes: &[output::Changes],
    orphans: &[PathBuf],
    pruned: bool,
) -> report::RenderReport {
    let environments = rendered
        .iter()
        .zip(changes)
        .map(|(env, c)| report::EnvWritten {
            name: env.name.clone(),
            output_root: env.output_root.display().to_string(),
            added: c.added,
            changed: c.changed,
            removed: c.removed,
            objects: env.layout.objects,
            files: env.layout.files.len(),
            verbatim: env.layout.verbatim.iter().map(|f| f.display().to_string()).collect(),
        })
        .collect();
    let pruned = pruned && !orphans.is_empty();
    let orphans = orphans.iter().map(|o| o.display().to_string()).collect();
    report::RenderReport { version: report::VERSION, environments, orphans, pruned }
}

/// Files no environment writes: deleted with `--prune-orphans` (and the folders they leave
/// empty), named otherwise. A render never deletes them unasked: they may be someone's work.
fn orphans_after_render(project: &Project, orphans: &[PathBuf], prune: bool, out: &mut dyn Write) -> Result<(), Error> {
    if orphans.is_empty() {
        return Ok(());
    }
    if !prune {
        let _ = writeln!(
            out,
            "note: {} below {GENERATED}/ no environment writes ({}{}); `oxidy render --prune-orphans` deletes them",
            count(orphans.len(), "file", "files"),
            orphans[0].display(),
            if orphans.len() > 1 { ", ..." } else { "" }
        );
        return Ok(());
    }
    for orphan in orphans {
        let path = project.root.join(orphan);
        std::fs::remove_file(&path).map_err(|source| Error::Write { path: orphan.clone(), source })?;
        // Folders the orphans leave empty go too, up to generated/ itself.
        let generated = project.root.join(GENERATED);
        for folder in path.ancestors().skip(1).take_while(|f| *f != generated) {
            if std::fs::remove_dir(folder).is_err() {
                break;
            }
        }
        let _ = writeln!(out, "deleted {}: no environment writes it", orphan.display());
    }
    Ok(())
}

/// The rendered files of `env` that `filter` selects, as one YAML stream, each document headed
/// by the path it would be written to. Matching nothing is an error.
fn show(env: &RenderedEnv, filter: &crate::cli::ShowFilter, out: &mut dyn Write) -> Result<Outcome, Error> {
    let selected: Vec<(&PathBuf, &String)> = env
        .layout
        .files
        .iter()
        .filter(|(path, _)| {
            let mut parts = path.components().map(|c| c.as_os_str().to_string_lossy());
            let app = parts.next().unwrap_or_default();
            let file = path.file_stem().map(|f| f.to_string_lossy().into_owned()).unwrap_or_default();
            let (kind, name) = file.split_once('-').unwrap_or((&file, ""));
            filter.app.as_deref().is_none_or(|a| a == app)
                && filter.kind.as_deref().is_none_or(|k| k.eq_ignore_ascii_case(kind))
                && filter.name.as_deref().is_none_or(|n| n == name)
        })
        .collect();
    if selected.is_empty() {
        return Err(Error::NothingToShow { env: env.name.clone() });
    }
    for (i, (path, text)) in selected.iter().enumerate() {
        let separator = if i == 0 { "" } else { "---\n" };
        let _ = write!(out, "{separator}# {}\n{text}", env.output_root.join(path).display());
    }
    Ok(Outcome::Ok)
}

/// `n` with its noun, singular or plural.
pub(crate) fn count(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// The command that brings `rendered` up to date, naming the environments when they are not
/// all of the project's.
pub(crate) fn render_hint(project: &Project, rendered: &[RenderedEnv]) -> String {
    let all = project.env_names().map(|names| names.len() == rendered.len()).unwrap_or(false);
    let names: Vec<&str> = if all { Vec::new() } else { rendered.iter().map(|r| r.name.as_str()).collect() };
    std::iter::once("oxidy render").chain(names).collect::<Vec<_>>().join(" ")
}

fn check(
    project: &Project,
    rendered: &[RenderedEnv],
    roots: &[PathBuf],
    schema: &str,
    how: &Presentation,
    out: &mut dyn Write,
) -> Result<Outcome, Error> {
    let mut drift = Drift::default();
    for env in rendered {
        drift.tree(&project.root, &env.output_root, &env.layout.files)?;
    }
    drift.single(&project.root, Path::new(SCHEMA_FILE), schema);
    let (unknown, leftovers) = strays(project, roots);
    let up_to_date = drift.is_clean() && unknown.is_empty() && leftovers.is_empty();
    if how.format == Format::Json {
        let paths = |list: &[PathBuf]| list.iter().map(|p| p.display().to_string()).collect();
        let report = report::CheckReport {
            version: report::VERSION,
            up_to_date,
            environments: rendered.iter().map(|r| r.name.clone()).collect(),
            files: rendered.iter().map(|r| r.layout.files.len()).sum(),
            added: paths(&drift.added),
            changed: paths(&drift.changed),
            removed: paths(&drift.removed),
            unknown: paths(&unknown),
            leftover: paths(&leftovers),
            fix: (!up_to_date).then(|| render_hint(project, rendered)),
        };
        let _ = out.write_all(report::pretty(&report).as_bytes());
        return Ok(if up_to_date { Outcome::Ok } else { Outcome::Drift });
    }
    if how.verbosity == Verbosity::Verbose {
        let _ = out.write_all(crate::run_diff::file_lines(project, rendered)?.as_bytes());
    }
    if up_to_date {
        let files: usize = rendered.iter().map(|r| r.layout.files.len()).sum();
        let _ = writeln!(
            out,
            "up to date: {}, {}",
            count(rendered.len(), "environment", "environments"),
            count(files, "file", "files")
        );
        return Ok(Outcome::Ok);
    }
    let _ = out.write_all(how.paint().unified_diff(&drift.diff).as_bytes());
    for path in &unknown {
        let _ = writeln!(out, "unknown: {} is written by no environment; delete it", path.display());
    }
    for path in &leftovers {
        let _ = writeln!(
            out,
            "leftover: {} is left from an interrupted render; the next render removes it",
            path.display()
        );
    }
    let strays = [(unknown.len(), "unknown"), (leftovers.len(), "leftover")]
        .iter()
        .filter(|(n, _)| *n > 0)
        .map(|(n, what)| format!(", {n} {what}"))
        .collect::<String>();
    let _ = writeln!(
        out,
        "drift: {} added, {} changed, {} removed{strays}; run `{}` and commit the result",
        drift.added.len(),
        drift.changed.len(),
        drift.removed.len(),
        render_hint(project, rendered),
    );
    Ok(Outcome::Drift)
}
