//! How a command prints, resolved once from the global flags: colour, format and verbosity.

use std::io::IsTerminal;

use anstyle::{AnsiColor, Style};

/// `--color`: when to colour output.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum ColorChoice {
    /// On a terminal, unless `NO_COLOR` is set.
    #[default]
    Auto,
    Always,
    Never,
}

impl ColorChoice {
    /// Whether to colour: `always` and `never` win over everything; `auto` colours a terminal
    /// unless `NO_COLOR` is set to a non-empty value (<https://no-color.org>).
    pub fn resolve(self, no_color: Option<&std::ffi::OsStr>, terminal: bool) -> bool {
        match self {
            ColorChoice::Always => true,
            ColorChoice::Never => false,
            ColorChoice::Auto => terminal && no_color.is_none_or(|v| v.is_empty()),
        }
    }

    /// [`resolve`](Self::resolve) for standard output and this process's environment.
    pub fn for_stdout(self) -> bool {
        self.resolve(std::env::var_os("NO_COLOR").as_deref(), std::io::stdout().is_terminal())
    }
}

/// `--format`: text for people, JSON for programs.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    #[default]
    Text,
    Json,
}

/// How much a command says: `-q` only errors, `-v` a line per file as well.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord)]
pub enum Verbosity {
    Quiet,
    #[default]
    Normal,
    Verbose,
}

/// Colour, format and verbosity of one run.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Presentation {
    pub color: bool,
    pub format: Format,
    pub verbosity: Verbosity,
}

impl Presentation {
    pub fn paint(&self) -> Paint {
        Paint { on: self.color }
    }
}

/// Colours text when colour is on, and leaves it alone otherwise.
#[derive(Debug, Clone, Copy, Default)]
pub struct Paint {
    on: bool,
}

impl Paint {
    fn style(&self, style: Style, text: &str) -> String {
        if self.on { format!("{}{text}{}", style.render(), style.render_reset()) } else { text.to_owned() }
    }

    /// Lines that a change adds.
    pub fn added(&self, text: &str) -> String {
        self.style(AnsiColor::Green.on_default(), text)
    }

    /// Lines that a change removes.
    pub fn removed(&self, text: &str) -> String {
        self.style(AnsiColor::Red.on_default(), text)
    }

    /// Hunk headers (`@@ -1,3 +1,4 @@`).
    pub fn hunk(&self, text: &str) -> String {
        self.style(AnsiColor::Cyan.on_default(), text)
    }

    /// Headings: a group's name, a file's `---`/`+++` lines.
    pub fn heading(&self, text: &str) -> String {
        self.style(Style::new().bold(), text)
    }

    /// A unified diff, each line coloured by what it is. Plain text comes back unchanged.
    pub fn unified_diff(&self, diff: &str) -> String {
        if !self.on {
            return diff.to_owned();
        }
        let mut out = String::with_capacity(diff.len() + diff.len() / 4);
        for line in diff.split_inclusive('\n') {
            let (body, end) = line.strip_suffix('\n').map_or((line, ""), |b| (b, "\n"));
            let painted = if body.starts_with("+++") || body.starts_with("---") {
                self.heading(body)
            } else if body.starts_with('+') {
                self.added(body)
            } else if body.starts_with('-') {
                self.removed(body)
            } else if body.starts_with("@@") {
                self.hunk(body)
            } else {
                body.to_owned()
            };
            out.push_str(&painted);
            out.push_str(end);
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::ffi::OsStr;

    #[test]
    fn auto_colours_a_terminal_unless_no_color_is_set() {
        assert!(ColorChoice::Auto.resolve(None, true));
        assert!(!ColorChoice::Auto.resolve(None, false));
        assert!(!ColorChoice::Auto.resolve(Some(OsStr::new("1")), true));
        assert!(ColorChoice::Auto.resolve(Some(OsStr::new("")), true), "an empty NO_COLOR is unset");
        assert!(ColorChoice::Always.resolve(Some(OsStr::new("1")), false), "the flag wins");
        assert!(!ColorChoice::Never.resolve(None, true));
    }

    #[test]
    fn a_diff_is_coloured_line_by_line_and_plain_when_off() {
        let diff = "--- a/x\n+++ b/x\n@@ -1 +1 @@\n-old\n+new\n same\n";
        assert_eq!(Paint { on: false }.unified_diff(diff), diff);
        let painted = Paint { on: true }.unified_diff(diff);
        assert!(painted.contains("\u{1b}[31m-old\u{1b}[0m\n"), "{painted:?}");
        assert!(painted.contains("\u{1b}[32m+new\u{1b}[0m\n"), "{painted:?}");
        assert!(painted.ends_with("\n same\n"), "{painted:?}");
    }
}
