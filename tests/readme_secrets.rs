//! The README's "Secrets to create" commands name exactly the Secrets, and the keys of each,
//! that the rendered environments read but do not render themselves: derived here from
//! generated/ (secretKeyRef, Secret volumes and the files read from them, the Alertmanager's
//! mounted Secrets), so a module that starts reading a new Secret fails this test until the
//! README says how to create it.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::Path;

use serde_json::Value;

/// (namespace, Secret, key)
type Needed = BTreeSet<(String, String, String)>;

fn repo() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn envs() -> Vec<String> {
    let mut envs: Vec<String> = fs::read_dir(repo().join("generated"))
        .unwrap()
        .filter_map(Result::ok)
        .filter(|e| e.path().is_dir())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    envs.sort();
    envs
}

fn objects(env: &str) -> Vec<Value> {
    walkdir::WalkDir::new(repo().join("generated").join(env))
        .sort_by_file_name()
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file() && e.path().extension().is_some_and(|x| x == "yaml"))
        .filter_map(|e| serde_saphyr::from_str::<Value>(&fs::read_to_string(e.path()).unwrap()).ok())
        .filter(|v| v["kind"].is_string())
        .collect()
}

fn strings<'a>(value: &'a Value, into: &mut Vec<&'a str>) {
    match value {
        Value::String(s) => into.push(s),
        Value::Array(items) => items.iter().for_each(|v| strings(v, into)),
        Value::Object(map) => map.values().for_each(|v| strings(v, into)),
        _ => {}
    }
}

/// The file names read below `folder/` anywhere in `texts`.
fn files_below(folder: &str, texts: &[&str]) -> BTreeSet<String> {
    let prefix = format!("{}/", folder.trim_end_matches('/'));
    let mut files = BTreeSet::new();
    for text in texts {
        for (at, _) in text.match_indices(&prefix) {
            let rest = &text[at + prefix.len()..];
            let name: String = rest.chars().take_while(|c| c.is_ascii_alphanumeric() || "._-".contains(*c)).collect();
            if !name.is_empty() {
                files.insert(name);
            }
        }
    }
    files
}

