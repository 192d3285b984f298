//! The documents oxidy generates from its own definitions are committed and current: the
//! environment reference (docs/environment.md) covers every option of env/schema.json, the man
//! pages (docs/man/) every command, and the shell completions offer every command.
//! `.ci/docs` regenerates them.

mod common;

use std::collections::BTreeSet;
use std::fs;
use std::path::Path;

use serde_json::Value;

fn repo() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn oxidy(args: &[&str]) -> common::Run {
    common::oxidy(repo(), args)
}

/// The commands `oxidy --help` lists, but `help`.
fn commands() -> Vec<String> {
    let help = oxidy(&["--help"]).stdout;
    let listed = help.split("Commands:\n").nth(1).expect("a Commands: section").split("\n\n").next().unwrap();
    let names: Vec<String> = listed
        .lines()
        .filter_map(|l| l.split_whitespace().next())
        .filter(|n| *n != "help")
        .map(str::to_owned)
        .collect();
    assert!(names.len() >= 5, "{help}");
    names
}

#[test]
fn the_environment_reference_is_current() {
    let run = oxidy(&["reference"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let committed = fs::read_to_string(repo().join("docs/environment.md")).unwrap_or_default();
    assert!(
        committed == run.stdout,
        "docs/environment.md is stale: run .ci/docs (or `oxidy reference > docs/environment.md`)"
    );
}

/// Every property name below `node`, in every definition too.
fn option_names(node: &Value, into: &mut BTreeSet<String>) {
    match node {
        Value::Object(map) => {
            if let Some(Value::Object(properties)) = map.get("properties") {
                into.extend(properties.keys().cloned());
            }
            map.values().for_each(|v| option_names(v, into));
        }
        Value::Array(items) => items.iter().for_each(|v| option_names(v, into)),
        _ => {}
    }
}

#[test]
fn the_reference_has_a_row_for_every_option_of_the_schema() {
    let schema: Value = serde_json::from_str(&fs::read_to_string(repo().join("env/schema.json")).unwrap()).unwrap();
    let mut names = BTreeSet::new();
    option_names(&schema, &mut names);
    let reference = oxidy(&["reference"]).stdout;
    let rows: Vec<&str> = reference.lines().filter(|l| l.starts_with("| `")).collect();
    let paths: BTreeSet<&str> =
        rows.iter().filter_map(|r| r.split('`').nth(1)).map(|p| p.rsplit(['.', ']']).next().unwrap()).collect();
    let missing: Vec<&String> = names.iter().filter(|n| !paths.contains(n.as_str())).collect();
    assert!(missing.is_empty(), "options without a row: {missing:?}");
    assert!(rows.len() >= names.len(), "{} rows for {} option names", rows.len(), names.len());
}

#[test]
fn the_reference_gives_each_tiers_default_and_an_example() {
    let reference = oxidy(&["reference"]).stdout;
    let row = |path: &str| {
        reference
            .lines()
            .find(|l| l.starts_with(&format!("| `{path}` |")))
            .unwrap_or_else(|| panic!("no row for {path}"))
            .split(" | ")
            .map(str::to_owned)
            .collect::<Vec<_>>()
    };
    // Option | Type | local | staging | production | Example | Description
    let replicas = row("components.garage.replicas");
    assert_eq!(replicas[1..6], ["integer", "1", "1", "3", "`replicas: 3`"]);
    assert!(replicas[6].starts_with("Number of Garage nodes."), "{replicas:?}");
    let mode = row("components.loki.mode");
    assert_eq!(
        mode[1..6],
        [
            "`singleBinary` or `simpleScalable`",
            "singleBinary",
            "simpleScalable",
            "simpleScalable",
            "`mode: simpleScalable`"
        ]
    );
    let dev = row("components.garage.credentials.devDefaults");
    assert_eq!(dev[2..5], ["true", "false", "false"]);
    let tier = row("tier");
    assert_eq!(tier[1..5], ["`local` or `staging` or `production`", "required", "required", "required"]);
}

#[test]
fn the_man_pages_are_current_one_per_command() {
    let mut expected = vec!["oxidy.1".to_owned()];
    expected.extend(commands().iter().map(|c| format!("oxidy-{c}.1")));
    expected.sort();
    let mut committed: Vec<String> = fs::read_dir(repo().join("docs/man"))
        .map(|d| d.map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect())
        .unwrap_or_default();
    committed.sort();
    assert_eq!(committed, expected, "docs/man/ does not hold one page per command: run .ci/docs");
    let main = oxidy(&["man"]);
    assert_eq!(main.code, 0, "{}", main.stderr);
    assert!(
        fs::read_to_string(repo().join("docs/man/oxidy.1")).unwrap() == main.stdout,
        "docs/man/oxidy.1 is stale: run .ci/docs"
    );
    for command in commands() {
        let page = oxidy(&["man", &command]);
        assert_eq!(page.code, 0, "{}", page.stderr);
        assert!(page.stdout.contains(&format!(".TH oxidy-{command} 1")), "{command}");
        assert!(
            main.stdout.contains(&format!("oxidy\\-{}(1)", command.replace('-', "\\-"))),
            "oxidy(1) lists {command}"
        );
        let file = repo().join(format!("docs/man/oxidy-{command}.1"));
        assert!(fs::read_to_string(&file).unwrap() == page.stdout, "{} is stale: run .ci/docs", file.display());
    }
    let render = oxidy(&["man", "render"]).stdout;
    for option in ["prune\\-orphans", "\\-\\-wait", "\\-\\-root"] {
        assert!(render.contains(option), "oxidy-render(1) lacks {option}");
    }
}

#[test]
fn a_man_page_of_no_command_suggests_the_nearest() {
    let run = oxidy(&["man", "rendr"]);
    assert_eq!(run.code, 2);
    assert_eq!(run.stdout, "");
    insta::assert_snapshot!(run.stderr);
}

#[test]
fn completions_offer_every_command_in_every_shell() {
    for shell in ["bash", "zsh", "fish", "elvish", "powershell"] {
        let run = oxidy(&["completions", shell]);
        assert_eq!(run.code, 0, "{shell}: {}", run.stderr);
        for command in commands() {
            assert!(run.stdout.contains(&command), "{shell} completions lack {command}");
        }
        assert!(run.stdout.contains("prune-orphans"), "{shell} completions lack render's flags");
    }
    let bash = oxidy(&["completions", "bash"]).stdout;
    assert!(bash.contains("complete -F _oxidy"), "{bash}");
    let wrong = oxidy(&["completions", "tcsh"]);
    assert_eq!(wrong.code, 2);
    assert!(wrong.stderr.contains("possible values: bash, elvish, fish, powershell, zsh"), "{}", wrong.stderr);
}
