//! Rendering fixture environments: the layout, the Argo CD objects, determinism, pruning.

mod common;

use std::fs;

use common::{oxidy, project, snapshot_tree, tree_text};

#[test]
fn minimal_environment_layout() {
    let dir = project(&[("local", "envs/minimal.yaml")]);
    let run = oxidy(dir.path(), &["render"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    insta::assert_snapshot!("minimal-summary", run.stdout);
    let files: Vec<String> =
        snapshot_tree(&dir.path().join("generated")).keys().map(|p| p.display().to_string()).collect();
    insta::assert_yaml_snapshot!("minimal-files", files);
    insta::assert_snapshot!("minimal-apps", tree_text(&dir.path().join("generated/local/apps")));
}

#[test]
fn destination_by_name_with_own_project_and_namespaces() {
    let dir = project(&[("staging", "envs/destination-by-name.yaml")]);
    let run = oxidy(dir.path(), &["render"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    insta::assert_snapshot!(tree_text(&dir.path().join("generated/staging/apps")));
}

#[test]
fn custom_output_root_is_used_for_files_and_application_paths() {
    let dir = project(&[("dev", "envs/custom-output-root.yaml")]);
    let run = oxidy(dir.path(), &["render"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let root = dir.path().join("generated/clusters/dev");
    let app = fs::read_to_string(root.join("apps/Application-garage.yaml")).unwrap();
    assert!(app.contains("path: generated/clusters/dev/garage"), "{app}");
    assert!(root.join("garage/StatefulSet-garage.yaml").exists());
    assert!(!dir.path().join("generated/dev").exists());
}

#[test]
fn a_second_render_changes_no_byte() {
    let dir = project(&[("local", "envs/minimal.yaml"), ("staging", "envs/destination-by-name.yaml")]);
    assert_eq!(oxidy(dir.path(), &["render"]).code, 0);
    let first = snapshot_tree(dir.path());
    let again = oxidy(dir.path(), &["render"]);
    assert_eq!(again.code, 0);
    assert_eq!(snapshot_tree(dir.path()), first);
    assert!(again.stdout.lines().all(|l| l.contains(": up to date (")), "{}", again.stdout);
}

#[test]
fn render_prunes_only_inside_the_environment_root() {
    let dir = project(&[("local", "envs/minimal.yaml")]);
    let stale = dir.path().join("generated/local/garage/ConfigMap-retired.yaml");
    let stale_app = dir.path().join("generated/local/retired-app/Deployment-x.yaml");
    let outside = dir.path().join("generated/README.md");
    let other_env = dir.path().join("generated/other/keep.yaml");
    for path in [&stale, &stale_app, &outside, &other_env] {
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        fs::write(path, "kept?\n").unwrap();
    }
    let run = oxidy(dir.path(), &["render"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stdout.contains("2 removed"), "{}", run.stdout);
    assert!(!stale.exists() && !stale_app.exists(), "stale files in generated/local are pruned");
    assert!(outside.exists() && other_env.exists(), "nothing outside generated/local is touched");
    let leftovers: Vec<_> = fs::read_dir(dir.path().join("generated"))
        .unwrap()
        .filter_map(Result::ok)
        .filter(|e| e.file_name().to_string_lossy().starts_with(".oxidy"))
        .collect();
    assert!(leftovers.is_empty(), "no staging folders left behind: {leftovers:?}");
}

#[test]
fn rendering_one_environment_leaves_the_others() {
    let dir = project(&[("local", "envs/minimal.yaml"), ("staging", "envs/destination-by-name.yaml")]);
    assert_eq!(oxidy(dir.path(), &["render", "local"]).code, 0);
    assert!(dir.path().join("generated/local").exists());
    assert!(!dir.path().join("generated/staging").exists());
}

#[test]
fn schema_is_printed_and_written_beside_the_env_files() {
    let dir = project(&[("local", "envs/minimal.yaml")]);
    let printed = oxidy(dir.path(), &["schema"]);
    assert_eq!(printed.code, 0);
    let schema: serde_json::Value = serde_json::from_str(&printed.stdout).expect("schema is JSON");
    assert_eq!(schema["$schema"], "http://json-schema.org/draft-07/schema#");
    assert!(schema.to_string().contains("dataVolume"), "module options are in the schema");
    assert_eq!(oxidy(dir.path(), &["render"]).code, 0);
    assert_eq!(fs::read_to_string(dir.path().join("env/schema.json")).unwrap(), printed.stdout);
}

#[test]
fn a_failed_write_changes_nothing() {
    // `generated/blocked` is a file, so env `b` cannot be staged below it; env `a`, rendered
    // first and fine on its own, must not be written either.
    let dir = project(&[("a", "envs/minimal.yaml")]);
    let b = fs::read_to_string(common::fixture_path("envs/custom-output-root.yaml"))
        .unwrap()
        .replace("generated/clusters/dev", "generated/blocked/b")
        // Both go to the same Argo CD: `b` needs names of its own.
        + "argocd:\n  appendEnvName: true\n";
    fs::write(dir.path().join("env/b.yaml"), b).unwrap();
    fs::create_dir_all(dir.path().join("generated")).unwrap();
    fs::write(dir.path().join("generated/blocked"), "a file where a folder is expected\n").unwrap();
    let before = snapshot_tree(dir.path());
    let run = oxidy(dir.path(), &["render"]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(run.stderr.starts_with("error: cannot write") && run.stderr.contains("caused by:"), "{}", run.stderr);
    assert_eq!(snapshot_tree(dir.path()), before, "nothing was written");
}

/// The bootstrap file holds the root's project and Application; the root Application is also
/// in the folder it syncs, but its project is not, so the root app cannot change it.
#[test]
fn bootstrap_is_one_file_holding_the_root_project_and_application() {
    let dir = project(&[("local", "envs/minimal.yaml")]);
    assert_eq!(oxidy(dir.path(), &["render"]).code, 0);
    let root = dir.path().join("generated/local");
    let read =
        |p: &str| -> serde_json::Value { serde_saphyr::from_str(&fs::read_to_string(root.join(p)).unwrap()).unwrap() };
    let list = read("bootstrap.yaml");
    assert_eq!(list["kind"], "List");
    assert_eq!(list["items"][1], read("apps/Application-apps.yaml"), "the same root Application");
    let project = &list["items"][0];
    assert_eq!(project["metadata"]["name"], "oxidy-local-root");
    assert_eq!(project["metadata"]["annotations"]["argocd.argoproj.io/sync-options"], "Prune=false");
    let synced = read("apps/Application-apps.yaml")["spec"]["source"]["path"].as_str().unwrap().to_owned();
    assert_eq!(synced, "generated/local/apps");
    let in_synced: Vec<String> = fs::read_dir(dir.path().join(&synced))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|f| f.starts_with("AppProject-"))
        .collect();
    assert_eq!(in_synced, ["AppProject-oxidy-local.yaml"], "the root app syncs the children's project only");
}

#[test]
fn sync_windows_and_signature_keys_guard_the_projects() {
    let dir = project(&[("staging", "envs/guarded-projects.yaml")]);
    let run = oxidy(dir.path(), &["render"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let read = |file: &str| -> serde_json::Value {
        let path = dir.path().join("generated/staging/apps").join(file);
        serde_saphyr::from_str(&fs::read_to_string(path).unwrap()).unwrap()
    };
    let children = read("AppProject-oxidy-staging.yaml");
    assert_eq!(
        children["spec"]["syncWindows"],
        serde_json::json!([
            {"kind": "allow", "schedule": "0 6 * * 1-5", "duration": "12h", "applications": ["*"]},
            {"kind": "deny", "schedule": "0 0 24 12 *", "duration": "48h", "applications": ["loki*"]},
        ]),
        "a window naming no application applies to all"
    );
    let keys = serde_json::json!([{"keyID": "4AEE18F83AFDEB23"}]);
    assert_eq!(children["spec"]["signatureKeys"], keys);
    let bootstrap: serde_json::Value =
        serde_saphyr::from_str(&fs::read_to_string(dir.path().join("generated/staging/bootstrap.yaml")).unwrap())
            .unwrap();
    let root = &bootstrap["items"][0];
    assert_eq!(root["metadata"]["name"], "oxidy-staging-root");
    assert_eq!(root["spec"]["signatureKeys"], keys, "the app-of-apps syncs only signed commits too");
    assert!(root["spec"]["syncWindows"].is_null(), "its windows hold the workloads, not the Applications");
}

#[test]
fn output_of_a_removed_env_file_is_named_and_pruned_only_when_asked() {
    let dir = project(&[("local", "envs/minimal.yaml")]);
    assert_eq!(oxidy(dir.path(), &["render"]).code, 0);
    let orphan = dir.path().join("generated/gone/apps/Application-gone.yaml");
    fs::create_dir_all(orphan.parent().unwrap()).unwrap();
    fs::write(&orphan, "kind: Application\n").unwrap();

    let named = oxidy(dir.path(), &["render"]);
    assert_eq!(named.code, 0, "{}", named.stderr);
    assert!(
        named.stdout.contains("note: 1 file below generated/ no environment writes (generated/gone/apps/Application-gone.yaml); `oxidy render --prune-orphans` deletes them"),
        "{}",
        named.stdout
    );
    assert!(orphan.exists(), "kept unless asked");
    assert_eq!(oxidy(dir.path(), &["check"]).code, 1, "check names it as drift");

    let pruned = oxidy(dir.path(), &["render", "--prune-orphans"]);
    assert_eq!(pruned.code, 0, "{}", pruned.stderr);
    assert!(pruned.stdout.contains("deleted generated/gone/apps/Application-gone.yaml"), "{}", pruned.stdout);
    assert!(!dir.path().join("generated/gone").exists(), "the folders it leaves empty go too");
    assert_eq!(oxidy(dir.path(), &["check"]).code, 0);
}
