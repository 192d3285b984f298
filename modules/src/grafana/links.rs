//! Links between dashboards (`/d/<uid>` URLs in dashboard links, panel links and data links).
//! A link to a dashboard the environment leaves out is removed, so that none dangles; a link
//! to a uid no dashboard has is a lint error.

use std::collections::BTreeSet;

use serde_json::Value;

use crate::contract::Dashboard;

/// The uid a link URL opens, when it opens a dashboard of this Grafana (`/d/<uid>...`) by a
/// fixed uid.
pub(crate) fn target(url: &str) -> Option<&str> {
    let rest = url.strip_prefix("/d/")?;
    let uid = rest.split(['/', '?', '#']).next()?;
    (!uid.is_empty() && !uid.contains('$')).then_some(uid)
}

/// Removes every link to one of the `dropped` uids from `json`.
pub(crate) fn prune(json: &mut Value, dropped: &BTreeSet<&str>) {
    for (_, pointer) in link_lists(json) {
        if let Some(links) = json.pointer_mut(&pointer).and_then(Value::as_array_mut) {
            links.retain(|l| l["url"].as_str().and_then(target).is_none_or(|uid| !dropped.contains(uid)));
        }
    }
}

/// One message per link whose target is not among the `shipped` dashboards.
pub(crate) fn check(shipped: &[&Dashboard]) -> Vec<String> {
    let uids: BTreeSet<&str> = shipped.iter().filter_map(|d| d.json()["uid"].as_str()).collect();
    let mut problems = Vec::new();
    for d in shipped {
        for (place, pointer) in link_lists(d.json()) {
            for link in d.json().pointer(&pointer).and_then(Value::as_array).into_iter().flatten() {
                let Some(uid) = link["url"].as_str().and_then(target) else { continue };
                if !uids.contains(uid) {
                    let title = link["title"].as_str().unwrap_or("(untitled)");
                    problems.push(format!(
                        "{}: {place}: link \"{title}\" opens dashboard uid `{uid}`, which no dashboard has",
                        d.file
                    ));
                }
            }
        }
    }
    problems
}

/// Every list of links in a dashboard: where it is, for messages, and its JSON pointer. Read
/// without copying the dashboard; [`prune`] changes the lists through the pointers.
fn link_lists(json: &Value) -> Vec<(String, String)> {
    let mut lists = Vec::new();
    if json.get("links").is_some_and(Value::is_array) {
        lists.push(("dashboard links".to_owned(), "/links".to_owned()));
    }
    for (i, panel) in json.get("panels").and_then(Value::as_array).into_iter().flatten().enumerate() {
        let at = format!("/panels/{i}");
        panel_links(panel, &at, &mut lists);
        for (j, nested) in panel.get("panels").and_then(Value::as_array).into_iter().flatten().enumerate() {
            panel_links(nested, &format!("{at}/panels/{j}"), &mut lists);
        }
    }
    lists
}

/// A panel's own links, its data links, and the data links of its field overrides; `at` is
/// the panel's JSON pointer.
fn panel_links(panel: &Value, at: &str, lists: &mut Vec<(String, String)>) {
    let place = format!(
        "panel \"{}\" (id {})",
        panel["title"].as_str().unwrap_or("(untitled)"),
        panel["id"].as_u64().map_or_else(|| "?".into(), |id| id.to_string())
    );
    let mut found = |pointer: String| lists.push((place.clone(), pointer));
    if panel.get("links").is_some_and(Value::is_array) {
        found(format!("{at}/links"));
    }
    let Some(config) = panel.get("fieldConfig") else { return };
    if config.pointer("/defaults/links").is_some_and(Value::is_array) {
        found(format!("{at}/fieldConfig/defaults/links"));
    }
    for (o, r#override) in config.get("overrides").and_then(Value::as_array).into_iter().flatten().enumerate() {
        for (p, property) in r#override.get("properties").and_then(Value::as_array).into_iter().flatten().enumerate() {
            if property["id"] == "links" && property.get("value").is_some_and(Value::is_array) {
                found(format!("{at}/fieldConfig/overrides/{o}/properties/{p}/value"));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn targets_are_fixed_uids_of_this_grafana() {
        assert_eq!(target("/d/oxidy-k8s-pod?var-pod=a"), Some("oxidy-k8s-pod"));
        assert_eq!(target("/d/abc/slug"), Some("abc"));
        assert_eq!(target("https://example.com/d/abc"), None);
        assert_eq!(target("/d/${uid}"), None);
    }
}
