//! The stable shapes of `--format json`: one JSON document per run, on standard output, whose
//! JSON Schema is generated from these types (`oxidy schema <command>`) and committed in
//! `docs/schemas/`. Fields are only ever added; `version` changes when one changes meaning or
//! goes away. Errors stay text on standard error, with exit code 2.

use schemars::JsonSchema;
use schemars::generate::SchemaSettings;
use serde::Serialize;

use crate::between::Between;
use crate::diff::AppChanges;
use crate::explain::{Explained, OverrideUse};
use crate::inventory::AppSummary;

/// The version of every report's shape.
pub const VERSION: u32 = 1;

/// `oxidy list --format json`.
#[derive(Debug, Clone, Serialize, JsonSchema)]
#[schemars(title = "oxidy list --format json")]
pub struct ListReport {
    /// The shape's version: 1.
    pub version: u32,
    pub environments: Vec<EnvListing>,
}

/// One environment of `oxidy list`.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct EnvListing {
    /// The environment: the name of env/<name>.yaml.
    pub name: String,
    /// Where its files go, relative to the project root (`generated/staging`).
    pub output_root: String,
    /// Objects in all its apps.
    pub objects: usize,
    /// Its apps in sync-wave order, then by name.
    pub apps: Vec<AppSummary>,
}

/// `oxidy check --format json`.
#[derive(Debug, Clone, Serialize, JsonSchema)]
#[schemars(title = "oxidy check --format json")]
pub struct CheckReport {
    /// The shape's version: 1.
    pub version: u32,
    /// `true` when the committed files are what a render writes (exit code 0).
    pub up_to_date: bool,
    /// The environments checked.
    pub environments: Vec<String>,
    /// Files the render writes, in all of them.
    pub files: usize,
    /// Files a render would add, relative to the project root.
    pub added: Vec<String>,
    /// Files a render would change.
    pub changed: Vec<String>,
    /// Files a render would remove.
    pub removed: Vec<String>,
    /// Files below `generated/` that no environment writes.
    pub unknown: Vec<String>,
    /// Leftovers of an interrupted render.
    pub leftover: Vec<String>,
    /// The command that brings the tree up to date; none when it is.
    pub fix: Option<String>,
}

/// `oxidy diff --format json`.
#[derive(Debug, Clone, Serialize, JsonSchema)]
#[schemars(title = "oxidy diff --format json")]
pub struct DiffReport {
    /// The shape's version: 1.
    pub version: u32,
    /// The environments compared with their committed trees.
    pub environments: Vec<String>,
    /// Files a render would add, in all of them.
    pub added: usize,
    /// Files a render would change, in all of them.
    pub changed: usize,
    /// Files a render would remove, in all of them.
    pub removed: usize,
    /// The apps a render would change, in path order; each file's `patch` is left out with
    /// `--stat` and `--name-only`.
    pub apps: Vec<AppChanges>,
    /// Files below `generated/` that no environment writes (a render leaves them).
    pub orphans: Vec<String>,
    /// The command that writes the changes; none when there are none.
    pub fix: Option<String>,
}

/// `oxidy diff --between A B --format json`.
#[derive(Debug, Clone, Serialize, JsonSchema)]
#[schemars(title = "oxidy diff --between --format json")]
pub struct BetweenReport {
    /// The shape's version: 1.
    pub version: u32,
    #[serde(flatten)]
    pub between: Between,
}

/// `oxidy render --format json`.
#[derive(Debug, Clone, Serialize, JsonSchema)]
#[schemars(title = "oxidy render --format json")]
pub struct RenderReport {
    /// The shape's version: 1.
    pub version: u32,
    pub environments: Vec<EnvWritten>,
    /// Files below `generated/` that no environment writes.
    pub orphans: Vec<String>,
    /// Whether the orphans were deleted (`--prune-orphans`).
    pub pruned: bool,
}

/// What `oxidy render` did to one environment's tree.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct EnvWritten {
    /// The environment.
    pub name: String,
    /// Relative to the project root.
    pub output_root: String,
    /// Files new to the tree.
    pub added: usize,
    /// Files whose bytes changed.
    pub changed: usize,
    /// Files gone from the tree.
    pub removed: usize,
    /// Kubernetes objects in the tree now.
    pub objects: usize,
    /// Files in the tree now.
    pub files: usize,
    /// Files copied byte for byte, relative to the output root.
    pub verbatim: Vec<String>,
}

/// `oxidy explain ENV KEY --format json`.
#[derive(Debug, Clone, Serialize, JsonSchema)]
#[schemars(title = "oxidy explain --format json")]
pub struct ExplainReport {
    /// The shape's version: 1.
    pub version: u32,
    /// The environment: the name of env/<name>.yaml.
    pub env: String,
    /// Its env file, relative to the project root.
    pub file: String,
    /// Its tier, whose defaults apply where the file sets nothing.
    pub tier: oxidy_modules::contract::Tier,
    /// The option asked about.
    #[serde(flatten)]
    pub option: Explained,
    /// For a component's option (`components.<name>...`), the env file's `overrides:` entries
    /// that change objects of that component after its options have rendered.
    pub overrides: Vec<OverrideUse>,
}

/// The commands with a JSON report, as `oxidy schema <command>` names them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ReportKind {
    List,
    Check,
    Diff,
    DiffBetween,
    Render,
    Explain,
}

impl ReportKind {
    pub const ALL: [ReportKind; 6] = [
        ReportKind::List,
        ReportKind::Check,
        ReportKind::Diff,
        ReportKind::DiffBetween,
        ReportKind::Render,
        ReportKind::Explain,
    ];

    /// `diff-between`: the name of its schema file in `docs/schemas/` (with `.json`).
    pub fn name(self) -> &'static str {
        match self {
            ReportKind::List => "list",
            ReportKind::Check => "check",
            ReportKind::Diff => "diff",
            ReportKind::DiffBetween => "diff-between",
            ReportKind::Render => "render",
            ReportKind::Explain => "explain",
        }
    }

    /// The report's JSON Schema (draft 2020-12) as pretty JSON ending in a newline.
    pub fn schema(self) -> String {
        let generator = SchemaSettings::draft2020_12().into_generator();
        let schema = match self {
            ReportKind::List => generator.into_root_schema_for::<ListReport>(),
            ReportKind::Check => generator.into_root_schema_for::<CheckReport>(),
            ReportKind::Diff => generator.into_root_schema_for::<DiffReport>(),
            ReportKind::DiffBetween => generator.into_root_schema_for::<BetweenReport>(),
            ReportKind::Render => generator.into_root_schema_for::<RenderReport>(),
            ReportKind::Explain => generator.into_root_schema_for::<ExplainReport>(),
        };
        pretty(&schema)
    }
}

/// A report as pretty JSON ending in a newline.
pub fn pretty<T: Serialize>(value: &T) -> String {
    let mut text = serde_json::to_string_pretty(value).unwrap_or_default();
    text.push('\n');
    text
}
