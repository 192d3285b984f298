//! Command-line flags, parsed into raw arguments and resolved into a [`Plan`].

use std::path::PathBuf;
use std::time::Duration;

use clap::{Parser, Subcommand};

use crate::diff::DiffMode;
use crate::error::Error;
use crate::graph::GraphFormat;
use crate::presentation::{ColorChoice, Format, Presentation, Verbosity};
use crate::project::Project;
use crate::report::ReportKind;

/// What `oxidy --help` and the man page say of the environment variables oxidy reads.
const ENVIRONMENT: &str = "\
Environment:
  OXIDY_CACHE              where renders are remembered (default ~/.cache/oxidy/render), or `off`
  OXIDY_HELM               the helm program for charts rendered with `render: local`
  OXIDY_PROGRESS_AFTER_MS  how long a render runs before a terminal shows its progress (1000)
  NO_COLOR                 no colour with --color auto";

/// oxidy: typed environments in, Argo CD-ready manifests out.
#[derive(Debug, Parser)]
#[command(name = "oxidy", version, about, long_about = None, after_help = ENVIRONMENT)]
pub struct Args {
    /// The project root, holding env/ and generated/. Default: the nearest folder, the current
    /// one or above, that holds env/.
    #[arg(long, global = true)]
    pub root: Option<PathBuf>,
    /// When to colour output: on a terminal unless NO_COLOR is set (auto), always, never.
    #[arg(long, global = true, value_name = "WHEN", default_value = "auto")]
    pub color: ColorChoice,
    /// Print only errors: render, check and diff say nothing else (their exit code tells).
    #[arg(short, long, global = true, conflicts_with = "verbose")]
    pub quiet: bool,
    /// Also print a line per file: what render wrote, what check compared.
    #[arg(short, long, global = true)]
    pub verbose: bool,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Render environments into generated/<env>/ (all of them when none is named).
    Render {
        /// Environments to render: names of env/<name>.yaml.
        envs: Vec<String>,
        /// Seconds to wait for another render of the same project to finish.
        #[arg(long, value_name = "SECONDS", default_value_t = crate::lock::DEFAULT_WAIT.as_secs())]
        wait: u64,
        /// Also delete files below generated/ that no environment writes (the output of a
        /// removed env file, say); without it they are only named.
        #[arg(long)]
        prune_orphans: bool,
        /// `text` for people, `json` for programs (shape: `oxidy schema render`).
        #[arg(long, value_name = "FORMAT", default_value = "text")]
        format: Format,
    },
    /// Render in memory and compare with the committed files: exit 0 when identical, 1 with
    /// a diff when not, 2 on error.
    Check {
        /// Environments to check: names of env/<name>.yaml.
        envs: Vec<String>,
        /// `text` for people, `json` for programs (shape: `oxidy schema check`).
        #[arg(long, value_name = "FORMAT", default_value = "text")]
        format: Format,
    },
    /// List each environment's apps: sync wave, namespace, object count and images.
    List {
        /// Environments to list: names of env/<name>.yaml (default: all).
        envs: Vec<String>,
        /// `text` for people, `json` for programs (shape: `oxidy schema list`).
        #[arg(long, value_name = "FORMAT", default_value = "text")]
        format: Format,
    },
    /// Render one environment to stdout, touching no file: all of it, one app, or the objects
    /// of one kind and name.
    Show {
        /// The environment.
        env: String,
        /// Only this app's files.
        app: Option<String>,
        /// Only objects of this kind (`Deployment`).
        #[arg(long)]
        kind: Option<String>,
        /// Only objects of this name.
        #[arg(long)]
        name: Option<String>,
    },
    /// What a render would change in the committed tree, app by app, writing nothing: exit 0
    /// when nothing, 1 when something, 2 on error. With --between, two environments compared
    /// object by object.
    Diff {
        /// Environments to compare with their committed trees (default: all).
        #[arg(conflicts_with = "between")]
        envs: Vec<String>,
        /// Per file, the lines added and removed (as `git diff --stat`).
        #[arg(long, conflicts_with = "name_only")]
        stat: bool,
        /// Only the paths of the files that differ.
        #[arg(long)]
        name_only: bool,
        /// Compare two environments' objects, matched by kind, namespace and name.
        #[arg(long, num_args = 2, value_names = ["ENV_A", "ENV_B"])]
        between: Vec<String>,
        /// `text` for people, `json` for programs (shape: `oxidy schema diff, oxidy schema diff-between`).
        #[arg(long, value_name = "FORMAT", default_value = "text")]
        format: Format,
    },
    /// The effective value of one env-file option and where it comes from: the env file's
    /// line, or the tier's default; for a section, each of its options.
    Explain {
        /// The environment.
        env: String,
        /// The option, as a dotted path of env-file keys: `components.loki.replicas`,
        /// `git.revision`, `argocd.syncWindows.0.schedule`.
        key: String,
        /// `text` for people, `json` for programs (shape: `oxidy schema explain`).
        #[arg(long, value_name = "FORMAT", default_value = "text")]
        format: Format,
    },
    /// Draw one environment's platform from its rendered files: who sends what to whom (OTLP,
    /// remote write, S3, scrapes, datasource queries, alert routes), apps by sync wave.
    Graph {
        /// The environment.
        env: String,
        /// `mermaid` (a flowchart for Markdown) or `dot` (Graphviz).
        #[arg(long, value_name = "FORMAT", default_value = "mermaid")]
        format: GraphFormat,
    },
    /// Print the JSON Schema of environment files, or of a command's `--format json` output.
    Schema {
        /// The command whose JSON output to describe (default: environment files).
        command: Option<ReportKind>,
    },
    /// Print the environment file reference (docs/environment.md) as Markdown: every option,
    /// its type, its default in each tier and an example.
    Reference,
    /// Print the completion script for a shell: `oxidy completions bash >
    /// ~/.local/share/bash-completion/completions/oxidy`.
    Completions {
        /// The shell.
        shell: clap_complete::Shell,
    },
    /// Print a man page (roff): oxidy(1), or a command's own page (`oxidy man render` is
    /// oxidy-render(1)). `oxidy man | man -l -` shows it.
    Man {
        /// The command whose page to print.
        command: Option<String>,
    },
}

