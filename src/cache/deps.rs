//! What a render read: every input file, folder listing and program it depended on, recorded
//! while it runs, so that a remembered render is reused only while all of them are unchanged.
//!
//! The record belongs to the thread that started it, and to the threads it hands work to
//! ([`current`] and [`adopt`]): two runs in one process never record into each other.

use std::cell::RefCell;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use serde::{Deserialize, Serialize};

use crate::input::{self, InputProblem, Limit};

/// A BLAKE3 digest.
pub type Digest = [u8; 32];

/// One thing a render depended on, with what it found. Paths are relative to the project root.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Dep {
    /// A file read through [`input::read_bytes`]: its bytes, or why it could not be read.
    Read { path: PathBuf, limit: Limit, digest: Digest },
    /// A folder listed (or a path walked): the names and kinds of what is below it.
    Listing { path: PathBuf, deep: bool, follow_links: bool, digest: Digest },
    /// The helm program: where it was found and which file it was.
    Helm { found: Result<(PathBuf, Identity), String> },
}

/// Which file a program is, cheaply: a rebuilt or replaced program changes at least one.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Identity {
    pub len: u64,
    pub modified_ns: i128,
    pub inode: u64,
    pub device: u64,
}

impl Identity {
    pub fn of(path: &Path) -> Option<Identity> {
        use std::os::unix::fs::MetadataExt;
        let meta = std::fs::metadata(path).ok()?;
        Some(Identity {
            len: meta.len(),
            modified_ns: i128::from(meta.mtime()) * 1_000_000_000 + i128::from(meta.mtime_nsec()),
            inode: meta.ino(),
            device: meta.dev(),
        })
    }
}

/// The record of one run.
#[derive(Debug)]
pub struct Record {
    root: PathBuf,
    deps: Vec<Dep>,
    /// Something was read that cannot be checked again later (a file outside the project
    /// root): the render must not be remembered.
    unrepeatable: bool,
}

/// A record shared by the threads of one run.
pub type Shared = Arc<Mutex<Record>>;

thread_local! {
    static CURRENT: RefCell<Option<Shared>> = const { RefCell::new(None) };
}

/// Runs `work` while recording what it reads below `root`; the record is `None` when some of
/// it cannot be checked again. Inside another record, what `work` read is that one's too.
pub fn record<T>(root: &Path, work: impl FnOnce() -> T) -> (T, Option<Vec<Dep>>) {
    let shared = Arc::new(Mutex::new(Record { root: root.to_owned(), deps: Vec::new(), unrepeatable: false }));
    let previous = CURRENT.with(|c| c.replace(Some(shared.clone())));
    let result = work();
    CURRENT.with(|c| *c.borrow_mut() = previous);
    let record = std::mem::replace(&mut *shared.lock().unwrap_or_else(|p| p.into_inner()), empty());
    if record.unrepeatable {
        with_current(|outer| outer.unrepeatable = true);
        return (result, None);
    }
    let mut deps = record.deps;
    deps.sort();
    deps.dedup();
    extend(root, &deps);
    (result, Some(deps))
}

/// Adds `deps`, read below `root` by a part of the run (made or remembered), to its record.
pub fn extend(root: &Path, deps: &[Dep]) {
    with_current(|record| {
        if record.root == root {
            record.deps.extend_from_slice(deps);
        } else {
            record.unrepeatable = true;
        }
    });
}

fn with_current(f: impl FnOnce(&mut Record)) {
    CURRENT.with(|c| {
        if let Some(shared) = c.borrow().as_ref() {
            f(&mut shared.lock().unwrap_or_else(|p| p.into_inner()));
        }
    });
}

fn empty() -> Record {
    Record { root: PathBuf::new(), deps: Vec::new(), unrepeatable: true }
}

/// The record of this thread's run, to hand to threads it starts.
pub fn current() -> Option<Shared> {
    CURRENT.with(|c| c.borrow().clone())
}

/// Records into `shared` on this thread (a worker of the run that made it).
pub fn adopt(shared: Option<Shared>) {
    CURRENT.with(|c| *c.borrow_mut() = shared);
}

fn push(root: &Path, dep: impl FnOnce() -> Dep) {
    with_current(|record| {
        if record.root == root {
            record.deps.push(dep());
        } else {
            record.unrepeatable = true;
        }
    });
}

/// Notes a file read, with what the read gave.
pub fn read(root: &Path, relative: &Path, limit: Limit, result: &Result<Vec<u8>, InputProblem>) {
    push(root, || Dep::Read { path: relative.to_owned(), limit, digest: read_digest(result) });
}

/// Notes a listing of `relative` below `root`: its entries only, or (`deep`) every path
/// below it.
pub fn listing(root: &Path, relative: &Path, deep: bool, follow_links: bool) {
    push(root, || Dep::Listing {
        path: relative.to_owned(),
        deep,
        follow_links,
        digest: listing_digest(&root.join(relative), deep, follow_links),
    });
}

/// Notes which helm program a render found (or why none).
pub fn helm(found: &Result<PathBuf, impl std::fmt::Display>, root: &Path) {
    push(root, || Dep::Helm { found: helm_found(found) });
}

fn helm_found(found: &Result<PathBuf, impl std::fmt::Display>) -> Result<(PathBuf, Identity), String> {
    match found {
        Ok(path) => Identity::of(path).map(|id| (path.clone(), id)).ok_or_else(|| "gone".to_owned()),
        Err(e) => Err(e.to_string()),
    }
}

impl Dep {
    /// Whether the project below `root` (and the machine) still give what was recorded.
    pub fn holds(&self, root: &Path) -> bool {
        match self {
            Dep::Read { path, limit, digest } => {
                read_digest(&input::read_bytes_unrecorded(root, path, *limit)) == *digest
            }
            Dep::Listing { path, deep, follow_links, digest } => {
                listing_digest(&root.join(path), *deep, *follow_links) == *digest
            }
            Dep::Helm { found } => helm_found(&crate::helm::locate()) == *found,
        }
    }
}

fn read_digest(result: &Result<Vec<u8>, InputProblem>) -> Digest {
    let mut hasher = blake3::Hasher::new();
    match result {
        Ok(bytes) => hasher.update(b"ok\0").update(bytes),
        Err(problem) => hasher.update(b"error\0").update(problem.to_string().as_bytes()),
    };
    *hasher.finalize().as_bytes()
}

/// Every path below `full` (itself included) with its kind, in name order; errors as their
/// text, so that a folder appearing where none was changes the digest too.
fn listing_digest(full: &Path, deep: bool, follow_links: bool) -> Digest {
    let mut hasher = blake3::Hasher::new();
    let walk = walkdir::WalkDir::new(full).follow_links(follow_links).sort_by_file_name();
    let walk = if deep { walk } else { walk.max_depth(1) };
    for entry in walk {
        match entry {
            Ok(entry) => {
                let kind = entry.file_type();
                let kind = if kind.is_dir() {
                    "d"
                } else if kind.is_file() {
                    "f"
                } else if kind.is_symlink() {
                    "l"
                } else {
                    "o"
                };
                let below = entry.path().strip_prefix(full).unwrap_or(entry.path());
                hasher.update(kind.as_bytes()).update(below.as_os_str().as_encoded_bytes()).update(b"\0");
            }
            Err(e) => {
                hasher.update(b"error\0").update(e.to_string().as_bytes()).update(b"\0");
            }
        }
    }
    *hasher.finalize().as_bytes()
}
