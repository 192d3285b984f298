//! `oxidy diff`: what a render would change, app by app, writing nothing; exit 0 when
//! nothing, 1 when something, 2 on error. `--between` compares two environments' objects.

mod common;

use std::fs;
use std::path::Path;

use common::{oxidy, oxidy_with, project, snapshot_tree};

/// A rendered project with environment `local`.
fn rendered() -> tempfile::TempDir {
    let dir = project(&[("local", "envs/minimal.yaml")]);
    assert_eq!(oxidy(dir.path(), &["render"]).code, 0);
    dir
}

/// Changes `local`'s garage volume in its env file: one rendered file changes.
fn edit_env(dir: &Path) {
    let env = dir.join("env/local.yaml");
    let text = fs::read_to_string(&env)
        .unwrap()
        .replace("  loki: {enabled: false}\n", "  loki: {enabled: false}\n  garage: {dataVolume: 20Gi}\n");
    fs::write(env, text).unwrap();
}

/// Deletes two committed files and adds one no environment renders inside an app's folder.
fn edit_tree(dir: &Path) {
    let garage = dir.join("generated/local/garage");
    fs::write(garage.join("ConfigMap-extra.yaml"), "kind: ConfigMap\n").unwrap();
    fs::remove_file(garage.join("ServiceAccount-garage.yaml")).unwrap();
    let setup = dir.join("generated/local/garage-setup");
    let job = fs::read_dir(&setup).unwrap().flatten().find(|e| e.file_name().to_string_lossy().starts_with("Job-"));
    fs::remove_file(job.unwrap().path()).unwrap();
}

