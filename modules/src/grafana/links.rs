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
    each_link_list(json, &mut |_, links| {
        links.retain(|l| l["url"].as_str().and_then(target).is_none_or(|uid| !dropped.contains(uid)));
    });
}

/// One message per link whose target is not among the `shipped` dashboards.
pub(crate) fn check(shipped: &[Dashboard]) -> Vec<String> {
    let uids: BTreeSet<&str> = shipped.iter().filter_map(|d| d.json["uid"].as_str()).collect();
    let mut problems = Vec::new();
    for d in shipped {
        let mut json = d.json.clone();
        each_link_list(&mut json, &mut |place, links| {
            for link in links.iter() {
                let Some(uid) = link["url"].as_str().and_then(target) else { continue };
                if !uids.contains(uid) {
                    let title = link["title"].as_str().unwrap_or("(untitled)");
                    problems.push(format!(
                        "{}: {place}: link \"{title}\" opens dashboard uid `{uid}`, which no dashboard has",
                        d.file
                    ));
                }
            }
        });
    }
    problems
}

/// Calls `f` with every list of links in a dashboard and where it is, for messages.
fn each_link_list(json: &mut Value, f: &mut dyn FnMut(&str, &mut Vec<Value>)) {
    // `get_mut`, not indexing: indexing a missing key would add it as null.
    if let Some(links) = json.get_mut("links").and_then(Value::as_array_mut) {
        f("dashboard links", links);
    }
    for panel in json.get_mut("panels").and_then(Value::as_array_mut).into_iter().flatten() {
        panel_links(panel, f);
        for nested in panel.get_mut("panels").and_then(Value::as_array_mut).into_iter().flatten() {
            panel_links(nested, f);
        }
    }
}

/// A panel's own links, its data links, and the data links of its field overrides.
fn panel_links(panel: &mut Value, f: &mut dyn FnMut(&str, &mut Vec<Value>)) {
    let place = format!(
        "panel \"{}\" (id {})",
        panel["title"].as_str().unwrap_or("(untitled)"),
        panel["id"].as_u64().map_or_else(|| "?".into(), |id| id.to_string())
    );
    if let Some(links) = panel.get_mut("links").and_then(Value::as_array_mut) {
        f(&place, links);
    }
    let Some(config) = panel.get_mut("fieldConfig") else { return };
    if let Some(links) = config.pointer_mut("/defaults/links").and_then(Value::as_array_mut) {
        f(&place, links);
    }
    for o in config.get_mut("overrides").and_then(Value::as_array_mut).into_iter().flatten() {
        for property in o.get_mut("properties").and_then(Value::as_array_mut).into_iter().flatten() {
            if property["id"] == "links"
                && let Some(links) = property.get_mut("value").and_then(Value::as_array_mut)
            {
                f(&place, links);
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
