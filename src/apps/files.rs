//! Paths named in env files: resolved against the env file's folder, kept inside the
//! repository, and expanded from folders to the manifest files they hold.

use std::fs;
use std::path::{Component, Path, PathBuf};

/// Why a named path cannot be used.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PathProblem {
    Outside(PathBuf),
    Missing(PathBuf),
    Unreadable(PathBuf, String),
}

impl PathProblem {
    pub fn message(&self, written: &str) -> (String, Option<String>) {
        match self {
            PathProblem::Outside(p) => (
                format!("`{written}` is outside the repository ({})", p.display()),
                Some("keep manifests in the repository, next to the env files, so reviewers see them".into()),
            ),
            PathProblem::Missing(p) => (
                format!("`{written}` does not exist (looked for {})", p.display()),
                Some("paths are relative to the env file's folder".into()),
            ),
            PathProblem::Unreadable(p, why) => (format!("cannot read {}: {why}", p.display()), None),
        }
    }
}

/// The path `written` in the env file at `env_file` (both relative to the repository root
/// `root`), as a path relative to `root`. Symbolic links are followed before the check, so
/// a link cannot lead out either.
pub fn resolve(root: &Path, env_file: &Path, written: &str) -> Result<PathBuf, PathProblem> {
    let joined = env_file.parent().unwrap_or(Path::new("")).join(written);
    let mut lexical = PathBuf::new();
    for c in joined.components() {
        match c {
            Component::Normal(part) => lexical.push(part),
            Component::CurDir => {}
            Component::ParentDir if lexical.pop() => {}
            _ => return Err(PathProblem::Outside(joined)),
        }
    }
    let full = root.join(&lexical);
    let real = fs::canonicalize(&full).map_err(|_| PathProblem::Missing(lexical.clone()))?;
    let real_root = fs::canonicalize(root).map_err(|e| PathProblem::Unreadable(root.to_owned(), e.to_string()))?;
    if !real.starts_with(&real_root) {
        return Err(PathProblem::Outside(real));
    }
    Ok(lexical)
}

/// The manifest files at `path` (relative to `root`): the file itself, or every `.yaml`,
/// `.yml` and `.json` file below the folder, sorted by path.
pub fn manifest_files(root: &Path, path: &Path) -> Result<Vec<PathBuf>, PathProblem> {
    let full = root.join(path);
    crate::cache::deps::listing(root, path, true, true);
    if full.is_file() {
        return Ok(vec![path.to_owned()]);
    }
    let mut files = Vec::new();
    // Links are followed, but never out of the repository: a link to `/` would otherwise
    // walk the whole machine.
    let mut outside = None;
    let walk = walkdir::WalkDir::new(&full).follow_links(true).sort_by_file_name().into_iter().filter_entry(|e| {
        let keep = crate::input::inside(root, e.path()).is_ok();
        if !keep {
            outside.get_or_insert_with(|| path.join(e.path().strip_prefix(&full).unwrap_or(e.path())));
        }
        keep
    });
    for entry in walk {
        let entry = entry.map_err(|e| PathProblem::Unreadable(path.to_owned(), e.to_string()))?;
        let is_manifest = entry.path().extension().is_some_and(|e| e == "yaml" || e == "yml" || e == "json");
        if entry.file_type().is_file() && is_manifest {
            files.push(path.join(entry.path().strip_prefix(&full).expect("below the folder")));
        }
    }
    if let Some(link) = outside {
        return Err(PathProblem::Outside(link));
    }
    Ok(files)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_stay_inside_the_repository() {
        let dir = tempfile::tempdir().unwrap();
        fs::create_dir_all(dir.path().join("env/manifests/sub")).unwrap();
        fs::write(dir.path().join("env/manifests/a.yaml"), "").unwrap();
        fs::write(dir.path().join("env/manifests/sub/b.json"), "").unwrap();
        fs::write(dir.path().join("env/manifests/notes.txt"), "").unwrap();
        let env = Path::new("env/local.yaml");
        assert_eq!(resolve(dir.path(), env, "manifests").unwrap(), Path::new("env/manifests"));
        assert_eq!(resolve(dir.path(), env, "../env/./manifests/a.yaml").unwrap(), Path::new("env/manifests/a.yaml"));
        assert!(matches!(resolve(dir.path(), env, "../../etc"), Err(PathProblem::Outside(_))));
        assert!(matches!(resolve(dir.path(), env, "/etc/passwd"), Err(PathProblem::Outside(_))));
        assert!(matches!(resolve(dir.path(), env, "nothing.yaml"), Err(PathProblem::Missing(_))));
        assert_eq!(
            manifest_files(dir.path(), Path::new("env/manifests")).unwrap(),
            [Path::new("env/manifests/a.yaml"), Path::new("env/manifests/sub/b.json")]
        );
    }
}
