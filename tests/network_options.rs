//! The `network:` options and the own apps' opt-out: what they turn on and off in the rendered
//! tree.

mod common;

use std::fs;
use std::path::Path;

use common::{oxidy, project_tree};

/// `(folder, file)` of every NetworkPolicy rendered for `local`.
fn policies(root: &Path) -> Vec<String> {
    let local = root.join("generated/local");
    let mut found: Vec<String> = walkdir::WalkDir::new(&local)
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_name().to_string_lossy().starts_with("NetworkPolicy-"))
        .map(|e| e.path().strip_prefix(&local).unwrap().display().to_string())
        .collect();
    found.sort();
    found
}

fn render_with(root: &Path, from: &str, to: &str) -> Vec<String> {
    let file = root.join("env/local.yaml");
    let text = fs::read_to_string(&file).unwrap();
    assert!(text.contains(from), "the fixture has `{from}`");
    fs::write(&file, text.replacen(from, to, 1)).unwrap();
    let run = oxidy(root, &["render"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    policies(root)
}

/// An own app's namespace is denied by default and each of its workloads gets a policy;
/// `networkPolicies: false` leaves the app's namespace open and the platform's isolated;
/// `network.policies: false` renders none at all.
#[test]
fn own_apps_are_isolated_unless_they_opt_out() {
    let dir = project_tree("apps/shop");
    assert_eq!(oxidy(dir.path(), &["render"]).code, 0);
    let all = policies(dir.path());
    for expected in
        ["shop/NetworkPolicy-default-deny.yaml", "shop/NetworkPolicy-web.yaml", "garage/NetworkPolicy-garage.yaml"]
    {
        assert!(all.contains(&expected.to_owned()), "{expected} in {all:?}");
    }
    let web = fs::read_to_string(dir.path().join("generated/local/shop/NetworkPolicy-web.yaml")).unwrap();
    assert!(web.contains("port: 8080"), "the app's pods reach each other on their ports:\n{web}");

    let opted_out =
        render_with(dir.path(), "    namespace: shop\n", "    namespace: shop\n    networkPolicies: false\n");
    assert!(!opted_out.iter().any(|p| p.starts_with("shop/")), "{opted_out:?}");
    assert!(opted_out.contains(&"garage/NetworkPolicy-garage.yaml".to_owned()));

    let none = render_with(dir.path(), "apps:\n", "network:\n  policies: false\napps:\n");
    assert_eq!(none, Vec::<String>::new());
}

/// An own app whose chart Argo CD renders: oxidy does not see its pods, so its namespace gets a
/// default deny and one policy for all its pods (each other, DNS, the telemetry intake);
/// `networkPolicies: false` leaves it open.
#[test]
fn apps_whose_chart_argocd_renders_are_isolated_as_a_whole() {
    let dir = project_tree("helm/argocd");
    let run = oxidy(dir.path(), &["render"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let all = policies(dir.path());
    for expected in ["cache/NetworkPolicy-default-deny.yaml", "cache/NetworkPolicy-cache-pods.yaml"] {
        assert!(all.contains(&expected.to_owned()), "{expected} in {all:?}");
    }
    assert!(!all.iter().any(|p| p.starts_with("ingress/")), "the ingress app opted out: {all:?}");
    let text = fs::read_to_string(dir.path().join("generated/local/cache/NetworkPolicy-cache-pods.yaml")).unwrap();
    let policy: serde_json::Value = serde_saphyr::from_str(&text).unwrap();
    assert_eq!(policy["spec"]["podSelector"], serde_json::json!({}), "every pod of the namespace:\n{text}");
    assert_eq!(policy["spec"]["ingress"][0]["from"][0], serde_json::json!({"podSelector": {}}), "{text}");
    assert_eq!(policy["spec"]["egress"][0]["to"][0], serde_json::json!({"podSelector": {}}), "{text}");
    assert_eq!(policy["spec"]["egress"][1]["ports"][0]["port"], 53, "DNS:\n{text}");
}
