//! The benchmark: one table of what rendering and checking cost, measured in this run. Each row
//! runs in a child process of its own (this program, re-run with `--row NAME`), so its peak
//! memory is its own; times are medians over repeated runs. Rows: render into an empty and into
//! an up-to-date tree, `check` (in this process and as a whole `oxidy check` process), each
//! with nothing remembered (`OXIDY_CACHE=off`) and with the last render remembered, a whole
//! check after an edit to one env file, and the
//! floors `cp -r` and `diff -r` of the same tree; a scale series of 1×, 10× and 100×
//! environments and of 10, 100 and 1,000 apps in one environment, nothing remembered; the
//! dashboards alone; and, when `nix-instantiate` and the pinned nixidy checkouts are here
//! (benches/nixidy/), nixidy's evaluation of equivalent apps, with the per-app ratios. Run with
//! `cargo bench`; figures, not assertions.

mod nixidy;

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use oxidy::cli::Plan;
use oxidy::project::Project;
use oxidy::run::run;
use oxidy_modules::Platform;

/// Timed runs per row (the median is printed); the slow scale rows run fewer.
const RUNS: usize = 7;

/// The two app counts the per-app figures are taken between.
const APPS_FEW: usize = 10;
const APPS_MANY: usize = 100;

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if let Some(i) = args.iter().position(|a| a == "--row") {
        // The parent says whether renders are remembered, through OXIDY_CACHE.
        let (name, project) = (&args[i + 1], PathBuf::from(&args[i + 2]));
        let (median, runs, files) = measure(name, &project);
        // These rows time another program (`oxidy`, `cp`, `diff`), whose memory this process
        // does not see: none is printed rather than this one's.
        let rss =
            if matches!(name.as_str(), "check-process" | "check-edited" | "cp" | "diff") { 0 } else { peak_rss_kib() };
        println!("{} {runs} {files} {rss}", median.as_nanos());
        return;
    }
    let scratch = tempfile::tempdir().expect("temp dir");
    let repo = Path::new(env!("CARGO_MANIFEST_DIR"));
    let base = project_copy(repo, &scratch.path().join("base"), Envs::Repository);
    let env10 = project_copy(repo, &scratch.path().join("envs-10"), Envs::StagingCopies(10));
    let env100 = project_copy(repo, &scratch.path().join("envs-100"), Envs::StagingCopies(100));
    let apps: Vec<(usize, PathBuf)> = [APPS_FEW, APPS_MANY, 1000]
        .iter()
        .map(|&n| (n, project_copy(repo, &scratch.path().join(format!("apps-{n}")), Envs::Apps(n))))
        .collect();

    let remembered = Cache::Remembered(scratch.path().join("cache"));
    let off = Cache::Off;
    println!("oxidy benchmark: medians of up to {RUNS} runs, each row in its own process");
    println!("{:<72} {:>10} {:>5} {:>7} {:>10}", "row", "median ms", "runs", "files", "peak MiB");
    let render_cold = row("render into an empty tree, nothing remembered", "render-empty", &base, &off).median;
    let render = row("render into an empty tree, last render remembered", "render-empty", &base, &remembered).median;
    let _ = row("render over an up-to-date tree, nothing remembered", "render-current", &base, &off);
    let _ = row("render over an up-to-date tree, remembered", "render-current", &base, &remembered);
    let check_cold = row("check, nothing remembered", "check", &base, &off).median;
    let check = row("check, remembered", "check", &base, &remembered).median;
    let _ = row("check as a whole `oxidy check` process, nothing remembered", "check-process", &base, &off);
    let process = row("check as a whole `oxidy check` process, remembered", "check-process", &base, &remembered).median;
    let _ = row("whole `oxidy check` process after an edit to one env file", "check-edited", &base, &remembered);
    let cp = row("floor: cp -r of the same tree", "cp", &base, &off).median;
    let diff = row("floor: diff -r of the same tree", "diff", &base, &off).median;
    println!(
        "ratios, remembered: render / cp -r = {:.1}, check / diff -r = {:.1}, whole check process / diff -r = {:.1}",
        ratio(render, cp),
        ratio(check, diff),
        ratio(process, diff)
    );
    println!(
        "ratios, nothing remembered: render / cp -r = {:.1}, check / diff -r = {:.1}",
        ratio(render_cold, cp),
        ratio(check_cold, diff)
    );
    let one = row("scale: 1 staging env into an empty tree", "render-one-staging", &env10, &off).median;
    let ten = row("scale: 10 staging envs into an empty tree", "render-empty", &env10, &off).median;
    let hundred = row("scale: 100 staging envs into an empty tree", "render-empty", &env100, &off).median;
    println!("scale: 10× envs = {:.1}× time, 100× envs = {:.1}× time", ratio(ten, one), ratio(hundred, one));
    let mut own_apps = Vec::new();
    for (n, project) in &apps {
        let measured =
            row(&format!("scale: one env with {n} own apps, into an empty tree"), "render-empty", project, &off);
        own_apps.push((*n, measured));
    }
    row("dashboards alone: compile and lint every dashboard", "dashboards", &base, &off);
    match nixidy::find(repo) {
        Ok(inputs) => {
            // Nothing remembered: the comparison is of evaluating the apps, every run.
            let project = |n| &apps.iter().find(|(apps, _)| *apps == n).expect("an own-apps project").1;
            let oxidy = |n| own_apps.iter().find(|(apps, _)| *apps == n).expect("an own-apps row").1;
            let check = |n| row(&format!("scale: check of one env with {n} own apps"), "check", project(n), &off);
            let cp = |n| row(&format!("floor: cp -r of the tree of {n} own apps"), "cp", project(n), &off);
            let checks = (check(APPS_FEW), check(APPS_MANY));
            let floors = (cp(APPS_FEW), cp(APPS_MANY));
            let nixidy = (nixidy_row(&inputs, repo, APPS_FEW, RUNS), nixidy_row(&inputs, repo, APPS_MANY, 3));
            per_app(nixidy, (oxidy(APPS_FEW), oxidy(APPS_MANY)), checks, floors);
        }
        Err(missing) => println!("nixidy: not measured in this run: {missing}"),
    }
}

