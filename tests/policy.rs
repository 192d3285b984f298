//! The policy gate: every rendered object, the env's own included, is held to pod security,
//! pinned images and Secrets as files; staging and production also to Secrets created outside
//! the repository. Each finding names the env, the file, the object and the rule; an object
//! is exempt from a rule only by an annotation giving the reason.

mod common;

use std::fs;
use std::path::Path;

use common::{oxidy, project_tree, refused_in, snapshot_tree};

/// Renders the project at `dir`; returns stderr after asserting the refusal.
fn refused(dir: &Path) -> String {
    refused_in(dir, &[])
}

#[test]
fn every_rule_a_workload_breaks_is_named() {
    let dir = project_tree("policy");
    insta::assert_snapshot!(refused(dir.path()));
}

#[test]
fn an_exemption_with_its_reason_lets_an_object_pass() {
    let dir = project_tree("policy");
    let manifest = dir.path().join("env/risky/deployment.yaml");
    let fixed = fs::read_to_string(&manifest)
        .unwrap()
        .replace("      hostNetwork: true\n", "      automountServiceAccountToken: false\n")
        .replace("app:latest", "app:1.2.3")
        .replace("runAsUser: 0", "runAsUser: 10001\n            runAsNonRoot: true\n            allowPrivilegeEscalation: false\n            seccompProfile: {type: RuntimeDefault}")
        .replace("add: [SYS_ADMIN]", "drop: [ALL]")
        .replace("      volumes:\n        - name: host\n          hostPath: {path: /var/run}\n", "");
    let exempt = fixed.replace(
        "  name: risky\nspec:",
        "  name: risky\n  annotations:\n    policy.oxidy.dev/secret-env: \"the vendor's binary reads its password from the environment only\"\n    policy.oxidy.dev/probes: \"a batch worker with no port to probe\"\nspec:",
    );
    fs::write(&manifest, &fixed).unwrap();
    let run = oxidy(dir.path(), &["render"]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("secret-env") && run.stderr.contains("probes"), "{}", run.stderr);
    assert!(!run.stderr.contains("host-access") && !run.stderr.contains("image-pinned"), "{}", run.stderr);

    fs::write(&manifest, exempt).unwrap();
    let run = oxidy(dir.path(), &["render"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
}

/// Renders the project's local env (which keeps development credentials), then the same env
/// file as `staging`, and returns the refusal of the second render.
fn refused_in_staging_only(root: &std::path::Path) -> String {
    assert_eq!(oxidy(root, &["render"]).code, 0, "local keeps development credentials");
    let env = root.join("env/local.yaml");
    let staging = fs::read_to_string(&env).unwrap().replace("tier: local", "tier: staging");
    fs::remove_dir_all(root.join("generated")).unwrap();
    fs::write(root.join("env/staging.yaml"), staging).unwrap();
    fs::remove_file(env).unwrap();
    refused(root)
}

#[test]
fn secrets_with_data_are_refused_outside_the_local_tier() {
    let dir = project_tree("policy");
    fs::write(
        dir.path().join("env/risky/deployment.yaml"),
        "apiVersion: v1\nkind: Secret\nmetadata: {name: db}\nstringData: {password: hunter2}\n",
    )
    .unwrap();
    let stderr = refused_in_staging_only(dir.path());
    assert!(stderr.contains("generated/staging/risky/Secret-db.yaml: Secret/risky/db: secret-data"), "{stderr}");
    assert!(!stderr.contains("hunter2"), "{stderr}");
}

/// A config file in a ConfigMap that sets a credential to a literal value is refused in
/// staging and production, naming the env, the file, the object, the data key and the config
/// key, never the value; references (`${env:...}`, `*_file` paths) pass.
#[test]
fn literal_credentials_in_config_files_are_refused_outside_the_local_tier() {
    let dir = project_tree("policy");
    fs::write(
        dir.path().join("env/risky/deployment.yaml"),
        "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: app-config}\ndata:\n  app.ini: |\n    [database]\n    user = app\n    password = hunter2\n  app.yaml: |\n    token: ${env:APP_TOKEN}\n    secret_file: /run/secrets/app/secret\n",
    )
    .unwrap();
    let stderr = refused_in_staging_only(dir.path());
    assert!(
        stderr.contains("generated/staging/risky/ConfigMap-app-config.yaml: ConfigMap/risky/app-config: credential-value: file `app.ini`, line 3: `password`"),
        "{stderr}"
    );
    assert!(!stderr.contains("hunter2") && !stderr.contains("app.yaml"), "{stderr}");
    insta::assert_snapshot!(stderr);
}

#[test]
fn an_override_that_weakens_a_platform_object_is_caught() {
    let dir = project_tree("policy");
    let env = dir.path().join("env/local.yaml");
    let text = fs::read_to_string(&env)
        .unwrap()
        .replace("apps:\n  risky:\n    namespace: risky\n    manifests: [risky]\n", "");
    let text = format!(
        "{text}overrides:\n  - target: {{kind: StatefulSet, name: garage}}\n    patch:\n      spec:\n        template:\n          spec:\n            securityContext: {{runAsUser: 0}}\n"
    );
    fs::write(&env, text).unwrap();
    let stderr = refused(dir.path());
    assert!(
        stderr.contains("StatefulSet/observability/garage: run-as-user: container `garage` runs as user 0"),
        "{stderr}"
    );
}

/// Every exemption the committed envs render must have a row in the README's Security section
/// naming the object (or a `prefix-*` pattern) and the rule.
#[test]
fn every_platform_exemption_is_listed_in_the_readme() {
    let repo = Path::new(env!("CARGO_MANIFEST_DIR"));
    let readme = fs::read_to_string(repo.join("README.md")).unwrap();
    let security =
        readme.split("\n## Security").nth(1).and_then(|s| s.split("\n## ").next()).expect("a Security section");
    let listed = |name: &str, rule: &str| {
        security.lines().filter(|l| l.contains(&format!("`{rule}`"))).any(|line| {
            line.split('`').skip(1).step_by(2).any(|token| match token.strip_suffix('*') {
                Some(prefix) => name.starts_with(prefix),
                None => token == name,
            })
        })
    };
    let mut missing = Vec::new();
    let mut seen = 0;
    for (path, bytes) in snapshot_tree(&repo.join("generated")) {
        let text = String::from_utf8_lossy(&bytes);
        let stem = path.file_stem().unwrap().to_string_lossy().into_owned();
        let name = stem.split_once('-').map_or(stem.as_str(), |(_, n)| n);
        for line in text.lines().filter_map(|l| l.trim().strip_prefix("policy.oxidy.dev/")) {
            let rule = line.split(':').next().unwrap();
            seen += 1;
            if !listed(name, rule) {
                missing.push(format!("`{name}`: `{rule}` ({})", path.display()));
            }
        }
    }
    assert!(seen > 0, "the committed envs render exemptions");
    missing.sort();
    missing.dedup();
    assert!(missing.is_empty(), "exemptions the README's Security section does not list:\n{}", missing.join("\n"));
}
