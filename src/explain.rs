//! `oxidy explain ENV KEY`: the effective value of one env-file option and where it comes
//! from: the env file's line, or the tier's default as the reference states it (the rows of
//! [`crate::reference`], so the two cannot disagree); for a section, each of its options.
//!
//! A key is resolved against the reference's option paths one part at a time: a section's
//! part must name one of its options, a map's part one of the entries the file writes, a
//! list's part an item's index. Values come from the env file read as a document that keeps
//! every key's line ([`crate::apps::document`]).

use std::collections::{BTreeMap, HashMap};
use std::path::Path;

use schemars::JsonSchema;
use serde::Serialize;
use serde_json::Value;

use oxidy_modules::contract::Tier;

use crate::apps::document::Document;
use crate::error::Error;
use crate::reference::Row;
use crate::suggest;

/// One option as `explain` reports it: what it is, and its value or default in the
/// environment.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
pub struct Explained {
    /// The option's dotted path of env-file keys (`components.loki.replicas.write`; a list's
    /// items are numbered from 0).
    pub key: String,
    /// Its type as `oxidy reference` names it (`integer`, `map of string`, `Quantity`); none
    /// inside a value of free form (an override's patch, Helm values).
    #[serde(rename = "type")]
    pub kind: Option<String>,
    /// Its doc comment without the `Default:` sentence; empty when it has none.
    pub description: String,
    /// Where its value comes from.
    pub source: Source,
    /// The line of its key in the env file, when the file sets it.
    pub line: Option<u64>,
    /// The value as the env file writes it, when it does.
    pub value: Option<Value>,
    /// The tier's default, worded as in the environment reference, when the file does not
    /// set the option.
    pub default: Option<String>,
    /// The section whose default covers the option, when it has none of its own
    /// (`components.loki.resources` for `components.loki.resources.limits.cpu`).
    pub default_of: Option<String>,
    /// A section's options, a map's entries or a list's items. Every option of the section
    /// asked about; below that, only of sections the file sets.
    pub children: Vec<Explained>,
}

/// Where an option's value comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum Source {
    /// The env file sets it (`line`, `value`).
    File,
    /// The env file does not set it: the tier's default applies (`default`).
    Default,
    /// The env file does not set it, a section without a default of its own: each of its
    /// options takes its own.
    Options,
    /// Neither set nor defaulted: the option is left out.
    None,
}

/// What an option is, for resolving the parts of a key below it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Shape {
    /// Options of its own: the reference has rows below it.
    Section,
    /// Entries named by the file.
    Map,
    /// Items numbered from 0.
    List,
    /// A value of free form: whatever the file writes.
    Free,
    /// A single value.
    Scalar,
}

/// A place in the env file: the key, the reference path that describes it (`<name>` for a
/// map's entries, `[]` for a list's items), where its value is in the document, and the
/// nearest default above it.
#[derive(Debug, Clone)]
struct Place {
    key: String,
    pattern: String,
    pointer: String,
    row: Option<Row>,
    inherited: Option<(String, String)>,
}

/// The environment's options: the reference's rows and the env file's document.
pub struct Options<'a> {
    rows: HashMap<&'a str, &'a Row>,
    /// Each section's options by name, in the reference's order, by reference path ("" is the
    /// file itself).
    children: BTreeMap<&'a str, Vec<&'a str>>,
    document: &'a Document,
    tier: Tier,
    file: &'a Path,
}

impl<'a> Options<'a> {
    pub fn new(rows: &'a [Row], document: &'a Document, tier: Tier, file: &'a Path) -> Self {
        let mut children: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
        for row in rows {
            let (parent, name) = row.path.rsplit_once('.').unwrap_or(("", &row.path));
            children.entry(parent).or_default().push(name);
        }
        let rows = rows.iter().map(|r| (r.path.as_str(), r)).collect();
        Options { rows, children, document, tier, file }
    }

    /// Explains `key`: its value or default and, for a section, each of its options.
    pub fn explain(&self, key: &str) -> Result<Explained, Error> {
        let place = self.resolve(key)?;
        Ok(self.explained(&place, true))
    }

    /// The place `key` names, or an error naming the first part that is no option there.
    fn resolve(&self, key: &str) -> Result<Place, Error> {
        // Longer than any path an env file can hold; the message shows its start only.
        const MAX_KEY: usize = 256;
        if key.chars().count() > MAX_KEY {
            let start: String = key.chars().take(60).collect();
            let reason = format!("a key of {} characters is longer than any option's path", key.chars().count());
            return Err(self.unknown(&format!("{start}…"), reason, None));
        }
        // `argocd.syncWindows[0]` as the reference writes lists is `argocd.syncWindows.0`.
        let normalized = key.replace('[', ".").replace(']', "");
        let parts: Vec<&str> = normalized.split('.').collect();
        if parts.iter().any(|p| p.is_empty()) {
            return Err(self.unknown(
                key,
                "a key is a dotted path of env-file keys".into(),
                Some("such as `git.revision` or `argocd.syncWindows.0.schedule`".into()),
            ));
        }
        let mut place =
            Place { key: String::new(), pattern: String::new(), pointer: String::new(), row: None, inherited: None };
        let mut i = 0;
        while i < parts.len() {
            let shape = self.shape(&place);
            // A map's entry may itself hold dots (`commonLabels.example.com/team`): the longest
            // run of parts the file writes as one key.
            let mut taken = 1;
            if matches!(shape, Shape::Map | Shape::Free)
                && let Some(entries) = self.value(&place).and_then(Value::as_object)
            {
                taken =
                    (1..=parts.len() - i).rev().find(|n| entries.contains_key(&parts[i..i + n].join("."))).unwrap_or(1);
            }
            let part = parts[i..i + taken].join(".");
            place = self.step(&place, shape, &part).map_err(|(reason, help)| self.unknown(key, reason, help))?;
            i += taken;
        }
        Ok(place)
    }

