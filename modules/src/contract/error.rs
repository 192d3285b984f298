//! What can go wrong in a module: an option the environment does not allow, a link no one
//! offers, two claims on one thing.

use std::sync::Arc;

use thiserror::Error;

use super::context::{Link, at};
use super::object::ObjectError;
use super::values::Pos;
use super::yaml::EncodeError;

/// Why a module could not declare or render.
#[derive(Debug, Error, Clone)]
pub enum ModuleError {
    /// A module needs a link that no enabled component offers (the provider is disabled or
    /// was renamed).
    #[error("{consumer} needs {link}, but no enabled component provides it")]
    /// `wanted` is the role when the need is a link; `provider` is the component to enable,
    /// filled in by the composition root, which knows what every module offers.
    MissingLink { consumer: &'static str, link: String, wanted: Option<Link>, provider: Option<&'static str> },

    /// Two modules offer the same link.
    #[error("{link} is provided by both {first} and {second}")]
    DuplicateLink { link: Link, first: &'static str, second: &'static str },

    /// Two modules offer an S3 store.
    #[error("an S3 store is provided by both {first} and {second}")]
    DuplicateS3 { first: &'static str, second: &'static str },

    /// Two datasources share a uid.
    #[error("datasource uid `{uid}` is offered by both {first} and {second}")]
    DuplicateDatasource { uid: String, first: &'static str, second: &'static str },

    /// Two rule groups share a name.
    #[error("rule group `{group}` is offered by both {first} and {second}")]
    DuplicateRuleGroup { group: String, first: &'static str, second: &'static str },

    /// Two components' monitors produce one scrape job.
    #[error("scrape job `{job}` in namespace `{namespace}` is produced by both {first} and {second}")]
    DuplicateScrapeJob { job: String, namespace: String, first: &'static str, second: &'static str },

    /// Two modules claim one bucket.
    #[error("bucket `{bucket}` is claimed by both {first} and {second}")]
    DuplicateBucket { bucket: String, first: &'static str, second: &'static str },

    /// Two keys set the same NodePort.
    #[error("NodePort {port} is set by both {}{} and {}{}", first.0, at(first.1), second.0, at(second.1))]
    DuplicateNodePort { port: u16, first: (String, Option<Pos>), second: (String, Option<Pos>) },

    /// An option value is valid on its own but not in this environment (dev credentials in
    /// production, say).
    #[error("{key}: {message}")]
    Option { key: String, pos: Option<Pos>, message: String, help: Option<String> },

    /// A config file a module embeds could not be serialized: an error, never an empty file.
    #[error("{module}: {file}: {source}")]
    ConfigFile {
        module: &'static str,
        file: &'static str,
        #[source]
        source: Arc<EncodeError>,
    },

    /// An alerting or recording rule a component offers is broken: its expression does not
    /// parse, its `for` is no duration, its texts are missing or it is defined twice.
    #[error("rule group `{group}`, rule `{rule}`: {problem}")]
    Rule { group: String, rule: String, problem: String },

    /// Two components offer a default datasource.
    #[error("the default datasource is offered by both {first} and {second}")]
    DuplicateDefaultDatasource { first: &'static str, second: &'static str },

    /// A typed object could not be turned into a manifest.
    #[error("{module}: {source}")]
    Object {
        module: &'static str,
        #[source]
        source: ObjectError,
    },

    /// What a module builds is inconsistent (a dashboard that fails the lint, a collector
    /// component configured twice, a bucket name S3 refuses): one entry per problem.
    #[error("{module}: {}", listed(subject, problems))]
    Invalid { module: &'static str, subject: &'static str, problems: Vec<String> },
}

/// One problem as it is; several one per line under a count, so none hides behind another.
fn listed(subject: &str, problems: &[String]) -> String {
    match problems {
        [one] => one.clone(),
        many => {
            let lines: Vec<String> = many.iter().map(|p| format!("  - {p}")).collect();
            format!("{} problems in {subject}:\n{}", many.len(), lines.join("\n"))
        }
    }
}

