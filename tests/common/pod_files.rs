//! A rendered pod's volumes on the local disk, as the kubelet and the pod's init containers
//! leave them before its programs start, so that tests run the real programs with their
//! credentials and scripts where the pod has them: Secret volumes as files of the Secret's
//! `stringData`, mode 0440 as the kubelet makes them for a pod with an `fsGroup` (whatever
//! the volume's `defaultMode`); ConfigMap volumes as files of its `data`; emptyDirs empty.
//! Then every init container's `sh -c` script runs with the pod's paths moved here.

use std::collections::BTreeMap;
use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

/// The pod's volumes, each in a folder of its own below `root`.
pub struct PodFiles {
    /// Every mount path in the pod, and the folder of its volume here.
    mounts: BTreeMap<String, PathBuf>,
}

impl PodFiles {
    /// Sets up the volumes of `pod` (a pod spec) under `root`, looking Secrets and ConfigMaps
    /// up with `object(kind, name)`, then runs its init containers.
    pub fn prepare(pod: &Value, object: impl Fn(&str, &str) -> Value, root: &Path) -> PodFiles {
        let mut mounts = BTreeMap::new();
        let volumes = pod["volumes"].as_array().cloned().unwrap_or_default();
        for volume in &volumes {
            let name = volume["name"].as_str().expect("a volume has a name");
            let dir = root.join(name);
            fs::create_dir_all(&dir).unwrap();
            if let Some(source) = volume.get("secret") {
                let secret = object("Secret", source["secretName"].as_str().unwrap());
                write_items(&dir, &secret["stringData"], source, 0o440);
            } else if let Some(source) = volume.get("configMap") {
                let config_map = object("ConfigMap", source["name"].as_str().unwrap());
                write_items(&dir, &config_map["data"], source, 0o644);
            }
        }
        let containers = ["initContainers", "containers"]
            .iter()
            .flat_map(|f| pod[*f].as_array().cloned().unwrap_or_default())
            .collect::<Vec<_>>();
        for container in &containers {
            for mount in container["volumeMounts"].as_array().into_iter().flatten() {
                let path = mount["mountPath"].as_str().unwrap().to_owned();
                mounts.insert(path, root.join(mount["name"].as_str().unwrap()));
            }
        }
        let files = PodFiles { mounts };
        for init in pod["initContainers"].as_array().into_iter().flatten() {
            files.run_init(init);
        }
        files
    }

    /// `path` inside the pod, on the local disk.
    pub fn local(&self, path: &str) -> PathBuf {
        let (mount, dir) = self
            .mounts
            .iter()
            .filter(|(m, _)| path == m.as_str() || path.starts_with(&format!("{m}/")))
            .max_by_key(|(m, _)| m.len())
            .unwrap_or_else(|| panic!("{path} is on no volume of the pod"));
        dir.join(path[mount.len()..].trim_start_matches('/'))
    }

    /// Runs an init container's `/bin/sh -c SCRIPT` with every path of the pod moved here.
    fn run_init(&self, init: &Value) {
        let name = init["name"].as_str().unwrap_or("?");
        let command: Vec<&str> = init["command"].as_array().unwrap().iter().map(|c| c.as_str().unwrap()).collect();
        assert_eq!(&command[..2], ["/bin/sh", "-c"], "init container `{name}` runs a shell script");
        let script = self.move_paths(command[2]);
        let out = Command::new("sh").arg("-c").arg(&script).output().expect("sh runs");
        assert!(
            out.status.success(),
            "init container `{name}` failed:\n{script}\n{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
    }
}

impl PodFiles {
    /// `script` with every path that starts on a mount path (after a blank, a quote or `=`)
    /// moved here, in one pass, so that a moved path is never moved again.
    fn move_paths(&self, script: &str) -> String {
        let mut paths: Vec<&String> = self.mounts.keys().collect();
        paths.sort_by_key(|p| std::cmp::Reverse(p.len()));
        let mut out = String::new();
        let mut rest = script;
        let mut previous = ' ';
        while let Some(c) = rest.chars().next() {
            let starts_word = previous.is_whitespace() || "\"'=".contains(previous);
            let mount = paths.iter().find(|p| {
                starts_word
                    && rest.starts_with(p.as_str())
                    && rest[p.len()..].chars().next().is_none_or(|n| n == '/' || n.is_whitespace() || n == '"')
            });
            if let Some(mount) = mount {
                out.push_str(&self.mounts[*mount].display().to_string());
                rest = &rest[mount.len()..];
                previous = '/';
            } else {
                out.push(c);
                rest = &rest[c.len_utf8()..];
                previous = c;
            }
        }
        out
    }
}

/// The keys of `data` a volume projects (its `items`, or every key), as files of `mode`.
fn write_items(dir: &Path, data: &Value, source: &Value, mode: u32) {
    let items: Vec<(String, String)> = match source["items"].as_array() {
        Some(items) => items
            .iter()
            .map(|i| (i["key"].as_str().unwrap().to_owned(), i["path"].as_str().unwrap().to_owned()))
            .collect(),
        None => data.as_object().into_iter().flatten().map(|(k, _)| (k.clone(), k.clone())).collect(),
    };
    for (key, path) in items {
        let value = data[&key].as_str().unwrap_or_else(|| panic!("no key {key} in the rendered object"));
        let file = dir.join(path);
        fs::write(&file, value).unwrap();
        fs::set_permissions(&file, fs::Permissions::from_mode(mode)).unwrap();
    }
}

/// The `NAME_FILE="${NAME_FILE:-/path}"` settings of a rendered script, each path moved to
/// the local disk: the environment that points the script at the files.
pub fn file_variables(script: &str, files: &PodFiles) -> BTreeMap<String, PathBuf> {
    script
        .lines()
        .filter_map(|line| {
            let (name, rest) = line.split_once("=\"${")?;
            let path = rest.strip_prefix(&format!("{name}:-"))?.strip_suffix("}\"")?;
            name.ends_with("_FILE").then(|| (name.to_owned(), files.local(path)))
        })
        .collect()
}

/// The text of a file, trimmed as the programs trim it.
pub fn read(path: &Path) -> String {
    fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display())).trim_end().to_owned()
}
