//! `-q` prints only errors, `-v` a line per file; both are global flags.

mod common;

use std::fs;

use common::{oxidy, project};

fn rendered() -> tempfile::TempDir {
    let dir = project(&[("local", "envs/minimal.yaml")]);
    assert_eq!(oxidy(dir.path(), &["render"]).code, 0);
    dir
}

#[test]
fn quiet_says_nothing_but_the_exit_code_tells() {
    let dir = project(&[("local", "envs/minimal.yaml")]);
    let render = oxidy(dir.path(), &["-q", "render"]);
    assert_eq!((render.code, render.stdout.as_str(), render.stderr.as_str()), (0, "", ""));
    assert!(dir.path().join("generated/local/bootstrap.yaml").exists(), "a quiet render still renders");
    for args in [&["check", "-q"][..], &["diff", "--quiet"]] {
        let run = oxidy(dir.path(), args);
        assert_eq!((run.code, run.stdout.as_str()), (0, ""), "{args:?}: {}", run.stderr);
    }
    let file = dir.path().join("generated/local/garage/Service-garage.yaml");
    fs::write(&file, fs::read_to_string(&file).unwrap().replace("port: 3900", "port: 3999")).unwrap();
    for args in [&["check", "-q"][..], &["diff", "-q"], &["diff", "-q", "--between", "local", "local"]] {
        let run = oxidy(dir.path(), args);
        let code = if args.contains(&"--between") { 0 } else { 1 };
        assert_eq!((run.code, run.stdout.as_str()), (code, ""), "{args:?}: {}", run.stderr);
    }
}

#[test]
fn quiet_still_prints_errors_and_what_was_asked_for() {
    let dir = rendered();
    let error = oxidy(dir.path(), &["-q", "check", "lcoal"]);
    assert_eq!(error.code, 2);
    assert!(error.stderr.contains("no environment `lcoal`"), "{}", error.stderr);
    let list = oxidy(dir.path(), &["-q", "list"]);
    assert!(list.stdout.starts_with("local: 3 apps"), "{}", list.stdout);
    let json = oxidy(dir.path(), &["-q", "check", "--format", "json"]);
    assert!(json.stdout.contains("\"up_to_date\": true"), "{}", json.stdout);
}

#[test]
fn verbose_names_every_file() {
    let dir = rendered();
    fs::remove_file(dir.path().join("generated/local/garage/ServiceAccount-garage.yaml")).unwrap();
    fs::write(dir.path().join("generated/local/garage/ConfigMap-extra.yaml"), "kind: ConfigMap\n").unwrap();
    let file = dir.path().join("generated/local/garage/Service-garage.yaml");
    fs::write(&file, fs::read_to_string(&file).unwrap().replace("port: 3900", "port: 3999")).unwrap();
    let check = oxidy(dir.path(), &["check", "-v"]);
    assert_eq!(check.code, 1, "{}", check.stderr);
    let lines: Vec<&str> = check.stdout.lines().filter(|l| l.contains(" generated/local/")).collect();
    insta::assert_snapshot!("check_verbose", lines.join("\n"));
    let render = oxidy(dir.path(), &["--verbose", "render"]);
    assert_eq!(render.code, 0, "{}", render.stderr);
    insta::assert_snapshot!("render_verbose", render.stdout);
    let again = oxidy(dir.path(), &["render", "-v"]);
    let files: Vec<&str> = again.stdout.lines().filter(|l| !l.contains(':')).collect();
    let on_disk = walkdir::WalkDir::new(dir.path().join("generated/local"))
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file())
        .count();
    assert_eq!(files.len(), on_disk, "one line per file of the tree\n{}", again.stdout);
    assert!(files.iter().all(|l| l.starts_with("unchanged generated/local/")), "{}", again.stdout);
}

#[test]
fn quiet_and_verbose_together_are_refused() {
    let dir = rendered();
    let run = oxidy(dir.path(), &["-q", "-v", "render"]);
    assert_eq!(run.code, 2);
    insta::assert_snapshot!(run.stderr);
}
