//! Every way oxidy can fail, and how a failure is shown: one screen, naming the file, line and
//! key, with a suggestion where one exists.

use std::fmt;
use std::io;
use std::path::PathBuf;

use thiserror::Error;

use oxidy_modules::contract::Pos;

/// A problem in an input file, pointed at precisely.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    /// The file, as given relative to the project root.
    pub file: PathBuf,
    pub pos: Option<Pos>,
    /// The key path, such as `components.garage.dataVolume`.
    pub key: Option<String>,
    pub message: String,
    pub help: Option<String>,
    /// The offending source line, quoted under the message.
    pub source_line: Option<String>,
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.file.display())?;
        if let Some(p) = self.pos {
            write!(f, ":{}:{}", p.line, p.column)?;
        }
        if let Some(key) = &self.key {
            write!(f, ": {key}")?;
        }
        write!(f, ": {}", clip(&self.message, MAX_MESSAGE))?;
        if let (Some(p), Some(line)) = (self.pos, &self.source_line) {
            let gutter = p.line.to_string().len();
            let (shown, start) = window(line, p.column.saturating_sub(1) as usize);
            // Underline the token at the position: a key up to its colon, or a value.
            let width = shown.chars().skip(start).take_while(|c| !c.is_whitespace() && *c != ':').count().max(1);
            let pad = " ".repeat(start);
            write!(f, "\n{:gutter$} |\n{} | {shown}\n{:gutter$} | {pad}{}", "", p.line, "", "^".repeat(width))?;
        }
        if let Some(help) = &self.help {
            write!(f, "\n  help: {help}")?;
        }
        Ok(())
    }
}

/// The longest message shown, in characters: a message may repeat a value from the input.
const MAX_MESSAGE: usize = 300;
/// The widest part of a source line quoted under a message, in characters.
const MAX_QUOTE: usize = 120;

/// `text`, cut to `max` characters with an ellipsis.
fn clip(text: &str, max: usize) -> std::borrow::Cow<'_, str> {
    match text.char_indices().nth(max) {
        Some((end, _)) => format!("{}…", &text[..end]).into(),
        None => text.into(),
    }
}

/// The part of `line` quoted around the 0-based character `column`, at most [`MAX_QUOTE`]
/// characters with ellipses where it was cut, and the column within that part.
fn window(line: &str, column: usize) -> (String, usize) {
    let length = line.chars().count();
    if length <= MAX_QUOTE {
        return (line.to_owned(), column);
    }
    let start = column.saturating_sub(MAX_QUOTE / 3).min(length.saturating_sub(MAX_QUOTE));
    let mut shown: String = line.chars().skip(start).take(MAX_QUOTE).collect();
    if start + MAX_QUOTE < length {
        shown.push('…');
    }
    if start > 0 {
        return (format!("…{shown}"), column - start + 1);
    }
    (shown, column)
}

/// Why a command failed. Every variant ends the run with exit code 2 and writes nothing.
#[derive(Debug, Error)]
pub enum Error {
    /// The project root has no `env/` directory with environment files.
    #[error("no environments: {} has no *.yaml files (run oxidy from the project root, or pass --root)", .0.display())]
    NoEnvironments(PathBuf),

    /// An environment named on the command line has no file in `env/`.
    #[error("no environment `{name}` (there is no env/{name}.yaml){}", did_you_mean(.suggestion))]
    UnknownEnvironment { name: String, suggestion: Option<String> },

    /// `oxidy man COMMAND` names no command of oxidy's.
    #[error("no command `{name}` to show the man page of (`oxidy --help` lists them){}", did_you_mean(.suggestion))]
    UnknownCommand { name: String, suggestion: Option<String> },

    /// A file or directory could not be read.
    #[error("cannot read {}", path.display())]
    Read { path: PathBuf, source: io::Error },

    /// An input file is not one oxidy reads: outside the repository, not a regular file, too
    /// large or not text. Nothing of its contents is shown.
    #[error("cannot read {}", path.display())]
    Input { path: PathBuf, source: crate::input::InputProblem },

    /// The rendered tree could not be written; `generated/` was left as it was.
    #[error("cannot write {}; nothing was changed", path.display())]
    Write { path: PathBuf, source: io::Error },

