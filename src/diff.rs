//! `oxidy diff`: what a render would change in the committed tree, file by file, grouped by
//! app, as a unified diff, a `--stat` table or the names alone. Pure: given the committed
//! bytes and the rendered text, it decides; `run.rs` reads the disk.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use schemars::JsonSchema;
use serde::Serialize;
use similar::{ChangeTag, TextDiff};

use crate::presentation::Paint;

/// What `oxidy diff` prints: a unified diff, per-file line counts, or the names alone.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum DiffMode {
    #[default]
    Patch,
    Stat,
    NameOnly,
}

/// What a render does to one file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    /// The render writes a file that is not committed.
    Added,
    /// The render writes different bytes.
    Changed,
    /// The render deletes a committed file.
    Removed,
}

/// One file a render would change.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, JsonSchema)]
pub struct FileChange {
    /// Relative to the project root (`generated/staging/grafana/Deployment-grafana.yaml`).
    pub path: String,
    pub status: Status,
    /// Lines the render adds.
    pub insertions: usize,
    /// Lines the render removes.
    pub deletions: usize,
    /// The unified diff from the committed file (`a/`) to the rendered one (`b/`); absent
    /// in the JSON of `--stat` and `--name-only`.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub patch: String,
}

/// The files of one app that a render would change.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, JsonSchema)]
pub struct AppChanges {
    /// The environment; none for files outside every environment's tree (`env/schema.json`).
    pub env: Option<String>,
    /// The app's folder below the output root (files in `build/<app>/` count as `<app>`'s);
    /// `(root)` for files directly in the output root, the file's own path outside every tree.
    pub app: String,
    /// Its files a render would add.
    pub added: usize,
    /// Its files a render would change.
    pub changed: usize,
    /// Its files a render would remove.
    pub removed: usize,
    /// Each file, in path order.
    pub files: Vec<FileChange>,
}

impl AppChanges {
    /// `staging/grafana`, as headings name the group.
    pub fn label(&self) -> String {
        match &self.env {
            Some(env) => format!("{env}/{}", self.app),
            None => self.app.clone(),
        }
    }
}

/// Added, changed and removed files, counted.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, JsonSchema)]
pub struct Counts {
    pub added: usize,
    pub changed: usize,
    pub removed: usize,
}

impl Counts {
    pub fn total(&self) -> usize {
        self.added + self.changed + self.removed
    }
}

impl std::fmt::Display for Counts {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} added, {} changed, {} removed", self.added, self.changed, self.removed)
    }
}

/// Everything a render would change, app by app in path order.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, JsonSchema)]
pub struct TreeDiff {
    pub apps: Vec<AppChanges>,
}

/// The app a file of an output root belongs to: its first folder, the second for `build/`,
/// `(root)` for a file directly in the output root.
pub fn app_of(relative: &Path) -> String {
    let parts: Vec<String> = relative.components().map(|c| c.as_os_str().to_string_lossy().into_owned()).collect();
    match parts.as_slice() {
        [first, app, _, ..] if first == crate::layout::BUILD_DIR => app.clone(),
        [_] | [] => "(root)".to_owned(),
        [first, ..] => first.clone(),
    }
}

impl TreeDiff {
    /// Compares one environment's rendered `files` with the `committed` bytes of its output
    /// root (`root`, relative to the project root, names the files).
    pub fn tree(
        &mut self,
        env: &str,
        root: &Path,
        committed: &BTreeMap<PathBuf, Vec<u8>>,
        files: &BTreeMap<PathBuf, String>,
    ) {
        let mut by_app: BTreeMap<String, Vec<FileChange>> = BTreeMap::new();
        let mut paths: Vec<&PathBuf> = files.keys().chain(committed.keys()).collect();
        paths.sort();
        paths.dedup();
        for relative in paths {
            let old = committed.get(relative).map(|b| String::from_utf8_lossy(b).into_owned());
            let new = files.get(relative).map(String::as_str);
            if let Some(change) = file_change(&root.join(relative), old.as_deref(), new) {
                by_app.entry(app_of(relative)).or_default().push(change);
            }
        }
        for (app, files) in by_app {
            self.apps.push(group(Some(env.to_owned()), app, files));
        }
    }

    /// Compares one file outside the trees (`env/schema.json`).
    pub fn single(&mut self, relative: &Path, committed: Option<&[u8]>, text: &str) {
        let old = committed.map(|b| String::from_utf8_lossy(b).into_owned());
        if let Some(change) = file_change(relative, old.as_deref(), Some(text)) {
            self.apps.push(group(None, relative.display().to_string(), vec![change]));
        }
    }

    pub fn counts(&self) -> Counts {
        let mut c = Counts::default();
        for app in &self.apps {
            c.added += app.added;
            c.changed += app.changed;
            c.removed += app.removed;
        }
        c
    }

    pub fn is_empty(&self) -> bool {
        self.apps.is_empty()
    }

    /// The text `oxidy diff` prints, in `mode`, coloured by `paint`; ends with the summary.
    pub fn text(&self, mode: DiffMode, paint: Paint) -> String {
        let mut out = String::new();
        if mode == DiffMode::NameOnly {
            for file in self.apps.iter().flat_map(|a| &a.files) {
                let _ = writeln!(out, "{}", file.path);
            }
            return out;
        }
        let width = self.apps.iter().flat_map(|a| &a.files).map(|f| f.path.len()).max().unwrap_or(0);
        let most = self.apps.iter().flat_map(|a| &a.files).map(|f| f.insertions + f.deletions).max().unwrap_or(0);
        for app in &self.apps {
            let counts = Counts { added: app.added, changed: app.changed, removed: app.removed };
            let _ = writeln!(out, "{}", paint.heading(&format!("{}: {counts}", app.label())));
            for file in &app.files {
                match mode {
                    DiffMode::Stat => out.push_str(&stat_line(file, width, most, paint)),
                    _ => out.push_str(&paint.unified_diff(&file.patch)),
                }
            }
        }
        out
    }
}

