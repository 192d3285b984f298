//! `oxidy diff --between A B`: two environments compared object by object. Objects are matched
//! by kind, namespace and name, not by path, so an object that moved to another app is
//! changed, not removed and added. Files that hold no object (`build/`, extra files) are
//! matched by their path in the output root.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use schemars::JsonSchema;
use serde::Serialize;
use serde_json::Value;

use oxidy_modules::contract::yaml;

use crate::diff::{DiffMode, app_of, bars, unified};
use crate::error::Error;
use crate::pipeline::RenderedEnv;
use crate::presentation::Paint;

/// An object (or a file that holds none) of one environment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, JsonSchema)]
pub struct Item {
    /// `Kind/namespace/name`, `Kind/name` for a cluster-wide object, or `file <path>`.
    pub id: String,
    /// The app it belongs to in this environment.
    pub app: String,
}

/// An object of both environments whose YAML differs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, JsonSchema)]
pub struct Changed {
    pub id: String,
    /// Its app in environment A.
    pub app_a: String,
    /// Its app in environment B.
    pub app_b: String,
    /// Lines B has that A has not.
    pub insertions: usize,
    /// Lines A has that B has not.
    pub deletions: usize,
    /// The unified diff of its YAML from A (`a/`) to B (`b/`).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub patch: String,
}

/// How environment B differs from environment A.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, JsonSchema)]
pub struct Between {
    /// Environment A, the one compared from.
    pub a: String,
    /// Environment B, the one compared to.
    pub b: String,
    /// Objects only A has.
    pub only_in_a: Vec<Item>,
    /// Objects only B has.
    pub only_in_b: Vec<Item>,
    /// Objects both have, whose YAML differs; each `patch` is left out with `--stat` and
    /// `--name-only`.
    pub changed: Vec<Changed>,
    /// Objects and files the same in both.
    pub identical: usize,
}

/// One environment's objects by id: app and YAML text.
fn objects(env: &RenderedEnv) -> Result<BTreeMap<String, (String, String)>, Error> {
    let mut found = BTreeMap::new();
    for (path, text) in &env.layout.files {
        let app = app_of(path);
        let in_build = path.starts_with(crate::layout::BUILD_DIR);
        let is_yaml = path.extension().is_some_and(|e| e == "yaml" || e == "yml");
        let docs: Vec<Value> = if in_build || !is_yaml {
            Vec::new()
        } else {
            // The rendered text is oxidy's own output (or a verbatim file it already read):
            // text that is not YAML is compared as a file.
            serde_saphyr::from_multiple(text).unwrap_or_default()
        };
        let ids: Vec<Option<String>> = docs.iter().map(object_id).collect();
        if docs.is_empty() || ids.iter().any(Option::is_none) {
            found.insert(format!("file {}", path.display()), (app, without_header(text)));
            continue;
        }
        for (doc, id) in docs.iter().zip(ids.into_iter().flatten()) {
            let yaml = if docs.len() == 1 {
                without_header(text)
            } else {
                yaml::to_yaml(doc).map_err(|message| Error::Yaml {
                    env: env.name.clone(),
                    object: id.clone(),
                    message,
                })?
            };
            found.insert(id, (app.clone(), yaml));
        }
    }
    Ok(found)
}

/// `text` without its leading comment lines: a file header that names its environment
/// would otherwise make every object of two environments differ.
fn without_header(text: &str) -> String {
    let mut lines = text.split_inclusive('\n').peekable();
    while lines.next_if(|l| l.starts_with('#')).is_some() {}
    lines.collect()
}

/// `Kind/namespace/name` of a Kubernetes object, `Kind/name` when it has no namespace.
fn object_id(doc: &Value) -> Option<String> {
    let kind = doc.get("kind")?.as_str()?;
    let meta = doc.get("metadata")?;
    let name = meta.get("name")?.as_str()?;
    Some(match meta.get("namespace").and_then(Value::as_str) {
        Some(ns) => format!("{kind}/{ns}/{name}"),
        None => format!("{kind}/{name}"),
    })
}

