//! `check`: the rendered tree against the committed one, as a unified diff.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::compare;
use crate::error::Error;

/// How the committed files differ from what a render would write.
#[derive(Debug, Default)]
pub struct Drift {
    pub added: Vec<PathBuf>,
    pub removed: Vec<PathBuf>,
    pub changed: Vec<PathBuf>,
    /// A unified diff from the committed files (`a/`) to the rendered ones (`b/`).
    pub diff: String,
}

impl Drift {
    pub fn is_clean(&self) -> bool {
        self.added.is_empty() && self.removed.is_empty() && self.changed.is_empty()
    }

    /// Compares one tree; `root` is relative to `project_root` and names files in the diff.
    /// Only the files that differ are read whole, for their patch.
    pub fn tree(&mut self, project_root: &Path, root: &Path, files: &BTreeMap<PathBuf, String>) -> Result<(), Error> {
        let dir = project_root.join(root);
        let comparison = compare::tree(&dir, files)?;
        for (relative, text) in files {
            let shown = root.join(relative);
            if comparison.added.contains(relative) {
                self.file(shown, None, Some(text));
            } else if comparison.changed.contains(relative) {
                let old = compare::committed_bytes(&dir, relative)?;
                self.file(shown, Some(&String::from_utf8_lossy(&old)), Some(text));
            }
        }
        for relative in &comparison.removed {
            let old = compare::committed_bytes(&dir, relative)?;
            self.file(root.join(relative), Some(&String::from_utf8_lossy(&old)), None);
        }
        Ok(())
    }

    /// Compares one file outside the trees.
    pub fn single(&mut self, project_root: &Path, relative: &Path, text: &str) {
        match committed_file(project_root, relative) {
            None => self.file(relative.to_owned(), None, Some(text)),
            Some(old) if old != text.as_bytes() => {
                self.file(relative.to_owned(), Some(&String::from_utf8_lossy(&old)), Some(text))
            }
            Some(_) => {}
        }
    }

    fn file(&mut self, path: PathBuf, old: Option<&str>, new: Option<&str>) {
        // The same patch `oxidy diff` prints for the file.
        if let Some(change) = crate::diff::file_change(&path, old, new) {
            self.diff.push_str(&change.patch);
        }
        match (old, new) {
            (None, _) => self.added.push(path),
            (_, None) => self.removed.push(path),
            _ => self.changed.push(path),
        }
    }
}

/// The committed bytes of one file outside the trees (`env/schema.json`), if it exists.
pub fn committed_file(project_root: &Path, relative: &Path) -> Option<Vec<u8>> {
    std::fs::read(project_root.join(relative)).ok()
}
