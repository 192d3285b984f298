//! nixidy in the same run: finds `nix-instantiate` and the checkouts pinned in `pins`, and times
//! nixidy's pure evaluation of `apps.nix`, each run a process of its own, its peak memory from
//! the kernel's accounting of that process (GNU time's `%M`).

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

/// GNU time: reports the maximum resident set size of the program it runs.
const TIME: &str = "/usr/bin/time";

/// Where the pinned checkouts are, each in `<name>-<revision>/`.
pub struct Inputs {
    folders: Vec<(String, PathBuf)>,
}

/// One size measured: the median time, the largest peak memory of any run, the files produced.
pub struct Evaluation {
    pub median: Duration,
    pub runs: usize,
    pub files: usize,
    pub peak_kib: u64,
}

/// The pinned inputs, or what is missing and how to get it.
pub fn find(repo: &Path) -> Result<Inputs, String> {
    let mut missing = Vec::new();
    if Command::new("nix-instantiate").arg("--version").output().is_err() {
        missing.push("`nix-instantiate` is not on PATH (Debian: `apt-get install nix-bin`)".to_owned());
    }
    if !Path::new(TIME).exists() {
        missing.push(format!("{TIME} (GNU time, for peak memory) is missing (Debian: `apt-get install time`)"));
    }
    let root = match std::env::var_os("OXIDY_NIXIDY") {
        Some(dir) => PathBuf::from(dir),
        None => std::env::home_dir().unwrap_or_default().join(".cache/oxidy/nixidy"),
    };
    let pins = fs::read_to_string(repo.join("benches/nixidy/pins")).map_err(|e| format!("benches/nixidy/pins: {e}"))?;
    let mut folders = Vec::new();
    for line in pins.lines().filter(|l| !l.starts_with('#') && !l.trim().is_empty()) {
        let fields: Vec<&str> = line.split_whitespace().collect();
        let [name, _repository, revision, _folder] = fields[..] else {
            return Err(format!("benches/nixidy/pins: not `name repository revision folder`: {line}"));
        };
        let folder = root.join(format!("{name}-{revision}"));
        if !folder.is_dir() {
            missing.push(format!("no checkout {}", folder.display()));
        }
        folders.push((name.to_owned(), folder));
    }
    if missing.is_empty() {
        return Ok(Inputs { folders });
    }
    if missing.iter().any(|m| m.starts_with("no checkout")) {
        missing.push(
            "`benches/nixidy/fetch` checks out the pinned revisions there (it needs github.com, or a mirror \
             named in OXIDY_GIT_URL; OXIDY_NIXIDY chooses another folder)"
                .to_owned(),
        );
    }
    Err(missing.join("; "))
}

impl Inputs {
    fn folder(&self, name: &str) -> &Path {
        &self.folders.iter().find(|(n, _)| n == name).unwrap_or_else(|| panic!("benches/nixidy/pins names no {name}")).1
    }

    /// nixidy's evaluation of `apps` apps, `runs` times.
    pub fn evaluate(&self, repo: &Path, apps: usize, runs: usize) -> Evaluation {
        let scratch = tempfile::tempdir().expect("temp dir");
        let peak_file = scratch.path().join("peak");
        let mut files = 0;
        let mut peak_kib = 0;
        let mut times: Vec<Duration> = (0..runs)
            .map(|_| {
                let mut command = Command::new(TIME);
                command.arg("-f").arg("%M").arg("-o").arg(&peak_file);
                command.args(["nix-instantiate", "--eval", "--strict", "--json"]);
                command.arg(repo.join("benches/nixidy/apps.nix"));
                command.args(["--arg", "n", &apps.to_string()]);
                for (arg, name) in
                    [("nixidy", "nixidy"), ("nixpkgsLib", "nixpkgs-lib"), ("kubeGenerators", "nix-kube-generators")]
                {
                    command.arg("--argstr").arg(arg).arg(self.folder(name));
                }
                let start = Instant::now();
                let out = command.output().expect("GNU time runs");
                let elapsed = start.elapsed();
                assert!(
                    out.status.success(),
                    "nixidy's evaluation of {apps} apps failed:\n{}",
                    String::from_utf8_lossy(&out.stderr)
                );
                files = checked_files(&out.stdout, apps);
                let peak = fs::read_to_string(&peak_file).expect("GNU time's report");
                peak_kib = peak_kib.max(peak.trim().parse().expect("a peak in KiB"));
                elapsed
            })
            .collect();
        times.sort();
        Evaluation { median: times[times.len() / 2], runs, files, peak_kib }
    }
}

/// The number of files in nixidy's layout, after checking that every app got its three objects
/// and its Application, so that a run that evaluated less is never timed as if it were whole.
fn checked_files(json: &[u8], apps: usize) -> usize {
    let files: Vec<serde_json::Value> = serde_json::from_slice(json).expect("nixidy's layout as JSON");
    for i in 0..apps {
        for path in ["ConfigMap-settings", "Service-web", "NetworkPolicy-default-deny"]
            .map(|f| format!("app-{i:04}/{f}.yaml"))
            .into_iter()
            .chain([format!("apps/Application-app-{i:04}.yaml")])
        {
            let found = files.iter().find(|f| f["path"] == path.as_str());
            let manifests = found.and_then(|f| f["manifests"].as_array()).map_or(0, Vec::len);
            assert_eq!(manifests, 1, "nixidy's layout of {apps} apps lacks {path}");
        }
    }
    files.len()
}