/// What to do, with every name resolved against the project.
#[derive(Debug)]
pub enum Plan {
    Render { project: Project, envs: Vec<String>, wait: Duration, prune_orphans: bool },
    Check { project: Project, envs: Vec<String> },
    List { project: Project, envs: Vec<String> },
    Show { project: Project, env: String, filter: ShowFilter },
    Diff { project: Project, envs: Vec<String>, mode: DiffMode },
    Between { project: Project, a: String, b: String, mode: DiffMode },
    Graph { project: Project, env: String, format: GraphFormat },
    Explain { project: Project, env: String, key: String },
    Schema,
    ReportSchema(ReportKind),
    Reference,
    Completions(clap_complete::Shell),
    Man(Option<String>),
}

/// Which rendered files `show` prints.
#[derive(Debug, Default, Clone)]
pub struct ShowFilter {
    pub app: Option<String>,
    pub kind: Option<String>,
    pub name: Option<String>,
}

impl Args {
    /// Resolves the arguments into what to do and how to print it.
    pub fn resolve(self) -> Result<(Plan, Presentation), Error> {
        let format = match &self.command {
            Command::Render { format, .. }
            | Command::Check { format, .. }
            | Command::List { format, .. }
            | Command::Diff { format, .. }
            | Command::Explain { format, .. } => *format,
            _ => Format::Text,
        };
        let verbosity = match (self.quiet, self.verbose) {
            (true, _) => Verbosity::Quiet,
            (_, true) => Verbosity::Verbose,
            _ => Verbosity::Normal,
        };
        let presentation = Presentation { color: self.color.for_stdout(), format, verbosity };
        Ok((self.plan()?, presentation))
    }

    /// Resolves the arguments: the named environments must exist.
    pub fn plan(self) -> Result<Plan, Error> {
        let root = self.root.unwrap_or_else(|| {
            // From a subfolder of the project, as git finds its repository.
            let here = std::env::current_dir().unwrap_or_else(|_| PathBuf::from("."));
            let found = Project::find(&here);
            if found == here { PathBuf::from(".") } else { found }
        });
        let project = Project::new(root);
        Ok(match self.command {
            Command::Render { envs, wait, prune_orphans, .. } => {
                Plan::Render { envs: project.select(&envs)?, project, wait: Duration::from_secs(wait), prune_orphans }
            }
            Command::Check { envs, .. } => Plan::Check { envs: project.select(&envs)?, project },
            Command::List { envs, .. } => Plan::List { envs: project.select(&envs)?, project },
            Command::Show { env, app, kind, name } => {
                let env = project.select(std::slice::from_ref(&env))?.remove(0);
                Plan::Show { project, env, filter: ShowFilter { app, kind, name } }
            }
            Command::Diff { envs, stat, name_only, between, .. } => {
                let mode = match (stat, name_only) {
                    (true, _) => DiffMode::Stat,
                    (_, true) => DiffMode::NameOnly,
                    _ => DiffMode::Patch,
                };
                match between.as_slice() {
                    [a, b] => {
                        // One at a time: `select` merges a name given twice.
                        let a = project.select(std::slice::from_ref(a))?.remove(0);
                        let b = project.select(std::slice::from_ref(b))?.remove(0);
                        Plan::Between { project, a, b, mode }
                    }
                    _ => Plan::Diff { envs: project.select(&envs)?, project, mode },
                }
            }
            Command::Graph { env, format } => {
                let env = project.select(std::slice::from_ref(&env))?.remove(0);
                Plan::Graph { project, env, format }
            }
            Command::Explain { env, key, .. } => {
                let env = project.select(std::slice::from_ref(&env))?.remove(0);
                Plan::Explain { project, env, key }
            }
            Command::Schema { command: None } => Plan::Schema,
            Command::Schema { command: Some(kind) } => Plan::ReportSchema(kind),
            Command::Reference => Plan::Reference,
            Command::Completions { shell } => Plan::Completions(shell),
            Command::Man { command } => Plan::Man(command),
        })
    }
}
