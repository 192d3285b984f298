//! `oxidy graph`: the platform drawn from the rendered files; the README's picture of
//! production is what `oxidy graph production` prints.

mod common;

use std::fs;
use std::path::Path;

use common::{oxidy, project};

fn repository() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

#[test]
fn the_readme_shows_the_graph_of_production() {
    let run = oxidy(repository(), &["graph", "production"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let readme = fs::read_to_string(repository().join("README.md")).unwrap();
    let begin = "<!-- oxidy graph production: begin -->\n```mermaid\n";
    let start = readme.find(begin).expect("the README has the production graph between its markers") + begin.len();
    let end = start + readme[start..].find("```\n<!-- oxidy graph production: end -->").expect("end marker");
    assert!(
        readme[start..end] == run.stdout,
        "the README's production graph is stale: replace it with the output of `oxidy graph production`"
    );
}

#[test]
fn production_links_read_from_the_rendered_files() {
    let run = oxidy(repository(), &["graph", "production"]);
    for link in [
        "n_collector -->|OTLP| n_tempo",
        "n_collector -->|remote write| n_prometheus",
        "n_tempo -->|S3| n_garage",
        "n_grafana -->|queries| n_loki",
        "n_prometheus -->|scrape| n_node_exporter",
        "n_prometheus -->|alerts| n_receiver_platform_critical__pagerduty__slack",
        "n_istio_tracing -->|OTLP| n_collector",
    ] {
        assert!(run.stdout.contains(link), "{link} missing:\n{}", run.stdout);
    }
}

#[test]
fn every_link_joins_drawn_nodes_in_both_formats() {
    for format in ["mermaid", "dot"] {
        let run = oxidy(repository(), &["graph", "staging", "--format", format]);
        assert_eq!(run.code, 0, "{}", run.stderr);
        let declared: Vec<&str> = run
            .stdout
            .lines()
            .filter(|l| !l.contains("->") && !l.contains("subgraph"))
            .filter_map(|l| l.trim().split(['[', '(', ' ']).next())
            .filter(|id| id.starts_with("n_"))
            .collect();
        let edges: Vec<&str> = run.stdout.lines().filter(|l| l.contains("->")).collect();
        assert!(edges.len() > 10, "{format}: {}", run.stdout);
        for edge in edges {
            let mut words = edge.split_whitespace().filter(|w| w.starts_with("n_"));
            for node in [words.next(), words.next()] {
                let node = node.unwrap_or_else(|| panic!("{format}: an edge joins two nodes: {edge}"));
                assert!(declared.contains(&node), "{format}: {node} of `{edge}` is not drawn");
            }
        }
    }
}

#[test]
fn dot_output_of_staging() {
    let run = oxidy(repository(), &["graph", "env/staging.yaml", "--format", "dot"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    insta::assert_snapshot!(run.stdout);
}

#[test]
fn a_small_environment_as_mermaid() {
    let dir = project(&[("local", "envs/minimal.yaml")]);
    let run = oxidy(dir.path(), &["graph", "local"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    insta::assert_snapshot!(run.stdout);
    assert!(!dir.path().join("generated").exists(), "graph writes nothing");
}

#[test]
fn an_unknown_environment_is_an_error() {
    let dir = project(&[("local", "envs/minimal.yaml")]);
    let run = oxidy(dir.path(), &["graph", "lcoal"]);
    assert_eq!(run.code, 2);
    insta::assert_snapshot!(run.stderr);
}

#[test]
fn an_unknown_format_is_refused() {
    let dir = project(&[("local", "envs/minimal.yaml")]);
    let run = oxidy(dir.path(), &["graph", "local", "--format", "png"]);
    assert_eq!(run.code, 2);
    insta::assert_snapshot!(run.stderr);
}

#[test]
fn the_environment_is_required() {
    let dir = project(&[("local", "envs/minimal.yaml")]);
    let run = oxidy(dir.path(), &["graph"]);
    assert_eq!(run.code, 2);
    insta::assert_snapshot!(run.stderr);
}
