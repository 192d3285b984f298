//! Choosing dashboards per environment (`components.grafana.dashboards`): names that are not
//! dashboards are refused with a suggestion (snapshot), exit code 2 and nothing written.

mod common;

use std::fs;
use std::path::Path;

use common::{project, refused_in};

/// Renders the fixture as `env/local.yaml` in a project holding this repository's dashboards
/// and returns the message.
fn refused(fixture: &str) -> String {
    let dir = project(&[("local", fixture)]);
    let source = Path::new(env!("CARGO_MANIFEST_DIR")).join("dashboards");
    for entry in walkdir::WalkDir::new(&source).into_iter().filter_map(Result::ok).filter(|e| e.file_type().is_file()) {
        let to = dir.path().join("dashboards").join(entry.path().strip_prefix(&source).unwrap());
        fs::create_dir_all(to.parent().unwrap()).unwrap();
        fs::copy(entry.path(), to).unwrap();
    }
    refused_in(dir.path(), &[])
}

#[test]
fn unknown_included_dashboard_suggests_the_nearest() {
    insta::assert_snapshot!(refused("errors/dashboards-unknown-include.yaml"));
}

#[test]
fn unknown_excluded_dashboard_lists_the_dashboards() {
    insta::assert_snapshot!(refused("errors/dashboards-unknown-exclude.yaml"));
}

#[test]
fn include_and_exclude_together_are_refused() {
    insta::assert_snapshot!(refused("errors/dashboards-include-and-exclude.yaml"));
}
