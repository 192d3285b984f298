//! The committed generated/ tree must be what the current code renders.

use std::process::Command;

#[test]
fn committed_tree_is_current() {
    let root = env!("CARGO_MANIFEST_DIR");
    let out = Command::new(env!("CARGO_BIN_EXE_oxidy")).args(["--root", root, "check"]).output().expect("oxidy runs");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let diff: String = stdout.lines().take(80).collect::<Vec<_>>().join("\n");
    assert!(
        out.status.success(),
        "generated/ is stale: run `cargo run --release -- render` and commit the result.\n{}\n{diff}",
        String::from_utf8_lossy(&out.stderr)
    );
}
