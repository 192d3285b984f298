//! Reading input files safely: only regular files inside the repository, each under a size
//! limit, so that no symbolic link, device, pipe or huge file can leak, hang or exhaust a run.
//!
//! Every file oxidy reads from a project (env files, manifests, verbatim files, values files,
//! dashboards, Jsonnet imports, rule files) goes through [`read_text`] or [`read_bytes`]. The
//! checks run before a byte is read, so an error about such a file quotes nothing from it.

use std::fmt;
use std::fs::{self, File};
use std::io::{self, Read};
use std::path::{Path, PathBuf};

/// How large one input file may be, by what it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
pub enum Limit {
    /// An environment file: 4 MiB, a thousand times the largest committed one.
    EnvFile,
    /// A manifest, verbatim file, values file or rule file: 16 MiB (Kubernetes' own limit for
    /// one object in etcd is 1.5 MiB, so this leaves room for many objects per file).
    Manifest,
    /// A dashboard or Jsonnet library file: 8 MiB.
    Dashboard,
}

impl Limit {
    pub const fn bytes(self) -> u64 {
        match self {
            Limit::EnvFile => 4 << 20,
            Limit::Manifest => 16 << 20,
            Limit::Dashboard => 8 << 20,
        }
    }

    fn what(self) -> &'static str {
        match self {
            Limit::EnvFile => "env files",
            Limit::Manifest => "manifests, values and rule files",
            Limit::Dashboard => "dashboards and Jsonnet files",
        }
    }
}

/// Why an input file was not read. None of these quote the file's contents.
#[derive(Debug)]
pub enum InputProblem {
    /// The path, after following symbolic links, leads outside the repository.
    Outside,
    /// Not a regular file: a directory, device, pipe or socket.
    NotRegular(&'static str),
    /// Larger than its limit.
    TooLarge { size: u64, limit: Limit },
    /// Not UTF-8 text.
    NotText,
    /// The file is missing or the system refused to read it.
    Io(io::Error),
}

impl fmt::Display for InputProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            InputProblem::Outside => {
                write!(f, "it lies outside the repository (symbolic links resolved); oxidy reads only files inside it")
            }
            InputProblem::NotRegular(kind) => write!(f, "it is {kind}, not a regular file"),
            InputProblem::TooLarge { size, limit } => write!(
                f,
                "it is {} MiB; {} may be at most {} MiB",
                size.div_ceil(1 << 20),
                limit.what(),
                limit.bytes() >> 20
            ),
            InputProblem::NotText => write!(f, "it is not UTF-8 text"),
            InputProblem::Io(e) => write!(f, "{e}"),
        }
    }
}

impl std::error::Error for InputProblem {}

/// The text of `relative` below the repository `root`.
pub fn read_text(root: &Path, relative: &Path, limit: Limit) -> Result<String, InputProblem> {
    String::from_utf8(read_bytes(root, relative, limit)?).map_err(|_| InputProblem::NotText)
}

/// The bytes of `relative` below the repository `root`, when it is a regular file inside the
/// repository (symbolic links resolved) and no larger than `limit`. The read, and what it
/// gave, goes into the record of the running render ([`crate::cache::deps`]).
pub fn read_bytes(root: &Path, relative: &Path, limit: Limit) -> Result<Vec<u8>, InputProblem> {
    let result = read_bytes_unrecorded(root, relative, limit);
    crate::cache::deps::read(root, relative, limit, &result);
    result
}

/// [`read_bytes`] without recording: what a remembered render checks its inputs with.
pub fn read_bytes_unrecorded(root: &Path, relative: &Path, limit: Limit) -> Result<Vec<u8>, InputProblem> {
    let real = inside(root, &root.join(relative))?;
    let kind = fs::metadata(&real).map_err(InputProblem::Io)?.file_type();
    if let Some(what) = not_regular(&kind) {
        return Err(InputProblem::NotRegular(what));
    }
    let file = File::open(&real).map_err(InputProblem::Io)?;
    // The file may have been swapped or may grow after the check: the open handle decides.
    let meta = file.metadata().map_err(InputProblem::Io)?;
    if let Some(what) = not_regular(&meta.file_type()) {
        return Err(InputProblem::NotRegular(what));
    }
    if meta.len() > limit.bytes() {
        return Err(InputProblem::TooLarge { size: meta.len(), limit });
    }
    let mut bytes = Vec::with_capacity(meta.len() as usize);
    file.take(limit.bytes() + 1).read_to_end(&mut bytes).map_err(InputProblem::Io)?;
    if bytes.len() as u64 > limit.bytes() {
        return Err(InputProblem::TooLarge { size: bytes.len() as u64, limit });
    }
    Ok(bytes)
}

/// `path` with every symbolic link resolved, when that is inside `root`.
pub fn inside(root: &Path, path: &Path) -> Result<PathBuf, InputProblem> {
    let real_root = fs::canonicalize(root).map_err(InputProblem::Io)?;
    let real = fs::canonicalize(path).map_err(InputProblem::Io)?;
    if real.starts_with(&real_root) { Ok(real) } else { Err(InputProblem::Outside) }
}

/// What a file is, in words, when it is not a regular file.
fn not_regular(kind: &fs::FileType) -> Option<&'static str> {
    use std::os::unix::fs::FileTypeExt;
    if kind.is_file() {
        None
    } else if kind.is_dir() {
        Some("a directory")
    } else if kind.is_fifo() {
        Some("a named pipe")
    } else if kind.is_socket() {
        Some("a socket")
    } else if kind.is_block_device() || kind.is_char_device() {
        Some("a device")
    } else {
        Some("not a file")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_regular_files_inside_the_root_are_read() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        fs::write(root.join("a.yaml"), "a: 1\n").unwrap();
        std::os::unix::fs::symlink("a.yaml", root.join("link.yaml")).unwrap();
        std::os::unix::fs::symlink("/proc/self/environ", root.join("environ.yaml")).unwrap();
        std::os::unix::fs::symlink("/dev/zero", root.join("zero.yaml")).unwrap();
        fs::create_dir(root.join("folder.yaml")).unwrap();

        assert_eq!(read_text(root, Path::new("a.yaml"), Limit::EnvFile).unwrap(), "a: 1\n");
        assert_eq!(read_text(root, Path::new("link.yaml"), Limit::EnvFile).unwrap(), "a: 1\n");
        assert!(matches!(read_text(root, Path::new("environ.yaml"), Limit::EnvFile), Err(InputProblem::Outside)));
        assert!(matches!(read_text(root, Path::new("zero.yaml"), Limit::EnvFile), Err(InputProblem::Outside)));
        assert!(matches!(
            read_text(root, Path::new("folder.yaml"), Limit::EnvFile),
            Err(InputProblem::NotRegular("a directory"))
        ));
        assert!(matches!(read_text(root, Path::new("missing.yaml"), Limit::EnvFile), Err(InputProblem::Io(_))));
    }

    #[test]
    fn files_over_the_limit_are_refused_before_reading() {
        let dir = tempfile::tempdir().unwrap();
        let file = File::create(dir.path().join("big.yaml")).unwrap();
        file.set_len(Limit::EnvFile.bytes() + 1).unwrap();
        let error = read_text(dir.path(), Path::new("big.yaml"), Limit::EnvFile).unwrap_err();
        assert_eq!(error.to_string(), "it is 5 MiB; env files may be at most 4 MiB");
    }
}
