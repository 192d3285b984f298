//! The committed generated/ tree must be what the current code renders.

mod common;

use std::process::Command;

#[test]
fn committed_tree_is_current() {
    let root = env!("CARGO_MANIFEST_DIR");
    // env/local.yaml renders a vendored chart with the pinned helm.
    let helm = common::programs::program("helm");
    let out = Command::new(env!("CARGO_BIN_EXE_oxidy"))
        .args(["--root", root, "check"])
        .env("OXIDY_HELM", helm)
        .output()
        .expect("oxidy runs");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let diff: String = stdout.lines().take(80).collect::<Vec<_>>().join("\n");
    assert!(
        out.status.success(),
        "generated/ is stale: run `cargo run --release -- render` and commit the result.\n{}\n{diff}",
        String::from_utf8_lossy(&out.stderr)
    );
}
