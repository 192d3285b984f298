//! Every kind of bad input: its message (snapshot), exit code 2, and proof that nothing on
//! disk changed.

mod common;

use std::fs;

use common::{oxidy, project, refused_in};

/// Renders the fixture as `env/local.yaml` over an existing tree and returns the message.
fn refused(fixture: &str) -> String {
    let dir = project(&[("local", fixture)]);
    let stale = dir.path().join("generated/local/garage/ConfigMap-old.yaml");
    fs::create_dir_all(stale.parent().unwrap()).unwrap();
    fs::write(&stale, "committed: before\n").unwrap();
    refused_in(dir.path(), &[])
}

macro_rules! error_case {
    ($test:ident, $fixture:literal) => {
        #[test]
        fn $test() {
            insta::assert_snapshot!(refused(concat!("errors/", $fixture, ".yaml")));
        }
    };
}

error_case!(unknown_key_suggests_the_nearest, "unknown-key");
error_case!(unknown_top_level_key, "unknown-top-level-key");
error_case!(wrong_type, "wrong-type");
error_case!(invalid_quantity_suggests_binary_suffix, "invalid-quantity");
error_case!(invalid_duration_suggests_unit, "invalid-duration");
error_case!(node_port_out_of_range, "node-port-out-of-range");
error_case!(invalid_dns_name_suggests_a_label, "invalid-dns-name");
error_case!(unknown_tier, "unknown-tier");
error_case!(both_destinations, "both-destinations");
error_case!(output_root_outside_generated, "output-root-outside-generated");
error_case!(dev_credentials_refused_in_production, "dev-credentials-in-production");
error_case!(empty_file, "empty");
error_case!(duplicate_node_port_names_both_keys, "duplicate-node-port");
error_case!(missing_link_names_consumer_and_link, "missing-link");
error_case!(yaml_syntax, "yaml-syntax");
error_case!(zero_garage_nodes_is_refused_at_its_line, "garage-zero-replicas");
error_case!(replication_factor_above_the_nodes, "replication-factor-above-nodes");
error_case!(a_month_suggests_days_not_minutes, "retention-in-months");
error_case!(loki_retention_below_its_minimum, "loki-retention-zero");
error_case!(tempo_retention_below_its_minimum, "tempo-retention-below-minimum");
error_case!(prometheus_retention_below_its_minimum, "prometheus-retention-below-minimum");
error_case!(size_without_a_unit, "size-without-unit");
error_case!(cpu_request_above_its_limit, "cpu-request-above-limit");
error_case!(memory_limit_below_its_request, "memory-limit-below-request");
error_case!(unpinned_image_is_refused_at_its_line, "unpinned-image");
error_case!(every_option_error_of_every_component_at_once, "several-option-errors");
error_case!(runbook_base_url_must_be_a_url_at_its_line, "runbook-base-url-not-a-url");
error_case!(routing_to_an_undefined_receiver_names_its_line, "routing-undefined-receiver");
error_case!(cidr_with_host_bits_suggests_its_network, "invalid-cidr");
error_case!(a_link_to_a_service_without_pods_cannot_be_allowed, "link-without-pods");

#[test]
fn unknown_environment_suggests_a_name() {
    let dir = project(&[("local", "envs/minimal.yaml"), ("staging", "envs/minimal.yaml")]);
    let run = oxidy(dir.path(), &["render", "stagin"]);
    assert_eq!(run.code, 2);
    insta::assert_snapshot!(run.stderr);
    assert!(!dir.path().join("generated").exists(), "nothing written");
}

#[test]
fn every_broken_environment_is_reported_and_none_is_written() {
    let dir =
        project(&[("a", "errors/invalid-quantity.yaml"), ("b", "envs/minimal.yaml"), ("c", "errors/unknown-key.yaml")]);
    let run = oxidy(dir.path(), &["render"]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("env/a.yaml:") && run.stderr.contains("env/c.yaml:"), "{}", run.stderr);
    assert!(!dir.path().join("generated").exists(), "the valid environment was not written either");
}

#[test]
fn environment_file_names_must_be_labels() {
    let dir = project(&[("Local_Dev", "envs/minimal.yaml")]);
    let run = oxidy(dir.path(), &["render"]);
    assert_eq!(run.code, 2);
    insta::assert_snapshot!(run.stderr);
}

#[test]
fn overlapping_output_roots_are_refused() {
    let dir = project(&[("dev", "envs/custom-output-root.yaml"), ("clusters", "envs/minimal.yaml")]);
    let run = oxidy(dir.path(), &["render"]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    insta::assert_snapshot!(run.stderr);
}

#[test]
fn no_environments() {
    let dir = tempfile::tempdir().unwrap();
    let run = oxidy(dir.path(), &["render"]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("no environments"), "{}", run.stderr);
}
error_case!(repo_url_that_is_not_a_url, "repo-url-not-a-url");
error_case!(repo_url_that_is_empty, "repo-url-empty");
error_case!(revision_git_does_not_accept, "revision-not-a-ref");
error_case!(output_root_in_a_hidden_folder, "output-root-hidden");
error_case!(boolean_spelled_yes, "boolean-yes");
error_case!(image_reference_with_a_newline, "image-with-newline");
error_case!(replicas_beyond_the_bound, "replicas-beyond-the-bound");
error_case!(a_key_given_twice, "duplicate-key");
error_case!(runbook_address_not_derivable_points_at_the_repo_url, "runbooks-underivable");
error_case!(sync_window_and_signature_key_are_checked, "sync-window-and-key");

#[test]
fn grafana_without_a_dashboards_folder_names_the_folder_and_the_key() {
    // Grafana on by default: the error points at `components:`.
    let by_default = project(&[("staging", "errors/grafana-on-by-default.yaml")]);
    fs::remove_dir(by_default.path().join("dashboards")).unwrap();
    insta::assert_snapshot!("grafana-on-by-default", refused_in(by_default.path(), &[]));
    // Turned on by name: the error points at that line.
    let named = project(&[("local", "errors/grafana-on.yaml")]);
    fs::remove_dir(named.path().join("dashboards")).unwrap();
    insta::assert_snapshot!("grafana-on", refused_in(named.path(), &[]));
    // An empty folder is no dashboards, on purpose.
    fs::create_dir(named.path().join("dashboards")).unwrap();
    let run = oxidy(named.path(), &["render"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    // Grafana off: no folder needed.
    let off = project(&[("local", "envs/minimal.yaml")]);
    fs::remove_dir(off.path().join("dashboards")).unwrap();
    let run = oxidy(off.path(), &["render"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
}