/// Whether a row's renders are remembered between runs.
enum Cache {
    /// `OXIDY_CACHE=off`: every run renders from the files.
    Off,
    /// Remembered in this folder: each row renders once, untimed, then reuses that result.
    Remembered(PathBuf),
}

/// What one row measured.
#[derive(Clone, Copy)]
struct Measured {
    median: Duration,
    peak_kib: u64,
}

/// Rows at `APPS_FEW` and at `APPS_MANY` apps.
type Pair = (Measured, Measured);

/// Runs nixidy's evaluation of `apps` apps and prints its line.
fn nixidy_row(inputs: &nixidy::Inputs, repo: &Path, apps: usize, runs: usize) -> Measured {
    let label = format!("nixidy: evaluate {apps} equivalent apps (nix-instantiate)");
    let e = inputs.evaluate(repo, apps, runs);
    let (ms, mib) = (e.median.as_secs_f64() * 1e3, e.peak_kib as f64 / 1024.0);
    println!("{label:<72} {ms:>10.2} {:>5} {:>7} {mib:>10.1}", e.runs, e.files);
    Measured { median: e.median, peak_kib: e.peak_kib }
}

/// The time and memory one more app costs: the difference between the two rows, per app.
fn per_app_cost((few, many): Pair) -> (f64, f64) {
    let apps = (APPS_MANY - APPS_FEW) as f64;
    let time = (many.median.as_secs_f64() - few.median.as_secs_f64()) / apps;
    (time, (many.peak_kib as f64 - few.peak_kib as f64) / apps)
}

/// Prints the cost of one more app, nixidy against oxidy's render and check, and the targets;
/// and the floor, what `cp -r` takes for one more app's files.
fn per_app(nixidy: Pair, render: Pair, check: Pair, floor: Pair) {
    let (nixidy_time, nixidy_kib) = per_app_cost(nixidy);
    println!(
        "per app = (row at {APPS_MANY} apps - row at {APPS_FEW} apps) / {}, so start-up and the env's own work cancel out",
        APPS_MANY - APPS_FEW
    );
    println!("per app: nixidy {:.2} ms and {nixidy_kib:.0} KiB", nixidy_time * 1e3);
    for (what, pair) in [("render", render), ("check (renders in memory, writes nothing)", check)] {
        let (time, kib) = per_app_cost(pair);
        let speed = if time > 0.0 {
            let met = if nixidy_time / time >= 300.0 { "met" } else { "missed" };
            format!("nixidy / oxidy = {:.0}× the time (target ≥ 300×: {met})", nixidy_time / time)
        } else {
            "its time did not grow".to_owned()
        };
        let memory = if kib > 0.0 {
            let met = if nixidy_kib / kib >= 20.0 { "met" } else { "missed" };
            format!("1/{:.0} of nixidy's memory (target ≤ 1/20: {met})", nixidy_kib / kib)
        } else {
            "its peak memory did not grow (target ≤ 1/20: met)".to_owned()
        };
        println!("per app: oxidy {what} {:.3} ms and {kib:.0} KiB: {speed}, {memory}", time * 1e3);
    }
    let (floor_time, _) = per_app_cost(floor);
    println!(
        "per app: floor cp -r of one app's files {:.3} ms; 300× nixidy would be {:.3} ms",
        floor_time * 1e3,
        nixidy_time * 1e3 / 300.0
    );
}

