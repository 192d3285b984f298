//! Remembered renders: a second run with nothing changed reuses the first one's result
//! (helm is not run again, nor after an edit that its chart does not read), and after any change to what a render reads — an env file, a
//! dashboard library file, a file that shadows an import, a manifest added to a folder, a
//! chart's template, a values file, a rule file, the helm program — every command answers exactly as it
//! does with the cache turned off.

mod common;

use std::ffi::OsStr;
use std::fs;
use std::path::{Path, PathBuf};

use common::{Run, oxidy_with, programs};

/// A copy of the repository's project: its env files (with the vendored chart, the manifests
/// and the values file beside them), its dashboards and its rule files.
fn repository_project() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let repo = Path::new(env!("CARGO_MANIFEST_DIR"));
    for folder in ["env", "dashboards", "rules"] {
        for entry in walkdir::WalkDir::new(repo.join(folder)).into_iter().filter_map(Result::ok) {
            let to = dir.path().join(entry.path().strip_prefix(repo).unwrap());
            if entry.file_type().is_dir() {
                fs::create_dir_all(&to).unwrap();
            } else {
                fs::copy(entry.path(), &to).unwrap();
            }
        }
    }
    dir
}

/// A project, a cache folder of its own, and a helm that notes each time it runs.
struct Setup {
    project: tempfile::TempDir,
    cache: tempfile::TempDir,
    helm: PathBuf,
    log: PathBuf,
}

impl Setup {
    fn new() -> Setup {
        let project = repository_project();
        let cache = tempfile::tempdir().unwrap();
        let helm = cache.path().join("helm-that-notes");
        let log = cache.path().join("helm-runs");
        let setup = Setup { project, cache, helm, log };
        setup.write_helm("");
        setup
    }

    /// A helm program that logs its run and passes its output through `filter` (a sed script).
    fn write_helm(&self, filter: &str) {
        let real = programs::program("helm");
        let pipe = if filter.is_empty() { String::new() } else { format!(" | sed '{filter}'") };
        let script = format!(
            "#!/bin/bash\necho run >> '{}'\nset -o pipefail\n'{}' \"$@\"{pipe}\n",
            self.log.display(),
            real.display()
        );
        // Written beside and renamed: a new file, as an upgrade of the program would be.
        let temp = self.helm.with_extension("new");
        fs::write(&temp, script).unwrap();
        fs::set_permissions(&temp, std::os::unix::fs::PermissionsExt::from_mode(0o755)).unwrap();
        fs::rename(&temp, &self.helm).unwrap();
    }

    fn helm_runs(&self) -> usize {
        fs::read_to_string(&self.log).map_or(0, |log| log.lines().count())
    }

    fn root(&self) -> &Path {
        self.project.path()
    }

    fn run(&self, args: &[&str], cache: bool) -> Run {
        let place = if cache { self.cache.path().join("results").into_os_string() } else { "off".into() };
        let vars: [(&str, &OsStr); 2] = [("OXIDY_CACHE", &place), ("OXIDY_HELM", self.helm.as_os_str())];
        oxidy_with(self.root(), args, &vars)
    }

    fn edit(&self, file: &str, from: &str, to: &str) {
        let path = self.root().join(file);
        let text = fs::read_to_string(&path).unwrap();
        assert!(text.contains(from), "{file} contains {from:?}");
        fs::write(&path, text.replacen(from, to, 1)).unwrap();
    }
}

fn answer(run: &Run) -> (i32, &str, &str) {
    (run.code, &run.stdout, &run.stderr)
}

