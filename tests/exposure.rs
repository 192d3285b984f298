//! Grafana, Prometheus and Alertmanager behind an Ingress or a Gateway API HTTPRoute: the
//! objects, the URLs that follow the host, the AppProject's kinds, and every bad value refused
//! at its line.

mod common;

use std::fs;

use common::{oxidy, project, refused_in};
use serde_json::Value;

fn read(path: &std::path::Path) -> Value {
    serde_saphyr::from_str(&fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))).unwrap()
}

/// The value of environment variable `name` of the first container of a Deployment.
fn env_var(deployment: &Value, name: &str) -> Option<String> {
    deployment["spec"]["template"]["spec"]["containers"][0]["env"]
        .as_array()?
        .iter()
        .find(|e| e["name"] == name)
        .and_then(|e| e["value"].as_str())
        .map(str::to_owned)
}

fn namespaced_kinds(project: &Value) -> Vec<String> {
    project["spec"]["namespaceResourceWhitelist"]
        .as_array()
        .unwrap()
        .iter()
        .map(|k| format!("{}/{}", k["group"].as_str().unwrap(), k["kind"].as_str().unwrap()))
        .collect()
}

#[test]
fn production_grafana_is_reached_through_its_ingress_at_the_https_root_url() {
    let production = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("generated/production");
    let ingress = fs::read_to_string(production.join("grafana/Ingress-grafana.yaml")).unwrap();
    insta::assert_snapshot!("production-grafana-ingress", ingress);
    let deployment = read(&production.join("grafana/Deployment-grafana.yaml"));
    assert_eq!(env_var(&deployment, "GF_SERVER_ROOT_URL").as_deref(), Some("https://grafana.example.com/"));
    assert_eq!(env_var(&deployment, "GF_SERVER_DOMAIN").as_deref(), Some("grafana.example.com"));
    assert_eq!(read(&production.join("grafana/Service-grafana.yaml"))["spec"]["type"], "ClusterIP");
    let kinds = namespaced_kinds(&read(&production.join("apps/AppProject-oxidy-production.yaml")));
    assert!(kinds.contains(&"networking.k8s.io/Ingress".to_owned()), "{kinds:?}");
    assert!(!kinds.iter().any(|k| k.ends_with("/HTTPRoute")), "only the kinds the env deploys: {kinds:?}");
}

#[test]
fn routes_and_ingresses_for_all_three_with_their_external_urls() {
    let dir = project(&[("staging", "exposure/all.yaml")]);
    let run = oxidy(dir.path(), &["render"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let root = dir.path().join("generated/staging");
    for (name, file) in [
        ("grafana-route", "grafana/HTTPRoute-grafana.yaml"),
        ("prometheus-ingress", "prometheus/Ingress-prometheus.yaml"),
        ("alertmanager-route", "prometheus/HTTPRoute-alertmanager.yaml"),
    ] {
        insta::assert_snapshot!(name, fs::read_to_string(root.join(file)).unwrap());
    }
    let grafana = read(&root.join("grafana/Deployment-grafana.yaml"));
    assert_eq!(env_var(&grafana, "GF_SERVER_ROOT_URL").as_deref(), Some("https://grafana.example.com/"), "first host");
    assert_eq!(
        read(&root.join("prometheus/Prometheus-platform.yaml"))["spec"]["externalUrl"],
        "http://prometheus.internal.example.com/",
        "no TLS secret: http"
    );
    assert_eq!(
        read(&root.join("prometheus/Alertmanager-platform.yaml"))["spec"]["externalUrl"],
        "http://alerts.internal.example.com/",
        "https: false"
    );
    for service in ["grafana/Service-grafana.yaml", "prometheus/Service-prometheus.yaml"] {
        assert_eq!(read(&root.join(service))["spec"]["type"], "ClusterIP", "{service}");
    }
    let kinds = namespaced_kinds(&read(&root.join("apps/AppProject-oxidy-staging.yaml")));
    for kind in ["networking.k8s.io/Ingress", "gateway.networking.k8s.io/HTTPRoute"] {
        assert!(kinds.contains(&kind.to_owned()), "{kind} in {kinds:?}");
    }
}

#[test]
fn without_exposure_nothing_changes() {
    let dir = project(&[("staging", "exposure/errors/both-ingress-and-route.yaml")]);
    let env = dir.path().join("env/staging.yaml");
    let text = fs::read_to_string(&env).unwrap();
    fs::write(&env, &text[..text.find("components:").unwrap()]).unwrap();
    assert_eq!(oxidy(dir.path(), &["render"]).code, 0);
    let root = dir.path().join("generated/staging");
    assert!(!root.join("grafana/Ingress-grafana.yaml").exists());
    assert!(env_var(&read(&root.join("grafana/Deployment-grafana.yaml")), "GF_SERVER_ROOT_URL").is_none());
    assert!(read(&root.join("prometheus/Prometheus-platform.yaml"))["spec"]["externalUrl"].is_null());
}

/// Renders the fixture and returns the message; nothing on disk may change.
fn refused(fixture: &str) -> String {
    refused_in(project(&[("staging", fixture)]).path(), &[])
}

macro_rules! error_case {
    ($test:ident, $fixture:literal) => {
        #[test]
        fn $test() {
            insta::assert_snapshot!(refused(concat!("exposure/errors/", $fixture, ".yaml")));
        }
    };
}

error_case!(ingress_and_route_together_are_refused_at_the_route, "both-ingress-and-route");
error_case!(a_host_with_a_scheme_suggests_the_bare_name, "host-with-scheme");
error_case!(a_wildcard_host_is_refused, "wildcard-host");
error_case!(a_route_without_hostnames_is_refused, "route-without-hostnames");
error_case!(a_root_url_on_another_host_is_refused, "root-url-on-another-host");
error_case!(an_invalid_tls_secret_name_is_refused, "bad-tls-secret-name");
