//! flake.nix, evaluated by the real `nix-instantiate` against a stand-in nixpkgs
//! (tests/fixtures/flake): its packages, apps, checks and dev shell exist for every system and
//! call the right commands, the package's source is only what the build reads, and flake.lock
//! pins the flake's one input.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::Value;

const SYSTEMS: [&str; 4] = ["aarch64-darwin", "aarch64-linux", "x86_64-darwin", "x86_64-linux"];

fn repo() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// `nix-instantiate` from PATH; a missing one fails the test with how to install it.
fn nix_instantiate() -> PathBuf {
    let found = std::env::var_os("PATH")
        .iter()
        .flat_map(std::env::split_paths)
        .map(|dir| dir.join("nix-instantiate"))
        .find(|p| p.is_file());
    found.unwrap_or_else(|| {
        panic!(
            "nix-instantiate is needed by this test and is not on PATH.\n\
             Install it with: .ci/tools nix   (Debian's nix-bin: apt-get install nix-bin)"
        )
    })
}

/// Evaluates tests/fixtures/flake/evaluate.nix for the flake at `flake_dir`, with a store of
/// its own in `store` (the filtered source is copied there, never into /nix).
fn evaluate(flake_dir: &Path, store: &Path, rustc: &str) -> Output {
    Command::new(nix_instantiate())
        .args(["--eval", "--strict", "--json", "--read-write-mode", "--store"])
        .arg(store)
        .arg(repo().join("tests/fixtures/flake/evaluate.nix"))
        .args(["--arg", "repo"])
        .arg(flake_dir)
        .args(["--argstr", "rustcVersion", rustc])
        .output()
        .expect("nix-instantiate runs")
}

/// The flake's outputs as data, and the store they were evaluated into.
fn outputs_of(flake_dir: &Path) -> (Value, tempfile::TempDir) {
    let store = tempfile::tempdir().expect("temp store");
    let out = evaluate(flake_dir, store.path(), "1.95.0");
    assert!(out.status.success(), "flake.nix does not evaluate:\n{}", String::from_utf8_lossy(&out.stderr));
    (serde_json::from_slice(&out.stdout).expect("nix-instantiate prints JSON"), store)
}

fn outputs() -> (Value, tempfile::TempDir) {
    outputs_of(repo())
}

/// A store path as a folder on disk: below the evaluation's own store.
fn in_store(store: &Path, path: &str) -> PathBuf {
    store.join(path.trim_start_matches('/'))
}

fn names(value: &Value) -> Vec<String> {
    value.as_array().expect("a list").iter().map(|v| v.as_str().expect("a string").to_owned()).collect()
}

fn top_level(folder: &Path) -> Vec<String> {
    let mut names: Vec<String> =
        fs::read_dir(folder).expect("folder").map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
    names.sort();
    names
}

#[test]
fn every_output_exists_for_every_system() {
    let (flake, _store) = outputs();
    for output in ["packages", "apps", "checks", "devShells"] {
        assert_eq!(names(&flake["systems"][output]), SYSTEMS, "{output}");
    }
    let linux = &flake["x86_64-linux"];
    let mut packages: Vec<&String> = linux["packages"].as_object().unwrap().keys().collect();
    packages.sort();
    assert_eq!(packages, ["default", "oxidy"]);
    assert_eq!(linux["packages"]["default"], linux["packages"]["oxidy"]);
    let mut apps: Vec<&String> = linux["apps"].as_object().unwrap().keys().collect();
    apps.sort();
    assert_eq!(apps, ["check", "default", "diff", "render"]);
    let checks: Vec<&String> = linux["checks"].as_object().unwrap().keys().collect();
    assert_eq!(checks, ["drift"]);
}

#[test]
fn the_package_is_cargo_built_from_the_lock_with_the_manifest_version() {
    let (flake, _store) = outputs();
    let package = &flake["x86_64-linux"]["packages"]["oxidy"];
    assert_eq!(package["builder"], "buildRustPackage");
    assert_eq!(package["pname"], "oxidy");
    let manifest = fs::read_to_string(repo().join("Cargo.toml")).unwrap();
    let version = manifest.lines().find_map(|l| l.strip_prefix("version = \"")).unwrap().trim_end_matches('"');
    assert_eq!(package["version"], version);
    assert_eq!(package["lockFile"], repo().join("Cargo.lock").display().to_string());
    assert_eq!(package["mainProgram"], "oxidy");
}