/// Runs one row in a child process and prints its line.
fn row(label: &str, name: &str, project: &Path, cache: &Cache) -> Measured {
    let exe = std::env::current_exe().expect("this program");
    let setting = match cache {
        Cache::Off => "off".into(),
        Cache::Remembered(dir) => dir.clone().into_os_string(),
    };
    let out = Command::new(exe)
        .arg("--row")
        .arg(name)
        .arg(project)
        .env("OXIDY_CACHE", setting)
        .output()
        .expect("the row runs");
    let text = String::from_utf8_lossy(&out.stdout);
    let fields: Vec<u128> = text.split_whitespace().filter_map(|f| f.parse().ok()).collect();
    let [nanos, runs, files, rss_kib] = fields[..] else {
        panic!("row {name} failed:\n{text}{}", String::from_utf8_lossy(&out.stderr));
    };
    let median = Duration::from_nanos(nanos as u64);
    let rss = if rss_kib == 0 { "-".to_owned() } else { format!("{:.1}", rss_kib as f64 / 1024.0) };
    println!("{label:<72} {:>10.2} {runs:>5} {files:>7} {rss:>10}", median.as_secs_f64() * 1e3);
    Measured { median, peak_kib: rss_kib as u64 }
}

fn ratio(a: Duration, b: Duration) -> f64 {
    a.as_secs_f64() / b.as_secs_f64().max(1e-9)
}

/// One row, in the child: `(median, runs, files)`.
fn measure(name: &str, root: &Path) -> (Duration, usize, usize) {
    let project = Project::new(root);
    let envs = project.env_names().expect("env files");
    let render = Plan::Render {
        project: project.clone(),
        envs: envs.clone(),
        wait: oxidy::lock::DEFAULT_WAIT,
        prune_orphans: false,
    };
    let generated = root.join("generated");
    let clear = || {
        let _ = fs::remove_dir_all(&generated);
        let _ = fs::remove_dir_all(root.join("copy"));
    };
    let files = || walkdir::WalkDir::new(&generated).into_iter().flatten().filter(|e| e.file_type().is_file()).count();
    let render_once = || run::<Platform>(&render, &mut std::io::sink()).expect("renders");
    let runs = if envs.len() >= 100 || name == "render-one-staging" { 3 } else { RUNS };
    let median = match name {
        "render-empty" => {
            // Untimed: the result to remember, when renders are remembered.
            render_once();
            median(runs, clear, render_once)
        }
        "render-one-staging" => {
            let one = Plan::Render {
                project: project.clone(),
                envs: vec![envs[0].clone()],
                wait: oxidy::lock::DEFAULT_WAIT,
                prune_orphans: false,
            };
            median(runs, clear, || run::<Platform>(&one, &mut std::io::sink()).expect("renders"))
        }
        "render-current" => {
            render_once();
            median(runs, || {}, render_once)
        }
        "check" => {
            render_once();
            let check = Plan::Check { project: project.clone(), envs: envs.clone() };
            median(runs, || {}, || run::<Platform>(&check, &mut std::io::sink()).expect("checks"))
        }
        "check-process" | "check-edited" => {
            render_once();
            let check = || program(env!("CARGO_BIN_EXE_oxidy"), &["check", "-q"], root);
            check();
            // `check-edited`: each run first appends a comment to one env file, which then
            // differs from every remembered render while dashboards, PromQL verdicts and
            // helm's output do not.
            let staging = root.join("env/staging.yaml");
            let mut edits = 0;
            let edit = || {
                if name == "check-edited" {
                    edits += 1;
                    let mut text = fs::read_to_string(&staging).expect("staging env");
                    text.push_str(&format!("# edit {edits}\n"));
                    fs::write(&staging, text).expect("edit");
                }
            };
            median(runs, edit, check)
        }
        "cp" => {
            render_once();
            median(
                runs,
                || {
                    let _ = fs::remove_dir_all(root.join("copy"));
                },
                || program("cp", &["-r", "generated", "copy"], root),
            )
        }
        "diff" => {
            render_once();
            program("cp", &["-r", "generated", "copy"], root);
            median(runs, || {}, || program("diff", &["-r", "generated", "copy"], root))
        }
        "dashboards" => median(runs, || {}, || oxidy::dashboards::compile(&project).expect("dashboards compile").len()),
        other => panic!("no row {other}"),
    };
    let count =
        if name == "dashboards" { oxidy::dashboards::compile(&project).map_or(0, |d| d.len()) } else { files() };
    (median, runs, count)
}

