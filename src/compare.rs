//! A committed tree against the files a render makes, in memory: each committed file is read
//! only while it matches, so a changed file stops at its first differing byte, and one of
//! another length is not read at all.

use std::cmp::Ordering;
use std::collections::{BTreeMap, BTreeSet};
use std::fs::{self, File};
use std::io::{self, Read};
use std::path::{Path, PathBuf};

use walkdir::WalkDir;

use crate::error::Error;

/// How a committed tree stands against the rendered files, by path relative to its root.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Comparison {
    pub unchanged: BTreeSet<PathBuf>,
    pub changed: BTreeSet<PathBuf>,
    /// Rendered, not committed.
    pub added: BTreeSet<PathBuf>,
    /// Committed, not rendered.
    pub removed: BTreeSet<PathBuf>,
}

impl Comparison {
    pub fn is_same(&self) -> bool {
        self.changed.is_empty() && self.added.is_empty() && self.removed.is_empty()
    }
}

/// Compares the tree at `dir` (missing: empty) with `files`.
pub fn tree(dir: &Path, files: &BTreeMap<PathBuf, String>) -> Result<Comparison, Error> {
    let committed = committed_files(dir)?;
    let (mut unchanged, mut changed, mut added, mut removed) = (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    let mut block = Vec::new();
    // Both lists are sorted: one walk through the two side by side.
    let mut rendered = files.iter().peekable();
    let mut on_disk = committed.into_iter().peekable();
    loop {
        let order = match (rendered.peek(), on_disk.peek()) {
            (None, None) => break,
            (Some(_), None) => Ordering::Less,
            (None, Some(_)) => Ordering::Greater,
            (Some((r, _)), Some(d)) => r.as_path().cmp(d.as_path()),
        };
        match order {
            Ordering::Less => added.extend(rendered.next().map(|(p, _)| p.clone())),
            Ordering::Greater => removed.extend(on_disk.next()),
            Ordering::Equal => {
                let (relative, text) = rendered.next().expect("peeked");
                let path = on_disk.next().map(|p| dir.join(p)).expect("peeked");
                let same =
                    same_bytes(&path, text.as_bytes(), &mut block).map_err(|source| Error::Read { path, source })?;
                (if same { &mut unchanged } else { &mut changed }).push(relative.clone());
            }
        }
    }
    // Collected in order, so each set is built without a search per insert.
    Ok(Comparison {
        unchanged: unchanged.into_iter().collect(),
        changed: changed.into_iter().collect(),
        added: added.into_iter().collect(),
        removed: removed.into_iter().collect(),
    })
}

/// Every file below `dir`, relative to it, with its bytes (a missing `dir` is an empty tree):
/// for `diff`, which shows every file.
pub fn read_tree(dir: &Path) -> Result<BTreeMap<PathBuf, Vec<u8>>, Error> {
    committed_files(dir)?
        .into_iter()
        .map(|relative| {
            let bytes = committed_bytes(dir, &relative)?;
            Ok((relative, bytes))
        })
        .collect()
}

/// The regular files below `dir`, relative to it, sorted as paths are.
fn committed_files(dir: &Path) -> Result<Vec<PathBuf>, Error> {
    let mut found = Vec::new();
    if !dir.exists() {
        return Ok(found);
    }
    for entry in WalkDir::new(dir).sort_by_file_name() {
        let entry = entry.map_err(|e| Error::Read { path: dir.to_owned(), source: e.into() })?;
        if entry.file_type().is_file() {
            found.push(entry.path().strip_prefix(dir).unwrap_or(entry.path()).to_owned());
        }
    }
    // A walk in name order visits paths in their sorted order already; checked, not assumed.
    if !found.is_sorted() {
        found.sort();
    }
    Ok(found)
}

/// Whether the file at `path` holds exactly `expected`: its length first, then its bytes in
/// blocks, stopping at the first block that differs. `block` is the buffer to read into,
/// kept from file to file.
pub fn same_bytes(path: &Path, expected: &[u8], block: &mut Vec<u8>) -> io::Result<bool> {
    let mut file = File::open(path)?;
    if file.metadata()?.len() != expected.len() as u64 {
        return Ok(false);
    }
    let size = BLOCK.min(expected.len() + 1);
    if block.len() < size {
        block.resize(size, 0);
    }
    let mut rest = expected;
    loop {
        let n = file.read(&mut block[..size])?;
        if n == 0 {
            // The file may have shrunk since its length was read.
            return Ok(rest.is_empty());
        }
        if n > rest.len() || block[..n] != rest[..n] {
            return Ok(false);
        }
        rest = &rest[n..];
    }
}

/// How much of a file is read at a time.
const BLOCK: usize = 64 << 10;

/// The committed bytes of one file of a tree, for the diff of a file that changed.
pub fn committed_bytes(dir: &Path, relative: &Path) -> Result<Vec<u8>, Error> {
    let path = dir.join(relative);
    fs::read(&path).map_err(|source| Error::Read { path, source })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn files_compare_by_length_then_bytes() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("f");
        let big: Vec<u8> = (0..200_000u32).map(|i| (i % 251) as u8).collect();
        fs::write(&path, &big).unwrap();
        let block = &mut Vec::new();
        assert!(same_bytes(&path, &big, block).unwrap());
        let mut late = big.clone();
        *late.last_mut().unwrap() ^= 1;
        assert!(!same_bytes(&path, &late, block).unwrap(), "a difference in the last block");
        assert!(!same_bytes(&path, &big[..big.len() - 1], block).unwrap(), "another length");
        fs::write(&path, b"").unwrap();
        assert!(same_bytes(&path, b"", block).unwrap());
        assert!(!same_bytes(&path, b"x", block).unwrap());
    }

    #[test]
    fn a_tree_splits_into_unchanged_changed_added_and_removed() {
        let dir = tempfile::tempdir().unwrap();
        fs::create_dir(dir.path().join("app")).unwrap();
        fs::write(dir.path().join("app/same.yaml"), "a: 1\n").unwrap();
        fs::write(dir.path().join("app/edited.yaml"), "a: 1\n").unwrap();
        fs::write(dir.path().join("app/gone.yaml"), "a: 1\n").unwrap();
        // Sorted as paths, `app/…` comes before `app-b.yaml`; as strings it would not.
        fs::write(dir.path().join("app-b.yaml"), "b\n").unwrap();
        let files: BTreeMap<PathBuf, String> =
            [("app/same.yaml", "a: 1\n"), ("app/edited.yaml", "a: 2\n"), ("new.yaml", ""), ("app-b.yaml", "b\n")]
                .into_iter()
                .map(|(p, t)| (PathBuf::from(p), t.to_owned()))
                .collect();
        let c = tree(dir.path(), &files).unwrap();
        let set = |paths: &[&str]| paths.iter().map(PathBuf::from).collect::<BTreeSet<_>>();
        assert_eq!(c.unchanged, set(&["app/same.yaml", "app-b.yaml"]));
        assert_eq!(c.changed, set(&["app/edited.yaml"]));
        assert_eq!(c.added, set(&["new.yaml"]));
        assert_eq!(c.removed, set(&["app/gone.yaml"]));
        assert!(!c.is_same());
        assert_eq!(tree(&dir.path().join("missing"), &BTreeMap::new()).unwrap(), Comparison::default());
    }
}