/// ` path | 12 ++++----`, as `git diff --stat` prints it.
fn stat_line(file: &FileChange, width: usize, most: usize, paint: Paint) -> String {
    let lines = file.insertions + file.deletions;
    let signs = bars(file.insertions, file.deletions, most, paint);
    let digits = most.to_string().len();
    format!(" {:width$} | {lines:>digits$} {signs}", file.path).trim_end().to_owned() + "\n"
}

/// `++++----` for lines added and removed, scaled as git scales them: at most 40 signs for
/// the largest change (`most` lines), at least one for any change.
pub fn bars(insertions: usize, deletions: usize, most: usize, paint: Paint) -> String {
    const WIDTH: usize = 40;
    let scale = |n: usize| if most <= WIDTH || n == 0 { n } else { (n * WIDTH).div_ceil(most).max(1) };
    let (plus, minus) = (scale(insertions), scale(deletions));
    let mut out = String::new();
    if plus > 0 {
        out.push_str(&paint.added(&"+".repeat(plus)));
    }
    if minus > 0 {
        out.push_str(&paint.removed(&"-".repeat(minus)));
    }
    out
}

fn group(env: Option<String>, app: String, files: Vec<FileChange>) -> AppChanges {
    let count = |s: Status| files.iter().filter(|f| f.status == s).count();
    AppChanges {
        env,
        app,
        added: count(Status::Added),
        changed: count(Status::Changed),
        removed: count(Status::Removed),
        files,
    }
}

/// The change from `old` (committed) to `new` (rendered) at `path`; none when they are equal.
pub fn file_change(path: &Path, old: Option<&str>, new: Option<&str>) -> Option<FileChange> {
    let status = match (old, new) {
        (None, Some(_)) => Status::Added,
        (Some(_), None) => Status::Removed,
        (Some(a), Some(b)) if a != b => Status::Changed,
        _ => return None,
    };
    let shown = path.display().to_string();
    let (a, b) = (
        if old.is_some() { format!("a/{shown}") } else { "/dev/null".into() },
        if new.is_some() { format!("b/{shown}") } else { "/dev/null".into() },
    );
    let (patch, insertions, deletions) = unified(old.unwrap_or(""), new.unwrap_or(""), &a, &b);
    Some(FileChange { path: shown, status, insertions, deletions, patch })
}

/// A unified diff from `old` to `new` with three lines of context, and the lines added and
/// removed.
pub fn unified(old: &str, new: &str, a: &str, b: &str) -> (String, usize, usize) {
    let diff = TextDiff::from_lines(old, new);
    let (mut insertions, mut deletions) = (0, 0);
    for change in diff.iter_all_changes() {
        match change.tag() {
            ChangeTag::Insert => insertions += 1,
            ChangeTag::Delete => deletions += 1,
            ChangeTag::Equal => {}
        }
    }
    let patch = diff.unified_diff().context_radius(3).header(a, b).to_string();
    (patch, insertions, deletions)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tree(files: &[(&str, &str)]) -> BTreeMap<PathBuf, String> {
        files.iter().map(|(p, t)| (PathBuf::from(p), t.to_string())).collect()
    }

    #[test]
    fn files_are_grouped_by_app_with_build_files_in_their_app() {
        assert_eq!(app_of(Path::new("grafana/Deployment-grafana.yaml")), "grafana");
        assert_eq!(app_of(Path::new("build/collector/builder-config.yaml")), "collector");
        assert_eq!(app_of(Path::new("bootstrap.yaml")), "(root)");
    }

    #[test]
    fn added_changed_and_removed_files_are_counted_per_app() {
        let committed: BTreeMap<PathBuf, Vec<u8>> =
            [("a/x.yaml", "one\ntwo\n"), ("a/gone.yaml", "bye\n"), ("b/same.yaml", "same\n")]
                .iter()
                .map(|(p, t)| (PathBuf::from(p), t.as_bytes().to_vec()))
                .collect();
        let rendered = tree(&[("a/x.yaml", "one\n2\n"), ("b/same.yaml", "same\n"), ("c/new.yaml", "hi\n")]);
        let mut diff = TreeDiff::default();
        diff.tree("local", Path::new("generated/local"), &committed, &rendered);
        assert_eq!(diff.counts(), Counts { added: 1, changed: 1, removed: 1 });
        let labels: Vec<String> = diff.apps.iter().map(AppChanges::label).collect();
        assert_eq!(labels, ["local/a", "local/c"]);
        let x = &diff.apps[0].files[1];
        assert_eq!((x.path.as_str(), x.insertions, x.deletions), ("generated/local/a/x.yaml", 1, 1));
        assert!(x.patch.contains("-two\n+2\n"), "{}", x.patch);
    }

    #[test]
    fn stat_bars_are_scaled_to_forty_signs() {
        let file = FileChange {
            path: "p".into(),
            status: Status::Changed,
            insertions: 300,
            deletions: 100,
            patch: String::new(),
        };
        let line = stat_line(&file, 1, 400, Paint::default());
        assert_eq!(line, format!(" p | 400 {}{}\n", "+".repeat(30), "-".repeat(10)));
    }
}