/// Every (namespace, Secret, key) the objects read.
fn read_secrets(objects: &[Value]) -> Needed {
    let mut all_strings = Vec::new();
    objects.iter().for_each(|o| strings(o, &mut all_strings));
    let mut needed = Needed::new();
    for object in objects {
        let namespace = object["metadata"]["namespace"].as_str().unwrap_or_default().to_owned();
        let mut own = Vec::new();
        strings(object, &mut own);
        visit(object, &mut |node| {
            // A key of a Secret: `secretKeyRef` in a container's env, and the operator's
            // selectors (`credentials`, `bearerTokenSecret`, ...), each `{name, key}`.
            for (field, reference) in node.as_object().into_iter().flatten() {
                let selector = field == "secretKeyRef" || field == "credentials" || field.ends_with("Secret");
                if let (true, Some(name), Some(key)) = (selector, reference["name"].as_str(), reference["key"].as_str())
                {
                    needed.insert((namespace.clone(), name.to_owned(), key.to_owned()));
                }
            }
            // A pod spec: each Secret volume, and the files its containers read from the mount.
            if let Some(volumes) = node.get("volumes").and_then(Value::as_array) {
                for volume in volumes {
                    let Some(secret) = volume["secret"]["secretName"].as_str() else { continue };
                    let mut keys: BTreeSet<String> = volume["secret"]["items"]
                        .as_array()
                        .into_iter()
                        .flatten()
                        .map(|i| i["key"].as_str().unwrap().to_owned())
                        .collect();
                    if keys.is_empty() {
                        for mount in mounts_of(node, volume["name"].as_str().unwrap()) {
                            keys.extend(files_below(&mount, &own));
                        }
                    }
                    assert!(!keys.is_empty(), "no key of Secret {secret} is read");
                    for key in keys {
                        needed.insert((namespace.clone(), secret.to_owned(), key));
                    }
                }
            }
        });
        // The operator mounts an Alertmanager's `spec.secrets` at /etc/alertmanager/secrets/<name>.
        if object["kind"] == "Alertmanager" {
            for secret in object["spec"]["secrets"].as_array().into_iter().flatten() {
                let secret = secret.as_str().unwrap();
                let keys = files_below(&format!("/etc/alertmanager/secrets/{secret}"), &all_strings);
                assert!(!keys.is_empty(), "no key of Secret {secret} is read");
                for key in keys {
                    needed.insert((namespace.clone(), secret.to_owned(), key));
                }
            }
        }
    }
    let rendered: BTreeSet<(String, String)> = objects
        .iter()
        .filter(|o| o["kind"] == "Secret")
        .map(|o| {
            (
                o["metadata"]["namespace"].as_str().unwrap_or_default().to_owned(),
                o["metadata"]["name"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    needed.retain(|(ns, name, _)| !rendered.contains(&(ns.clone(), name.clone())));
    needed
}

fn visit(value: &Value, f: &mut dyn FnMut(&Value)) {
    match value {
        Value::Object(map) => {
            f(value);
            map.values().for_each(|v| visit(v, f));
        }
        Value::Array(items) => items.iter().for_each(|v| visit(v, f)),
        _ => {}
    }
}

/// The mount paths of `volume` in the pod spec `pod`'s containers.
fn mounts_of(pod: &Value, volume: &str) -> Vec<String> {
    ["initContainers", "containers"]
        .iter()
        .flat_map(|k| pod[*k].as_array().into_iter().flatten())
        .flat_map(|c| c["volumeMounts"].as_array().into_iter().flatten())
        .filter(|m| m["name"] == volume)
        .map(|m| m["mountPath"].as_str().unwrap().to_owned())
        .collect()
}

/// The README's commands, by env: a `# env, env` comment line names the envs of the
/// `kubectl -n NS create secret generic NAME` commands below it, each key one
/// `--from-literal=KEY=` or `--from-file=KEY=` line.
fn readme_secrets() -> BTreeMap<String, Needed> {
    let readme = fs::read_to_string(repo().join("README.md")).unwrap();
    let section = readme.split("\n## Secrets to create").nth(1).expect("README has a `## Secrets to create` section");
    let section = section.split("\n## ").next().unwrap();
    let mut by_env: BTreeMap<String, Needed> = BTreeMap::new();
    let (mut current_envs, mut current): (Vec<String>, Option<(String, String)>) = (Vec::new(), None);
    for line in section.lines().map(str::trim) {
        if let Some(names) = line.strip_prefix("# envs: ") {
            current_envs = names.split(", ").map(str::to_owned).collect();
        } else if let Some(rest) = line.strip_prefix("kubectl -n ") {
            let words: Vec<&str> = rest.split_whitespace().collect();
            assert_eq!(words[1..4], ["create", "secret", "generic"], "{line}");
            current = Some((words[0].to_owned(), words[4].to_owned()));
        } else if let Some(rest) = line.strip_prefix("--from-literal=").or_else(|| line.strip_prefix("--from-file=")) {
            let (namespace, name) = current.clone().expect("a key line follows a kubectl line");
            let key = rest.split('=').next().unwrap().to_owned();
            for env in &current_envs {
                by_env.entry(env.clone()).or_default().insert((namespace.clone(), name.clone(), key.clone()));
            }
        }
    }
    by_env
}

#[test]
fn the_readme_creates_exactly_the_secrets_each_env_reads() {
    let readme = readme_secrets();
    assert!(!readme.is_empty(), "no commands found in the README's Secrets section");
    for env in envs() {
        let derived = read_secrets(&objects(&env));
        let listed = readme.get(&env).cloned().unwrap_or_default();
        let missing: Vec<_> = derived.difference(&listed).collect();
        let extra: Vec<_> = listed.difference(&derived).collect();
        assert!(
            missing.is_empty() && extra.is_empty(),
            "{env}: the README's Secret commands differ from what generated/{env} reads.\n\
             missing from the README: {missing:?}\nin the README but not read: {extra:?}"
        );
    }
}

#[test]
fn the_derivation_finds_secrets_in_each_form() {
    let objects: Vec<Value> = serde_json::from_str(
        r#"[
        {"kind": "Deployment", "metadata": {"namespace": "a"}, "spec": {"template": {"spec": {
            "containers": [{"env": [
                {"name": "X", "valueFrom": {"secretKeyRef": {"name": "s1", "key": "k1"}}},
                {"name": "F", "value": "/etc/s2/k2"}],
                "volumeMounts": [{"name": "v", "mountPath": "/etc/s2"}]}],
            "volumes": [{"name": "v", "secret": {"secretName": "s2"}}]}}}},
        {"kind": "Alertmanager", "metadata": {"namespace": "a"}, "spec": {"secrets": ["s3"]}},
        {"kind": "ServiceMonitor", "metadata": {"namespace": "a"}, "spec": {"endpoints": [
            {"authorization": {"credentials": {"name": "s4", "key": "k4"}}}]}},
        {"kind": "Secret", "metadata": {"namespace": "a", "name": "config"},
         "stringData": {"c": "url_file: /etc/alertmanager/secrets/s3/k3\n"}},
        {"kind": "Secret", "metadata": {"namespace": "a", "name": "s1"}}
    ]"#,
    )
    .unwrap();
    let found: Vec<(String, String, String)> = read_secrets(&objects).into_iter().collect();
    let t = |s: &str, k: &str| ("a".to_owned(), s.to_owned(), k.to_owned());
    // s1 is rendered, so not to be created.
    assert_eq!(found, [t("s2", "k2"), t("s3", "k3"), t("s4", "k4")]);
}
