//! Writing rendered trees atomically and durably: every tree is built aside, flushed, then
//! exchanged with the old one in a single rename, so each environment is at every instant
//! entirely old or entirely new, even if the process is killed. Files are pruned only inside
//! each environment's own output root, and only real folders inside the repository are written.
//!
//! ```text
//! guard paths → remove own leftovers → stage aside → syncfs → exchange → fsync → drop old
//! ```

use std::collections::{BTreeMap, BTreeSet};
use std::fs::{self, File};
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use walkdir::WalkDir;

use crate::compare::{self, Comparison};
use crate::error::Error;
use crate::fault;

/// What every staging or retired path starts with; nothing else in the tree may.
pub const LEFTOVER_PREFIX: &str = ".oxidy-";

/// One tree to write: `files` become exactly the contents of `root`.
pub struct TreeWrite<'a> {
    pub root: PathBuf,
    pub files: &'a BTreeMap<PathBuf, String>,
}

/// How one tree changed: files new to it, files whose bytes changed, files gone from it.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Changes {
    pub added: usize,
    pub changed: usize,
    pub removed: usize,
}

impl Changes {
    pub fn is_empty(&self) -> bool {
        self.added + self.changed + self.removed == 0
    }
}

impl From<&Comparison> for Changes {
    fn from(c: &Comparison) -> Changes {
        Changes { added: c.added.len(), changed: c.changed.len(), removed: c.removed.len() }
    }
}

/// `path` (below `root`) and every folder between them must be real folders, or not exist
/// yet: a symbolic link would make the render write, and prune, outside the repository.
pub fn guard(root: &Path, path: &Path) -> Result<(), Error> {
    let relative = path.strip_prefix(root).unwrap_or(path);
    let mut at = root.to_path_buf();
    for part in relative.components() {
        at.push(part);
        match fs::symlink_metadata(&at) {
            Ok(meta) if meta.file_type().is_symlink() => return Err(Error::OutputLink { path: shown(root, &at) }),
            Ok(meta) if !meta.is_dir() && at != path => {
                return Err(Error::Write {
                    path: shown(root, &at),
                    source: io::Error::new(io::ErrorKind::NotADirectory, "a file where a folder is needed"),
                });
            }
            Ok(_) => {}
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(()),
            Err(source) => return Err(Error::Write { path: shown(root, &at), source }),
        }
    }
    Ok(())
}

fn shown(root: &Path, path: &Path) -> PathBuf {
    path.strip_prefix(root).unwrap_or(path).to_owned()
}

/// The leftovers of interrupted renders beside each of `targets`. Only call while holding
/// the project lock: then no running render owns them.
pub fn leftovers(targets: &[PathBuf]) -> Vec<PathBuf> {
    let mut folders: Vec<&Path> = targets.iter().filter_map(|t| t.parent()).collect();
    folders.sort();
    folders.dedup();
    let mut found = Vec::new();
    for folder in folders {
        for entry in fs::read_dir(folder).into_iter().flatten().flatten() {
            if entry.file_name().to_string_lossy().starts_with(LEFTOVER_PREFIX) {
                found.push(entry.path());
            }
        }
    }
    found.sort();
    found
}

