//! Tidy tests: the architecture's invariants, checked on the source text the way
//! rust-analyzer's tidy does, so a change that breaks one fails CI with the file to fix.
//!
//! - Modules never import each other: what one needs from another comes through the
//!   contract's context.
//! - Module code does no I/O: it turns options into objects; the engine reads and writes.
//! - The engine reads project files only through `src/input.rs`, which refuses links out of
//!   the repository, devices, pipes and oversized files.
//! - Every source file opens with a `//!` line saying what it is for.
//! - Only `src/helm.rs` starts another program (helm).
//! - Every module type is composed in the composition root: a module that exists but is
//!   not registered would compile and silently render nothing.
//! - The contract names no component, and the components that collect what the others
//!   offer (Grafana its datasources, Prometheus its alert groups and monitors) name none of
//!   them: a new component adds its datasource and alerts without editing either.

use std::fs;
use std::path::{Path, PathBuf};

/// The crate of the module contract and the stack's modules.
const MODULES: &str = "modules/src";
/// Folders under `modules/src` that are not stack modules.
const NOT_MODULES: [&str; 1] = ["contract"];
/// The composition root.
const ROOT: &str = "modules/src/lib.rs";

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Every `.rs` file below `dir`, sorted.
fn rust_files(dir: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for entry in fs::read_dir(&dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display())) {
            let path = entry.expect("directory entry").path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|e| e == "rs") {
                files.push(path);
            }
        }
    }
    files.sort();
    files
}

