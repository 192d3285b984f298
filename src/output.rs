//! Writing rendered trees atomically: every tree is built aside, then swapped in. A failure
//! before the swap leaves everything exactly as it was; files are pruned only inside each
//! environment's own output root.

use std::collections::BTreeMap;
use std::fs;
use std::io;
use std::path::{Path, PathBuf};

use walkdir::WalkDir;

use crate::error::Error;

/// Every file below `dir`, relative to it, with its bytes. A missing `dir` is an empty tree.
pub fn read_tree(dir: &Path) -> Result<BTreeMap<PathBuf, Vec<u8>>, Error> {
    let mut files = BTreeMap::new();
    if !dir.exists() {
        return Ok(files);
    }
    for entry in WalkDir::new(dir).sort_by_file_name() {
        let entry = entry.map_err(|e| Error::Read { path: dir.to_owned(), source: e.into() })?;
        if entry.file_type().is_file() {
            let path = entry.path();
            let bytes = fs::read(path).map_err(|source| Error::Read { path: path.to_owned(), source })?;
            files.insert(path.strip_prefix(dir).unwrap_or(path).to_owned(), bytes);
        }
    }
    Ok(files)
}

/// One tree to write: `files` become exactly the contents of `root`.
pub struct TreeWrite<'a> {
    pub root: PathBuf,
    pub files: &'a BTreeMap<PathBuf, String>,
}

/// How one tree changed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Changes {
    pub written: usize,
    pub changed: usize,
    pub removed: usize,
}

/// Counts what writing `files` over `existing` would change.
pub fn changes(existing: &BTreeMap<PathBuf, Vec<u8>>, files: &BTreeMap<PathBuf, String>) -> Changes {
    Changes {
        written: files.len(),
        changed: files.iter().filter(|(p, text)| existing.get(*p).is_none_or(|old| old != text.as_bytes())).count(),
        removed: existing.keys().filter(|p| !files.contains_key(*p)).count(),
    }
}

/// Writes every tree and single file, or nothing. Unchanged trees are not touched at all.
pub fn write_atomically(trees: &[TreeWrite], singles: &[(PathBuf, String)]) -> Result<Vec<Changes>, Error> {
    let mut summaries = Vec::new();
    let mut staged: Vec<(PathBuf, PathBuf)> = Vec::new();
    let result = (|| {
        for tree in trees {
            let existing = read_tree(&tree.root)?;
            let c = changes(&existing, tree.files);
            summaries.push(c);
            if c.changed > 0 || c.removed > 0 {
                let aside = sibling(&tree.root, "new")?;
                staged.push((aside.clone(), tree.root.clone()));
                stage_tree(&aside, tree.files)?;
            }
        }
        for (path, text) in singles {
            if fs::read(path).ok().as_deref() != Some(text.as_bytes()) {
                let aside = sibling(path, "new")?;
                staged.push((aside.clone(), path.clone()));
                fs::write(&aside, text).map_err(|source| Error::Write { path: path.clone(), source })?;
            }
        }
        Ok(())
    })();
    if let Err(e) = result {
        staged.iter().for_each(|(aside, _)| remove(aside));
        return Err(e);
    }
    swap_in(&staged)?;
    Ok(summaries)
}

/// A hidden path beside `path`, for building or retiring it.
fn sibling(path: &Path, what: &str) -> Result<PathBuf, Error> {
    let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let parent = path.parent().unwrap_or(Path::new("."));
    fs::create_dir_all(parent).map_err(|source| Error::Write { path: parent.to_owned(), source })?;
    let aside = parent.join(format!(".oxidy-{what}-{name}-{}", std::process::id()));
    remove(&aside);
    Ok(aside)
}

fn stage_tree(dir: &Path, files: &BTreeMap<PathBuf, String>) -> Result<(), Error> {
    for (relative, text) in files {
        let path = dir.join(relative);
        let write = || -> io::Result<()> {
            if let Some(parent) = path.parent() {
                fs::create_dir_all(parent)?;
            }
            fs::write(&path, text)
        };
        write().map_err(|source| Error::Write { path: path.clone(), source })?;
    }
    // An environment with no files still gets its folder, so the tree exists after render.
    fs::create_dir_all(dir).map_err(|source| Error::Write { path: dir.to_owned(), source })
}

/// Moves every staged path over its target; if one move fails, the ones already made are
/// undone before the error is returned.
fn swap_in(staged: &[(PathBuf, PathBuf)]) -> Result<(), Error> {
    let mut done: Vec<(PathBuf, Option<PathBuf>)> = Vec::new();
    for (aside, target) in staged {
        let outcome = (|| -> Result<Option<PathBuf>, Error> {
            let retired = if target.exists() {
                let old = sibling(target, "old")?;
                fs::rename(target, &old).map_err(|source| Error::Write { path: target.clone(), source })?;
                Some(old)
            } else {
                None
            };
            if let Err(source) = fs::rename(aside, target) {
                if let Some(old) = &retired {
                    let _ = fs::rename(old, target);
                }
                return Err(Error::Write { path: target.clone(), source });
            }
            Ok(retired)
        })();
        match outcome {
            Ok(retired) => done.push((target.clone(), retired)),
            Err(e) => {
                for (target, retired) in done.into_iter().rev() {
                    remove(&target);
                    if let Some(old) = retired {
                        let _ = fs::rename(old, &target);
                    }
                }
                staged.iter().for_each(|(aside, _)| remove(aside));
                return Err(e);
            }
        }
    }
    for (_, retired) in done {
        if let Some(old) = retired {
            remove(&old);
        }
    }
    Ok(())
}

fn remove(path: &Path) {
    let _ = if path.is_dir() { fs::remove_dir_all(path) } else { fs::remove_file(path) };
}
