//! Carries out `oxidy explain`: the environment read as every command reads it, the key
//! explained ([`crate::explain`]), the overrides that change a component's objects, and the
//! answer as text (or the report as JSON, in `run.rs`).

use std::path::Path;
use std::sync::Arc;

use serde_json::Value;

use oxidy_modules::contract::{Stack, Tier};

use crate::apps::document::Document;
use crate::error::{Diagnostic, Error};
use crate::explain::{Explained, Options, OverrideUse, Source};
use crate::pipeline::{self, LoadedEnv};
use crate::project::Project;
use crate::report::{self, ExplainReport};

/// The env file of a loaded environment as a document with the line of every key.
fn document(file: &Path, text: &str) -> Result<Document, Error> {
    let invalid = |message: String| {
        let help = None;
        Error::Invalid(vec![Diagnostic {
            file: file.to_owned(),
            pos: None,
            key: None,
            message,
            help,
            source_line: None,
        }])
    };
    let mut documents = crate::apps::document::parse(text).map_err(|e| invalid(e.to_string()))?;
    if documents.len() != 1 {
        return Err(invalid("an environment file is one YAML document".into()));
    }
    Ok(documents.remove(0))
}

/// `oxidy explain ENV KEY`: the environment read and checked as every command reads it, the
/// option explained, and for a component's key the overrides that change its objects.
pub fn explain<S: Stack>(project: &Project, env: &str, key: &str) -> Result<ExplainReport, Error> {
    let loaded = pipeline::load::<S>(project, env)?;
    let document = document(&loaded.file, &loaded.text)?;
    let rows = crate::reference::options::<S>();
    let tier = loaded.spec.tier;
    let option = Options::new(&rows, &document, tier, &loaded.file).explain(key)?;
    let overrides = match component_of(&option.key) {
        Some(component) if !loaded.spec.overrides.is_empty() => overrides_of::<S>(project, &loaded, component)?,
        _ => Vec::new(),
    };
    Ok(ExplainReport {
        version: report::VERSION,
        env: loaded.name.clone(),
        file: loaded.file.display().to_string(),
        tier,
        option,
        overrides,
    })
}

/// The `overrides:` entries whose target is an object of one of `component`'s apps, found by
/// rendering the platform's apps as a render does before it applies them.
fn overrides_of<S: Stack>(project: &Project, env: &LoadedEnv<S>, component: &str) -> Result<Vec<OverrideUse>, Error> {
    let dashboards = Arc::new(crate::dashboards::compile(project)?);
    let rule_files = Arc::new(crate::rule_files::read(project)?);
    let apps = pipeline::platform_apps_of(env, &dashboards, &rule_files)?;
    let mut found = Vec::new();
    for o in &env.spec.overrides {
        let target = &o.target.value;
        let hit = apps
            .iter()
            .filter(|app| app.module == component)
            .find_map(|app| app.objects.iter().find(|obj| target.selects(app, obj)).map(|obj| (app, obj)));
        if let Some((app, object)) = hit {
            found.push(OverrideUse {
                line: o.target.pos.map(|p| p.line),
                kind: object.kind().to_owned(),
                name: object.name().to_owned(),
                namespace: object.namespace().map(str::to_owned),
                app: app.name.clone(),
            });
        }
    }
    Ok(found)
}

