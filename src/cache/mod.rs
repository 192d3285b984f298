//! Remembered renders: the result of rendering a project's environments, kept on disk with
//! everything it was made from ([`deps`]), and reused while all of that is unchanged.
//!
//! A render is a pure function of the files it reads, the helm program and oxidy itself, so a
//! result is reused only when the same oxidy program renders the same environments of the same
//! project and every recorded input still reads the same. Failed renders are never kept: their
//! errors are found again each time. `OXIDY_CACHE=off` turns this off; `OXIDY_CACHE=DIR` keeps
//! the results in `DIR`, by default `${XDG_CACHE_HOME:-~/.cache}/oxidy/render`.

pub mod deps;

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::pipeline::RenderedEnv;
use deps::{Dep, Identity};

/// The variable that moves or turns off the cache.
pub const CACHE_VAR: &str = "OXIDY_CACHE";

/// How many results are kept; the least recently used go first. Each is about the size of the
/// output trees it holds.
const KEEP: usize = 16;

/// Results larger than this are not kept (256 MiB).
const LARGEST: usize = 256 << 20;

/// Raised whenever the layout of a kept result changes, so that no older one is misread.
const FORMAT: &str = "oxidy-render-cache-1";

/// What a render of the project gives: the environments rendered, and the output root of every
/// environment of the project.
pub type Rendered = (Vec<RenderedEnv>, Vec<PathBuf>);

/// Where one render of one project is remembered.
pub struct RenderCache {
    root: PathBuf,
    file: PathBuf,
}

#[derive(Serialize, Deserialize)]
struct Entry {
    deps: Vec<Dep>,
    rendered: Vec<RenderedEnv>,
    roots: Vec<PathBuf>,
}

/// The cache folder, and a key naming this oxidy program in it; `None` when the cache is off,
/// there is nowhere to keep it, or the program cannot be told apart from a rebuilt one.
fn program_key() -> Option<(PathBuf, blake3::Hasher)> {
    let dir = directory(std::env::var_os(CACHE_VAR), user_cache_dir())?;
    let program = std::env::current_exe().ok()?;
    let identity = Identity::of(&program)?;
    let mut key = blake3::Hasher::new();
    key.update(FORMAT.as_bytes()).update(b"\0");
    key.update(program.as_os_str().as_encoded_bytes()).update(b"\0");
    key.update(&postcard::to_stdvec(&identity).ok()?);
    Some((dir, key))
}

/// The text `make` gives, remembered for this oxidy program: for what depends on nothing
/// else (the env files' JSON Schema, say).
pub fn per_program(name: &str, make: impl FnOnce() -> String) -> String {
    let Some((dir, mut key)) = program_key() else { return make() };
    let file = dir.join(key.update(name.as_bytes()).finalize().to_hex().as_str());
    if let Ok(text) = fs::read_to_string(&file) {
        return text;
    }
    let text = make();
    keep(&file, text.as_bytes());
    text
}

/// Writes `bytes` to `file` beside and renames it in, so a reader sees the old bytes or the
/// new, never half; then evicts the least recently used. Failing is no error: what is not
/// kept is made again.
fn keep(file: &Path, bytes: &[u8]) {
    let Some(dir) = file.parent() else { return };
    if fs::create_dir_all(dir).is_err() {
        return;
    }
    let Ok(mut temp) = tempfile::NamedTempFile::new_in(dir) else { return };
    if temp.write_all(bytes).is_ok() {
        let _ = temp.persist(file);
    }
    evict(dir);
}

impl RenderCache {
    /// The place for rendering `envs` of the project at `root` with this program; `None` when
    /// the cache is off or there is nowhere to keep it.
    pub fn open(root: &Path, envs: &[String]) -> Option<RenderCache> {
        let (dir, mut key) = program_key()?;
        let canonical = fs::canonicalize(root).ok()?;
        key.update(canonical.as_os_str().as_encoded_bytes()).update(b"\0");
        for env in envs {
            key.update(env.as_bytes()).update(b"\0");
        }
        let file = dir.join(key.finalize().to_hex().as_str());
        Some(RenderCache { root: root.to_owned(), file })
    }

    /// The remembered result, when there is one and every input it was made from is unchanged.
    pub fn lookup(&self) -> Option<Rendered> {
        let bytes = fs::read(&self.file).ok()?;
        let entry: Entry = postcard::from_bytes(&bytes).ok()?;
        if !entry.deps.iter().all(|dep| dep.holds(&self.root)) {
            return None;
        }
        // Used now: the last to be evicted.
        let _ = fs::File::options()
            .append(true)
            .open(&self.file)
            .and_then(|f| f.set_modified(std::time::SystemTime::now()));
        Some((entry.rendered, entry.roots))
    }

    /// Remembers `rendered`, made from `deps`. A cache that cannot be written is no error: the
    /// next run renders again.
    pub fn store(&self, deps: Vec<Dep>, rendered: &Rendered) {
        let entry = EntryRef { deps, rendered: &rendered.0, roots: &rendered.1 };
        let Ok(bytes) = postcard::to_stdvec(&entry) else { return };
        if bytes.len() <= LARGEST {
            keep(&self.file, &bytes);
        }
    }
}

/// [`Entry`] borrowing the result it stores.
#[derive(Serialize)]
struct EntryRef<'a> {
    deps: Vec<Dep>,
    rendered: &'a [RenderedEnv],
    roots: &'a [PathBuf],
}

/// The cache folder: `OXIDY_CACHE` when set (none when `off`), else below the user's cache.
fn directory(variable: Option<std::ffi::OsString>, user_cache: Option<PathBuf>) -> Option<PathBuf> {
    match variable.filter(|v| !v.is_empty()) {
        Some(v) if v == "off" => None,
        Some(v) => Some(PathBuf::from(v)),
        None => user_cache.map(|c| c.join("oxidy/render")),
    }
}

/// `${XDG_CACHE_HOME:-~/.cache}`, where oxidy keeps what it can make again.
pub fn user_cache_dir() -> Option<PathBuf> {
    std::env::var_os("XDG_CACHE_HOME")
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|home| PathBuf::from(home).join(".cache")))
}

/// Keeps the [`KEEP`] most recently used results.
fn evict(dir: &Path) {
    let Ok(entries) = fs::read_dir(dir) else { return };
    let mut kept: Vec<(std::time::SystemTime, PathBuf)> = entries
        .filter_map(Result::ok)
        .filter(|e| e.file_name().len() == 64)
        .filter_map(|e| Some((e.metadata().ok()?.modified().ok()?, e.path())))
        .collect();
    if kept.len() <= KEEP {
        return;
    }
    kept.sort();
    for (_, old) in &kept[..kept.len() - KEEP] {
        let _ = fs::remove_file(old);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_variable_moves_or_turns_off_the_cache() {
        let home = Some(PathBuf::from("/home/u/.cache"));
        assert_eq!(directory(None, home.clone()), Some(PathBuf::from("/home/u/.cache/oxidy/render")));
        assert_eq!(directory(Some("".into()), home.clone()), Some(PathBuf::from("/home/u/.cache/oxidy/render")));
        assert_eq!(directory(Some("off".into()), home.clone()), None);
        assert_eq!(directory(Some("/tmp/c".into()), home), Some(PathBuf::from("/tmp/c")));
        assert_eq!(directory(None, None), None);
    }
}