/// Writes every tree and single file, or nothing. Unchanged trees are not touched at all.
/// Leftovers of interrupted renders beside the targets are removed first.
pub fn write_atomically(
    project_root: &Path,
    trees: &[TreeWrite],
    singles: &[(PathBuf, String)],
) -> Result<Vec<Changes>, Error> {
    for target in trees.iter().map(|t| &t.root).chain(singles.iter().map(|(p, _)| p)) {
        guard(project_root, target)?;
    }
    let targets: Vec<PathBuf> =
        trees.iter().map(|t| t.root.clone()).chain(singles.iter().map(|s| s.0.clone())).collect();
    for leftover in leftovers(&targets) {
        remove(&leftover).map_err(|source| Error::Write { path: leftover.clone(), source })?;
    }
    let mut summaries = Vec::new();
    let mut staged: Vec<Staged> = Vec::new();
    let result = (|| {
        for tree in trees {
            let comparison = compare::tree(&tree.root, tree.files)?;
            let c = Changes::from(&comparison);
            summaries.push(c);
            if !c.is_empty() {
                removable(&tree.root)?;
                let aside = sibling(&tree.root, "new")?;
                staged.push(Staged { aside: aside.clone(), target: tree.root.clone(), dir: true });
                stage_tree(&aside, tree.files, &tree.root, &comparison.unchanged)?;
            }
        }
        for (path, text) in singles {
            if fs::read(path).ok().as_deref() != Some(text.as_bytes()) {
                let aside = sibling(path, "new")?;
                staged.push(Staged { aside: aside.clone(), target: path.clone(), dir: false });
                write_file(&aside, text.as_bytes()).map_err(|source| Error::Write { path: path.clone(), source })?;
            }
        }
        Ok(())
    })();
    // Everything staged reaches the disk before anything is swapped in: one flush of the
    // file system holding the project, rather than one per file and folder.
    let result = result.and_then(|()| match staged.first() {
        Some(first) => flush_file_system(&first.aside),
        None => Ok(()),
    });
    if let Err(e) = result {
        staged.iter().for_each(|s| drop(remove(&s.aside)));
        return Err(e);
    }
    swap_in(&staged)?;
    Ok(summaries)
}

/// A tree or file built aside, to take the place of `target`.
struct Staged {
    aside: PathBuf,
    target: PathBuf,
    dir: bool,
}

/// A hidden path beside `path`, for building or retiring it.
fn sibling(path: &Path, what: &str) -> Result<PathBuf, Error> {
    let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let parent = path.parent().unwrap_or(Path::new("."));
    fs::create_dir_all(parent).map_err(|source| Error::Write { path: parent.to_owned(), source })?;
    let aside = parent.join(format!("{LEFTOVER_PREFIX}{what}-{name}-{}", std::process::id()));
    let _ = remove(&aside);
    Ok(aside)
}

/// The old tree at `root` must be removable once replaced; checked before anything is swapped,
/// so that a read-only or immutable subfolder fails the render with nothing changed rather
/// than leave a retired copy behind.
fn removable(root: &Path) -> Result<(), Error> {
    for entry in WalkDir::new(root).into_iter().filter_map(Result::ok).filter(|e| e.file_type().is_dir()) {
        rustix::fs::access(entry.path(), rustix::fs::Access::WRITE_OK)
            .map_err(|e| Error::Write { path: entry.path().to_owned(), source: io::Error::from(e) })?;
    }
    Ok(())
}

/// Writes `bytes` to a new file at `path`; [`flush_file_system`] makes it durable.
fn write_file(path: &Path, bytes: &[u8]) -> io::Result<()> {
    fault::point("write file");
    let mut file = File::create(path)?;
    file.write_all(bytes)
}

/// Flushes every written file and folder of the file system holding `path` to disk
/// (`syncfs`): the staged trees are complete on disk before the first swap.
fn flush_file_system(path: &Path) -> Result<(), Error> {
    let flush = || -> io::Result<()> {
        let file = File::open(path)?;
        #[cfg(any(target_os = "linux", target_os = "android"))]
        return rustix::fs::syncfs(&file).map_err(io::Error::from);
        // Elsewhere, the whole system's buffers: slower, the same guarantee.
        #[cfg(not(any(target_os = "linux", target_os = "android")))]
        {
            drop(file);
            rustix::fs::sync();
            Ok(())
        }
    };
    flush().map_err(|source| Error::Write { path: path.to_owned(), source })
}

/// Flushes a folder's entries (the names in it) to disk.
fn sync_dir(path: &Path) -> io::Result<()> {
    File::open(path)?.sync_all()
}