impl ModuleError {
    /// A single problem of `module`.
    pub fn invalid(module: &'static str, problem: impl Into<String>) -> ModuleError {
        ModuleError::Invalid { module, subject: "its definitions", problems: vec![problem.into()] }
    }

    /// Wraps a serialization error of config file `file` of `module`.
    pub fn config_file(module: &'static str, file: &'static str) -> impl FnOnce(EncodeError) -> ModuleError {
        move |e| ModuleError::ConfigFile { module, file, source: Arc::new(e) }
    }

    /// Where in the env file the error points, if anywhere.
    pub fn pos(&self) -> Option<Pos> {
        match self {
            ModuleError::Option { pos, .. } => *pos,
            ModuleError::DuplicateNodePort { second, first, .. } => second.1.or(first.1),
            _ => None,
        }
    }

    /// The env-file key the error is about, if any.
    pub fn key(&self) -> Option<&str> {
        match self {
            ModuleError::Option { key, .. } => Some(key),
            ModuleError::DuplicateNodePort { second, .. } => Some(&second.0),
            _ => None,
        }
    }

    /// A suggestion, where one exists.
    pub fn help(&self) -> Option<String> {
        match self {
            ModuleError::Option { help, .. } => help.clone(),
            ModuleError::DuplicateNodePort { .. } => Some("give each exposed Service its own NodePort".into()),
            ModuleError::MissingLink { provider: Some(provider), .. } => {
                Some(format!("enable `components.{provider}`, which provides it, or disable the consumer"))
            }
            ModuleError::MissingLink { provider: None, .. } => {
                Some("enable a component that provides it, or disable the consumer".into())
            }
            _ => None,
        }
    }
}

/// An option value that is refused once resolved: a cross-key or semantic check. It points at
/// the value the user wrote, or (`pos` is `None`) at the tier that supplied the default.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OptionError {
    /// The key path in the env file, such as `components.loki.retention`.
    pub key: String,
    pub pos: Option<Pos>,
    pub message: String,
    pub help: Option<String>,
}

impl OptionError {
    /// An error at `components.<component>.<key>`.
    pub fn new(component: &str, key: &str, pos: Option<Pos>, message: impl Into<String>) -> Self {
        OptionError { key: format!("components.{component}.{key}"), pos, message: message.into(), help: None }
    }

    /// Adds a suggestion.
    pub fn help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }
}

impl From<OptionError> for ModuleError {
    fn from(e: OptionError) -> Self {
        ModuleError::Option { key: e.key, pos: e.pos, message: e.message, help: e.help }
    }
}

/// The option errors of one module's resolution, gathered so that every one is reported at
/// once rather than the first alone.
#[derive(Debug, Default)]
pub struct OptionErrors(Vec<OptionError>);

/// The most replicas any one workload may ask for. A larger number is a typo, not a plan, and
/// some components render one entry per replica (peer lists, remote-write URLs), which would
/// grow without bound.
pub const MAX_REPLICAS: u32 = 100;

impl OptionErrors {
    /// Records an error when the replica count at `components.<component>.<key>` is above
    /// [`MAX_REPLICAS`].
    pub fn bound_replicas(&mut self, component: &str, key: &str, value: u32, pos: Option<Pos>) {
        if value > MAX_REPLICAS {
            self.push(
                OptionError::new(
                    component,
                    key,
                    pos,
                    format!("{value} replicas is more than the {MAX_REPLICAS} oxidy renders"),
                )
                .help(format!("set {key} to at most {MAX_REPLICAS}")),
            );
        }
    }

    /// Records a refused value.
    pub fn push(&mut self, error: OptionError) {
        self.0.push(error);
    }

    /// The value of `result`, or `None` with its error recorded.
    pub fn take<T>(&mut self, result: Result<T, OptionError>) -> Option<T> {
        result.map_err(|e| self.0.push(e)).ok()
    }

    /// Every error recorded so far; `Ok` when there is none.
    pub fn check(&mut self) -> Result<(), Vec<OptionError>> {
        if self.0.is_empty() { Ok(()) } else { Err(std::mem::take(&mut self.0)) }
    }

    /// Every error recorded, for a value that could not be built because of them.
    pub fn into_vec(self) -> Vec<OptionError> {
        self.0
    }
}