    /// An output folder is a symbolic link: writing through it would write, and prune,
    /// outside the repository.
    #[error("{} is a symbolic link; oxidy writes only into real folders inside the repository (replace the link with a folder)", path.display())]
    OutputLink { path: PathBuf },

    /// Another render holds the project lock and did not finish in time.
    #[error("another oxidy render of {} did not finish within {} s; run again when it has, or wait longer with --wait", path.display(), waited.as_secs())]
    Locked { path: PathBuf, waited: std::time::Duration },

    /// Rendered objects break the policy gate (`crate::policy`); each finding names the file,
    /// the object and the rule.
    #[error("{env} ({}): {} object(s) break the policy:\n{}\n  help: fix each object (an `overrides:` entry for a platform object), or exempt it with the annotation `policy.oxidy.dev/<rule>: <reason>` (README: Security)", file.display(), findings.len(), findings.iter().map(|f| format!("  {f}")).collect::<Vec<_>>().join("\n"))]
    Policy { env: String, file: PathBuf, findings: Vec<String> },

    /// `explain` was given a key that is no option of the env file (or no entry it writes).
    #[error("{}: no option `{key}`: {reason}{}", file.display(), help.as_ref().map(|h| format!("\n  help: {h}")).unwrap_or_default())]
    UnknownOption { file: PathBuf, key: String, reason: String, help: Option<String> },

    /// `show` selected no rendered file.
    #[error("nothing in environment `{env}` matches; `oxidy list {env}` names its apps")]
    NothingToShow { env: String },

    /// Input files are invalid: each diagnostic names a file, line and key.
    #[error("{}", render_diagnostics(.0))]
    Invalid(Vec<Diagnostic>),

    /// Two objects of one environment map to the same file.
    #[error("{env}: {first} and {second} would both be written to {}; rename one of them", path.display())]
    FileCollision { env: String, path: PathBuf, first: String, second: String },

    /// A rendered object could not be written as YAML.
    #[error("{env}: cannot write {object} as YAML: {message}")]
    Yaml { env: String, object: String, message: String },
}

fn did_you_mean(suggestion: &Option<String>) -> String {
    suggestion.as_ref().map(|s| format!("; did you mean `{s}`?")).unwrap_or_default()
}

fn render_diagnostics(diagnostics: &[Diagnostic]) -> String {
    let mut out = String::new();
    for (i, d) in diagnostics.iter().enumerate() {
        if i > 0 {
            out.push_str("\nerror: ");
        }
        out.push_str(&d.to_string());
    }
    out
}

impl Error {
    /// The error and all its causes, one per line: what ripgrep and anyhow print.
    pub fn report(&self) -> String {
        let mut out = format!("error: {self}");
        let mut source = std::error::Error::source(self);
        while let Some(cause) = source {
            out.push_str(&format!("\n  caused by: {cause}"));
            source = cause.source();
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(line: &str, column: u64, message: &str) -> String {
        Diagnostic {
            file: PathBuf::from("env/x.yaml"),
            pos: Some(Pos { line: 3, column }),
            key: None,
            message: message.to_owned(),
            help: None,
            source_line: Some(line.to_owned()),
        }
        .to_string()
    }

    #[test]
    fn long_lines_are_quoted_around_the_position_only() {
        let line = format!("key: {}bad{}", "a".repeat(5000), "b".repeat(5000));
        let shown = at(&line, 5006, "wrong");
        assert!(shown.len() < 600, "{shown}");
        let quoted = shown.lines().nth(2).unwrap();
        let caret = shown.lines().nth(3).unwrap();
        let column = caret.chars().position(|c| c == '^').unwrap();
        assert_eq!(quoted.chars().skip(column).take(3).collect::<String>(), "bad", "{shown}");
        assert!(quoted.contains("…a") && quoted.ends_with('…'), "{quoted}");
    }

    #[test]
    fn short_lines_and_messages_are_shown_whole() {
        assert_eq!(at("a: 1", 4, "wrong"), "env/x.yaml:3:4: wrong\n  |\n3 | a: 1\n  |    ^");
        let long = "x".repeat(1000);
        let shown = at("a: 1", 4, &long);
        assert!(shown.contains(&format!("{}…", "x".repeat(MAX_MESSAGE))) && !shown.contains(&long));
    }
}