    /// The place below `parent` that `part` names, or why there is none (and a suggestion).
    fn step(&self, parent: &Place, shape: Shape, part: &str) -> Result<Place, (String, Option<String>)> {
        let here = if parent.key.is_empty() { "an env file".to_owned() } else { format!("`{}`", parent.key) };
        let file = self.file.display();
        match shape {
            Shape::Section => {
                let names = self.children.get(parent.pattern.as_str()).cloned().unwrap_or_default();
                if names.contains(&part) {
                    return Ok(self.child(parent, part, &join(&parent.pattern, part)));
                }
                Err((format!("{here} has no option `{part}`"), self.suggestion(parent, part, &names, "its options")))
            }
            Shape::Map | Shape::Free => {
                let entries = self.value(parent).and_then(Value::as_object);
                let names: Vec<&str> = entries.into_iter().flat_map(|e| e.keys().map(String::as_str)).collect();
                if names.contains(&part) {
                    return Ok(self.child(parent, part, &format!("{}.<name>", parent.pattern)));
                }
                if let Some(items) = self.value(parent).and_then(Value::as_array) {
                    return self.item(parent, items.len(), part);
                }
                if names.is_empty() {
                    return Err((format!("{file} sets no entries under {here}"), None));
                }
                Err((
                    format!("{file} has no entry `{part}` under {here}"),
                    self.suggestion(parent, part, &names, "its entries"),
                ))
            }
            Shape::List => {
                let items = self.value(parent).and_then(Value::as_array).map_or(0, Vec::len);
                self.item(parent, items, part)
            }
            Shape::Scalar => {
                let kind = parent.row.as_ref().map_or("value".to_owned(), |r| r.kind.clone());
                Err((format!("{here} is a single value ({kind}) with no options below it"), None))
            }
        }
    }

    /// Item `part` of the list at `parent`, which has `items` items in the file.
    fn item(&self, parent: &Place, items: usize, part: &str) -> Result<Place, (String, Option<String>)> {
        let key = &parent.key;
        match part.parse::<usize>() {
            Ok(index) if index < items => Ok(self.child(parent, part, &format!("{}[]", parent.pattern))),
            Ok(_) => {
                let help = match items {
                    0 => None,
                    1 => Some(format!("its only item is `{key}.0`")),
                    n => Some(format!("its items are `{key}.0` to `{key}.{}`", n - 1)),
                };
                Err((
                    format!("`{key}` has {} in {}", crate::run::count(items, "item", "items"), self.file.display()),
                    help,
                ))
            }
            Err(_) => Err((
                format!("`{key}` is a list: its items are named by their index"),
                Some(format!("such as `{key}.0`")),
            )),
        }
    }

    /// The place `name` below `parent`, described by the reference row at `pattern` or, for
    /// a map's entry or a list's item without one, by its container's.
    fn child(&self, parent: &Place, name: &str, pattern: &str) -> Place {
        let row = match self.rows.get(pattern) {
            Some(row) => Some((*row).clone()),
            // A map's entry or a list's item: described by its container. Inside a value of
            // free form there are no rows.
            None => parent.row.as_ref().and_then(|r| {
                let kind = r.kind.strip_prefix("map of ").or_else(|| r.kind.strip_prefix("list of "))?;
                let defaults = ["not set".to_owned(), "not set".to_owned(), "not set".to_owned()];
                Some(Row { kind: kind.to_owned(), defaults, example: String::new(), ..r.clone() })
            }),
        };
        // A map's entries and a list's items exist only where the file writes them: the
        // container's default (for when it is left out) says nothing of their options.
        let entry = pattern.ends_with("<name>") || pattern.ends_with("[]");
        let inherited = match parent.row.as_ref().map(|r| r.default_in(self.tier)) {
            _ if entry => None,
            Some(default) if is_default(default) => Some((parent.key.clone(), default.to_owned())),
            _ => parent.inherited.clone(),
        };
        Place {
            key: join(&parent.key, name),
            pattern: pattern.to_owned(),
            pointer: format!("{}/{}", parent.pointer, name.replace('~', "~0").replace('/', "~1")),
            row,
            inherited,
        }
    }

