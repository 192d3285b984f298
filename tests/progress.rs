//! Progress of a long render: drawn on a terminal (a pseudo-terminal from `script`), never
//! when stderr is piped, where the output stays exactly the summary.

mod common;

use std::fs;
use std::path::Path;
use std::process::Command;

/// A project with one environment of 120 own apps, each one ConfigMap.
fn big_project() -> tempfile::TempDir {
    let dir = common::project(&[("big", "envs/minimal.yaml")]);
    fs::create_dir_all(dir.path().join("env/app")).unwrap();
    fs::write(
        dir.path().join("env/app/config.yaml"),
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: settings\ndata:\n  a: b\n",
    )
    .unwrap();
    let mut env = fs::read_to_string(dir.path().join("env/big.yaml")).unwrap();
    env.push_str("apps:\n");
    for i in 0..120 {
        env.push_str(&format!("  app-{i:03}:\n    namespace: app-{i:03}\n    manifests: [app]\n"));
    }
    fs::write(dir.path().join("env/big.yaml"), env).unwrap();
    dir
}

/// Progress shown at once, so that even a fast render would draw it on a terminal.
const AT_ONCE: (&str, &str) = ("OXIDY_PROGRESS_AFTER_MS", "0");

#[test]
fn piped_renders_and_checks_print_no_progress() {
    let dir = big_project();
    let at_once = std::ffi::OsStr::new(AT_ONCE.1);
    let render = common::oxidy_with(dir.path(), &["render"], &[(AT_ONCE.0, at_once)]);
    assert_eq!(render.code, 0, "{}", render.stderr);
    assert_eq!(render.stderr, "", "progress on a pipe");
    assert_eq!(render.stdout.lines().count(), 1, "{}", render.stdout);
    assert!(render.stdout.starts_with("big: 379 added, 0 changed, 0 removed ("), "{}", render.stdout);
    let check = common::oxidy_with(dir.path(), &["check"], &[(AT_ONCE.0, at_once)]);
    assert_eq!((check.code, check.stderr.as_str()), (0, ""));
    assert!(!check.stdout.contains('\x1b') && !check.stdout.contains('\r'), "{}", check.stdout);
}

#[test]
fn a_terminal_sees_each_step_and_the_line_is_cleared() {
    let dir = big_project();
    let command = format!("{} --root {} render", env!("CARGO_BIN_EXE_oxidy"), dir.path().display());
    let out = Command::new("script")
        .args(["--quiet", "--return", "--command", &command, "/dev/null"])
        .env(AT_ONCE.0, AT_ONCE.1)
        .output()
        .expect("script (util-linux) runs; install it with: apt-get install util-linux");
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{text}");
    for step in ["compiling dashboards", "rendering big (1 of 1 environment)", "writing 379 files"] {
        assert!(text.contains(&format!("\r\x1b[2Koxidy: {step}")), "no `{step}` in {text:?}");
    }
    // Cleared before the summary, which starts on a clean line.
    assert!(text.contains("\r\x1b[2Kbig: 379 added"), "{text:?}");
    assert!(Path::new(&dir.path().join("generated/big/app-000")).is_dir());
}