/// The component a key belongs to: `loki` for `components.loki.replicas`.
pub fn component_of(key: &str) -> Option<&str> {
    key.strip_prefix("components.").map(|rest| rest.split(['.', '[']).next().unwrap_or(rest))
}
/// The whole answer, as text: the option, its type and description, where its value comes
/// from, its options one a line, and the overrides that change what it renders.
pub fn text(env_file: &Path, tier: Tier, option: &Explained, overrides: &[OverrideUse]) -> String {
    let file = env_file.display();
    let mut out = String::new();
    match &option.kind {
        Some(kind) => out.push_str(&format!("{} ({kind})\n", option.key)),
        None => out.push_str(&format!("{}\n", option.key)),
    }
    if !option.description.is_empty() {
        out.push_str(&format!("  {}\n", option.description));
    }
    let sentence = match option.source {
        Source::File => {
            let at = format!("set in {file}:{}", option.line.unwrap_or(0));
            match (&option.value, option.children.is_empty()) {
                (Some(value), true) => format!("{at}: {}", flow(value)),
                _ => format!("{at}:"),
            }
        }
        Source::Default => {
            let whose = option.default_of.as_ref().map(|s| format!(" of `{s}`")).unwrap_or_default();
            let default = option.default.as_deref().unwrap_or_default();
            format!("not set in {file}; the {} default{whose} applies: {default}", tier.as_str())
        }
        Source::Options => format!("not set in {file}; each of its options takes its {} default:", tier.as_str()),
        Source::None => format!("not set in {file}, and it has no default"),
    };
    out.push_str(&format!("  {sentence}\n"));
    let mut lines = Vec::new();
    for child in &option.children {
        child_lines(child, &option.key, 2, tier, &mut lines);
    }
    let width = lines.iter().map(|(name, _)| name.chars().count()).max().unwrap_or(0).min(40);
    for (name, what) in lines {
        out.push_str(&format!("  {name:width$}  {what}\n"));
    }
    if let (Some(component), false) = (component_of(&option.key), overrides.is_empty()) {
        out.push_str(&format!(
            "  `overrides:` of {file} change objects of {component} after its options have rendered:\n"
        ));
        for o in overrides {
            let namespace = o.namespace.as_ref().map(|ns| format!("{ns}/")).unwrap_or_default();
            out.push_str(&format!(
                "    {file}:{}: {} {namespace}{} (app {})\n",
                o.line.unwrap_or(0),
                o.kind,
                o.name,
                o.app
            ));
        }
    }
    out
}

/// One line per option below a section: its name indented by depth, and where its value
/// comes from.
fn child_lines(option: &Explained, parent: &str, indent: usize, tier: Tier, lines: &mut Vec<(String, String)>) {
    let name = option.key.strip_prefix(parent).map_or(option.key.as_str(), |n| n.trim_start_matches('.'));
    let what = match option.source {
        Source::File => {
            let at = format!("line {}", option.line.unwrap_or(0));
            match (&option.value, option.children.is_empty()) {
                (Some(value), true) => format!("{at}: {}", flow(value)),
                _ => at,
            }
        }
        Source::Default => {
            let whose = option.default_of.as_ref().map(|s| format!(" of `{s}`")).unwrap_or_default();
            format!("{} default{whose}: {}", tier.as_str(), option.default.as_deref().unwrap_or_default())
        }
        Source::Options => format!("not set: its options' {} defaults", tier.as_str()),
        Source::None => "not set".to_owned(),
    };
    lines.push((format!("{}{name}", " ".repeat(indent - 2)), what));
    for child in &option.children {
        child_lines(child, &option.key, indent + 2, tier, lines);
    }
}

/// A value on one line, as YAML's flow style writes it, cut at 100 characters.
pub fn flow(value: &Value) -> String {
    let text = match value {
        Value::Null => "null".to_owned(),
        Value::String(s) => {
            let plain = crate::reference::quoted(s);
            if plain.starts_with('"') { serde_json::to_string(s).unwrap_or_default() } else { plain }
        }
        Value::Array(items) => format!("[{}]", items.iter().map(flow).collect::<Vec<_>>().join(", ")),
        Value::Object(map) => format!(
            "{{{}}}",
            map.iter()
                .map(|(k, v)| format!("{}: {}", flow(&Value::String(k.clone())), flow(v)))
                .collect::<Vec<_>>()
                .join(", ")
        ),
        other => other.to_string(),
    };
    const MAX: usize = 100;
    match text.char_indices().nth(MAX) {
        Some((end, _)) => format!("{}…", &text[..end]),
        None => text,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn values_are_shown_on_one_line_as_yaml_writes_them() {
        assert_eq!(flow(&json!("main")), "main");
        assert_eq!(flow(&json!("62h")), "\"62h\"");
        assert_eq!(flow(&json!("two\nlines")), "\"two\\nlines\"");
        assert_eq!(flow(&json!(["a", 1, true, null])), "[a, 1, true, null]");
        assert_eq!(flow(&json!({"example.com/team": "x"})), "{example.com/team: x}");
        assert_eq!(flow(&json!("y".repeat(300))).chars().count(), 101);
    }

    #[test]
    fn a_components_key_names_its_component() {
        assert_eq!(component_of("components.garage.replicas"), Some("garage"));
        assert_eq!(component_of("components.garage"), Some("garage"));
        assert_eq!(component_of("git.revision"), None);
    }
}