    fn shape(&self, place: &Place) -> Shape {
        if self.children.contains_key(place.pattern.as_str()) {
            return Shape::Section;
        }
        match &place.row {
            Some(row) if row.kind.starts_with("map of") => Shape::Map,
            Some(row) if row.kind.starts_with("list of") => Shape::List,
            Some(row) if row.kind == "object" || row.kind == "any" => Shape::Free,
            Some(_) => Shape::Scalar,
            None => match self.value(place) {
                Some(Value::Object(_)) => Shape::Free,
                Some(Value::Array(_)) => Shape::List,
                _ => Shape::Scalar,
            },
        }
    }

    /// The value the env file writes at `place`, if it does.
    fn value(&self, place: &Place) -> Option<&'a Value> {
        self.document.value.pointer(&place.pointer)
    }

    /// "did you mean" for `part`, or the names there are when none is close.
    fn suggestion(&self, parent: &Place, part: &str, names: &[&str], what: &str) -> Option<String> {
        if let Some(close) = suggest::closest(part, names.iter().copied()) {
            return Some(format!("did you mean `{}`?", join(&parent.key, close)));
        }
        if names.is_empty() {
            return None;
        }
        const SHOWN: usize = 30;
        let mut list = names.iter().take(SHOWN).map(|n| format!("`{n}`")).collect::<Vec<_>>().join(", ");
        if names.len() > SHOWN {
            list.push_str(", ...");
        }
        let what = if parent.key.is_empty() { "the options of an env file" } else { what };
        Some(format!("{what}: {list}"))
    }

    fn unknown(&self, key: &str, reason: String, help: Option<String>) -> Error {
        Error::UnknownOption { file: self.file.to_owned(), key: key.to_owned(), reason, help }
    }

    /// What `explain` says of `place`; its children too when it is set, or when `expand`.
    fn explained(&self, place: &Place, expand: bool) -> Explained {
        let row = place.row.as_ref();
        let value = self.value(place);
        let (source, default, default_of) = match (value, row.map(|r| r.default_in(self.tier))) {
            (Some(_), _) => (Source::File, None, None),
            (None, Some(default)) if is_default(default) => (Source::Default, Some(default.to_owned()), None),
            (None, _) => match &place.inherited {
                Some((section, default)) => (Source::Default, Some(default.clone()), Some(section.clone())),
                None if self.shape(place) == Shape::Section => (Source::Options, None, None),
                None => (Source::None, None, None),
            },
        };
        let shape = self.shape(place);
        let leaf = shape == Shape::Scalar || value.is_some_and(is_flat) && shape != Shape::Section;
        let children = if leaf || !(value.is_some() || expand) {
            Vec::new()
        } else {
            self.children_of(place, shape).iter().map(|child| self.explained(child, false)).collect()
        };
        Explained {
            key: place.key.clone(),
            kind: row.map(|r| r.kind.clone()),
            description: row.map(|r| r.description.clone()).unwrap_or_default(),
            source,
            line: value.map(|_| self.document.line_of(&place.pointer)),
            value: value.cloned(),
            default,
            default_of,
            children,
        }
    }

    /// A section's options, or the entries or items the file writes.
    fn children_of(&self, place: &Place, shape: Shape) -> Vec<Place> {
        if shape == Shape::Section {
            let names = self.children.get(place.pattern.as_str()).cloned().unwrap_or_default();
            return names.iter().map(|n| self.child(place, n, &join(&place.pattern, n))).collect();
        }
        match self.value(place) {
            Some(Value::Object(entries)) => {
                entries.keys().map(|k| self.child(place, k, &format!("{}.<name>", place.pattern))).collect()
            }
            Some(Value::Array(items)) => {
                (0..items.len()).map(|i| self.child(place, &i.to_string(), &format!("{}[]", place.pattern))).collect()
            }
            _ => Vec::new(),
        }
    }
}

/// Whether a reference default names a value ("required" and "not set" do not).
fn is_default(default: &str) -> bool {
    !matches!(default, "required" | "not set")
}

/// A value shown on one line: a scalar, or a list or map of scalars.
fn is_flat(value: &Value) -> bool {
    let scalar = |v: &Value| !v.is_object() && !v.is_array();
    match value {
        Value::Object(map) => map.values().all(scalar),
        Value::Array(items) => items.iter().all(scalar),
        _ => true,
    }
}

fn join(prefix: &str, name: &str) -> String {
    if prefix.is_empty() { name.to_owned() } else { format!("{prefix}.{name}") }
}
/// An `overrides:` entry that changes an object of the component a key belongs to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, JsonSchema)]
pub struct OverrideUse {
    /// The line of the entry's `target` in the env file.
    pub line: Option<u64>,
    pub kind: String,
    pub name: String,
    pub namespace: Option<String>,
    /// The app (folder) of the object.
    pub app: String,
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn entries_of_scalars_are_flat_and_nested_ones_are_not() {
        assert!(is_flat(&json!({"a": 1})) && is_flat(&json!([1, 2])) && is_flat(&json!("x")));
        assert!(!is_flat(&json!([{"a": 1}])) && !is_flat(&json!({"a": [1]})));
    }
}
