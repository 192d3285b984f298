//! One runbook page per alert name, generated from the alert definitions (meaning from the
//! alert's own texts, impact, diagnosis and fix from its runbook), kept in `docs/runbooks/`.

use std::collections::BTreeMap;

use super::fixtures::all_sets;
use crate::contract::ModuleError;
use crate::contract::alerts::{AlertRule, RuleSet};

/// A template placeholder as a reader sees it: `{{ $labels.pod }}` → `<pod>`.
fn readable(text: &str) -> String {
    let mut out = String::new();
    let mut rest = text;
    while let Some(start) = rest.find("{{") {
        out.push_str(&rest[..start]);
        let Some(len) = rest[start..].find("}}") else { break };
        let inner = rest[start + 2..start + len].trim();
        let name = inner.strip_prefix("$labels.").unwrap_or(if inner.starts_with("$value") { "value" } else { inner });
        out.push_str(&format!("<{name}>"));
        rest = &rest[start + len + 2..];
    }
    out.push_str(rest);
    out
}

fn page(name: &str, variants: &[(&str, &AlertRule)]) -> String {
    let first = variants[0].1;
    let mut md = format!("# {name}\n\n");
    md.push_str("| severity | fires after | group |\n| --- | --- | --- |\n");
    for (group, a) in variants {
        md.push_str(&format!("| {} | {} | `{group}` |\n", a.severity.as_str(), a.for_));
    }
    md.push_str("\n## Meaning\n\n");
    for (_, a) in variants {
        md.push_str(&format!(
            "- **{}** ({}): {}\n",
            readable(&a.summary),
            a.severity.as_str(),
            readable(&a.description)
        ));
    }
    md.push_str("\n```promql\n");
    for (_, a) in variants {
        md.push_str(&format!("{}\n", a.expr));
    }
    md.push_str("```\n");
    for (title, text) in
        [("Impact", first.runbook.impact), ("Diagnosis", first.runbook.diagnosis), ("Fix", first.runbook.fix)]
    {
        md.push_str(&format!("\n## {title}\n\n{text}\n"));
    }
    md
}

/// `(alert name, markdown)` for every alert name the platform can render; `platform` are the
/// groups the components hand over.
pub fn runbook_pages(platform: &[RuleSet]) -> Result<Vec<(String, String)>, ModuleError> {
    let sets = all_sets(platform);
    let mut by_name: BTreeMap<&str, Vec<(&str, &AlertRule)>> = BTreeMap::new();
    for set in &sets {
        for a in &set.alerts {
            if a.runbook.impact.is_empty() || a.runbook.diagnosis.is_empty() || a.runbook.fix.is_empty() {
                return Err(ModuleError::Rule {
                    group: set.name.into(),
                    rule: a.name.into(),
                    problem: "has no runbook text".into(),
                });
            }
            by_name.entry(a.name).or_default().push((set.name, a));
        }
    }
    Ok(by_name.iter().map(|(name, variants)| ((*name).to_owned(), page(name, variants))).collect())
}
