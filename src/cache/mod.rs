//! Remembered renders: the result of rendering a project's environments, kept on disk with
//! everything it was made from ([`deps`]), and reused while all of that is unchanged.
//!
//! A render is a pure function of the files it reads, the helm program and oxidy itself, so a
//! result is reused only when the same oxidy program renders the same environments of the same
//! project and every recorded input still reads the same. Failed renders are never kept: their
//! errors are found again each time. `OXIDY_CACHE=off` turns this off; `OXIDY_CACHE=DIR` keeps
//! the results in `DIR`, by default `${XDG_CACHE_HOME:-~/.cache}/oxidy/render`.

pub mod charts;
pub mod deps;
pub mod promql;

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

use deps::{Dep, Identity};

/// The variable that moves or turns off the cache.
pub const CACHE_VAR: &str = "OXIDY_CACHE";

/// How many results are kept at most, and how many bytes they may take together; the least
/// recently used go first. A render's result is about the size of the output trees it holds.
const KEEP: usize = 256;
const BUDGET: u64 = 512 << 20;

/// Results larger than this are not kept (256 MiB).
const LARGEST: usize = 256 << 20;

/// Raised whenever the layout of a kept result changes, so that no older one is misread.
const FORMAT: &str = "oxidy-render-cache-1";

/// A remembered value with the record of what it was made from.
#[derive(Deserialize)]
struct Entry<T> {
    deps: Vec<Dep>,
    value: T,
}

/// [`Entry`] borrowing the value it stores.
#[derive(Serialize)]
struct EntryRef<'a, T> {
    deps: &'a [Dep],
    value: &'a T,
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

/// The file of what is remembered as `name` for this program (and `root`, when given).
fn place(root: Option<&Path>, name: &str) -> Option<PathBuf> {
    let (dir, mut key) = program_key()?;
    if let Some(root) = root {
        key.update(fs::canonicalize(root).ok()?.as_os_str().as_encoded_bytes()).update(b"\0");
    }
    key.update(name.as_bytes());
    Some(dir.join(key.finalize().to_hex().as_str()))
}

/// What `make` gives, remembered for this program and the project at `root` under `name`
/// with everything `make` read there: reused while all of it reads the same, made again
/// otherwise. Errors are not remembered. What was read, remembered or not, also goes into the
/// record of a run this one is part of.
pub fn remembered<T, E>(root: &Path, name: &str, make: impl FnOnce() -> Result<T, E>) -> Result<T, E>
where
    T: Serialize + DeserializeOwned,
{
    let Some(file) = place(Some(root), name) else { return make() };
    if let Some(entry) = read_own(&file).and_then(|b| postcard::from_bytes::<Entry<T>>(&b).ok())
        && entry.deps.iter().all(|dep| dep.holds(root))
    {
        deps::extend(root, &entry.deps);
        return Ok(entry.value);
    }
    let (result, record) = deps::record(root, make);
    let value = result?;
    if let Some(record) = record
        && let Ok(bytes) = postcard::to_stdvec(&EntryRef { deps: &record, value: &value })
        && bytes.len() <= LARGEST
    {
        keep(&file, &bytes);
    }
    Ok(value)
}

/// The text `make` gives, remembered for this oxidy program under `name`: for what depends on
/// nothing else, or on what `name` itself names (the env files' JSON Schema; a chart's output
/// under the digest of its inputs). Errors are not remembered.
pub fn per_program<E>(name: &str, make: impl FnOnce() -> Result<String, E>) -> Result<String, E> {
    let Some(file) = place(None, name) else { return make() };
    if let Some(text) = read_own(&file).and_then(|b| String::from_utf8(b).ok()) {
        return Ok(text);
    }
    let text = make()?;
    keep(&file, text.as_bytes());
    Ok(text)
}

