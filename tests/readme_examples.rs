//! The README's env-file examples are the committed env files': every line of a YAML block
//! that starts with `# env/<name>.yaml` (or `# env/<a>.yaml and env/<b>.yaml`) is a line of
//! that file (comments aside).

use std::fs;
use std::path::Path;

#[test]
fn readme_env_examples_are_the_committed_envs() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let readme = fs::read_to_string(root.join("README.md")).unwrap();
    let mut blocks = 0;
    let mut missing = Vec::new();
    for block in readme.split("```yaml\n").skip(1).filter_map(|b| b.split("```").next()) {
        let Some(first) = block.lines().next() else { continue };
        let Some(files) = first.strip_prefix("# ").and_then(|f| f.split(':').next()).filter(|f| f.starts_with("env/"))
        else {
            continue;
        };
        blocks += 1;
        for file in files.split(" and ") {
            let env = fs::read_to_string(root.join(file)).unwrap_or_else(|e| panic!("{file}: {e}"));
            let env_lines: Vec<&str> = env.lines().map(without_comment).collect();
            for line in block.lines().skip(1).map(without_comment) {
                if !line.trim().is_empty() && line.trim() != "..." && !env_lines.contains(&line) {
                    missing.push(format!("{file}: `{line}`"));
                }
            }
        }
    }
    assert!(blocks >= 5, "the README's env examples name their file on the first line; found {blocks}");
    assert!(missing.is_empty(), "README lines not in the env file they name:\n{}", missing.join("\n"));
}

/// The line without a trailing ` # comment`, and without trailing spaces.
fn without_comment(line: &str) -> &str {
    let cut = if line.trim_start().starts_with('#') { 0 } else { line.find(" #").unwrap_or(line.len()) };
    line[..cut].trim_end()
}