/// Builds the new tree at `dir`. A file whose bytes are those of the old tree at `old_root`
/// (`existing`) is a second link to the old file rather than a copy: after the swap it keeps
/// its inode and modification time, so only drifted files look rewritten to editors, `make`
/// and backups, while the swap stays one rename.
fn stage_tree(
    dir: &Path,
    files: &BTreeMap<PathBuf, String>,
    old_root: &Path,
    unchanged_files: &BTreeSet<PathBuf>,
) -> Result<(), Error> {
    for (relative, text) in files {
        let path = dir.join(relative);
        let unchanged = unchanged_files.contains(relative);
        let write = || -> io::Result<()> {
            if let Some(parent) = path.parent() {
                fs::create_dir_all(parent)?;
            }
            // Written anew where linking is impossible (a file system without links, an
            // immutable file): the bytes are the same either way.
            if unchanged && link_file(&old_root.join(relative), &path).is_ok() {
                return Ok(());
            }
            write_file(&path, text.as_bytes())
        };
        write().map_err(|source| Error::Write { path: path.clone(), source })?;
    }
    // An environment with no files still gets its folder, so the tree exists after render.
    fs::create_dir_all(dir).map_err(|source| Error::Write { path: dir.to_owned(), source })
}

/// Links the unchanged file `old` into the tree being built at `new`.
fn link_file(old: &Path, new: &Path) -> io::Result<()> {
    fault::point("link file");
    fs::hard_link(old, new)
}

/// Puts every staged path in place of its target. Folders are exchanged with their old
/// version in one step; a file is renamed over the old one. If one step fails, the steps
/// already made are undone before the error is returned. Retired trees are removed last.
fn swap_in(staged: &[Staged]) -> Result<(), Error> {
    let mut done: Vec<(&Staged, Swap)> = Vec::new();
    for s in staged {
        match swap(s) {
            Ok(how) => done.push((s, how)),
            Err(source) => {
                for (s, how) in done.into_iter().rev() {
                    undo(s, how);
                }
                staged.iter().for_each(|s| drop(remove(&s.aside)));
                return Err(Error::Write { path: s.target.clone(), source });
            }
        }
    }
    for (s, how) in done {
        if matches!(how, Swap::Exchanged) {
            fault::point("remove retired tree");
            // The old tree was checked to be removable; should removal still fail, the next
            // render removes it as a leftover.
            let _ = remove(&s.aside);
        }
    }
    Ok(())
}

/// How a staged path was put in place.
#[derive(Debug, Clone, Copy)]
enum Swap {
    /// Old and new exchanged: the old one is now at the staging path.
    Exchanged,
    /// Moved to a target that did not exist, or renamed over an old file.
    Moved,
}

fn swap(s: &Staged) -> io::Result<Swap> {
    let parent = s.target.parent().unwrap_or(Path::new("."));
    fault::point("swap");
    let how = if s.dir && s.target.exists() {
        exchange(&s.aside, &s.target)?;
        Swap::Exchanged
    } else {
        fs::rename(&s.aside, &s.target)?;
        Swap::Moved
    };
    sync_dir(parent)?;
    Ok(how)
}

fn undo(s: &Staged, how: Swap) {
    match how {
        Swap::Exchanged => drop(exchange(&s.aside, &s.target)),
        // A new folder is removed again; a file renamed over cannot be taken back, but it
        // is only `env/schema.json`, swapped after every tree.
        Swap::Moved if s.dir => drop(remove(&s.target)),
        Swap::Moved => {}
    }
}

/// Exchanges two folders in one atomic rename (Linux `RENAME_EXCHANGE`).
#[cfg(any(target_os = "linux", target_os = "android"))]
fn exchange(a: &Path, b: &Path) -> io::Result<()> {
    use rustix::fs::{CWD, RenameFlags, renameat_with};
    renameat_with(CWD, a, CWD, b, RenameFlags::EXCHANGE).map_err(io::Error::from)
}

/// Exchanges two folders with two renames where the system has no atomic exchange: a kill
/// between them leaves the target missing until the next render.
#[cfg(not(any(target_os = "linux", target_os = "android")))]
fn exchange(a: &Path, b: &Path) -> io::Result<()> {
    let swap = a.with_extension("exchange");
    fs::rename(b, &swap)?;
    fs::rename(a, b)?;
    fs::rename(&swap, a)
}

fn remove(path: &Path) -> io::Result<()> {
    match fs::symlink_metadata(path) {
        Ok(meta) if meta.is_dir() => fs::remove_dir_all(path),
        Ok(_) => fs::remove_file(path),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(()),
        Err(e) => Err(e),
    }
}