fn read(path: &Path) -> String {
    fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn relative(path: &Path) -> String {
    path.strip_prefix(root()).unwrap_or(path).display().to_string()
}

/// The stack modules: the folders of `modules/src` other than the contract.
fn module_names() -> Vec<String> {
    let mut names: Vec<String> = fs::read_dir(root().join(MODULES))
        .expect("modules/src")
        .map(|e| e.expect("directory entry").path())
        .filter(|p| p.is_dir())
        .filter_map(|p| p.file_name().map(|n| n.to_string_lossy().into_owned()))
        .filter(|n| !NOT_MODULES.contains(&n.as_str()))
        .collect();
    names.sort();
    names
}

/// Test-only files of a module, which may run programs and read fixtures.
fn is_test_file(path: &Path) -> bool {
    path.file_name().is_some_and(|n| n == "tests.rs")
}

#[test]
fn the_stack_has_modules() {
    let names = module_names();
    assert!(names.len() >= 7, "found modules {names:?}: is {MODULES} where it was?");
}

#[test]
fn modules_do_not_import_each_other() {
    let names = module_names();
    let mut offences = Vec::new();
    for name in &names {
        for file in rust_files(&root().join(MODULES).join(name)) {
            let text = read(&file);
            for (i, line) in text.lines().enumerate() {
                let code = line.split("//").next().unwrap_or("");
                for other in names.iter().filter(|o| *o != name) {
                    if code.contains(&format!("crate::{other}::")) || code.contains(&format!("crate::{other};")) {
                        offences.push(format!("{}:{}: uses module `{other}`", relative(&file), i + 1));
                    }
                }
                if code.contains("super::super::") {
                    offences.push(format!("{}:{}: reaches outside its module", relative(&file), i + 1));
                }
                if code.contains("crate::Platform") || code.contains("crate::platform") {
                    offences.push(format!("{}:{}: uses the composition root", relative(&file), i + 1));
                }
            }
        }
    }
    assert!(offences.is_empty(), "modules reach each other only through the context:\n{}", offences.join("\n"));
}

#[test]
fn module_code_does_no_io() {
    const IO: [&str; 10] = [
        "std::fs",
        "std::io",
        "std::net",
        "std::process",
        "std::env",
        "File::",
        "println!",
        "eprintln!",
        "print!(",
        "dbg!(",
    ];
    // Unit tests at the end of a file may read fixtures; the code above may not.
    let files =
        rust_files(&root().join(MODULES)).into_iter().filter(|f| !is_test_file(f) && !f.ends_with("testing.rs"));
    let offences = uses(files, &IO);
    assert!(offences.is_empty(), "module code does no I/O (the engine does):\n{}", offences.join("\n"));
}

#[test]
fn the_engine_reads_input_only_through_the_input_module() {
    const READS: [&str; 4] = ["fs::read(", "fs::read_to_string(", "File::open(", "read_to_end("];
    // Output (the committed tree it compares and replaces) is read by output, compare and
    // drift alone; the lock opens the project folder to lock it, reading nothing; the cache
    // reads its own results, outside the project.
    const ALLOWED: [&str; 7] = [
        "src/input.rs",
        "src/output.rs",
        "src/compare.rs",
        "src/drift.rs",
        "src/lock.rs",
        "src/cache/mod.rs",
        "src/cache/promql.rs",
    ];
    let files = rust_files(&root().join("src")).into_iter().filter(|f| !ALLOWED.contains(&relative(f).as_str()));
    let offences = uses(files, &READS);
    assert!(offences.is_empty(), "read project files through crate::input:\n{}", offences.join("\n"));
}

/// The NetworkPolicies come from one place, the engine's network step: a module that builds
/// one of its own would open a second way around the link graph.
#[test]
fn network_policies_are_derived_in_one_place() {
    // Building one, typed or as JSON; own apps' NetworkPolicy objects are only type-checked.
    const KINDS: [&str; 2] = ["NetworkPolicySpec", "\"NetworkPolicy\""];
    let files = rust_files(&root().join(MODULES))
        .into_iter()
        .chain(rust_files(&root().join("src")).into_iter().filter(|f| !relative(f).starts_with("src/network/")))
        .filter(|f| !is_test_file(f));
    let offences = uses(files, &KINDS);
    assert!(offences.is_empty(), "render NetworkPolicies only in src/network/:\n{}", offences.join("\n"));
}

/// Every use of one of `patterns` in the non-test code of `files`, as `file:line: pattern`.
fn uses(files: impl IntoIterator<Item = PathBuf>, patterns: &[&str]) -> Vec<String> {
    let mut offences = Vec::new();
    for file in files {
        for (line, code) in code_lines(&file) {
            if let Some(pattern) = patterns.iter().find(|p| code.contains(**p)) {
                offences.push(format!("{}:{line}: `{pattern}`", relative(&file)));
            }
        }
    }
    offences
}

#[test]
fn every_source_file_says_what_it_is_for() {
    let mut missing = Vec::new();
    for dir in ["src", MODULES, "tests", "benches"] {
        let dir = root().join(dir);
        if !dir.exists() {
            continue;
        }
        for file in rust_files(&dir) {
            if !read(&file).starts_with("//!") {
                missing.push(relative(&file));
            }
        }
    }
    assert!(missing.is_empty(), "open these files with a `//!` line saying what they are for:\n{}", missing.join("\n"));
}

#[test]
fn every_module_is_composed() {
    let platform = read(&root().join(ROOT));
    let mut found = Vec::new();
    let mut missing = Vec::new();
    for file in rust_files(&root().join(MODULES)) {
        for line in read(&file).lines() {
            let Some(rest) = line.trim_start().strip_prefix("impl Module for ") else { continue };
            let name: String = rest.chars().take_while(|c| c.is_alphanumeric() || *c == '_').collect();
            if !platform.contains(&format!("=> {name},")) {
                missing
                    .push(format!("{name} ({}): no line `<key>: <Options> => {name},` in compose!", relative(&file)));
            }
            found.push(name);
        }
    }
    assert!(found.len() >= module_names().len(), "every module folder has an `impl Module`: found {found:?}");
    assert!(missing.is_empty(), "register every module in {ROOT}:\n{}", missing.join("\n"));
}

/// The engine starts one kind of program, helm, and only in `src/helm.rs`: how it is found,
/// what it is told and how its failures read stay in one place.
#[test]
fn only_the_helm_file_starts_programs() {
    let starters: Vec<String> = rust_files(&root().join("src"))
        .into_iter()
        .filter(|p| !p.ends_with("src/helm.rs"))
        .filter(|p| read(p).contains("process::Command") || read(p).contains("Command::new("))
        .map(|p| relative(&p))
        .collect();
    assert!(starters.is_empty(), "only src/helm.rs starts programs; also: {starters:?}");
}

/// The code of a source file without its comments and its `#[cfg(test)]` part, as
/// `(line number, code)`.
fn code_lines(path: &Path) -> Vec<(usize, String)> {
    let text = read(path);
    let mut lines = Vec::new();
    for (i, line) in text.lines().enumerate() {
        if line.trim_start().starts_with("#[cfg(test)]") {
            break;
        }
        let code = line.split("//").next().unwrap_or("");
        lines.push((i + 1, code.to_owned()));
    }
    lines
}

/// The lower-case words of `code`: runs of letters and digits.
fn words(code: &str) -> Vec<String> {
    code.split(|c: char| !c.is_ascii_alphanumeric()).filter(|w| !w.is_empty()).map(str::to_ascii_lowercase).collect()
}

/// Every place in the non-test code of `files` that names a component of `names`, except
/// the `allowed` (file name, word) pairs.
fn naming(files: &[PathBuf], names: &[String], allowed: &[(&str, &str)]) -> Vec<String> {
    let mut offences = Vec::new();
    for file in files.iter().filter(|f| !is_test_file(f)) {
        let file_name = file.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        for (line, code) in code_lines(file) {
            for word in words(&code) {
                if names.contains(&word) && !allowed.contains(&(file_name.as_str(), word.as_str())) {
                    offences.push(format!("{}:{line}: names `{word}`", relative(file)));
                }
            }
        }
    }
    offences
}

#[test]
fn the_contract_names_no_component() {
    // The prometheus-operator's resource kinds are called `Prometheus`; they are the
    // contract's monitoring types, not the component.
    // Likewise Istio's Telemetry kind (API group `telemetry.istio.io`), typed in `istio.rs`.
    let allowed = [("monitoring.rs", "prometheus"), ("istio.rs", "istio"), ("mod.rs", "istio")];
    let offences = naming(&rust_files(&root().join(MODULES).join("contract")), &module_names(), &allowed);
    assert!(offences.is_empty(), "the contract speaks of roles, never of components:\n{}", offences.join("\n"));
}

#[test]
fn collecting_components_name_no_other_component() {
    let names = module_names();
    // Each allowance is a name that is also something else: the Prometheus datasource plugin
    // and query language Grafana checks dashboards against, and node-exporter's own
    // collectors (`--collector.*` flags, its textfile collector).
    let allowed: [(&str, &[(&str, &str)]); 2] = [
        ("grafana", &[("lint.rs", "prometheus")]),
        ("prometheus", &[("node_exporter.rs", "collector"), ("node_host.rs", "collector")]),
    ];
    let mut offences = Vec::new();
    for (collector, allowed) in allowed {
        let others: Vec<String> = names.iter().filter(|n| *n != collector).cloned().collect();
        offences.extend(naming(&rust_files(&root().join(MODULES).join(collector)), &others, allowed));
    }
    assert!(
        offences.is_empty(),
        "components hand their datasources, alerts and monitors to the context; the collectors name none of them:\n{}",
        offences.join("\n")
    );
}

/// The tidy check itself finds a component named in code, and not one named in a comment.
#[test]
fn naming_finds_code_not_comments() {
    let dir = tempfile::tempdir().expect("a scratch directory");
    let file = dir.path().join("sample.rs");
    fs::write(
        &file,
        "//! About loki.\nlet x = \"loki\"; // tempo\n#[cfg(test)]\nmod tests { const T: &str = \"tempo\"; }\n",
    )
    .unwrap();
    let names = vec!["loki".to_owned(), "tempo".to_owned()];
    assert_eq!(naming(std::slice::from_ref(&file), &names, &[]), [format!("{}:2: names `loki`", file.display())]);
    assert!(naming(&[file], &names, &[("sample.rs", "loki")]).is_empty());
}
