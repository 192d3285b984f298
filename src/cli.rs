//! Command-line flags, parsed into raw arguments and resolved into a [`Plan`].

use std::path::PathBuf;
use std::time::Duration;

use clap::{Parser, Subcommand};

use crate::error::Error;
use crate::project::Project;

/// oxidy: typed environments in, Argo CD-ready manifests out.
#[derive(Debug, Parser)]
#[command(name = "oxidy", version, about, long_about = None)]
pub struct Args {
    /// The project root, holding env/ and generated/. Default: the nearest folder, the current
    /// one or above, that holds env/.
    #[arg(long, global = true)]
    pub root: Option<PathBuf>,
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
    },
    /// Render in memory and compare with the committed files: exit 0 when identical, 1 with
    /// a diff when not, 2 on error.
    Check {
        /// Environments to check: names of env/<name>.yaml.
        envs: Vec<String>,
    },
    /// List each environment's apps: sync wave, namespace, object count and images.
    List {
        /// Environments to list: names of env/<name>.yaml (default: all).
        envs: Vec<String>,
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
    /// Print the JSON Schema of environment files.
    Schema,
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
    Schema,
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
            Command::Render { envs, wait, prune_orphans } => {
                Plan::Render { envs: project.select(&envs)?, project, wait: Duration::from_secs(wait), prune_orphans }
            }
            Command::Check { envs } => Plan::Check { envs: project.select(&envs)?, project },
            Command::List { envs } => Plan::List { envs: project.select(&envs)?, project },
            Command::Show { env, app, kind, name } => {
                let env = project.select(std::slice::from_ref(&env))?.remove(0);
                Plan::Show { project, env, filter: ShowFilter { app, kind, name } }
            }
            Command::Schema => Plan::Schema,
            Command::Reference => Plan::Reference,
            Command::Completions { shell } => Plan::Completions(shell),
            Command::Man { command } => Plan::Man(command),
        })
    }
}
