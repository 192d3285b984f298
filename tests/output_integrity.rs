//! The rendered tree cannot be corrupted: not through symbolic links, not by overlapping output
//! roots, not by two renders at once, not by a render killed at any write or rename, and not
//! by a folder that cannot be changed. `check` names what interrupted renders left behind and
//! files no environment writes.

mod common;

use std::collections::BTreeMap;
use std::fs;
use std::os::unix::fs::symlink;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use common::{oxidy, project, snapshot_tree};

/// A project of two environments, `local` and `edge`, sharing one Argo CD.
fn two_envs() -> tempfile::TempDir {
    let dir = project(&[("local", "envs/minimal.yaml"), ("edge", "envs/minimal.yaml")]);
    let edge = dir.path().join("env/edge.yaml");
    let text = fs::read_to_string(&edge).unwrap();
    fs::write(&edge, format!("{text}argocd:\n  appendEnvName: true\n")).unwrap();
    dir
}

/// [`two_envs`], rendered.
fn rendered_project() -> tempfile::TempDir {
    let dir = two_envs();
    let run = oxidy(dir.path(), &["render"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    dir
}

/// Changes both env files so that every environment renders differently.
fn edit_envs(root: &Path) {
    for env in ["local", "edge"] {
        let path = root.join(format!("env/{env}.yaml"));
        let text = fs::read_to_string(&path).unwrap().replace("observability.git", "observability-next.git");
        fs::write(&path, text).unwrap();
    }
}

fn copy(from: &Path) -> tempfile::TempDir {
    let to = tempfile::tempdir().unwrap();
    let status = Command::new("cp").arg("-a").arg(format!("{}/.", from.display())).arg(to.path()).status().unwrap();
    assert!(status.success());
    to
}

/// The files below `dir`, relative to it.
fn tree(dir: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    snapshot_tree(dir)
}

/// Paths below `root` whose name starts like a staging or retired tree.
fn leftovers(root: &Path) -> Vec<PathBuf> {
    walkdir::WalkDir::new(root)
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_name().to_string_lossy().starts_with(".oxidy-"))
        .map(|e| e.path().to_owned())
        .collect()
}

#[test]
fn a_symlinked_generated_folder_is_refused() {
    let dir = project(&[("local", "envs/minimal.yaml")]);
    let elsewhere = tempfile::tempdir().unwrap();
    fs::write(elsewhere.path().join("keep.txt"), "outside\n").unwrap();
    symlink(elsewhere.path(), dir.path().join("generated")).unwrap();
    let run = oxidy(dir.path(), &["render"]);
    assert_eq!(run.code, 2);
    insta::assert_snapshot!(run.stderr);
    assert_eq!(tree(elsewhere.path()).len(), 1, "nothing written or removed outside the repository");
}

#[test]
fn a_symlinked_output_root_is_refused() {
    let dir = rendered_project();
    let elsewhere = tempfile::tempdir().unwrap();
    fs::remove_dir_all(dir.path().join("generated/edge")).unwrap();
    symlink(elsewhere.path(), dir.path().join("generated/edge")).unwrap();
    let before = tree(dir.path());
    let run = oxidy(dir.path(), &["render", "edge"]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("generated/edge is a symbolic link"), "{}", run.stderr);
    assert_eq!(tree(dir.path()), before);
    assert!(tree(elsewhere.path()).is_empty());
}

#[test]
fn an_output_root_shared_with_an_env_not_named_is_refused() {
    let dir = two_envs();
    for env in ["local", "edge"] {
        let path = dir.path().join(format!("env/{env}.yaml"));
        let text = fs::read_to_string(&path).unwrap().replace("git:\n", "git:\n  outputRoot: generated/shared\n");
        fs::write(&path, text).unwrap();
    }
    let run = oxidy(dir.path(), &["render", "edge"]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(run.stderr.contains("local") && run.stderr.contains("generated/shared"), "{}", run.stderr);
    assert!(!dir.path().join("generated").exists());
}

/// Holds the project lock as a render would, until dropped.
fn hold_lock(root: &Path) -> fs::File {
    let file = fs::File::open(root).unwrap();
    file.lock().unwrap();
    file
}

#[test]
fn a_render_waits_for_the_lock_and_gives_up_after_its_wait() {
    let dir = rendered_project();
    let lock = hold_lock(dir.path());
    let run = oxidy(dir.path(), &["render", "--wait", "1"]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.starts_with("waiting for another oxidy render of "), "{}", run.stderr);
    assert!(run.stderr.contains("did not finish within 1 s"), "{}", run.stderr);

    edit_envs(dir.path());
    let waiting = Command::new(env!("CARGO_BIN_EXE_oxidy"))
        .arg("--root")
        .arg(dir.path())
        .arg("render")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    std::thread::sleep(std::time::Duration::from_millis(500));
    drop(lock);
    let out = waiting.wait_with_output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(oxidy(dir.path(), &["check"]).code, 0, "the waiting render wrote the current env files");
}

#[test]
fn concurrent_renders_leave_the_tree_of_the_latest_env_files() {
    let dir = rendered_project();
    let edge = dir.path().join("env/edge.yaml");
    let base = fs::read_to_string(&edge).unwrap();
    for round in 0..10 {
        let start = || {
            Command::new(env!("CARGO_BIN_EXE_oxidy"))
                .arg("--root")
                .arg(dir.path())
                .arg("render")
                .stdout(Stdio::null())
                .stderr(Stdio::piped())
                .spawn()
                .unwrap()
        };
        let first = start();
        // Replaced in one rename, as editors save: a render never reads half a file.
        let next = dir.path().join("edge.next");
        fs::write(&next, base.replace("observability.git", &format!("observability-{round}.git"))).unwrap();
        fs::rename(&next, &edge).unwrap();
        let second = start();
        for child in [first, second] {
            let out = child.wait_with_output().unwrap();
            assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        }
        let check = oxidy(dir.path(), &["check"]);
        assert_eq!(check.code, 0, "round {round}: the tree is that of the env files on disk\n{}", check.stdout);
    }
}

/// Inode and modification time of every file below `dir`.
fn identities(dir: &Path) -> BTreeMap<PathBuf, (u64, std::time::SystemTime)> {
    use std::os::unix::fs::MetadataExt;
    walkdir::WalkDir::new(dir)
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file())
        .map(|e| {
            let meta = e.metadata().unwrap();
            (e.path().strip_prefix(dir).unwrap().to_owned(), (meta.ino(), meta.modified().unwrap()))
        })
        .collect()
}

#[test]
fn a_render_rewrites_only_the_files_that_changed() {
    let dir = rendered_project();
    let root = dir.path().join("generated/edge");
    let (old_files, old_ids) = (tree(&root), identities(&root));
    edit_envs(dir.path());
    assert_eq!(oxidy(dir.path(), &["render"]).code, 0);
    let (new_files, new_ids) = (tree(&root), identities(&root));
    let (mut kept, mut rewritten) = (0, 0);
    for (path, bytes) in &new_files {
        if old_files.get(path) == Some(bytes) {
            assert_eq!(new_ids[path], old_ids[path], "{}: unchanged, so the same inode and mtime", path.display());
            kept += 1;
        } else {
            assert_ne!(new_ids.get(path).map(|i| i.0), old_ids.get(path).map(|i| i.0), "{}", path.display());
            rewritten += 1;
        }
    }
    assert!(
        kept > 0 && rewritten > 0,
        "the edit changes some files and not others ({kept} kept, {rewritten} rewritten)"
    );
}

#[test]
fn a_render_killed_at_any_point_leaves_each_env_old_or_new() {
    let old = rendered_project();
    edit_envs(old.path());
    let new_project = copy(old.path());
    assert_eq!(oxidy(new_project.path(), &["render"]).code, 0);
    let roots = ["generated/local", "generated/edge"];
    let old_trees: Vec<_> = roots.iter().map(|r| tree(&old.path().join(r))).collect();
    let new_trees: Vec<_> = roots.iter().map(|r| tree(&new_project.path().join(r))).collect();
    assert_ne!(old_trees, new_trees, "the edit changes every environment");

    let mut points = 0;
    for n in 1.. {
        let dir = copy(old.path());
        let out = Command::new(env!("CARGO_BIN_EXE_oxidy"))
            .arg("--root")
            .arg(dir.path())
            .arg("render")
            .env("OXIDY_ABORT_AT", n.to_string())
            .output()
            .unwrap();
        if out.status.success() {
            break;
        }
        assert_eq!(out.status.code(), None, "point {n}: killed, not failed: {}", String::from_utf8_lossy(&out.stderr));
        points = n;
        for (i, root) in roots.iter().enumerate() {
            let now = tree(&dir.path().join(root));
            assert!(now == old_trees[i] || now == new_trees[i], "point {n}: {root} is neither old nor new");
        }
        let rerun = oxidy(dir.path(), &["render"]);
        assert_eq!(rerun.code, 0, "{}", rerun.stderr);
        assert_eq!(leftovers(dir.path()), Vec::<PathBuf>::new(), "point {n}: the next render removed the leftovers");
        for (i, root) in roots.iter().enumerate() {
            assert_eq!(tree(&dir.path().join(root)), new_trees[i], "point {n}: {root} after the next render");
        }
    }
    assert!(points >= 4, "a render passes several write and rename points ({points})");
}

#[test]
fn check_names_leftovers_and_unknown_files_and_render_removes_leftovers() {
    let dir = rendered_project();
    fs::create_dir_all(dir.path().join("generated/.oxidy-new-edge-4242/apps")).unwrap();
    fs::write(dir.path().join("generated/.oxidy-new-edge-4242/apps/x.yaml"), "x\n").unwrap();
    fs::create_dir_all(dir.path().join("generated/removed-env/apps")).unwrap();
    fs::write(dir.path().join("generated/removed-env/apps/Application-old.yaml"), "old\n").unwrap();
    let check = oxidy(dir.path(), &["check"]);
    assert_eq!(check.code, 1);
    insta::assert_snapshot!(check.stdout);

    assert_eq!(oxidy(dir.path(), &["render"]).code, 0);
    assert!(!dir.path().join("generated/.oxidy-new-edge-4242").exists(), "the leftover is removed");
    assert!(dir.path().join("generated/removed-env/apps/Application-old.yaml").exists(), "unknown files are kept");
}

/// Makes a folder unchangeable for the test's lifetime: immutable when running as root (who
/// may write anywhere else), read-only otherwise.
struct Frozen(PathBuf);

impl Frozen {
    fn new(path: PathBuf) -> Self {
        let root = Command::new("id").arg("-u").output().map(|o| o.stdout == b"0\n").unwrap_or(false);
        let status = if root {
            Command::new("chattr").arg("+i").arg(&path).status().expect("chattr (e2fsprogs) runs")
        } else {
            Command::new("chmod").arg("555").arg(&path).status().unwrap()
        };
        assert!(status.success(), "cannot freeze {}", path.display());
        Frozen(path)
    }
}

impl Drop for Frozen {
    fn drop(&mut self) {
        let _ = Command::new("chattr").arg("-i").arg(&self.0).status();
        let _ = Command::new("chmod").arg("755").arg(&self.0).status();
    }
}

#[test]
fn an_unchangeable_subfolder_fails_the_render_with_nothing_left_behind() {
    let dir = rendered_project();
    edit_envs(dir.path());
    let folder = dir.path().join("generated/edge/apps");
    assert!(folder.is_dir());
    let before = tree(dir.path());
    let frozen = Frozen::new(folder);
    let run = oxidy(dir.path(), &["render"]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(run.stderr.contains("generated/edge/apps"), "{}", run.stderr);
    assert_eq!(tree(dir.path()), before, "nothing changed");
    assert_eq!(leftovers(dir.path()), Vec::<PathBuf>::new(), "nothing left behind");
    drop(frozen);
    assert_eq!(oxidy(dir.path(), &["render"]).code, 0);
}