/// The median time of `f` over `runs` runs, `before` (untimed) ahead of each.
fn median<T>(runs: usize, mut before: impl FnMut(), mut f: impl FnMut() -> T) -> Duration {
    let mut times: Vec<Duration> = (0..runs)
        .map(|_| {
            before();
            let start = Instant::now();
            std::hint::black_box(f());
            start.elapsed()
        })
        .collect();
    times.sort();
    times[times.len() / 2]
}

fn program(name: &str, args: &[&str], dir: &Path) {
    let status = Command::new(name).args(args).current_dir(dir).status().expect("the program runs");
    assert!(status.success() || name == "diff", "{name} failed");
}

/// This process's peak resident memory, in KiB.
fn peak_rss_kib() -> u128 {
    let status = fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.split_whitespace().next()?.parse().ok())
        .unwrap_or(0)
}

/// Which environments a scratch project holds.
enum Envs {
    /// The repository's own env files.
    Repository,
    /// `n` copies of staging, each with its own Application names and output root.
    StagingCopies(usize),
    /// One copy of staging with `n` own apps, each a namespace of its own holding the objects
    /// of one shared manifest folder.
    Apps(usize),
}

/// A scratch project at `to`: the repository's `env/` folder (manifests, charts and values
/// beside the env files), `dashboards/` and `rules/`, with the env files `envs` says.
fn project_copy(repo: &Path, to: &Path, envs: Envs) -> PathBuf {
    for folder in ["env", "dashboards", "rules"] {
        for entry in walkdir::WalkDir::new(repo.join(folder)).into_iter().flatten() {
            let target = to.join(folder).join(entry.path().strip_prefix(repo.join(folder)).expect("below"));
            if entry.file_type().is_dir() {
                fs::create_dir_all(&target).expect("dir");
            } else {
                fs::copy(entry.path(), &target).expect("copy");
            }
        }
    }
    if matches!(envs, Envs::Repository) {
        return to.to_owned();
    }
    for env in ["local", "staging", "production"] {
        fs::remove_file(to.join(format!("env/{env}.yaml"))).expect("env file");
    }
    let staging = fs::read_to_string(repo.join("env/staging.yaml")).expect("staging env");
    match envs {
        Envs::Repository => {}
        Envs::StagingCopies(n) => {
            for i in 0..n {
                // `appendEnvName` is set in staging: each copy's names end in its own env name.
                fs::write(to.join(format!("env/s{i:03}.yaml")), &staging).expect("write env");
            }
        }
        Envs::Apps(n) => {
            let manifests = to.join("env/bench-app");
            fs::create_dir_all(&manifests).expect("dir");
            fs::write(
                manifests.join("config.yaml"),
                "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: settings\ndata:\n  greeting: hello\n---\n\
                 apiVersion: v1\nkind: Service\nmetadata:\n  name: web\nspec:\n  selector: {app: web}\n  \
                 ports: [{name: http, port: 80, targetPort: 8080}]\n",
            )
            .expect("manifest");
            let mut text = format!("{staging}apps:\n");
            for i in 0..n {
                text.push_str(&format!("  app-{i:04}:\n    namespace: app-{i:04}\n    manifests: [bench-app]\n"));
            }
            fs::write(to.join("env/staging.yaml"), text).expect("write env");
        }
    }
    to.to_owned()
}