/// The bytes of a kept file, when it is the user's own and no one else may write it (what
/// another user could have put in the cache folder is not trusted); read, it counts as used.
pub fn read_own(file: &Path) -> Option<Vec<u8>> {
    use std::io::Read;
    use std::os::unix::fs::MetadataExt;
    let mut opened = fs::File::open(file).ok()?;
    let meta = opened.metadata().ok()?;
    if meta.uid() != rustix::process::geteuid().as_raw() || meta.mode() & 0o022 != 0 {
        return None;
    }
    let mut bytes = Vec::with_capacity(meta.len() as usize);
    opened.read_to_end(&mut bytes).ok()?;
    used(file);
    Some(bytes)
}

/// Where what is remembered as `name` for this program alone is kept.
pub fn program_file(name: &str) -> Option<PathBuf> {
    place(None, name)
}

/// Writes `bytes` to `file` beside and renames it in, so a reader sees the old bytes or the
/// new, never half; then evicts the least recently used. Failing is no error: what is not
/// kept is made again.
pub fn keep(file: &Path, bytes: &[u8]) {
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

/// Keeps the most recently used results while they number at most [`KEEP`] and fit in
/// [`BUDGET`] bytes; the newest is always kept.
fn evict(dir: &Path) {
    let Ok(entries) = fs::read_dir(dir) else { return };
    let mut kept: Vec<(std::time::SystemTime, u64, PathBuf)> = entries
        .filter_map(Result::ok)
        .filter(|e| e.file_name().len() == 64)
        .filter_map(|e| {
            let meta = e.metadata().ok()?;
            Some((meta.modified().ok()?, meta.len(), e.path()))
        })
        .collect();
    kept.sort_by_key(|(modified, ..)| std::cmp::Reverse(*modified));
    let mut total = 0;
    for (i, (_, len, path)) in kept.iter().enumerate() {
        total += len;
        if i > 0 && (i >= KEEP || total > BUDGET) {
            let _ = fs::remove_file(path);
        }
    }
}

/// Marks a kept file as just used: the last to be evicted.
fn used(file: &Path) {
    let _ = fs::File::options().append(true).open(file).and_then(|f| f.set_modified(std::time::SystemTime::now()));
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

    #[test]
    fn eviction_keeps_the_most_recently_used_within_the_budget() {
        use std::time::{Duration, SystemTime};
        let dir = tempfile::tempdir().unwrap();
        let name = |i: usize| dir.path().join(format!("{i:064}"));
        let now = SystemTime::now();
        // Five results of a fifth of the budget each, the oldest first: one too many.
        for i in 0..5 {
            let file = fs::File::create(name(i)).unwrap();
            file.set_len(BUDGET / 5 + 1).unwrap();
            file.set_modified(now - Duration::from_secs(100 - i as u64)).unwrap();
        }
        fs::write(dir.path().join("not-a-result"), "kept").unwrap();
        evict(dir.path());
        let left: Vec<bool> = (0..5).map(|i| name(i).exists()).collect();
        assert_eq!(left, [false, true, true, true, true], "the least recently used goes");
        assert!(dir.path().join("not-a-result").exists(), "only results are evicted");
        used(&name(1));
        fs::File::create(name(5)).unwrap().set_len(BUDGET / 5 + 1).unwrap();
        evict(dir.path());
        let left: Vec<bool> = (0..6).map(|i| name(i).exists()).collect();
        assert_eq!(left, [false, true, false, true, true, true], "a result just used stays");
    }

    #[test]
    fn only_the_users_own_unshared_files_are_trusted() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("kept");
        keep(&file, b"result");
        assert_eq!(read_own(&file).as_deref(), Some(&b"result"[..]));
        fs::set_permissions(&file, fs::Permissions::from_mode(0o666)).unwrap();
        assert_eq!(read_own(&file), None, "others may write it");
        fs::set_permissions(&file, fs::Permissions::from_mode(0o600)).unwrap();
        // Giving a file away takes root, as CI runs; elsewhere the mode case above stands alone.
        let someone_else = rustix::process::geteuid().as_raw() + 1;
        if std::os::unix::fs::chown(&file, Some(someone_else), None).is_ok() {
            assert_eq!(read_own(&file), None, "another user's");
        }
    }
}