#[test]
fn the_package_installs_completions_and_man_pages_from_the_program() {
    let (flake, _store) = outputs();
    let package = &flake["x86_64-linux"]["packages"]["oxidy"];
    assert_eq!(names(&package["nativeBuildInputs"]), ["installShellFiles"]);
    let script = package["postInstall"].as_str().unwrap();
    for line in [
        "$out/bin/oxidy completions $shell > oxidy.$shell",
        "installShellCompletion oxidy.bash oxidy.fish oxidy.zsh",
        "$out/bin/oxidy man > oxidy.1",
        "$out/bin/oxidy man \"$command\" > \"oxidy-$command.1\"",
        "installManPage oxidy*.1",
    ] {
        assert!(script.lines().any(|l| l.trim() == line), "postInstall lacks `{line}`:\n{script}");
    }
    // The loop finds the commands as .ci/docs does: in `oxidy --help`.
    let docs = fs::read_to_string(repo().join(".ci/docs")).unwrap();
    let listing = "--help | sed -n '/^Commands:/,/^$/p' | awk 'NR > 1 && $1 != \"help\" { print $1 }'";
    assert!(script.contains(listing) && docs.contains(listing), "postInstall and .ci/docs list the commands alike");
}

#[test]
fn the_source_is_only_what_the_build_reads_and_cargo_loads_it() {
    let (flake, store) = outputs();
    let src = in_store(store.path(), flake["x86_64-linux"]["packages"]["oxidy"]["src"].as_str().unwrap());
    assert_eq!(top_level(&src), ["Cargo.lock", "Cargo.toml", "benches", "modules", "src"]);
    for excluded in ["env", "generated", "dashboards", "tests", "README.md", "flake.nix", "target"] {
        assert!(!src.join(excluded).exists(), "{excluded} is in the package's source");
    }
    // Cargo reads the whole workspace, every declared target included, from that source alone.
    let out = Command::new(env!("CARGO"))
        .args(["metadata", "--offline", "--no-deps", "--format-version", "1", "--manifest-path"])
        .arg(src.join("Cargo.toml"))
        .output()
        .expect("cargo runs");
    assert!(out.status.success(), "Cargo cannot load the filtered source:\n{}", String::from_utf8_lossy(&out.stderr));
    let metadata: Value = serde_json::from_slice(&out.stdout).unwrap();
    let mut members: Vec<&str> =
        metadata["packages"].as_array().unwrap().iter().map(|p| p["name"].as_str().unwrap()).collect();
    members.sort();
    assert_eq!(members, ["oxidy", "oxidy-modules"]);
}

#[test]
fn an_env_or_generated_edit_leaves_the_source_unchanged() {
    let project = tempfile::tempdir().unwrap();
    for file in ["flake.nix", "Cargo.toml", "Cargo.lock"] {
        fs::copy(repo().join(file), project.path().join(file)).unwrap();
    }
    for folder in ["src", "modules", "benches"] {
        copy_tree(&repo().join(folder), &project.path().join(folder));
    }
    fs::create_dir_all(project.path().join("env")).unwrap();
    fs::create_dir_all(project.path().join("generated/staging")).unwrap();
    fs::write(project.path().join("env/staging.yaml"), "tier: staging\n").unwrap();
    let (before, _s1) = outputs_of(project.path());
    fs::write(project.path().join("env/staging.yaml"), "tier: production\n").unwrap();
    fs::write(project.path().join("generated/staging/new.yaml"), "kind: ConfigMap\n").unwrap();
    let (after, _s2) = outputs_of(project.path());
    let src = |v: &Value| v["x86_64-linux"]["packages"]["oxidy"]["src"].as_str().unwrap().to_owned();
    assert_eq!(src(&before), src(&after), "an env edit changed the package's source");
    // ...while a source edit does change it: the comparison is not vacuous.
    fs::write(project.path().join("src/main.rs"), "fn main() {}\n").unwrap();
    let (edited, _s3) = outputs_of(project.path());
    assert_ne!(src(&before), src(&edited), "a source edit left the package's source unchanged");
}

fn copy_tree(from: &Path, to: &Path) {
    for entry in walkdir::WalkDir::new(from) {
        let entry = entry.unwrap();
        let target = to.join(entry.path().strip_prefix(from).unwrap());
        if entry.file_type().is_dir() {
            fs::create_dir_all(&target).unwrap();
        } else {
            fs::copy(entry.path(), &target).unwrap();
        }
    }
}