#[test]
fn a_current_tree_has_no_differences() {
    let dir = rendered();
    let run = oxidy(dir.path(), &["diff"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    insta::assert_snapshot!(run.stdout);
}

#[test]
fn an_env_edit_shows_as_a_unified_diff_grouped_by_app_and_writes_nothing() {
    let dir = rendered();
    edit_env(dir.path());
    edit_tree(dir.path());
    let before = snapshot_tree(dir.path());
    let run = oxidy(dir.path(), &["diff"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(!run.stdout.contains('\u{1b}'), "plain when piped");
    insta::assert_snapshot!(run.stdout);
    assert_eq!(snapshot_tree(dir.path()), before, "diff writes nothing");
    // What diff shows is what render then does.
    let render = oxidy(dir.path(), &["render"]);
    assert!(render.stdout.starts_with("local: 2 added, 2 changed, 1 removed"), "{}", render.stdout);
    assert_eq!(oxidy(dir.path(), &["diff"]).code, 0);
}

#[test]
fn stat_counts_lines_per_file_like_git() {
    let dir = rendered();
    edit_env(dir.path());
    edit_tree(dir.path());
    let run = oxidy(dir.path(), &["diff", "--stat", "local"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    insta::assert_snapshot!(run.stdout);
}

#[test]
fn name_only_prints_the_paths_alone() {
    let dir = rendered();
    edit_env(dir.path());
    edit_tree(dir.path());
    let run = oxidy(dir.path(), &["diff", "--name-only"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    insta::assert_snapshot!(run.stdout);
}

#[test]
fn colour_is_on_when_asked_and_off_when_piped_or_refused() {
    let dir = rendered();
    edit_env(dir.path());
    let always = oxidy(dir.path(), &["--color", "always", "diff"]);
    assert!(always.stdout.contains("\u{1b}[32m+"), "{:?}", always.stdout);
    assert!(always.stdout.contains("\u{1b}[31m-"), "{:?}", always.stdout);
    let no_color = oxidy_with(dir.path(), &["diff", "--color=always"], &[("NO_COLOR", "1".as_ref())]);
    assert_eq!(no_color.stdout, always.stdout, "an explicit --color always wins over NO_COLOR");
    for args in [&["diff"][..], &["--color", "never", "diff"], &["--color", "auto", "diff"]] {
        let plain = oxidy(dir.path(), args);
        assert_eq!(plain.code, 1);
        assert!(!plain.stdout.contains('\u{1b}'), "{args:?}: {:?}", plain.stdout);
    }
}

/// `oxidy diff` on a terminal (util-linux `script` gives it one), with `NO_COLOR` as given.
fn on_a_terminal(dir: &Path, no_color: Option<&str>) -> String {
    let command = format!("{} --root {} diff", env!("CARGO_BIN_EXE_oxidy"), dir.display());
    let mut script = std::process::Command::new("script");
    script.args(["-qec", &command, "/dev/null"]).env_remove("NO_COLOR");
    if let Some(value) = no_color {
        script.env("NO_COLOR", value);
    }
    let out = script.output().expect("`script` runs: install util-linux (apt-get install util-linux)");
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[test]
fn auto_colours_a_terminal_unless_no_color_is_set() {
    let dir = rendered();
    edit_env(dir.path());
    let terminal = on_a_terminal(dir.path(), None);
    assert!(terminal.contains("\u{1b}[32m+"), "{terminal:?}");
    let refused = on_a_terminal(dir.path(), Some("1"));
    assert!(refused.contains("+          storage: 20Gi"), "{refused:?}");
    assert!(!refused.contains('\u{1b}'), "{refused:?}");
}

#[test]
fn check_colours_its_diff_when_asked() {
    let dir = rendered();
    edit_env(dir.path());
    let check = oxidy(dir.path(), &["--color", "always", "check"]);
    assert_eq!(check.code, 1);
    assert!(check.stdout.contains("\u{1b}[32m+"), "{:?}", check.stdout);
    let plain = oxidy(dir.path(), &["check"]);
    assert!(!plain.stdout.contains('\u{1b}'), "{:?}", plain.stdout);
}

#[test]
fn an_unknown_environment_is_an_error() {
    let dir = rendered();
    let run = oxidy(dir.path(), &["diff", "lcoal"]);
    assert_eq!(run.code, 2);
    insta::assert_snapshot!(run.stderr);
}

#[test]
fn stat_and_name_only_together_are_refused() {
    let dir = rendered();
    let run = oxidy(dir.path(), &["diff", "--stat", "--name-only"]);
    assert_eq!(run.code, 2);
    insta::assert_snapshot!(run.stderr);
}

#[test]
fn between_and_named_environments_together_are_refused() {
    let dir = rendered();
    let run = oxidy(dir.path(), &["diff", "local", "--between", "local", "local"]);
    assert_eq!(run.code, 2);
    insta::assert_snapshot!(run.stderr);
}

#[test]
fn between_needs_two_environments() {
    let dir = rendered();
    let run = oxidy(dir.path(), &["diff", "--between", "local"]);
    assert_eq!(run.code, 2);
    insta::assert_snapshot!(run.stderr);
}

#[test]
fn an_unknown_colour_choice_is_refused() {
    let dir = rendered();
    let run = oxidy(dir.path(), &["diff", "--color", "sometimes"]);
    assert_eq!(run.code, 2);
    insta::assert_snapshot!(run.stderr);
}

/// `local` and `edge`, the same but for edge's Application names and garage volume.
fn two_envs() -> tempfile::TempDir {
    let dir = project(&[("local", "envs/minimal.yaml"), ("edge", "envs/minimal.yaml")]);
    let edge = dir.path().join("env/edge.yaml");
    let text = fs::read_to_string(&edge).unwrap();
    fs::write(&edge, format!("{text}  garage: {{dataVolume: 20Gi}}\nargocd:\n  appendEnvName: true\n")).unwrap();
    dir
}

#[test]
fn between_matches_objects_by_kind_namespace_and_name() {
    let dir = two_envs();
    let run = oxidy(dir.path(), &["diff", "--between", "local", "edge"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    insta::assert_snapshot!(run.stdout);
    assert!(!dir.path().join("generated").exists(), "diff --between writes nothing");
}

#[test]
fn between_stat_and_name_only() {
    let dir = two_envs();
    let stat = oxidy(dir.path(), &["diff", "--between", "env/local.yaml", "edge", "--stat"]);
    assert_eq!(stat.code, 1, "{}", stat.stderr);
    insta::assert_snapshot!("between_stat", stat.stdout);
    let names = oxidy(dir.path(), &["diff", "--between", "local", "edge", "--name-only"]);
    assert_eq!(names.code, 1, "{}", names.stderr);
    insta::assert_snapshot!("between_name_only", names.stdout);
}

#[test]
fn between_an_environment_and_itself_is_no_difference() {
    let dir = two_envs();
    let run = oxidy(dir.path(), &["diff", "--between", "local", "local"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stdout.starts_with("local → local: 0 only in local, 0 only in local, 0 changed, "), "{}", run.stdout);
}

#[test]
fn between_an_unknown_environment_is_an_error() {
    let dir = two_envs();
    let run = oxidy(dir.path(), &["diff", "--between", "local", "egde"]);
    assert_eq!(run.code, 2);
    insta::assert_snapshot!(run.stderr);
}

#[test]
fn files_no_environment_writes_are_named_but_are_no_difference() {
    let dir = rendered();
    fs::create_dir_all(dir.path().join("generated/old")).unwrap();
    fs::write(dir.path().join("generated/old/bootstrap.yaml"), "kind: List\n").unwrap();
    let run = oxidy(dir.path(), &["diff"]);
    assert_eq!(run.code, 0, "a render leaves them: {}", run.stderr);
    insta::assert_snapshot!(run.stdout);
}
