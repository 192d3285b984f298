//! Prints how long rendering takes and how much memory it needs: the repository's own
//! environments, then 100 generated environments (nixidy needs 9.7 s and 1.8 GB for 100
//! apps). Run with `cargo bench`; figures, not assertions.

use std::fs;
use std::path::Path;
use std::time::{Duration, Instant};

use oxidy::cli::Plan;
use oxidy::project::Project;
use oxidy::run::{render_all, run};
use oxidy_modules::Platform;

fn peak_rss_mib() -> f64 {
    let status = fs::read_to_string("/proc/self/status").unwrap_or_default();
    let kib: f64 = status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.split_whitespace().next()?.parse().ok())
        .unwrap_or(0.0);
    kib / 1024.0
}

fn time<T>(runs: u32, mut f: impl FnMut() -> T) -> Duration {
    let start = Instant::now();
    for _ in 0..runs {
        std::hint::black_box(f());
    }
    start.elapsed() / runs
}

fn report(what: &str, per_run: Duration, files: usize) {
    println!(
        "{what:<58} {:>9.2} ms  {files:>6} files  peak RSS {:>6.1} MiB",
        per_run.as_secs_f64() * 1e3,
        peak_rss_mib()
    );
}

fn main() {
    let repo = Project::new(env!("CARGO_MANIFEST_DIR"));
    let envs = repo.env_names().expect("env/ exists");
    let files: usize =
        render_all::<Platform>(&repo, &envs).expect("renders").iter().map(|r| r.layout.files.len()).sum();
    report("render in memory: the repository's environments", time(20, || render_all::<Platform>(&repo, &envs)), files);

    // The same, written to disk through `oxidy render` (first a full write, then no-op runs).
    let scratch = tempfile::tempdir().expect("temp dir");
    copy_envs(Path::new(env!("CARGO_MANIFEST_DIR")), scratch.path(), 1);
    let plan = Plan::Render {
        project: Project::new(scratch.path()),
        envs: envs.clone(),
        wait: oxidy::lock::DEFAULT_WAIT,
        prune_orphans: false,
    };
    report("render and write to an empty tree", time(1, || run::<Platform>(&plan, &mut std::io::sink())), files);
    report("render again over an up-to-date tree", time(10, || run::<Platform>(&plan, &mut std::io::sink())), files);

    // 100 environments, each a copy of local with its own output root.
    let many = tempfile::tempdir().expect("temp dir");
    copy_envs(Path::new(env!("CARGO_MANIFEST_DIR")), many.path(), 100);
    let project = Project::new(many.path());
    let names = project.env_names().expect("envs");
    let plan = Plan::Render {
        project: project.clone(),
        envs: names.clone(),
        wait: oxidy::lock::DEFAULT_WAIT,
        prune_orphans: false,
    };
    let files: usize =
        render_all::<Platform>(&project, &names).expect("renders").iter().map(|r| r.layout.files.len()).sum();
    report("render and write 100 environments", time(1, || run::<Platform>(&plan, &mut std::io::sink())), files);
    report("render 100 environments in memory", time(5, || render_all::<Platform>(&project, &names)), files);
}

/// Copies `env/local.yaml` as `copies` environments (or all env files when `copies` is 1).
fn copy_envs(from: &Path, to: &Path, copies: usize) {
    fs::create_dir_all(to.join("env")).expect("env dir");
    // Manifests of own apps live beside the env files.
    for entry in walkdir::WalkDir::new(from.join("env")).min_depth(1).into_iter().flatten() {
        let target = to.join("env").join(entry.path().strip_prefix(from.join("env")).expect("below env"));
        if entry.file_type().is_dir() {
            fs::create_dir_all(&target).expect("dir");
        } else if copies == 1 || entry.depth() > 1 {
            fs::copy(entry.path(), &target).expect("copy");
        }
    }
    if copies == 1 {
        return;
    }
    // The copies share one Argo CD: each needs names of its own.
    let local = fs::read_to_string(from.join("env/local.yaml"))
        .expect("local env")
        .replace("argocd:\n  namespace: argocd\n", "argocd:\n  namespace: argocd\n  appendEnvName: true\n");
    for i in 0..copies {
        fs::write(to.join("env").join(format!("env-{i:03}.yaml")), &local).expect("write env");
    }
}