#[test]
fn apps_run_their_oxidy_command_with_helm_on_path() {
    let (flake, _store) = outputs();
    let linux = &flake["x86_64-linux"];
    let package = linux["packages"]["oxidy"]["path"].as_str().unwrap();
    for command in ["render", "check", "diff"] {
        let app = &linux["apps"][command];
        assert_eq!(app["type"], "app", "{command}");
        let script = &app["script"];
        assert_eq!(script["text"], format!("exec oxidy {command} \"$@\""), "{command}");
        assert_eq!(script["binary"], format!("oxidy-{command}"), "{command}");
        assert_eq!(names(&script["runtimeInputs"]), ["oxidy-0.1.0", "kubernetes-helm"], "{command}");
    }
    assert_eq!(linux["apps"]["default"]["program"], format!("{package}/bin/oxidy"));
}

#[test]
fn the_drift_check_runs_oxidy_check_on_the_flake_source() {
    let (flake, _store) = outputs();
    let drift = &flake["x86_64-linux"]["checks"]["drift"];
    assert_eq!(drift["builder"], "runCommand");
    assert_eq!(names(&drift["inputs"]), ["oxidy-0.1.0", "kubernetes-helm"]);
    let script: Vec<&str> = drift["script"].as_str().unwrap().lines().collect();
    // The whole flake (`self`, here the repository) in a writable copy, checked, and only
    // then the output a passing check needs.
    assert_eq!(
        script,
        [
            format!("cp -r {} project", repo().display()).as_str(),
            "chmod -R u+w project",
            "oxidy --root project check",
            "touch $out"
        ]
    );
}

#[test]
fn the_dev_shell_has_every_program_the_tests_and_scripts_use() {
    let (flake, _store) = outputs();
    let shell = names(&flake["x86_64-linux"]["devShell"]);
    for program in [
        "rustc-1.95.0",
        "cargo",
        "clippy",
        "rustfmt",
        "go",
        "python3",
        "garage_2",
        "kubernetes-helm",
        "prometheus",
        "prometheus-alertmanager",
        "prometheus-node-exporter",
        "opentelemetry-collector-builder",
        "nix",
        "git",
    ] {
        assert!(shell.iter().any(|p| p == program), "the dev shell lacks {program}: {shell:?}");
    }
}

#[test]
fn a_nixpkgs_whose_rustc_is_older_than_rust_version_is_refused() {
    let store = tempfile::tempdir().unwrap();
    let out = evaluate(repo(), store.path(), "1.80.0");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success(), "an old rustc evaluated");
    assert!(
        stderr.contains("oxidy needs rustc 1.89 or newer (Cargo.toml rust-version); this nixpkgs has 1.80.0"),
        "{stderr}"
    );
}

#[test]
fn flake_lock_pins_the_flakes_one_input() {
    let lock: Value = serde_json::from_str(&fs::read_to_string(repo().join("flake.lock")).unwrap()).unwrap();
    let (flake, _store) = outputs();
    assert_eq!(lock["version"], 7);
    let root = lock["root"].as_str().unwrap();
    let inputs = lock["nodes"][root]["inputs"].as_object().unwrap();
    let declared = flake["inputs"].as_object().unwrap();
    assert_eq!(inputs.keys().collect::<Vec<_>>(), declared.keys().collect::<Vec<_>>());
    let node = &lock["nodes"][inputs["nixpkgs"].as_str().unwrap()];
    let original = &node["original"];
    let url = format!(
        "{}:{}/{}/{}",
        original["type"].as_str().unwrap(),
        original["owner"].as_str().unwrap(),
        original["repo"].as_str().unwrap(),
        original["ref"].as_str().unwrap()
    );
    assert_eq!(declared["nixpkgs"], url.as_str(), "flake.lock is not locked for the flake's nixpkgs URL");
    let locked = &node["locked"];
    assert_eq!(
        (&locked["type"], &locked["owner"], &locked["repo"]),
        (&original["type"], &original["owner"], &original["repo"])
    );
    let rev = locked["rev"].as_str().unwrap();
    assert!(rev.len() == 40 && rev.bytes().all(|b| b.is_ascii_hexdigit()), "rev {rev}");
    let nar = locked["narHash"].as_str().unwrap();
    assert!(nar.starts_with("sha256-") && nar.len() == 51 && nar.ends_with('='), "narHash {nar}");
    assert!(locked["lastModified"].as_u64().unwrap() > 1_767_225_600, "locked before 2026");
}
