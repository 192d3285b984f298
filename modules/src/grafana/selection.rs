//! Which dashboards an environment ships: all of them, only those `dashboards.include` names,
//! or all but those `dashboards.exclude` names. A name is a file name in `dashboards/` without
//! its extension; one that names no dashboard is an error with a suggestion. Links to a
//! dashboard left out are removed from the others, so that none dangles.

use std::borrow::Cow;
use std::collections::BTreeSet;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::contract::{At, Dashboard, ModuleError};

use super::links;

/// Which of the project's dashboards Grafana provisions in this environment.
#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct DashboardSelection {
    /// Ship only these dashboards, by file name without extension (`k8s-cluster` for
    /// `dashboards/k8s-cluster.jsonnet`). Default: every dashboard.
    pub include: Option<Vec<At<String>>>,
    /// Ship every dashboard except these, by file name without extension. Default: none.
    pub exclude: Option<Vec<At<String>>>,
}

const KEY: &str = "components.grafana.dashboards";

impl DashboardSelection {
    /// The dashboards to ship, in file name order, with links to the others removed.
    pub(crate) fn select<'a>(&self, all: &'a [Dashboard]) -> Result<Vec<Cow<'a, Dashboard>>, ModuleError> {
        if let (Some(_), Some(exclude)) = (&self.include, &self.exclude) {
            return Err(ModuleError::Option {
                key: format!("{KEY}.exclude"),
                pos: exclude.first().and_then(|e| e.pos),
                message: "`include` already names every dashboard that ships".into(),
                help: Some("keep either include (the only dashboards) or exclude (all but these)".into()),
            });
        }
        let names: Vec<&str> = all.iter().map(|d| d.name.as_str()).collect();
        let named = |list: &[At<String>], field: &str| -> Result<BTreeSet<String>, ModuleError> {
            list.iter().map(|n| known(n, field, &names).map(|()| n.value.clone())).collect()
        };
        let keep: Box<dyn Fn(&str) -> bool> = match (&self.include, &self.exclude) {
            (Some(include), _) => {
                let include = named(include, "include")?;
                Box::new(move |name| include.contains(name))
            }
            (None, Some(exclude)) => {
                let exclude = named(exclude, "exclude")?;
                Box::new(move |name| !exclude.contains(name))
            }
            (None, None) => Box::new(|_| true),
        };
        let dropped: BTreeSet<&str> =
            all.iter().filter(|d| !keep(&d.name)).filter_map(|d| d.json()["uid"].as_str()).collect();
        Ok(all
            .iter()
            .filter(|d| keep(&d.name))
            .map(|d| {
                // Shipping them all changes nothing: every environment shares the compiled copy.
                if dropped.is_empty() {
                    return Cow::Borrowed(d);
                }
                let mut json = d.json().clone();
                links::prune(&mut json, &dropped);
                Cow::Owned(Dashboard::new(d.file.clone(), d.name.clone(), json))
            })
            .collect())
    }
}

/// `name` must be one of the dashboards' `names`.
fn known(name: &At<String>, field: &str, names: &[&str]) -> Result<(), ModuleError> {
    if names.contains(&name.value.as_str()) {
        return Ok(());
    }
    let help = match closest(&name.value, names) {
        Some(near) => format!("did you mean `{near}`?"),
        None if names.is_empty() => "the project has no dashboards in dashboards/".into(),
        None => format!("the dashboards are: {}", names.join(", ")),
    };
    Err(ModuleError::Option {
        key: format!("{KEY}.{field}"),
        pos: name.pos,
        message: format!(
            "no dashboard is named `{}` (a name is a file in dashboards/ without its extension)",
            name.value
        ),
        help: Some(help),
    })
}

/// The name nearest to `wrong`: one it abbreviates, or one a typo away.
fn closest<'a>(wrong: &str, names: &[&'a str]) -> Option<&'a str> {
    if wrong.len() >= 3
        && let Some(n) = names.iter().find(|n| n.starts_with(wrong) || n.ends_with(wrong))
    {
        return Some(n);
    }
    names
        .iter()
        .map(|n| (strsim::damerau_levenshtein(wrong, n), *n))
        .filter(|(d, n)| *d <= (n.len().max(wrong.len()) / 3).max(1))
        .min_by_key(|(d, _)| *d)
        .map(|(_, n)| n)
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn dashboard(name: &str, links_to: &[&str]) -> Dashboard {
        let links: Vec<_> =
            links_to.iter().map(|uid| json!({ "title": uid, "url": format!("/d/{uid}?x=1") })).collect();
        Dashboard::new(
            format!("dashboards/{name}.jsonnet"),
            name,
            json!({ "uid": name, "panels": [{ "id": 1, "title": "t", "fieldConfig": { "defaults": { "links": links } } }] }),
        )
    }

    fn names<'a>(selected: &'a [Cow<Dashboard>]) -> Vec<&'a str> {
        selected.iter().map(|d| d.name.as_str()).collect()
    }

    fn at(names: &[&str]) -> Option<Vec<At<String>>> {
        Some(names.iter().map(|n| At::default_value(n.to_string())).collect())
    }

    #[test]
    fn everything_ships_by_default() {
        let all = [dashboard("a", &["b"]), dashboard("b", &[])];
        let selected = DashboardSelection::default().select(&all).unwrap();
        assert_eq!(selected.iter().map(AsRef::as_ref).collect::<Vec<&Dashboard>>(), all.iter().collect::<Vec<_>>());
    }

    #[test]
    fn include_and_exclude_choose_and_links_to_the_rest_are_removed() {
        let all = [dashboard("a", &["b", "c"]), dashboard("b", &[]), dashboard("c", &[])];
        let included = DashboardSelection { include: at(&["a", "c"]), exclude: None }.select(&all).unwrap();
        assert_eq!(names(&included), ["a", "c"]);
        assert_eq!(included[0].json()["panels"][0]["fieldConfig"]["defaults"]["links"][0]["url"], "/d/c?x=1");
        assert_eq!(included[0].json()["panels"][0]["fieldConfig"]["defaults"]["links"].as_array().unwrap().len(), 1);
        let excluded = DashboardSelection { include: None, exclude: at(&["b"]) }.select(&all).unwrap();
        assert_eq!(names(&excluded), ["a", "c"]);
        assert!(links::check(&excluded.iter().map(AsRef::as_ref).collect::<Vec<_>>()).is_empty());
        // The pruned copy prints its own text, without the removed link.
        assert!(!included[0].text().contains("/d/b?x=1") && included[0].text().contains("/d/c?x=1"));
    }

    #[test]
    fn unknown_names_suggest_the_nearest() {
        let all = [dashboard("k8s-cluster", &[]), dashboard("k8s-pod", &[])];
        let err = DashboardSelection { include: at(&["k8s-clustr"]), exclude: None }.select(&all).unwrap_err();
        assert_eq!(err.key(), Some("components.grafana.dashboards.include"));
        assert_eq!(err.help().as_deref(), Some("did you mean `k8s-cluster`?"));
        let err = DashboardSelection { include: None, exclude: at(&["banana"]) }.select(&all).unwrap_err();
        assert_eq!(err.help().as_deref(), Some("the dashboards are: k8s-cluster, k8s-pod"));
    }
}
