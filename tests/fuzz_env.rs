//! A bounded fuzz run over env loading and rendering: the committed env files, mutated by a
//! seeded generator (lines dropped, doubled, swapped or re-indented, values replaced by
//! hostile ones, bytes flipped), each rendered in process. No input may panic or abort, and
//! every refusal must be one bounded report. The seed is fixed, so a failure reproduces; set
//! `OXIDY_FUZZ_CASES` to run longer.

use std::fs;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::Path;

use oxidy::cli::Plan;
use oxidy::project::Project;
use oxidy_modules::Platform;

/// Cases per run unless `OXIDY_FUZZ_CASES` says otherwise.
const CASES: u64 = 1000;

/// Values that have broken parsers and renderers before: limits, types, YAML oddities.
const HOSTILE: [&str; 34] = [
    "0",
    "-1",
    "1000000000",
    "4294967296",
    "18446744073709551616",
    "1e400",
    ".inf",
    ".nan",
    "0x10",
    "0o777",
    "''",
    "\"\"",
    "~",
    "null",
    "[]",
    "{}",
    "[[[[[[[[[[]]]]]]]]]]",
    "yes",
    "\"yes\"",
    "&a x",
    "*a",
    "!!binary aGVsbG8=",
    "!custom x",
    "\"a\\nb\"",
    "\"\\u0000\"",
    "0s",
    "99999999999d",
    "1Ei",
    "-5Gi",
    "999999999999m",
    "é",
    "\"{{ .Values.x }}\"",
    "https://",
    "a:b:c",
];

/// Option keys of several components, inserted with hostile values where a component's
/// options begin.
const KEYS: [&str; 9] = [
    "replicas",
    "replicationFactor",
    "retention",
    "dataVolume",
    "image",
    "storageClass",
    "enabled",
    "maxReplicas",
    "tier",
];

/// A small seeded generator (xorshift64*): the same cases on every machine.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

/// One to three mutations of `text`.
fn mutate(text: &str, rng: &mut Rng) -> String {
    let mut lines: Vec<String> = text.lines().map(str::to_owned).collect();
    for _ in 0..=rng.below(3) {
        let i = rng.below(lines.len());
        match rng.below(8) {
            0 => {
                lines.remove(i);
            }
            1 => lines.insert(i, lines[i].clone()),
            2 => {
                let j = rng.below(lines.len());
                lines.swap(i, j);
            }
            3 => lines[i] = format!("  {}", lines[i]),
            4 => lines[i] = lines[i].trim_start().to_owned(),
            5 => {
                if let Some((key, _)) = lines[i].split_once(": ") {
                    lines[i] = format!("{key}: {}", HOSTILE[rng.below(HOSTILE.len())]);
                }
            }
            6 => {
                let indent = lines[i].len() - lines[i].trim_start().len();
                let line = format!(
                    "{:width$}{}: {}",
                    "",
                    KEYS[rng.below(KEYS.len())],
                    HOSTILE[rng.below(HOSTILE.len())],
                    width = indent + 2
                );
                if lines[i].trim_end().ends_with(':') {
                    lines.insert(i + 1, line);
                }
            }
            _ => {
                let mut bytes = lines[i].clone().into_bytes();
                if !bytes.is_empty() {
                    let at = rng.below(bytes.len());
                    bytes[at] ^= 1 << rng.below(7);
                }
                lines[i] = String::from_utf8_lossy(&bytes).into_owned();
            }
        }
        if lines.is_empty() {
            break;
        }
    }
    lines.join("\n") + "\n"
}

#[test]
fn mutated_env_files_never_panic_and_are_refused_briefly() {
    let cases = std::env::var("OXIDY_FUZZ_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(CASES);
    let repo = Path::new(env!("CARGO_MANIFEST_DIR"));
    let seeds: Vec<String> = ["local", "staging", "production"]
        .iter()
        .map(|env| fs::read_to_string(repo.join(format!("env/{env}.yaml"))).unwrap())
        .collect();
    let dir = tempfile::tempdir().unwrap();
    fs::create_dir_all(dir.path().join("env")).unwrap();
    // No dashboards, on purpose (Grafana without dashboards/ is refused): the env file is
    // what varies, and compiling the dashboards in every case would only slow it down.
    fs::create_dir_all(dir.path().join("dashboards")).unwrap();
    let project = Project::new(dir.path());
    let mut rng = Rng(0x0DD1_5EED_2026_1130);
    let (mut accepted, mut refused) = (0, 0);
    // The panic hook would print every caught panic; the assertion below names the case.
    std::panic::set_hook(Box::new(|_| {}));
    for case in 0..cases {
        let text = mutate(&seeds[rng.below(seeds.len())], &mut rng);
        fs::write(dir.path().join("env/fuzz.yaml"), &text).unwrap();
        let plan = Plan::Check { project: project.clone(), envs: vec!["fuzz".into()] };
        let outcome = catch_unwind(AssertUnwindSafe(|| oxidy::run::run::<Platform>(&plan, &mut Vec::new())));
        match outcome {
            Err(_) => {
                let _ = std::panic::take_hook();
                panic!("case {case} panicked on this env file:\n{text}");
            }
            Ok(Ok(_)) => accepted += 1,
            Ok(Err(e)) => {
                let report = e.report();
                assert!(report.len() < 4000, "case {case}: a {} byte report for:\n{text}", report.len());
                refused += 1;
            }
        }
    }
    let _ = std::panic::take_hook();
    println!("{cases} cases: {accepted} rendered, {refused} refused");
    assert!(accepted > 0 && refused > 0, "the mutations reach both outcomes ({accepted} rendered, {refused} refused)");
}
