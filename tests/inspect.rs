//! `oxidy list` and `oxidy show`: what an environment deploys, read without touching a file.

mod common;

use common::{oxidy, project, snapshot_tree};

#[test]
fn list_names_every_app_with_its_wave_namespace_objects_and_images() {
    let dir = project(&[("local", "envs/minimal.yaml")]);
    let run = oxidy(dir.path(), &["list"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    insta::assert_snapshot!(run.stdout);
    assert!(snapshot_tree(&dir.path().join("generated")).is_empty(), "list writes nothing");
}

#[test]
fn show_prints_the_selected_files_and_writes_nothing() {
    let dir = project(&[("local", "envs/minimal.yaml")]);
    let run = oxidy(dir.path(), &["show", "local", "garage", "--kind", "service", "--name", "garage"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    insta::assert_snapshot!(run.stdout);
    let all = oxidy(dir.path(), &["show", "env/local.yaml", "garage"]);
    assert_eq!(all.stdout.matches("\n---\n").count() + 1, all.stdout.matches("# generated/local/garage/").count());
    assert!(!dir.path().join("generated").exists(), "show writes nothing");
}

#[test]
fn show_matching_nothing_is_an_error() {
    let dir = project(&[("local", "envs/minimal.yaml")]);
    let run = oxidy(dir.path(), &["show", "local", "--kind", "Gadget"]);
    assert_eq!(run.code, 2);
    insta::assert_snapshot!(run.stderr);
}
