//! The real programs the tests run, where `.ci/tools` caches them: pinned in `.ci/programs`,
//! built from their upstream Go modules (or installed from PyPI), kept under `${XDG_CACHE_HOME:-~/.cache}/oxidy/tools`.
//! A missing program fails the test with the command that installs it; it never skips.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

/// The folder the programs are cached in, one `<name>-<version>` folder each.
pub fn cache_dir() -> PathBuf {
    let base = std::env::var_os("XDG_CACHE_HOME")
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(std::env::var_os("HOME").expect("HOME is set")).join(".cache"));
    base.join("oxidy/tools")
}

fn repo() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// One line of `.ci/programs`.
pub struct Pin {
    pub name: String,
    pub version: String,
    binary: String,
}

/// The pins of `.ci/programs`, in file order.
pub fn pins() -> Vec<Pin> {
    let text = fs::read_to_string(repo().join(".ci/programs")).expect(".ci/programs is readable");
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(|line| {
            let fields: Vec<&str> = line.split_whitespace().collect();
            assert!(matches!(fields.len(), 3 | 4), ".ci/programs: a line has 3 or 4 fields: {line}");
            // A Python program lives in a virtualenv of its own; a Go program is the last
            // element of its package path.
            let binary = if fields[2].starts_with("pypi:") {
                format!("bin/{}", fields[0])
            } else {
                let package = fields.get(3).copied().unwrap_or_else(|| fields[2].split('@').next().unwrap());
                package.rsplit('/').next().unwrap().to_owned()
            };
            Pin { name: fields[0].to_owned(), version: fields[1].to_owned(), binary }
        })
        .collect()
}

/// The pinned version of `name`, as `.ci/programs` gives it.
pub fn version(name: &str) -> String {
    pin(name).version
}

fn pin(name: &str) -> Pin {
    pins().into_iter().find(|p| p.name == name).unwrap_or_else(|| panic!(".ci/programs pins no program {name}"))
}

fn missing(what: &str, path: &Path, install: &str) -> ! {
    panic!(
        "{what} is needed by this test and is not installed at {}.\nInstall it with: {install}\n\
         (`.ci/test` installs every program the tests use, then runs them)",
        path.display()
    )
}

/// The path of the pinned program `name`; fails the test when it is not installed.
pub fn program(name: &str) -> PathBuf {
    let pin = pin(name);
    let path = cache_dir().join(format!("{}-{}", pin.name, pin.version)).join(&pin.binary);
    if !path.is_file() {
        missing(&format!("{} {}", pin.name, pin.version), &path, &format!(".ci/tools {}", pin.name));
    }
    path
}

/// The key a builder manifest's collector is cached under: the first 16 hex digits of its
/// SHA-256, computed by `sha256sum` exactly as `.ci/tools` does.
pub fn manifest_key(manifest: &Path) -> String {
    let out = Command::new("sha256sum").arg(manifest).output().expect("sha256sum runs");
    assert!(out.status.success(), "sha256sum {}", manifest.display());
    String::from_utf8_lossy(&out.stdout)[..16].to_owned()
}

/// The collector OCB built from `manifest` (a `builder-config.yaml`); fails the test when it
/// has not been built.
pub fn collector(manifest: &Path) -> PathBuf {
    let text = fs::read_to_string(manifest).unwrap_or_else(|e| panic!("{}: {e}", manifest.display()));
    let name = text
        .lines()
        .find_map(|l| l.strip_prefix("  name: "))
        .unwrap_or_else(|| panic!("{}: no dist name", manifest.display()))
        .trim();
    let path = cache_dir().join(format!("otelcol-{}", manifest_key(manifest))).join(name);
    if !path.is_file() {
        missing(&format!("the collector built from {}", manifest.display()), &path, ".ci/tools collectors");
    }
    path
}

/// The rendered builder manifest of `env`.
pub fn env_manifest(env: &str) -> PathBuf {
    repo().join("generated").join(env).join("build/collector/builder-config.yaml")
}

/// The OTLP sink's builder manifest (tests/programs/sink-builder-config.yaml).
pub fn sink_manifest() -> PathBuf {
    repo().join("tests/programs/sink-builder-config.yaml")
}

/// The envs with rendered output under `generated/`.
pub fn envs() -> Vec<String> {
    let mut envs: Vec<String> = fs::read_dir(repo().join("generated"))
        .expect("generated/")
        .filter_map(Result::ok)
        .filter(|e| e.path().is_dir())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    envs.sort();
    assert!(!envs.is_empty(), "generated/ has no env");
    envs
}

/// Runs `program args` to completion: (success, stdout + stderr).
pub fn run(program: &Path, args: &[&str]) -> (bool, String) {
    let out =
        Command::new(program).args(args).output().unwrap_or_else(|e| panic!("{} does not run: {e}", program.display()));
    let text = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    (out.status.success(), text)
}
