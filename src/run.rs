//! Carries out a [`Plan`].

use std::io::Write;
use std::process::ExitCode;
use std::sync::Arc;

use oxidy_modules::contract::Stack;

use crate::cli::Plan;
use crate::drift::Drift;
use crate::error::Error;
use crate::output::{self, TreeWrite};
use crate::pipeline::{self, ArgoCdNames, RenderedEnv};
use crate::project::{Project, SCHEMA_FILE};
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

/// The exit code for an error: 2, as ripgrep uses it.
pub const ERROR_CODE: u8 = 2;

pub fn run<S: Stack>(plan: &Plan, out: &mut dyn Write) -> Result<Outcome, Error> {
    match plan {
        Plan::Schema => {
            let _ = out.write_all(schema::env_schema::<S>().as_bytes());
            Ok(Outcome::Ok)
        }
        Plan::Render { project, envs } => {
            let rendered = render_all::<S>(project, envs)?;
            write(project, &rendered, &schema::env_schema::<S>(), out)?;
            Ok(Outcome::Ok)
        }
        Plan::Check { project, envs } => {
            let rendered = render_all::<S>(project, envs)?;
            check(project, &rendered, &schema::env_schema::<S>(), out)
        }
    }
}

/// Loads and renders every selected environment in memory. All of them must succeed before
/// anything is written; every failing environment is reported, not just the first.
pub fn render_all<S: Stack>(project: &Project, envs: &[String]) -> Result<Vec<RenderedEnv>, Error> {
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
    // Dashboards are the same in every environment: compiled once, shared by all.
    let dashboards = Arc::new(crate::dashboards::compile(project)?);
    let rule_files = Arc::new(crate::rule_files::read(project)?);
    let mut rendered = Vec::new();
    for env in &loaded {
        match pipeline::render(env, &dashboards, &rule_files) {
            Ok(r) => rendered.push(r),
            Err(Error::Invalid(d)) => problems.extend(d),
            Err(other) => return Err(other),
        }
    }
    let mut names: Vec<ArgoCdNames> = rendered.iter().map(|r| r.argocd.clone()).collect();
    for env in &others {
        match pipeline::argocd_names(env, &dashboards, &rule_files) {
            Ok(n) => names.push(n),
            Err(Error::Invalid(d)) => problems.extend(d),
            Err(other) => return Err(other),
        }
    }
    if !problems.is_empty() {
        return Err(Error::Invalid(problems));
    }
    shared_argocd_names(&names)?;
    Ok(rendered)
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

fn write(project: &Project, rendered: &[RenderedEnv], schema: &str, out: &mut dyn Write) -> Result<(), Error> {
    let trees: Vec<TreeWrite> = rendered
        .iter()
        .map(|r| TreeWrite { root: project.root.join(&r.output_root), files: &r.layout.files })
        .collect();
    let singles = [(project.root.join(SCHEMA_FILE), schema.to_owned())];
    let changes = output::write_atomically(&trees, &singles)?;
    for (env, c) in rendered.iter().zip(changes) {
        let verbatim = match env.layout.verbatim.as_slice() {
            [] => String::new(),
            files => format!(
                ", {} verbatim ({})",
                files.len(),
                files.iter().map(|f| f.display().to_string()).collect::<Vec<_>>().join(", ")
            ),
        };
        let _ = writeln!(
            out,
            "{}: {} objects{verbatim}, {} files written to {}, {} changed, {} removed",
            env.name,
            env.layout.objects,
            c.written,
            env.output_root.display(),
            c.changed,
            c.removed
        );
    }
    Ok(())
}

fn check(project: &Project, rendered: &[RenderedEnv], schema: &str, out: &mut dyn Write) -> Result<Outcome, Error> {
    let mut drift = Drift::default();
    for env in rendered {
        drift.tree(&project.root, &env.output_root, &env.layout.files)?;
    }
    drift.single(&project.root, std::path::Path::new(SCHEMA_FILE), schema);
    if drift.is_clean() {
        let files: usize = rendered.iter().map(|r| r.layout.files.len()).sum();
        let _ = writeln!(out, "up to date: {} environments, {files} files", rendered.len());
        return Ok(Outcome::Ok);
    }
    let _ = out.write_all(drift.diff.as_bytes());
    let _ = writeln!(
        out,
        "drift: {} added, {} changed, {} removed; run `cargo run --release -- render` and commit the result",
        drift.added.len(),
        drift.changed.len(),
        drift.removed.len()
    );
    Ok(Outcome::Drift)
}