#[test]
fn a_second_run_with_nothing_changed_is_remembered() {
    let setup = Setup::new();
    let render = setup.run(&["render"], true);
    assert_eq!(render.code, 0, "{}", render.stderr);
    assert_eq!(setup.helm_runs(), 1, "the render runs helm for the vendored chart");

    let check = setup.run(&["check"], true);
    assert_eq!(check.code, 0, "{}{}", check.stdout, check.stderr);
    assert!(check.stdout.starts_with("up to date: 3 environments"), "{}", check.stdout);
    assert_eq!(setup.helm_runs(), 1, "the check reuses the render's result: helm does not run again");

    let again = setup.run(&["render"], true);
    assert!(again.stdout.contains("local: up to date"), "{}", again.stdout);
    assert_eq!(setup.helm_runs(), 1, "so does a render");

    let uncached = setup.run(&["check"], false);
    assert_eq!(answer(&uncached), answer(&check), "the same answer without the cache");
    assert_eq!(setup.helm_runs(), 2, "OXIDY_CACHE=off renders again");

    // An edit elsewhere renders again, but the chart's output, which depends on none of it,
    // is remembered: helm does not run.
    setup.edit("env/staging.yaml", "namespace: observability", "namespace: telemetry");
    let edited = setup.run(&["check"], true);
    assert_eq!(edited.code, 1, "the edit is drift:\n{}", edited.stdout);
    assert_eq!(setup.helm_runs(), 2, "helm's output for local's chart is remembered");
    assert_eq!(answer(&edited), answer(&setup.run(&["check"], false)), "as without the cache");
}

/// After `change`, `check` (and `list`) with the cache answer as without it, and the change
/// matters: the project is no longer up to date.
fn answers_as_without_cache(change: impl FnOnce(&Setup)) {
    let setup = Setup::new();
    let render = setup.run(&["render"], true);
    assert_eq!(render.code, 0, "{}", render.stderr);
    assert_eq!(setup.run(&["check"], true).code, 0, "up to date before the change");
    change(&setup);
    for command in [&["check"][..], &["list"], &["diff", "--stat"]] {
        let cached = setup.run(command, true);
        let fresh = setup.run(command, false);
        assert_eq!(answer(&cached), answer(&fresh), "`oxidy {}` with and without the cache", command.join(" "));
    }
    assert_ne!(setup.run(&["check"], false).code, 0, "the change matters");
    // A render through the cache writes what a render without it would.
    if setup.run(&["render"], true).code == 0 {
        let check = setup.run(&["check"], false);
        assert_eq!(check.code, 0, "a render through the cache leaves the tree up to date:\n{}", check.stdout);
    }
}

#[test]
fn an_edited_env_file_is_rendered_again() {
    answers_as_without_cache(|s| s.edit("env/staging.yaml", "namespace: observability", "namespace: telemetry"));
}

#[test]
fn an_edited_dashboard_library_file_is_rendered_again() {
    answers_as_without_cache(|s| {
        s.edit("dashboards/lib/dashboard.libsonnet", "timezone: 'browser'", "timezone: 'utc'")
    });
}

#[test]
fn a_new_file_that_shadows_a_library_import_is_rendered_again() {
    // `import 'grafana.libsonnet'` looks beside the dashboard before dashboards/lib/.
    answers_as_without_cache(|s| {
        fs::write(s.root().join("dashboards/grafana.libsonnet"), "error 'the shadowing library'\n").unwrap()
    });
}

#[test]
fn a_new_dashboard_is_rendered_again() {
    answers_as_without_cache(|s| {
        let text = fs::read_to_string(s.root().join("dashboards/garage.jsonnet")).unwrap();
        fs::write(s.root().join("dashboards/garage-copy.jsonnet"), text).unwrap();
    });
}

#[test]
fn a_manifest_added_to_an_apps_folder_is_rendered_again() {
    answers_as_without_cache(|s| {
        let manifest = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: added\ndata:\n  a: b\n";
        fs::write(s.root().join("env/apps/hello/added.yaml"), manifest).unwrap();
    });
}

#[test]
fn an_edited_chart_template_is_rendered_again() {
    answers_as_without_cache(|s| s.edit("env/charts/demo/templates/configmap.yaml", "<p>", "<h1>"));
}

#[test]
fn an_edited_values_file_is_rendered_again() {
    let setup = |s: &Setup| {
        let path = s.root().join("env/values/demo.yaml");
        let text = fs::read_to_string(&path).unwrap();
        fs::write(&path, format!("{text}replicas: 3\n")).unwrap();
    };
    answers_as_without_cache(setup);
}

#[test]
fn a_changed_helm_program_is_run_again() {
    answers_as_without_cache(|s| s.write_helm("s/Hello/Howdy/"));
}

#[test]
fn an_edited_rule_file_is_rendered_again() {
    answers_as_without_cache(|s| s.edit("rules/ingress-errors.yaml", "for: 10m", "for: 15m"));
}
