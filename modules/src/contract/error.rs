use thiserror::Error;

use super::context::{Link, at};
use super::values::Pos;

/// Why a module could not declare or render.
#[derive(Debug, Error, Clone, PartialEq, Eq)]
pub enum ModuleError {
    /// A module needs a link that no enabled component offers (the provider is disabled or
    /// was renamed).
    #[error("{consumer} needs {link}, but no enabled component provides it")]
    MissingLink { consumer: &'static str, link: String, provider: &'static str },

    /// Two modules offer the same link.
    #[error("{link} is provided by both {first} and {second}")]
    DuplicateLink { link: Link, first: &'static str, second: &'static str },

    /// Two modules offer an S3 store.
    #[error("an S3 store is provided by both {first} and {second}")]
    DuplicateS3 { first: &'static str, second: &'static str },

    /// Two datasources share a uid.
    #[error("datasource uid `{uid}` is offered by both {first} and {second}")]
    DuplicateDatasource { uid: String, first: &'static str, second: &'static str },

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

    /// A typed object could not be turned into a manifest.
    #[error("{module}: {message}")]
    Object { module: &'static str, message: String },
}

impl ModuleError {
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
            ModuleError::MissingLink { provider, .. } => {
                Some(format!("enable `components.{provider}`, which provides it, or disable the consumer"))
            }
            _ => None,
        }
    }
}