/// Compares environment `a` with environment `b`.
pub fn compare(a: &RenderedEnv, b: &RenderedEnv) -> Result<Between, Error> {
    let (left, right) = (objects(a)?, objects(b)?);
    let mut out = Between {
        a: a.name.clone(),
        b: b.name.clone(),
        only_in_a: Vec::new(),
        only_in_b: Vec::new(),
        changed: Vec::new(),
        identical: 0,
    };
    for (id, (app, text)) in &left {
        match right.get(id) {
            None => out.only_in_a.push(Item { id: id.clone(), app: app.clone() }),
            Some((app_b, other)) if other != text || app_b != app => {
                let shown = id.strip_prefix("file ").unwrap_or(id);
                let (from, to) = (format!("a/{}/{shown}", a.name), format!("b/{}/{shown}", b.name));
                let (patch, insertions, deletions) = unified(text, other, &from, &to);
                out.changed.push(Changed {
                    id: id.clone(),
                    app_a: app.clone(),
                    app_b: app_b.clone(),
                    insertions,
                    deletions,
                    patch,
                });
            }
            Some(_) => out.identical += 1,
        }
    }
    for (id, (app, _)) in &right {
        if !left.contains_key(id) {
            out.only_in_b.push(Item { id: id.clone(), app: app.clone() });
        }
    }
    Ok(out)
}

impl Between {
    /// ` (app X in A)` after an object that belongs to another app in A.
    fn moved(&self, c: &Changed) -> String {
        if c.app_a == c.app_b { String::new() } else { format!(" (app {} in {})", c.app_a, self.a) }
    }

    pub fn is_empty(&self) -> bool {
        self.only_in_a.is_empty() && self.only_in_b.is_empty() && self.changed.is_empty()
    }

    /// The text `oxidy diff --between` prints: app by app (B's app where both have the
    /// object), `-` only in A, `+` only in B, `~` changed, then the totals.
    pub fn text(&self, mode: DiffMode, paint: Paint) -> String {
        #[derive(Default)]
        struct Group<'a> {
            only_a: Vec<&'a Item>,
            only_b: Vec<&'a Item>,
            changed: Vec<&'a Changed>,
        }
        let mut groups: BTreeMap<&str, Group> = BTreeMap::new();
        self.only_in_a.iter().for_each(|i| groups.entry(&i.app).or_default().only_a.push(i));
        self.only_in_b.iter().for_each(|i| groups.entry(&i.app).or_default().only_b.push(i));
        self.changed.iter().for_each(|c| groups.entry(&c.app_b).or_default().changed.push(c));
        let most = self.changed.iter().map(|c| c.insertions + c.deletions).max().unwrap_or(0);
        // Columns as `git diff --stat` aligns them, over the whole listing.
        let width = self.changed.iter().map(|c| c.id.len() + self.moved(c).len()).max().unwrap_or(0);
        let digits = most.to_string().len();
        let mut out = String::new();
        for (app, group) in &groups {
            if mode != DiffMode::NameOnly {
                let heading = format!(
                    "{app}: {} only in {}, {} only in {}, {} changed",
                    group.only_a.len(),
                    self.a,
                    group.only_b.len(),
                    self.b,
                    group.changed.len()
                );
                let _ = writeln!(out, "{}", paint.heading(&heading));
            }
            for item in &group.only_a {
                let _ = writeln!(out, "{}", paint.removed(&format!("- {}", item.id)));
            }
            for item in &group.only_b {
                let _ = writeln!(out, "{}", paint.added(&format!("+ {}", item.id)));
            }
            for c in &group.changed {
                let moved =
                    if c.app_a == c.app_b { String::new() } else { format!(" (app {} in {})", c.app_a, self.a) };
                match mode {
                    DiffMode::Patch => {
                        let _ = writeln!(out, "~ {}{moved}", c.id);
                        out.push_str(&paint.unified_diff(&c.patch));
                    }
                    DiffMode::Stat => {
                        let lines = c.insertions + c.deletions;
                        let signs = bars(c.insertions, c.deletions, most, paint);
                        let name = format!("{}{moved}", c.id);
                        let _ = writeln!(out, "~ {name:width$} | {lines:>digits$} {signs}");
                    }
                    DiffMode::NameOnly => {
                        let _ = writeln!(out, "~ {}{moved}", c.id);
                    }
                }
            }
        }
        if mode != DiffMode::NameOnly {
            let _ = writeln!(
                out,
                "{} → {}: {} only in {}, {} only in {}, {} changed, {} the same",
                self.a,
                self.b,
                self.only_in_a.len(),
                self.a,
                self.only_in_b.len(),
                self.b,
                self.changed.len(),
                self.identical
            );
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_header_comment_is_no_difference_but_a_comment_inside_is() {
        assert_eq!(without_header("# from env/a.yaml\n# do not edit\nkind: A\n# kept\n"), "kind: A\n# kept\n");
        assert_eq!(without_header("kind: A\n"), "kind: A\n");
    }
}
