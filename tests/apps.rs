//! The environment's own apps: manifests, inline objects, verbatim files and their Argo CD
//! settings; every bad input refused with its place named, exit code 2 and nothing written.

mod common;

use std::fs;

use common::{oxidy, project_tree, refused_in, snapshot_tree, tree_text};

#[test]
fn own_app_from_manifests_objects_and_verbatim_files() {
    let dir = project_tree("apps/shop");
    let run = oxidy(dir.path(), &["render"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    insta::assert_snapshot!("shop-summary", run.stdout);
    let local = dir.path().join("generated/local");
    insta::assert_snapshot!("shop-app", tree_text(&local.join("shop")));
    insta::assert_snapshot!("shop-application", fs::read_to_string(local.join("apps/Application-shop.yaml")).unwrap());
    insta::assert_snapshot!(
        "shop-project",
        fs::read_to_string(local.join("apps/AppProject-oxidy-local.yaml")).unwrap()
    );

    let verbatim = fs::read(dir.path().join("env/secrets/db.sops.yaml")).unwrap();
    assert_eq!(fs::read(local.join("shop/db.sops.yaml")).unwrap(), verbatim, "copied byte for byte");
    assert_eq!(oxidy(dir.path(), &["check"]).code, 0);
    fs::write(local.join("shop/db.sops.yaml"), "tampered\n").unwrap();
    let check = oxidy(dir.path(), &["check"]);
    assert_eq!(check.code, 1, "a changed verbatim file is drift");
    assert!(check.stdout.contains("shop/db.sops.yaml"), "{}", check.stdout);
}

#[test]
fn namespaced_objects_get_the_app_namespace_and_cluster_scoped_ones_none() {
    let dir = project_tree("apps/shop");
    assert_eq!(oxidy(dir.path(), &["render"]).code, 0);
    let read = |f: &str| -> serde_json::Value {
        serde_saphyr::from_str(&fs::read_to_string(dir.path().join("generated/local/shop").join(f)).unwrap()).unwrap()
    };
    assert_eq!(read("Deployment-web.yaml")["metadata"]["namespace"], "shop");
    assert_eq!(read("Widget-front.yaml")["metadata"]["namespace"], "shop", "unknown kinds are namespaced");
    assert!(read("ClusterRole-shop-reader.yaml")["metadata"]["namespace"].is_null());
    assert!(read("Gadget-gizmo.yaml")["metadata"]["namespace"].is_null(), "its CRD says Cluster");
}

/// Renders the fixture project and returns the message; `check` must fail the same way and
/// nothing on disk may change.
fn refused(fixture: &str) -> String {
    refused_in(project_tree(fixture).path(), &[])
}

macro_rules! error_case {
    ($test:ident, $fixture:literal) => {
        #[test]
        fn $test() {
            insta::assert_snapshot!(refused(concat!("apps/errors/", $fixture)));
        }
    };
}

error_case!(a_path_outside_the_repository, "outside-repo");
error_case!(a_missing_manifest_file, "missing-file");
error_case!(an_unparseable_manifest_names_file_and_line, "unparseable");
error_case!(an_unknown_field_in_a_known_kind_names_file_and_line, "unknown-field");
error_case!(a_wrong_type_in_an_inline_object_names_the_env_file_line, "wrong-type-in-manifest");
error_case!(a_wrong_type_in_a_typed_custom_resource_names_file_and_line, "crd-wrong-type");
error_case!(an_unknown_field_in_a_modelled_part_of_a_custom_resource, "crd-unknown-field");

#[test]
fn custom_resources_with_fields_the_models_lack_pass_unchanged() {
    let dir = project_tree("apps/crd-kinds");
    let run = oxidy(dir.path(), &["render"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let read = |f: &str| -> serde_json::Value {
        let path = dir.path().join("generated/local/monitoring").join(f);
        serde_saphyr::from_str(&fs::read_to_string(path).unwrap()).unwrap()
    };
    let rule = read("PrometheusRule-shop.yaml");
    assert_eq!(rule["spec"]["groups"][0]["rules"][0]["expr"], 1, "an int-or-string stays as written");
    assert_eq!(rule["spec"]["groups"][0]["rules"][0]["keep_firing_for"], "5m");
    assert_eq!(
        read("Prometheus-team.yaml")["spec"]["remoteWrite"][0]["url"],
        "https://metrics.example.com/api/v1/write"
    );
    assert_eq!(read("HTTPRoute-shop.yaml")["spec"]["rules"][0]["timeouts"]["request"], "10s");
    assert_eq!(read("ServiceMonitor-shop.yaml")["spec"]["sampleLimit"], 10000);
}
error_case!(the_same_object_from_two_apps, "same-object-two-apps");
error_case!(an_app_name_clashing_with_a_platform_app, "clashes-with-platform");
error_case!(an_unknown_sync_option_suggests_the_nearest, "bad-sync-option");

#[test]
fn two_environments_colliding_in_one_argocd() {
    insta::assert_snapshot!(refused("apps/shared-argocd"));
}

#[test]
fn rendering_one_environment_checks_every_env_file_sharing_its_argocd() {
    let dir = project_tree("apps/shared-argocd");
    let before = snapshot_tree(dir.path());
    for command in ["render", "check"] {
        let run = oxidy(dir.path(), &[command, "staging"]);
        assert_eq!(run.code, 2, "{command} staging: production collides with it; stderr:\n{}", run.stderr);
        assert_eq!(run.stdout, "", "{command}: nothing reported as written");
        assert_eq!(snapshot_tree(dir.path()), before, "{command}: nothing on disk changed");
        insta::assert_snapshot!("render-one-env-colliding-with-another", run.stderr);
    }
}

#[test]
fn env_suffixed_names_let_environments_share_one_argocd() {
    let dir = project_tree("apps/shared-argocd");
    let production = dir.path().join("env/production.yaml");
    let text = fs::read_to_string(&production).unwrap();
    fs::write(&production, format!("{text}argocd:\n  appendEnvName: true\n")).unwrap();
    let run = oxidy(dir.path(), &["render"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let apps = dir.path().join("generated/production/apps");
    let root = fs::read_to_string(apps.join("Application-apps-production.yaml")).unwrap();
    assert!(root.contains("server: https://kubernetes.default.svc"), "the root goes to Argo CD's cluster:\n{root}");
    let garage = fs::read_to_string(apps.join("Application-garage-production.yaml")).unwrap();
    assert!(garage.contains("name: production"), "children keep the env's destination:\n{garage}");
    assert!(dir.path().join("generated/staging/apps/Application-garage.yaml").exists());
}

error_case!(an_override_that_matches_nothing_names_its_line, "override-matches-nothing");
error_case!(an_override_that_makes_its_object_invalid, "override-makes-object-invalid");
error_case!(an_extra_file_outside_the_output_root, "extra-file-outside-root");
error_case!(an_extra_file_inside_an_app_folder, "extra-file-in-app-folder");

#[test]
fn overrides_common_metadata_and_extra_files() {
    let plain = project_tree("apps/overrides");
    let env = plain.path().join("env/local.yaml");
    let text = fs::read_to_string(&env).unwrap();
    // The same environment without its overrides, common metadata and extra files.
    let cut = text.find("commonLabels:").unwrap();
    let apps = text.find("apps:\n").unwrap();
    fs::write(&env, format!("{}{}", &text[..cut], &text[apps..])).unwrap();
    assert_eq!(oxidy(plain.path(), &["render"]).code, 0);

    let dir = project_tree("apps/overrides");
    let run = oxidy(dir.path(), &["render"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let local = dir.path().join("generated/local");
    insta::assert_snapshot!(
        "overrides-garage",
        fs::read_to_string(local.join("garage/StatefulSet-garage.yaml")).unwrap()
    );
    insta::assert_snapshot!("overrides-shop", fs::read_to_string(local.join("shop/ConfigMap-settings.yaml")).unwrap());
    assert_eq!(fs::read_to_string(local.join("docs/owners.md")).unwrap(), "platform@example.com\n");
    assert!(fs::read_to_string(local.join("README.md")).unwrap().starts_with("# Rendered by oxidy\n"));

    // Besides the two targets, the common metadata and the extra files, nothing changed.
    let before = snapshot_tree(&plain.path().join("generated/local"));
    let after = snapshot_tree(&local);
    let strip = |text: &[u8]| -> String {
        String::from_utf8_lossy(text)
            .lines()
            .filter(|l| !l.contains("team: platform") && !l.contains("owner: platform@example.com"))
            .filter(|l| l.trim() != "annotations:")
            .map(|l| format!("{l}\n"))
            .collect::<String>()
    };
    let changed: Vec<String> = after
        .iter()
        .filter(|(p, text)| before.get(*p).is_none_or(|b| strip(b) != strip(text)))
        .map(|(p, _)| p.display().to_string())
        .collect();
    assert_eq!(
        changed,
        ["README.md", "docs/owners.md", "garage/StatefulSet-garage.yaml", "shop/ConfigMap-settings.yaml"]
    );
}
